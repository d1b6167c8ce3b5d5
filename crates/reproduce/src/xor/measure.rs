//! The XOR metrics of a cell (docs/decisions.md D-METRIC-1 to D-METRIC-3), on the shared per-cell
//! metrics.

use super::table::Run;
use polarity_analysis::results::cell::{self, Metric};
use polarity_analysis::stats::{self, Summary};

pub use polarity_analysis::results::cell::{fraction, holm, mwu_p, wilcoxon_p};

/// Thresholds of the paper: 90 % for time and probability (Fig 1B, 4B-D), 95 % for Fig 4A;
/// accuracies are compared as float32 like the official pipeline (docs/decisions.md D-METRIC-5).
pub const TIME_THRESHOLD: f64 = 0.9;
pub const CAPACITY_THRESHOLD: f64 = 0.95;

/// The per-trial values of one cell.
#[derive(Debug, Clone, PartialEq)]
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

/// The three metrics of Fig 4D (and 4B), each scored as the official notebook does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FourDMetric {
    /// Median accuracy at convergence, higher is better (lower median error).
    Accuracy,
    /// `nanmedian` epochs to 90 %, lower is better; a side with no run reaching 90 % has a NaN
    /// median and NaN comparisons are false, so "Fluid never reached 90 %" is no frozen win.
    Epochs,
    /// P(val. acc. > 90 % at any epoch), higher is better.
    Reach90,
}

impl FourDMetric {
    pub const ALL: [FourDMetric; 3] = [Self::Accuracy, Self::Epochs, Self::Reach90];

    pub fn title(self) -> &'static str {
        match self {
            Self::Accuracy => "accuracy at convergence",
            Self::Epochs => "epochs to 90 %",
            Self::Reach90 => "P(reach 90 %)",
        }
    }
}

/// Whether a frozen cell beats the Fluid cell on `metric`, as the official Fig 4D notebook scores
/// it (docs/decisions.md D-CLAIM-6). With one Fluid set per cell, every panel compares with it.
pub fn beats_fluid(metric: FourDMetric, frozen: &CellValues, fluid: &CellValues) -> bool {
    let both = |a: &[f64], b: &[f64]| stats::median(a).zip(stats::median(b));
    match metric {
        FourDMetric::Accuracy => both(&frozen.error, &fluid.error).is_some_and(|(x, y)| x < y),
        FourDMetric::Epochs => {
            both(&frozen.epochs_to_90, &fluid.epochs_to_90).is_some_and(|(x, y)| x < y)
        }
        FourDMetric::Reach90 => frozen.p90() > fluid.p90(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(epochs: &[f64], error: &[f64], reached: &[bool]) -> CellValues {
        CellValues {
            epochs_to_90: epochs.to_vec(),
            error: error.to_vec(),
            reached_90: reached.to_vec(),
            reached_95: reached.to_vec(),
        }
    }

    #[test]
    fn fluid_never_reaching_ninety_percent_is_no_frozen_win() {
        let frozen = values(&[10.0, 12.0], &[5.0, 6.0], &[true, true]);
        let fluid = values(&[f64::NAN, f64::NAN], &[20.0, 30.0], &[false, false]);
        // np.nanmedian([nan, nan]) is nan and 11 < nan is False in the notebook.
        assert!(!beats_fluid(FourDMetric::Epochs, &frozen, &fluid));
        assert!(beats_fluid(FourDMetric::Accuracy, &frozen, &fluid));
        assert!(beats_fluid(FourDMetric::Reach90, &frozen, &fluid));
        let slower = values(&[30.0, f64::NAN], &[5.0, 6.0], &[true, false]);
        let faster = values(&[20.0, 21.0], &[5.0, 6.0], &[true, true]);
        // nanmedian drops the NaN: 30 vs 20.5.
        assert!(!beats_fluid(FourDMetric::Epochs, &slower, &faster));
        assert!(beats_fluid(FourDMetric::Epochs, &faster, &slower));
        assert!(
            !beats_fluid(FourDMetric::Accuracy, &faster, &slower),
            "equal medians"
        );
    }
}
