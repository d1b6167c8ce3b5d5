//! An XOR results table read back into per-network curves, by grid cell (the shared pipeline of
//! `polarity_analysis::results` over the typed [`XorRecord`]).

use polarity_analysis::results::{parse_rows, Curve, Curves, EpochPoint, ResultsError};
use polarity_core::ResetMethod;
use polarity_xor::{Condition, XorCell, XorRecord};

/// One network's per-epoch curves; `flips[0]` is the hidden layer, `flips[1]` the output.
pub type Run = Curve;

/// All runs of a sweep, by cell, each cell's runs in trial order.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    pub curves: Curves<XorCell>,
    /// Input dimension of the XOR task (for flip ratios per kernel entry).
    pub dims: usize,
}

impl Runs {
    /// Reads rows of the runner's table (canonical order: cell, trial, epoch).
    pub fn from_rows(rows: &[Vec<String>], dims: usize) -> Result<Self, ResultsError> {
        let records: Vec<XorRecord<f64>> = parse_rows(&XorRecord::header(), rows)?;
        let points = records.into_iter().map(|r| EpochPoint {
            cell: r.cell(),
            trial: r.trial,
            epoch: r.epoch,
            val_acc: r.val_acc,
            val_loss: r.val_loss,
            flips: vec![u64::from(r.flips_hidden), u64::from(r.flips_output)],
        });
        let curves = Curves::from_points(points, vec!["hidden".into(), "output".into()])?;
        Ok(Self { curves, dims })
    }

    /// The runs of one cell, if present.
    pub fn get(
        &self,
        n_train: usize,
        hidden: usize,
        reset: ResetMethod,
        condition: Condition,
    ) -> Option<&[Run]> {
        self.curves.get(&XorCell {
            n_train,
            hidden,
            reset,
            condition,
        })
    }

    /// Every cell present, in order.
    pub fn cells(&self) -> impl Iterator<Item = &XorCell> {
        self.curves.cells.keys()
    }
}
