//! Two-sided Mann-Whitney U test, as `scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
//! method="auto", nan_policy="omit")` in SciPy 1.17.
//!
//! SciPy's `auto` rule: the exact null distribution when at least one sample has at most 8 values and there
//! are no ties; otherwise the normal approximation with tie correction and continuity correction.

use super::normal::normal_sf;
use super::rank::average_ranks;
use super::{StatsError, TestMethod};
use serde::Serialize;

/// Result of [`mann_whitney_u`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MannWhitney {
    /// SciPy's statistic: U1, the U of the first sample `x` (number of pairs with x > y, ties counting 1/2).
    pub u: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    pub method: TestMethod,
    /// Sample sizes after dropping NaN values.
    pub n_x: usize,
    pub n_y: usize,
    /// Number of NaN values dropped from `x` and `y` together.
    pub omitted: usize,
}

/// Largest sample size for which SciPy's `auto` still considers the exact distribution.
const EXACT_MAX_SMALLER_SAMPLE: usize = 8;

/// Two-sided Mann-Whitney U test of `x` against `y`; NaN values are dropped first (`nan_policy="omit"`).
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Result<MannWhitney, StatsError> {
    const TEST: &str = "mann_whitney_u";
    let xs: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let ys: Vec<f64> = y.iter().copied().filter(|v| !v.is_nan()).collect();
    if xs.is_empty() {
        return Err(StatsError::EmptySample {
            test: TEST,
            sample: "x",
        });
    }
    if ys.is_empty() {
        return Err(StatsError::EmptySample {
            test: TEST,
            sample: "y",
        });
    }
    let (n1, n2) = (xs.len(), ys.len());
    let combined: Vec<f64> = xs.iter().chain(&ys).copied().collect();
    let (ranks, tie_groups) = average_ranks(&combined);
    let r1: f64 = ranks[..n1].iter().sum();
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let u2 = (n1 * n2) as f64 - u1;
    let u = u1.max(u2);
    let has_ties = tie_groups.iter().any(|&size| size > 1);

    let use_exact = n1.min(n2) <= EXACT_MAX_SMALLER_SAMPLE && !has_ties;
    let (p_one_side, method) = if use_exact {
        // Without ties U is an integer.
        (exact_sf(n1, n2, u as usize), TestMethod::Exact)
    } else {
        (
            asymptotic_sf(u, n1, n2, &tie_groups),
            TestMethod::Asymptotic,
        )
    };
    Ok(MannWhitney {
        u: u1,
        p_value: (2.0 * p_one_side).clamp(0.0, 1.0),
        method,
        n_x: n1,
        n_y: n2,
        omitted: x.len() + y.len() - n1 - n2,
    })
}

/// P(U >= k) under the null for sample sizes n1, n2 without ties.
fn exact_sf(n1: usize, n2: usize, k: usize) -> f64 {
    let counts = u_counts(n1.min(n2), n1.max(n2));
    let total: f64 = counts.iter().sum();
    // Sum the tail directly (all terms positive) rather than 1 - cdf, to keep small p-values accurate.
    let tail: f64 = counts.get(k..).map_or(0.0, |t| t.iter().sum());
    tail / total
}

/// Number of arrangements of m x's and n y's giving each U = 0..=m*n (Gaussian binomial coefficients).
///
/// Recurrence on the largest element: it is an x (adding n to U) or a y, so
/// N(i, j; u) = N(i-1, j; u-j) + N(i, j-1; u). Counts are kept in f64: only additions of positive numbers,
/// so the relative error stays near machine precision even when they exceed u64.
fn u_counts(m: usize, n: usize) -> Vec<f64> {
    // by_i[i] holds N(i, j; ·) for the current j.
    let mut by_i: Vec<Vec<f64>> = vec![vec![1.0]; m + 1];
    for j in 1..=n {
        for i in 1..=m {
            let mut next = vec![0.0; i * j + 1];
            for (u, &c) in by_i[i].iter().enumerate() {
                next[u] += c; // N(i, j-1; u)
            }
            for (u, &c) in by_i[i - 1].iter().enumerate() {
                next[u + j] += c; // N(i-1, j; u-j), already updated to column j
            }
            by_i[i] = next;
        }
    }
    by_i.swap_remove(m)
}

/// Normal approximation of P(U >= u) with tie and continuity correction (SciPy's `_get_mwu_z`).
fn asymptotic_sf(u: f64, n1: usize, n2: usize, tie_groups: &[usize]) -> f64 {
    let mu = (n1 * n2) as f64 / 2.0;
    let n = n1 + n2;
    let tie_term: f64 = tie_groups.iter().map(|&t| (t * t * t - t) as f64).sum();
    let s = ((n1 * n2) as f64 / 12.0 * ((n + 1) as f64 - tie_term / (n * (n - 1)) as f64)).sqrt();
    // When every value ties, s = 0 and z = -inf: p = 1, as in SciPy.
    let z = (u - mu - 0.5) / s;
    normal_sf(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: enumerate every split of 0..m+n into the x positions and count U.
    fn brute_force_counts(m: usize, n: usize) -> Vec<f64> {
        let mut counts = vec![0.0; m * n + 1];
        for mask in 0u32..(1 << (m + n)) {
            if mask.count_ones() as usize != m {
                continue;
            }
            // Position p (rank order) is an x if bit p is set; U counts y's below each x.
            let mut ys_below = 0;
            let mut u = 0;
            for p in 0..m + n {
                if mask & (1 << p) != 0 {
                    u += ys_below;
                } else {
                    ys_below += 1;
                }
            }
            counts[u] += 1.0;
        }
        counts
    }

    #[test]
    fn exact_counts_match_brute_force() {
        for (m, n) in [(1, 1), (2, 3), (3, 3), (4, 6), (5, 7)] {
            assert_eq!(u_counts(m, n), brute_force_counts(m, n), "m={m} n={n}");
        }
    }

    #[test]
    fn complete_separation_has_the_smallest_p() {
        // 3 vs 3, fully separated: p = 2 / C(6,3) = 0.1.
        let r = mann_whitney_u(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
        assert_eq!(r.u, 0.0);
        assert_eq!(r.method, TestMethod::Exact);
        assert!((r.p_value - 0.1).abs() < 1e-15);
    }

    #[test]
    fn nan_is_omitted_and_empty_samples_are_errors() {
        let r = mann_whitney_u(&[1.0, f64::NAN, 2.0, 3.0], &[4.0, 5.0, 6.0, f64::NAN]).unwrap();
        assert_eq!((r.n_x, r.n_y, r.omitted), (3, 3, 2));
        assert!((r.p_value - 0.1).abs() < 1e-15);
        let err = mann_whitney_u(&[f64::NAN], &[1.0]).unwrap_err();
        assert_eq!(
            err,
            StatsError::EmptySample {
                test: "mann_whitney_u",
                sample: "x"
            }
        );
    }
}
