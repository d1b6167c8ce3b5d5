//! polarity-analysis: task-independent analysis of training runs.
//!
//! Everything here works on plain slices of per-epoch curves or per-trial values, so the XOR and the
//! image experiments share it:
//!
//! - [`metrics`]: per-run metrics with the official notebooks' definitions (docs/decisions.md
//!   D-METRIC-1 to D-METRIC-4);
//! - [`stats`]: medians/IQR with NumPy's definitions, Mann-Whitney U and Wilcoxon signed-rank tests that
//!   match SciPy's `method="auto"`, Holm and Benjamini-Hochberg corrections matching statsmodels;
//! - [`figures`]: SVG + PNG figures rendered headless with a bundled font;
//! - [`results`]: typed epoch records, per-network curves by cell, per-cell metrics;
//! - [`claims`]: claims tables and the shared rules that judge them;
//! - [`report`]: Markdown and self-contained HTML reports.

pub mod atomic;
pub mod claims;
pub mod figures;
pub mod metrics;
pub mod report;
pub mod results;
pub mod stats;
