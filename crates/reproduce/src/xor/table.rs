//! Result rows of an XOR sweep, grouped into per-network curves by grid cell.

use anyhow::{anyhow, bail, Context};
use polarity_xor::experiment::COLUMNS;
use std::collections::BTreeMap;

/// A grid cell: every trial of one condition at one (training size, hidden size, reset method).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub n_train: usize,
    pub hidden: usize,
    pub reset: String,
    pub condition: String,
}

/// One network's per-epoch curves.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub trial: usize,
    pub val_acc: Vec<f64>,
    pub val_loss: Vec<f64>,
    pub flips_hidden: Vec<u64>,
    pub flips_output: Vec<u64>,
}

/// All runs of a sweep, by cell, each cell's runs in trial order.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    pub cells: BTreeMap<Cell, Vec<Run>>,
    pub dims: usize,
}

fn col(name: &str) -> usize {
    COLUMNS
        .iter()
        .position(|c| *c == name)
        .expect("known column")
}

impl Runs {
    /// Groups rows (in the runner's canonical order: cell, trial, epoch) into runs.
    pub fn from_rows(rows: &[Vec<String>], dims: usize) -> anyhow::Result<Self> {
        let idx = [
            "n_train",
            "hidden",
            "reset",
            "condition",
            "trial",
            "epoch",
            "val_acc",
            "val_loss",
            "flips_hidden",
            "flips_output",
        ]
        .map(col);
        let mut cells: BTreeMap<Cell, Vec<Run>> = BTreeMap::new();
        for (k, row) in rows.iter().enumerate() {
            if row.len() != COLUMNS.len() {
                bail!("row {k}: {} fields, expected {}", row.len(), COLUMNS.len());
            }
            let num = |i: usize| -> anyhow::Result<f64> {
                row[idx[i]].parse::<f64>().with_context(|| {
                    format!("row {k}, column {}: '{}'", COLUMNS[idx[i]], row[idx[i]])
                })
            };
            let cell = Cell {
                n_train: num(0)? as usize,
                hidden: num(1)? as usize,
                reset: row[idx[2]].clone(),
                condition: row[idx[3]].clone(),
            };
            let (trial, epoch) = (num(4)? as usize, num(5)? as usize);
            let runs = cells.entry(cell).or_default();
            if epoch == 0 {
                runs.push(Run {
                    trial,
                    ..Run::default()
                });
            }
            let run = runs
                .last_mut()
                .filter(|r| r.trial == trial && r.val_acc.len() == epoch)
                .ok_or_else(|| anyhow!("row {k}: epoch {epoch} of trial {trial} out of order"))?;
            run.val_acc.push(num(6)?);
            run.val_loss.push(num(7)?);
            run.flips_hidden.push(num(8)? as u64);
            run.flips_output.push(num(9)? as u64);
        }
        Ok(Self { cells, dims })
    }

    pub fn get(
        &self,
        n_train: usize,
        hidden: usize,
        reset: &str,
        condition: &str,
    ) -> Option<&[Run]> {
        self.cells
            .get(&Cell {
                n_train,
                hidden,
                reset: reset.to_string(),
                condition: condition.to_string(),
            })
            .map(Vec::as_slice)
    }
}
