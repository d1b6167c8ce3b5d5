//! XOR results reduced as they stream from the sweep runner: each unit's rows are grouped into
//! per-network curves (the shared pipeline of `polarity_analysis::results` over the typed
//! [`XorRecord`]), every cell of the unit is reduced to what the claims and figures read, and the
//! rows are dropped, so memory grows with the number of cells, not of networks or epochs
//! (docs/decisions.md D-STATS-10).

use super::measure::CellValues;
use polarity_analysis::results::{parse_rows, Curve, Curves, EpochPoint, ResultsError};
use polarity_analysis::stats;
use polarity_core::ResetMethod;
use polarity_xor::{Condition, XorCell, XorRecord};
use std::collections::BTreeMap;

/// One network's per-epoch curves; `flips[0]` is the hidden layer, `flips[1]` the output.
pub type Run = Curve;

/// Median, 25 % and 75 % quantile of a value over a cell's trials (NaN when no trial has it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    pub median: f64,
    pub q25: f64,
    pub q75: f64,
}

impl Quantiles {
    fn of(values: &[f64]) -> Self {
        let s = stats::summarize(values);
        Self {
            median: s.median.unwrap_or(f64::NAN),
            q25: s.q25.unwrap_or(f64::NAN),
            q75: s.q75.unwrap_or(f64::NAN),
        }
    }
}

/// What is kept of one cell: the per-trial metrics, and the per-epoch quantiles over trials of
/// each layer's flip ratio (flips per kernel entry), which the flips figure plots.
#[derive(Debug, Clone, PartialEq)]
pub struct ReducedCell {
    pub values: CellValues,
    /// `flip_ratios[layer][epoch]`; layer 0 is the hidden kernel (`dims x hidden` entries),
    /// layer 1 the output kernel (`hidden` entries).
    pub flip_ratios: Vec<Vec<Quantiles>>,
}

impl ReducedCell {
    /// Reduces the curves of one cell (trial order).
    pub fn of(cell: &XorCell, curves: &[Run], dims: usize) -> Self {
        let entries = [dims * cell.hidden, cell.hidden];
        let epochs = curves.iter().map(|c| c.val_acc.len()).min().unwrap_or(0);
        let flip_ratios = entries
            .iter()
            .enumerate()
            .map(|(layer, &n)| {
                (0..epochs)
                    .map(|e| {
                        let ratios: Vec<f64> = curves
                            .iter()
                            .map(|r| r.flips[layer][e] as f64 / n as f64)
                            .collect();
                        Quantiles::of(&ratios)
                    })
                    .collect()
            })
            .collect();
        Self {
            values: CellValues::of(curves),
            flip_ratios,
        }
    }
}

/// All cells of a sweep, reduced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Runs {
    cells: BTreeMap<XorCell, ReducedCell>,
    /// Input dimension of the XOR task (for flip ratios per kernel entry).
    pub dims: usize,
}

impl Runs {
    /// No cells yet; [`Runs::add_unit`] adds them as the runner hands units over.
    pub fn new(dims: usize) -> Self {
        Self {
            cells: BTreeMap::new(),
            dims,
        }
    }

    /// Reduces one unit's rows (the runner's order: a network's epochs consecutive and in
    /// order). A unit holds whole cells; a cell already added from another unit is an error,
    /// not a silent mix.
    pub fn add_unit(&mut self, rows: &[Vec<String>]) -> Result<(), ResultsError> {
        let curves = curves_of(rows)?;
        for (cell, cell_curves) in curves.cells {
            if self.cells.contains_key(&cell) {
                return Err(ResultsError::Record(format!(
                    "cell {cell:?} appears in more than one unit"
                )));
            }
            let reduced = ReducedCell::of(&cell, &cell_curves, self.dims);
            self.cells.insert(cell, reduced);
        }
        Ok(())
    }

    /// Reads a whole table at once (canonical order: cell, trial, epoch) and reduces it: the
    /// in-memory path, the reference the streaming one is held to.
    pub fn from_rows(rows: &[Vec<String>], dims: usize) -> Result<Self, ResultsError> {
        let curves = curves_of(rows)?;
        let cells = curves
            .cells
            .iter()
            .map(|(cell, c)| (*cell, ReducedCell::of(cell, c, dims)))
            .collect();
        Ok(Self { cells, dims })
    }

    /// The per-trial metrics of one cell, if present.
    pub fn get(
        &self,
        n_train: usize,
        hidden: usize,
        reset: ResetMethod,
        condition: Condition,
    ) -> Option<&CellValues> {
        self.cell(n_train, hidden, reset, condition)
            .map(|c| &c.values)
    }

    /// Everything kept of one cell, if present.
    pub fn cell(
        &self,
        n_train: usize,
        hidden: usize,
        reset: ResetMethod,
        condition: Condition,
    ) -> Option<&ReducedCell> {
        self.cells.get(&XorCell {
            n_train,
            hidden,
            reset,
            condition,
        })
    }

    /// Every cell present, in order.
    pub fn cells(&self) -> impl Iterator<Item = &XorCell> {
        self.cells.keys()
    }

    /// The distinct values of one coordinate of the cells (e.g. the training sizes), ascending.
    pub fn distinct<T: Ord>(&self, f: impl Fn(&XorCell) -> T) -> Vec<T> {
        let set: std::collections::BTreeSet<T> = self.cells.keys().map(f).collect();
        set.into_iter().collect()
    }
}

/// Rows of the runner's table grouped into per-network curves by cell.
fn curves_of(rows: &[Vec<String>]) -> Result<Curves<XorCell>, ResultsError> {
    let records: Vec<XorRecord<f64>> = parse_rows(&XorRecord::header(), rows)?;
    let points = records.into_iter().map(|r| EpochPoint {
        cell: r.cell(),
        trial: r.trial,
        epoch: r.epoch,
        val_acc: r.val_acc,
        val_loss: r.val_loss,
        flips: vec![u64::from(r.flips_hidden), u64::from(r.flips_output)],
    });
    Curves::from_points(points, vec!["hidden".into(), "output".into()])
}
