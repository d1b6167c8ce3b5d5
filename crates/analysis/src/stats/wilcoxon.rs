//! Wilcoxon signed-rank test for paired samples, as `scipy.stats.wilcoxon(x, y)` with its defaults
//! (`zero_method="wilcox"`, `correction=False`, `alternative="two-sided"`, `method="auto"`) in SciPy 1.17.
//!
//! SciPy's `auto` rule, on the n paired differences d = x - y (zeros included in n):
//! - n > 50: normal approximation;
//! - otherwise, no zero difference and no tied |d|: exact null distribution;
//! - otherwise n <= 13: exact permutation test over all 2^n sign flips of d;
//! - otherwise: normal approximation.
//!
//! Zero differences are dropped before ranking (`wilcox`); the normal approximation uses the tie-corrected
//! variance and no continuity correction. Pairs with a NaN on either side are dropped first
//! (`nan_policy="omit"`).

use super::normal::normal_sf;
use super::rank::average_ranks;
use super::{StatsError, TestMethod};
use serde::Serialize;

/// Result of [`wilcoxon_signed_rank`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wilcoxon {
    /// SciPy's two-sided statistic: min(R+, R-), the smaller signed-rank sum.
    pub statistic: f64,
    /// Two-sided p-value. NaN only where SciPy gives NaN: more than 13 pairs, all differences zero.
    pub p_value: f64,
    pub method: TestMethod,
    /// Number of pairs used (after dropping pairs with a NaN), zero differences included.
    pub n_pairs: usize,
    /// Number of pairs with a zero difference (excluded from the ranks).
    pub n_zero: usize,
    /// Number of pairs dropped because of a NaN.
    pub omitted: usize,
}

const EXACT_MAX_PAIRS: usize = 50;
/// SciPy switches to the permutation test only while 2^n stays below its default 9999 resamples.
const PERMUTATION_MAX_PAIRS: usize = 13;

/// Two-sided Wilcoxon signed-rank test of the paired samples `x` and `y`.
pub fn wilcoxon_signed_rank(x: &[f64], y: &[f64]) -> Result<Wilcoxon, StatsError> {
    const TEST: &str = "wilcoxon_signed_rank";
    if x.len() != y.len() {
        return Err(StatsError::PairedLengthMismatch {
            test: TEST,
            x: x.len(),
            y: y.len(),
        });
    }
    let d: Vec<f64> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| a - b)
        .collect();
    if d.is_empty() {
        return Err(StatsError::EmptySample {
            test: TEST,
            sample: "x - y",
        });
    }
    let n_pairs = d.len();
    let nonzero: Vec<f64> = d.iter().copied().filter(|&v| v != 0.0).collect();
    let n_zero = n_pairs - nonzero.len();
    let abs: Vec<f64> = nonzero.iter().map(|v| v.abs()).collect();
    let (ranks, tie_groups) = average_ranks(&abs);
    let r_plus: f64 = nonzero
        .iter()
        .zip(&ranks)
        .filter(|(v, _)| **v > 0.0)
        .map(|(_, r)| r)
        .sum();
    let r_minus: f64 = nonzero
        .iter()
        .zip(&ranks)
        .filter(|(v, _)| **v < 0.0)
        .map(|(_, r)| r)
        .sum();
    let has_ties = tie_groups.iter().any(|&size| size > 1);

    let method = if n_pairs > EXACT_MAX_PAIRS {
        TestMethod::Asymptotic
    } else if !has_ties && n_zero == 0 {
        TestMethod::Exact
    } else if n_pairs <= PERMUTATION_MAX_PAIRS {
        TestMethod::Permutation
    } else {
        TestMethod::Asymptotic
    };
    let p_value = match method {
        // Without ties the permutation distribution of R+ is the exact null distribution, so both branches
        // enumerate the same sign-flip distribution of the (average) ranks.
        TestMethod::Exact | TestMethod::Permutation => sign_flip_p_value(&ranks, r_plus),
        TestMethod::Asymptotic => asymptotic_p_value(r_plus, nonzero.len(), &tie_groups),
    };
    Ok(Wilcoxon {
        statistic: r_plus.min(r_minus),
        p_value,
        method,
        n_pairs,
        n_zero,
        omitted: x.len() - n_pairs,
    })
}

/// Two-sided p-value 2 min(P(T <= r+), P(T >= r+)) where T is R+ under independent random signs.
///
/// Average ranks are multiples of 1/2, so the distribution is built over doubled ranks in integers:
/// comparisons are exact (SciPy compares with a 100-ulp tolerance for the same purpose). Zero differences
/// only double every count, which cancels.
fn sign_flip_p_value(ranks: &[f64], r_plus: f64) -> f64 {
    let doubled: Vec<usize> = ranks.iter().map(|r| (2.0 * r).round() as usize).collect();
    let max_sum: usize = doubled.iter().sum();
    let mut counts = vec![0u64; max_sum + 1];
    counts[0] = 1;
    for &rank in &doubled {
        for sum in (rank..=max_sum).rev() {
            counts[sum] += counts[sum - rank];
        }
    }
    let observed = (2.0 * r_plus).round() as usize;
    let total = 2f64.powi(ranks.len() as i32);
    let at_most: u64 = counts[..=observed].iter().sum();
    let at_least: u64 = counts[observed..].iter().sum();
    (2.0 * at_most.min(at_least) as f64 / total).min(1.0)
}

/// Normal approximation without continuity correction; `count` = number of non-zero differences.
fn asymptotic_p_value(r_plus: f64, count: usize, tie_groups: &[usize]) -> f64 {
    let count = count as f64;
    let mean = count * (count + 1.0) * 0.25;
    let tie_correction: f64 = tie_groups.iter().map(|&t| (t * t * t - t) as f64).sum();
    let se = ((count * (count + 1.0) * (2.0 * count + 1.0) - tie_correction / 2.0) / 24.0).sqrt();
    // All differences zero: 0/0 = NaN, as in SciPy.
    let z = (r_plus - mean) / se;
    2.0 * normal_sf(z.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_positive_differences_give_the_smallest_exact_p() {
        // n = 6, R+ = 21: only one of 2^6 sign patterns is as extreme on each side -> 2/64.
        let r = wilcoxon_signed_rank(
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            &[0.0, 0.5, 1.0, 1.5, 2.0, 2.5],
        )
        .unwrap();
        assert_eq!(r.method, TestMethod::Exact);
        assert_eq!(r.statistic, 0.0);
        assert!((r.p_value - 2.0 / 64.0).abs() < 1e-15);
    }

    #[test]
    fn brute_force_sign_flips_agree_with_the_dp() {
        // Tied ranks: 1.5, 1.5, 3, 4.5, 4.5 (doubled 3, 3, 6, 9, 9); observed R+ = 1.5 + 3 = 4.5.
        let ranks = [1.5, 1.5, 3.0, 4.5, 4.5];
        let observed = 4.5;
        let (mut le, mut ge) = (0, 0);
        for mask in 0..(1u32 << ranks.len()) {
            let t: f64 = ranks
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, r)| r)
                .sum();
            le += (t <= observed) as u32;
            ge += (t >= observed) as u32;
        }
        let expected = (2.0 * le.min(ge) as f64 / 32.0).min(1.0);
        assert_eq!(sign_flip_p_value(&ranks, observed), expected);
    }

    #[test]
    fn nan_pairs_are_dropped_and_bad_input_is_rejected() {
        let r = wilcoxon_signed_rank(&[1.0, f64::NAN, 3.0], &[0.0, 1.0, f64::NAN]).unwrap();
        assert_eq!((r.n_pairs, r.omitted), (1, 2));
        assert_eq!(
            wilcoxon_signed_rank(&[1.0], &[1.0, 2.0]),
            Err(StatsError::PairedLengthMismatch {
                test: "wilcoxon_signed_rank",
                x: 1,
                y: 2
            })
        );
        assert!(wilcoxon_signed_rank(&[f64::NAN], &[1.0]).is_err());
    }
}
