//! Per-cell metrics (one value per trial) and comparisons between two cells, shared by every
//! task. Definitions follow the official notebooks (docs/decisions.md D-METRIC-1 to D-METRIC-4).

use super::curves::Curve;
use crate::metrics;
use crate::stats;

/// Which per-trial value a table, panel or claim looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Validation error (%) at the first epoch of minimum validation loss.
    Error,
    /// First 0-based epoch with `val_acc >= t`; NaN (missing) when never reached.
    EpochsTo(f64),
}

impl Metric {
    /// Per-trial values of `curves` (NaN = missing), in trial order.
    pub fn values(self, curves: &[Curve]) -> Vec<f64> {
        curves.iter().map(|c| self.value(c)).collect()
    }

    /// The value of one curve (NaN = missing).
    pub fn value(self, c: &Curve) -> f64 {
        match self {
            Metric::Error => metrics::error_at_convergence(&c.val_loss, &c.val_acc)
                .ok()
                .flatten()
                .unwrap_or(f64::NAN),
            Metric::EpochsTo(t) => {
                metrics::epochs_to_threshold(&c.val_acc, t).map_or(f64::NAN, |e| e as f64)
            }
        }
    }

    pub fn label(self) -> String {
        match self {
            Metric::Error => "validation error at convergence (%)".into(),
            Metric::EpochsTo(t) => format!("epochs to {:.0} % validation accuracy", 100.0 * t),
        }
    }

    /// Short name for claim statements ("error at convergence", "epochs to 90 %").
    pub fn short_name(self) -> String {
        match self {
            Metric::Error => "error at convergence".into(),
            Metric::EpochsTo(t) => format!("epochs to {:.0} %", 100.0 * t),
        }
    }
}

/// Whether each curve has `val_acc > t` at some epoch (the notebook's "probability" uses `>`).
pub fn reached(curves: &[Curve], t: f64) -> Vec<bool> {
    curves
        .iter()
        .map(|c| metrics::reached(&c.val_acc, t))
        .collect()
}

/// Fraction of curves with `val_acc > t` at some epoch; NaN for no curves.
pub fn p_reach(curves: &[Curve], t: f64) -> f64 {
    let accs: Vec<&[f64]> = curves.iter().map(|c| c.val_acc.as_slice()).collect();
    metrics::probability_reached(&accs, t).unwrap_or(f64::NAN)
}

/// Fraction of `true` (0 for an empty slice).
pub fn fraction(v: &[bool]) -> f64 {
    v.iter().filter(|&&b| b).count() as f64 / v.len().max(1) as f64
}

/// Median, NaN when there is no value.
pub fn median(values: &[f64]) -> f64 {
    stats::median(values).unwrap_or(f64::NAN)
}

/// Two-sided Mann-Whitney U p-value (NaNs omitted); NaN when a sample has no values.
pub fn mwu_p(x: &[f64], y: &[f64]) -> f64 {
    stats::mann_whitney_u(x, y).map_or(f64::NAN, |t| t.p_value)
}

/// Paired Wilcoxon signed-rank p-value (pairs with a NaN dropped); NaN when impossible.
pub fn wilcoxon_p(x: &[f64], y: &[f64]) -> f64 {
    stats::wilcoxon_signed_rank(x, y).map_or(f64::NAN, |t| t.p_value)
}

/// Holm-adjusted p-values over a family; NaN entries are left out of the family and stay NaN.
pub fn holm(ps: &[f64]) -> Vec<f64> {
    stats::holm_adjust_skipping_nan(ps)
}

/// One condition compared with a baseline at one setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// median(other) - median(baseline); NaN when either has no value.
    pub delta: f64,
    /// Two-sided Mann-Whitney U p-value (NaN values omitted); NaN when not computable.
    pub p_mwu: f64,
    /// Holm-adjusted over the comparisons of the same setting.
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
    let p: Vec<f64> = others.iter().map(|o| mwu_p(baseline, o)).collect();
    let adjusted = holm(&p);
    others
        .iter()
        .enumerate()
        .map(|(k, o)| Comparison {
            delta: median(o) - median(baseline),
            p_mwu: p[k],
            p_holm: adjusted[k],
            p_wilcoxon: paired
                .get(k)
                .copied()
                .unwrap_or(false)
                .then(|| wilcoxon_p(o, baseline)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(acc: &[f64], loss: &[f64]) -> Curve {
        Curve {
            trial: 0,
            val_acc: acc.to_vec(),
            val_loss: loss.to_vec(),
            flips: vec![],
        }
    }

    #[test]
    fn metrics_follow_the_notebook_definitions() {
        // Minimum loss at epoch 1 (first of the tie), where accuracy is 0.75 -> 25 % error.
        let c = curve(&[0.5, 0.75, 0.8, 0.8], &[1.0, 0.4, 0.4, 0.6]);
        let one = std::slice::from_ref(&c);
        assert_eq!(Metric::Error.values(one), vec![25.0]);
        // >= for epochs, > for probability.
        assert_eq!(Metric::EpochsTo(0.8).values(one), vec![2.0]);
        assert!(Metric::EpochsTo(0.9).values(one)[0].is_nan());
        // 0.8 recorded as float32 is 0.80000001 > 0.8 (docs/decisions.md D-METRIC-5).
        assert_eq!(p_reach(one, 0.8), 1.0);
        assert_eq!(p_reach(one, 0.81), 0.0);
        assert_eq!(reached(one, 0.79), vec![true]);
        assert_eq!(fraction(&[true, false, false, true]), 0.5);
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
