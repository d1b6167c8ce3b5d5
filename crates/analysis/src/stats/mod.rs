//! Descriptive statistics and hypothesis tests that reproduce NumPy, SciPy and statsmodels.
//!
//! The reference behaviour (checked against `tests/fixtures/scipy_stats.json`, written by
//! `scripts/make_stats_fixture.py`) is described in the crate README.

mod bootstrap;
mod mann_whitney;
mod multitest;
mod normal;
mod rank;
mod summary;
mod wilcoxon;

pub use bootstrap::{
    bootstrap_ratios, ratio_of_medians_interval, BootstrapOptions, Placement, RatioInterval,
    SplitMix64,
};
pub use mann_whitney::{mann_whitney_u, MannWhitney};
pub use multitest::{
    bh_adjust, bh_reject, holm_adjust, holm_adjust_nan_in_family, holm_adjust_skipping_nan,
    holm_reject, holm_reject_nan_in_family,
};
pub(crate) use rank::average_ranks;
pub use summary::{median, percentile, summarize, summarize_options, Summary};
pub use wilcoxon::{wilcoxon_signed_rank, Wilcoxon};

/// The standard normal quantile (SciPy's `norm.ppf`), NaN outside (0, 1).
pub fn normal_quantile(p: f64) -> f64 {
    normal::normal_quantile(p)
}

use serde::Serialize;
use thiserror::Error;

/// How a test's p-value was computed (the branch SciPy's `method="auto"` takes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestMethod {
    /// Exact null distribution of the statistic.
    Exact,
    /// Normal approximation.
    Asymptotic,
    /// Exact enumeration of all sign flips (SciPy's `PermutationMethod` when it is exhaustive).
    Permutation,
}

/// Input that a statistic cannot be computed from.
#[derive(Debug, Error, PartialEq)]
pub enum StatsError {
    #[error("{test}: sample `{sample}` has no non-missing values")]
    EmptySample {
        test: &'static str,
        sample: &'static str,
    },
    #[error("{test}: paired samples have lengths {x} and {y}; they must be equal")]
    PairedLengthMismatch {
        test: &'static str,
        x: usize,
        y: usize,
    },
    #[error("{test}: p-value {value} at index {index} is outside [0, 1]")]
    InvalidPValue {
        test: &'static str,
        index: usize,
        value: f64,
    },
    #[error("{test}: alpha {alpha} must be in (0, 1)")]
    InvalidAlpha { test: &'static str, alpha: f64 },
    #[error("percentile: q = {q} must be in [0, 100]")]
    InvalidPercentile { q: f64 },
}
