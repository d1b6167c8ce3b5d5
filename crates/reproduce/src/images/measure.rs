//! Per-trial metrics of a cell (docs/decisions.md D-METRIC-1 to D-METRIC-3) and the comparisons
//! with a baseline condition (Fig 3: Mann-Whitney U two-sided per size, Holm over the family of
//! comparisons at that size, as the ICML code; plus the paired Wilcoxon signed-rank test for
//! partners that share an init). The metrics and tests are the shared ones of
//! `polarity_analysis::results::cell`; this adds the image report's number formats.

use polarity_analysis::stats::Summary;

pub use polarity_analysis::results::cell::{compare, holm, p_reach, Comparison, Metric};

/// "12.5 [10.0, 15.0] (n = 20, 2 missing)".
pub fn cell_text(s: &Summary, decimals: usize) -> String {
    polarity_analysis::report::summary_cell(s, decimals)
}

pub use polarity_analysis::claims::fmt_p;

/// A signed difference with `decimals` digits, `-` when undefined.
pub fn fmt_delta(d: f64, decimals: usize) -> String {
    if d.is_nan() {
        "-".into()
    } else {
        format!("{d:+.decimals$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_carry_their_sign_and_missing_is_a_dash() {
        assert_eq!(fmt_delta(1.26, 1), "+1.3");
        assert_eq!(fmt_delta(-0.5, 2), "-0.50");
        assert_eq!(fmt_delta(f64::NAN, 1), "-");
    }
}
