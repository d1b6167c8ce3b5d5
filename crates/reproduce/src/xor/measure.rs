//! The XOR metrics of a cell (docs/decisions.md D-METRIC-1 to D-METRIC-3), on the shared per-cell
//! metrics.

use super::table::Run;
use polarity_analysis::results::cell::{self, Metric};
use polarity_analysis::stats::{self, Summary};

pub use polarity_analysis::results::cell::{fraction, holm, mwu_p, wilcoxon_p};

/// Thresholds of the paper: 90 % for time and probability (Fig 1B, 4B-D), 95 % for Fig 4A.
pub const TIME_THRESHOLD: f64 = 0.9;
pub const CAPACITY_THRESHOLD: f64 = 0.95;

/// The per-trial values of one cell.
#[derive(Debug, Clone)]
pub struct CellValues {
    /// First 0-based epoch with val_acc >= 0.9; NaN if never.
    pub epochs_to_90: Vec<f64>,
    /// Validation error (%) at the first minimum of the validation loss.
    pub error: Vec<f64>,
    /// Whether val_acc > 0.9 (resp. 0.95) at any epoch.
    pub reached_90: Vec<bool>,
    pub reached_95: Vec<bool>,
}

impl CellValues {
    pub fn of(runs: &[Run]) -> Self {
        Self {
            epochs_to_90: Metric::EpochsTo(TIME_THRESHOLD).values(runs),
            error: Metric::Error.values(runs),
            reached_90: cell::reached(runs, TIME_THRESHOLD),
            reached_95: cell::reached(runs, CAPACITY_THRESHOLD),
        }
    }
    pub fn p90(&self) -> f64 {
        fraction(&self.reached_90)
    }
    pub fn p95(&self) -> f64 {
        fraction(&self.reached_95)
    }
    pub fn time(&self) -> Summary {
        stats::summarize(&self.epochs_to_90)
    }
    pub fn err(&self) -> Summary {
        stats::summarize(&self.error)
    }
}

/// Median, with NaN when missing.
pub fn med(s: &Summary) -> f64 {
    s.median.unwrap_or(f64::NAN)
}

/// "12.5 [10, 15] (n=48, 2 missing)".
pub fn cell_text(s: &Summary) -> String {
    polarity_analysis::report::summary_cell(s, 1)
}
