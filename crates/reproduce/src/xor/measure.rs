//! Per-cell metrics (spec 2.3, 3) and comparisons between conditions.

use super::table::Run;
use polarity_analysis::metrics;
use polarity_analysis::stats::{self, Summary};

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
            epochs_to_90: runs
                .iter()
                .map(|r| {
                    metrics::epochs_to_threshold(&r.val_acc, TIME_THRESHOLD)
                        .map_or(f64::NAN, |e| e as f64)
                })
                .collect(),
            error: runs
                .iter()
                .map(|r| {
                    metrics::error_at_convergence(&r.val_loss, &r.val_acc)
                        .ok()
                        .flatten()
                        .unwrap_or(f64::NAN)
                })
                .collect(),
            reached_90: runs
                .iter()
                .map(|r| metrics::reached(&r.val_acc, TIME_THRESHOLD))
                .collect(),
            reached_95: runs
                .iter()
                .map(|r| metrics::reached(&r.val_acc, CAPACITY_THRESHOLD))
                .collect(),
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

pub fn fraction(v: &[bool]) -> f64 {
    v.iter().filter(|&&b| b).count() as f64 / v.len().max(1) as f64
}

/// Two-sided Mann-Whitney U p-value (NaNs omitted); NaN when a sample has no values.
pub fn mwu_p(x: &[f64], y: &[f64]) -> f64 {
    stats::mann_whitney_u(x, y).map_or(f64::NAN, |t| t.p_value)
}

/// Paired Wilcoxon signed-rank p-value (pairs with a NaN dropped); NaN when impossible.
pub fn wilcoxon_p(x: &[f64], y: &[f64]) -> f64 {
    stats::wilcoxon_signed_rank(x, y).map_or(f64::NAN, |t| t.p_value)
}

/// Holm-adjusted p-values over a family, NaN entries left out of the family and kept NaN.
pub fn holm(ps: &[f64]) -> Vec<f64> {
    stats::holm_adjust_skipping_nan(ps)
}

/// Median, with NaN when missing.
pub fn med(s: &Summary) -> f64 {
    s.median.unwrap_or(f64::NAN)
}

/// "12.5 [10, 15] (n=48, 2 missing)".
pub fn cell_text(s: &Summary) -> String {
    polarity_analysis::report::summary_cell(s, 1)
}
