//! Per-trial metrics of a cell (spec 5.4) and the comparisons with a baseline condition (Fig 3:
//! Mann-Whitney U two-sided per size, Holm over the family of comparisons at that size, as the
//! ICML code; plus the paired Wilcoxon signed-rank test for partners that share an init).

use crate::images::runs::Run;
use polarity_analysis::metrics;
use polarity_analysis::stats::{self, Summary};

/// Which per-trial value a table, panel or claim looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Validation error (%) at the first epoch of minimum validation loss.
    Error,
    /// First 0-based epoch with `val_acc >= t`; NaN when never reached.
    EpochsTo(f64),
}

impl Metric {
    /// Per-trial values of `runs` (NaN = missing).
    pub fn values(self, runs: &[Run]) -> Vec<f64> {
        runs.iter()
            .map(|r| match self {
                Metric::Error => metrics::error_at_convergence(&r.val_loss, &r.val_acc)
                    .ok()
                    .flatten()
                    .unwrap_or(f64::NAN),
                Metric::EpochsTo(t) => {
                    metrics::epochs_to_threshold(&r.val_acc, t).map_or(f64::NAN, |e| e as f64)
                }
            })
            .collect()
    }

    pub fn label(self) -> String {
        match self {
            Metric::Error => "validation error at convergence (%)".into(),
            Metric::EpochsTo(t) => format!("epochs to {:.0} % validation accuracy", 100.0 * t),
        }
    }
}

/// Fraction of runs with `val_acc > t` at some epoch (the notebook's "probability").
pub fn p_reach(runs: &[Run], t: f64) -> f64 {
    let curves: Vec<&[f64]> = runs.iter().map(|r| r.val_acc.as_slice()).collect();
    metrics::probability_reached(&curves, t).unwrap_or(f64::NAN)
}

/// One condition compared with the baseline at one size.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// median(other) - median(baseline); NaN when either has no value.
    pub delta: f64,
    /// Two-sided Mann-Whitney U p-value (NaN values omitted); NaN when not computable.
    pub p_mwu: f64,
    /// Holm-adjusted over the comparisons of the same size.
    pub p_holm: f64,
    /// Paired Wilcoxon signed-rank p-value (pairs by trial), when the pair shares an init.
    pub p_wilcoxon: Option<f64>,
}

impl Comparison {
    /// Holm-significant at 5 %.
    pub fn significant(&self) -> bool {
        self.p_holm < 0.05
    }
}

/// Compares each of `others` with `baseline` (per-trial values in trial order), Holm-adjusting
/// the Mann-Whitney p-values over the comparisons that could be computed. `paired[k]` asks for
/// the Wilcoxon test of `others[k]` (trial i of both started from the same draw).
pub fn compare(baseline: &[f64], others: &[Vec<f64>], paired: &[bool]) -> Vec<Comparison> {
    let p: Vec<f64> = others
        .iter()
        .map(|o| stats::mann_whitney_u(baseline, o).map_or(f64::NAN, |t| t.p_value))
        .collect();
    let adjusted = holm(&p);
    let med = |v: &[f64]| stats::median(v).unwrap_or(f64::NAN);
    others
        .iter()
        .enumerate()
        .map(|(k, o)| Comparison {
            delta: med(o) - med(baseline),
            p_mwu: p[k],
            p_holm: adjusted[k],
            p_wilcoxon: paired
                .get(k)
                .copied()
                .unwrap_or(false)
                .then(|| stats::wilcoxon_signed_rank(o, baseline).map_or(f64::NAN, |t| t.p_value)),
        })
        .collect()
}

/// Holm-adjusted p-values; NaN entries are left out of the family and stay NaN.
pub fn holm(ps: &[f64]) -> Vec<f64> {
    stats::holm_adjust_skipping_nan(ps)
}

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

    fn run(acc: &[f64], loss: &[f64]) -> Run {
        Run {
            trial: 0,
            val_acc: acc.to_vec(),
            val_loss: loss.to_vec(),
            flips: vec![],
        }
    }

    #[test]
    fn metrics_follow_the_notebook_definitions() {
        // Minimum loss at epoch 1 (first of the tie), where accuracy is 0.75 -> 25 % error.
        let r = run(&[0.5, 0.75, 0.8, 0.8], &[1.0, 0.4, 0.4, 0.6]);
        assert_eq!(Metric::Error.values(std::slice::from_ref(&r)), vec![25.0]);
        // >= for epochs, > for probability.
        assert_eq!(
            Metric::EpochsTo(0.8).values(std::slice::from_ref(&r)),
            vec![2.0]
        );
        assert!(Metric::EpochsTo(0.9).values(std::slice::from_ref(&r))[0].is_nan());
        assert_eq!(p_reach(std::slice::from_ref(&r), 0.8), 0.0);
        assert_eq!(p_reach(&[r], 0.79), 1.0);
    }

    #[test]
    fn holm_matches_the_step_down_by_hand() {
        // sorted 0.01, 0.02, 0.04 -> 0.03, 0.04, 0.04 (monotone); NaN stays out of the family.
        let h = holm(&[0.04, f64::NAN, 0.01, 0.02]);
        assert!((h[0] - 0.04).abs() < 1e-12 && h[1].is_nan());
        assert!((h[2] - 0.03).abs() < 1e-12 && (h[3] - 0.04).abs() < 1e-12);
    }

    #[test]
    fn compare_separated_samples() {
        // 5 vs 5 without ties: SciPy's "auto" takes the exact distributions.
        let base: Vec<f64> = (0..5).map(f64::from).collect();
        let far: Vec<f64> = (100..105).map(f64::from).collect();
        let same = base.clone();
        let c = compare(&base, &[far, same], &[true, false]);
        assert_eq!(c[0].delta, 100.0);
        // Exact two-sided MWU for complete separation of 5 vs 5: 2 / C(10, 5).
        assert!((c[0].p_mwu - 2.0 / 252.0).abs() < 1e-12, "{}", c[0].p_mwu);
        assert!((c[0].p_holm - 2.0 * c[0].p_mwu).abs() < 1e-12);
        assert!(c[0].significant() && !c[1].significant());
        // Wilcoxon: all 5 differences positive -> exact two-sided p = 2 / 2^5.
        assert!((c[0].p_wilcoxon.unwrap() - 2.0 / 32.0).abs() < 1e-12);
        assert!(c[1].p_wilcoxon.is_none());
    }
}
