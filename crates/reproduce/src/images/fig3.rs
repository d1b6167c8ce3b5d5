//! Fig 3's comparisons at one training size: each condition against the baseline (Frozen
//! IN-Polarity), two-sided Mann-Whitney U, Holm over the ICML code's family of four comparisons
//! (Fluid IN-Polarity, Fluid RAND-Polarity, Frozen IN-Weight, Fluid IN-Weight) with an untestable
//! comparison (NaN p) kept in the family (docs/decisions.md D-STATS-2, D-STATS-8, D-IMG-11).
//! Frozen RAND-Polarity, which the figure also draws, is not one of the four: it is reported
//! with its unadjusted p-value and labelled as outside the family.

use crate::images::design::{
    shares_init, FLUID_IN_POLARITY, FLUID_IN_WEIGHT, FLUID_RAND, FROZEN_IN_WEIGHT,
};
use polarity_analysis::results::cell::{median, mwu_p, wilcoxon_p};
use polarity_analysis::stats::{holm_adjust_nan_in_family, holm_reject_nan_in_family};
use polarity_images::conditions::Condition;

/// The ICML code's Holm family at each size: the comparisons with Frozen IN-Polarity.
pub const PAPER_FAMILY: [Condition; 4] = [
    FLUID_IN_POLARITY,
    FLUID_RAND,
    FROZEN_IN_WEIGHT,
    FLUID_IN_WEIGHT,
];

/// Significance level of Fig 3 (the paper's alpha).
pub const ALPHA: f64 = 0.05;

/// One condition against the baseline at one size.
#[derive(Debug, Clone, PartialEq)]
pub struct Fig3Comparison {
    pub condition: Condition,
    /// median(condition) - median(baseline), NaN values omitted; NaN when a side has none.
    pub delta: f64,
    /// Two-sided Mann-Whitney U p-value (NaN values omitted); NaN when not computable.
    pub p_mwu: f64,
    /// Holm-adjusted over the family (NaN for an untestable comparison); `None` outside it.
    pub p_holm: Option<f64>,
    /// Holm-significant at [`ALPHA`] (never outside the family, never for NaN).
    pub significant: bool,
    /// Paired Wilcoxon signed-rank p-value where trial i of both starts from the same draw.
    pub p_wilcoxon: Option<f64>,
}

impl Fig3Comparison {
    pub fn in_family(&self) -> bool {
        self.p_holm.is_some()
    }
}

/// Compares each of `others` (condition, per-trial values) with `baseline`'s values. The family
/// is the members of [`PAPER_FAMILY`] among `others` (all four in the paper's grid; only Fluid
/// RAND-Polarity when the IN conditions were skipped), each counting in m even when its test
/// cannot be computed.
pub fn compare_with_baseline(
    baseline: Condition,
    base: &[f64],
    others: &[(Condition, Vec<f64>)],
) -> Vec<Fig3Comparison> {
    let p: Vec<f64> = others.iter().map(|(_, o)| mwu_p(base, o)).collect();
    let family: Vec<usize> = (0..others.len())
        .filter(|&k| PAPER_FAMILY.contains(&others[k].0))
        .collect();
    let family_p: Vec<f64> = family.iter().map(|&k| p[k]).collect();
    // p-values come from the Mann-Whitney test and lie in [0, 1] or are NaN: no error possible.
    let adjusted =
        holm_adjust_nan_in_family(&family_p).unwrap_or_else(|_| vec![f64::NAN; family.len()]);
    let reject =
        holm_reject_nan_in_family(&family_p, ALPHA).unwrap_or_else(|_| vec![false; family.len()]);
    others
        .iter()
        .enumerate()
        .map(|(k, (c, o))| {
            let slot = family.iter().position(|&f| f == k);
            Fig3Comparison {
                condition: *c,
                delta: median(o) - median(base),
                p_mwu: p[k],
                p_holm: slot.map(|s| adjusted[s]),
                significant: slot.is_some_and(|s| reject[s]),
                p_wilcoxon: shares_init(*c, baseline).then(|| wilcoxon_p(o, base)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::design::{FROZEN_IN_POLARITY, FROZEN_RAND};

    /// Per-trial values whose Mann-Whitney p against `base` is exact: complete separation of 5
    /// against 5 gives 2 / C(10, 5) = 2 / 252 (SciPy's exact branch).
    fn far(offset: f64) -> Vec<f64> {
        (0..5).map(|k| offset + f64::from(k)).collect()
    }

    #[test]
    fn the_family_is_the_papers_four_and_frozen_rand_is_outside() {
        let base = far(0.0);
        let others = vec![
            (FLUID_IN_POLARITY, far(100.0)),
            (FROZEN_RAND, far(100.0)),
            (FLUID_RAND, far(100.0)),
            (FROZEN_IN_WEIGHT, base.clone()),
            (FLUID_IN_WEIGHT, vec![f64::NAN; 5]),
        ];
        let c = compare_with_baseline(FROZEN_IN_POLARITY, &base, &others);
        let p_sep = 2.0 / 252.0;
        // Family of four (m = 4, the NaN test included), sorted: p_sep, p_sep, 1, NaN.
        // Brute-force Holm: adjusted = running max of (4 - k) p_(k): 4 p, 4 p, max(4 p, 2 * 1) = 1.
        assert!((c[0].p_holm.unwrap() - 4.0 * p_sep).abs() < 1e-12, "{c:?}");
        assert!((c[2].p_holm.unwrap() - 4.0 * p_sep).abs() < 1e-12);
        assert_eq!(c[3].p_holm, Some(1.0));
        assert!(c[4].p_mwu.is_nan() && c[4].p_holm.unwrap().is_nan());
        // Step-down: p_sep = 0.0079 <= 0.05 / 4, p_sep <= 0.05 / 3, 1 > 0.05 / 2: stop. The NaN
        // is never significant.
        let starred: Vec<bool> = c.iter().map(|x| x.significant).collect();
        assert_eq!(starred, vec![true, false, true, false, false]);
        // Frozen RAND-Polarity: outside the family, its raw p kept, never starred.
        assert!(!c[1].in_family() && (c[1].p_mwu - p_sep).abs() < 1e-12 && !c[1].significant);
        assert_eq!(c[0].delta, 100.0);
        // Wilcoxon only where trial i shares its draw with the baseline's trial i.
        assert!(c[0].p_wilcoxon.is_some() && c[3].p_wilcoxon.is_none());
    }

    #[test]
    fn a_nan_in_the_family_raises_the_others_threshold() {
        // 8 vs 8 without ties: exact two-sided p = 2 / C(16, 8) = 2 / 12870 for complete separation.
        let base: Vec<f64> = (0..8).map(f64::from).collect();
        let sep: Vec<f64> = (100..108).map(f64::from).collect();
        let p_sep = 2.0 / 12870.0;
        let others = vec![
            (FLUID_IN_POLARITY, sep.clone()),
            (FLUID_RAND, vec![f64::NAN; 8]),
            (FROZEN_IN_WEIGHT, vec![f64::NAN; 8]),
            (FLUID_IN_WEIGHT, vec![f64::NAN; 8]),
        ];
        let c = compare_with_baseline(FROZEN_IN_POLARITY, &base, &others);
        assert!(
            (c[0].p_holm.unwrap() - 4.0 * p_sep).abs() < 1e-15,
            "m = 4, not 1"
        );
        assert!(c[0].significant && c[1..].iter().all(|x| !x.significant));
        // Without the IN conditions (D-IMG-8) the family is Fluid RAND alone.
        let c = compare_with_baseline(FROZEN_RAND, &base, &[(FLUID_RAND, sep)]);
        assert!((c[0].p_holm.unwrap() - p_sep).abs() < 1e-15 && c[0].significant);
    }
}
