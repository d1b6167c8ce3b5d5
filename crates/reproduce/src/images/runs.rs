//! A study's table rows grouped into per-network curves, by (task, training size, condition).

use anyhow::{bail, Context};
use polarity_burn::conditions::Condition;
use std::collections::BTreeMap;

/// One network's per-epoch validation curves and sign flips per kernel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    pub trial: usize,
    pub val_acc: Vec<f64>,
    pub val_loss: Vec<f64>,
    /// `flips[k][e]`: sign changes of kernel k between the ends of epochs e-1 and e.
    pub flips: Vec<Vec<u64>>,
}

/// Every trial of one condition at one task and training size.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub task: String,
    pub n_train: usize,
    pub condition: String,
}

/// All runs of a study, each cell's runs in trial order.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    pub cells: BTreeMap<Cell, Vec<Run>>,
    /// Kernel column names (`conv1`, `fc6`, ...) of the `flips_` columns.
    pub kernels: Vec<String>,
}

impl Runs {
    /// Groups rows with `header` (polarity-burn's run table) into runs. Rows of one network must
    /// be consecutive and in epoch order, as the sweep runner writes them.
    pub fn from_rows(header: &[String], rows: &[Vec<String>]) -> anyhow::Result<Self> {
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .with_context(|| format!("the result table has no column '{name}'"))
        };
        let [task, n, cond, trial, epoch, acc, loss] = [
            "dataset",
            "n_train",
            "condition",
            "trial",
            "epoch",
            "val_acc",
            "val_loss",
        ]
        .map(col);
        let (task, n, cond, trial, epoch, acc, loss) =
            (task?, n?, cond?, trial?, epoch?, acc?, loss?);
        let flip_cols: Vec<(usize, String)> = header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.strip_prefix("flips_").map(|k| (i, k.to_string())))
            .collect();
        let mut cells: BTreeMap<Cell, Vec<Run>> = BTreeMap::new();
        for (k, row) in rows.iter().enumerate() {
            if row.len() != header.len() {
                bail!("row {k}: {} fields, expected {}", row.len(), header.len());
            }
            let num = |i: usize| -> anyhow::Result<f64> {
                row[i].parse::<f64>().with_context(|| {
                    format!(
                        "row {k}, column '{}': '{}' is not a number",
                        header[i], row[i]
                    )
                })
            };
            let int = |i: usize| -> anyhow::Result<usize> {
                row[i].parse::<usize>().with_context(|| {
                    format!(
                        "row {k}, column '{}': '{}' is not a count",
                        header[i], row[i]
                    )
                })
            };
            let cell = Cell {
                task: row[task].clone(),
                n_train: int(n)?,
                condition: row[cond].clone(),
            };
            let (t, e) = (int(trial)?, int(epoch)?);
            let runs = cells.entry(cell).or_default();
            if e == 0 {
                runs.push(Run {
                    trial: t,
                    flips: vec![Vec::new(); flip_cols.len()],
                    ..Run::default()
                });
            }
            let run = match runs.last_mut() {
                Some(r) if r.trial == t && r.val_acc.len() == e => r,
                _ => bail!("row {k}: epoch {e} of trial {t} does not follow the previous row of its network"),
            };
            run.val_acc.push(num(acc)?);
            run.val_loss.push(num(loss)?);
            for (j, (i, _)) in flip_cols.iter().enumerate() {
                run.flips[j].push(int(*i)? as u64);
            }
        }
        Ok(Runs {
            cells,
            kernels: flip_cols.into_iter().map(|(_, k)| k).collect(),
        })
    }

    /// The runs of one cell, if present.
    pub fn get(&self, task: &str, n: usize, condition: Condition) -> Option<&[Run]> {
        self.cells
            .get(&Cell {
                task: task.to_string(),
                n_train: n,
                condition: condition.to_string(),
            })
            .map(Vec::as_slice)
    }

    /// Training sizes present for `task`, ascending.
    pub fn sizes(&self, task: &str) -> Vec<usize> {
        let mut s: Vec<usize> = self
            .cells
            .keys()
            .filter(|c| c.task == task)
            .map(|c| c.n_train)
            .collect();
        s.dedup();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<String> {
        [
            "dataset",
            "n_train",
            "condition",
            "trial",
            "epoch",
            "val_acc",
            "val_loss",
            "flips_conv1",
        ]
        .map(String::from)
        .to_vec()
    }

    fn row(n: usize, c: &str, t: usize, e: usize, acc: f64) -> Vec<String> {
        vec![
            "t".into(),
            n.to_string(),
            c.into(),
            t.to_string(),
            e.to_string(),
            acc.to_string(),
            (1.0 - acc).to_string(),
            (3 * e).to_string(),
        ]
    }

    #[test]
    fn groups_rows_into_runs_by_cell_and_trial() {
        let rows = vec![
            row(10, "fluid-rand-polarity", 0, 0, 0.1),
            row(10, "fluid-rand-polarity", 0, 1, 0.2),
            row(10, "fluid-rand-polarity", 1, 0, 0.3),
            row(10, "fluid-rand-polarity", 1, 1, 0.4),
            row(20, "fluid-rand-polarity", 0, 0, 0.5),
        ];
        let runs = Runs::from_rows(&header(), &rows).unwrap();
        let c: Condition = "fluid-rand-polarity".parse().unwrap();
        let cell = runs.get("t", 10, c).unwrap();
        assert_eq!(cell.len(), 2);
        assert_eq!(cell[1].trial, 1);
        assert_eq!(cell[1].val_acc, vec![0.3, 0.4]);
        assert_eq!(cell[0].flips, vec![vec![0, 3]]);
        assert_eq!(runs.sizes("t"), vec![10, 20]);
        assert_eq!(runs.kernels, vec!["conv1".to_string()]);
    }

    #[test]
    fn rejects_out_of_order_epochs_and_bad_numbers() {
        let rows = vec![row(10, "a", 0, 1, 0.1)];
        let e = Runs::from_rows(&header(), &rows).unwrap_err().to_string();
        assert!(e.contains("does not follow"), "{e}");
        let mut bad = row(10, "a", 0, 0, 0.1);
        bad[5] = "x".into();
        let e = Runs::from_rows(&header(), &[bad]).unwrap_err().to_string();
        assert!(e.contains("val_acc") && e.contains("'x'"), "{e}");
    }
}
