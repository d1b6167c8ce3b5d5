//! Multiple-comparison corrections, as statsmodels' `multipletests(p, alpha, method="holm" | "fdr_bh")`.
//!
//! NaN p-values (a comparison that could not be tested) are left out of the family by `holm_*` and `bh_*`:
//! their adjusted value is NaN and they are never rejected; the family size m counts only the others. The
//! `*_nan_in_family` variants keep them in m, as statsmodels and the ICML Fig 3 code do (docs/decisions.md
//! D-STATS-8). Values outside [0, 1] are errors.

use super::StatsError;

/// Indices of the non-NaN p-values in ascending order of p, after validating the range.
fn sorted_family(p: &[f64], test: &'static str) -> Result<Vec<usize>, StatsError> {
    if let Some((index, &value)) = p
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_nan() && !(0.0..=1.0).contains(*v))
    {
        return Err(StatsError::InvalidPValue { test, index, value });
    }
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    Ok(order)
}

fn check_alpha(alpha: f64, test: &'static str) -> Result<(), StatsError> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidAlpha { test, alpha })
    }
}

/// Holm step-down adjusted p-values: running maximum of (m - k) p_(k) over the sorted p, capped at 1.
pub fn holm_adjust(p: &[f64]) -> Result<Vec<f64>, StatsError> {
    holm_adjust_in(p, "holm_adjust", false)
}

/// Holm adjustment with the family size m = the non-NaN count, or (`nan_in_family`) all of `p`.
fn holm_adjust_in(
    p: &[f64],
    test: &'static str,
    nan_in_family: bool,
) -> Result<Vec<f64>, StatsError> {
    let order = sorted_family(p, test)?;
    let m = if nan_in_family { p.len() } else { order.len() };
    let mut adjusted = vec![f64::NAN; p.len()];
    let mut running_max = f64::NEG_INFINITY;
    for (k, &index) in order.iter().enumerate() {
        running_max = running_max.max(p[index] * (m - k) as f64);
        adjusted[index] = running_max.min(1.0);
    }
    Ok(adjusted)
}

/// Holm decisions at `alpha`: sorted p compared with alpha/m, alpha/(m-1), ..., alpha/1, rejecting while
/// `p <= threshold` and stopping at the first failure (the ICML plotting code's procedure).
pub fn holm_reject(p: &[f64], alpha: f64) -> Result<Vec<bool>, StatsError> {
    holm_reject_in(p, alpha, "holm_reject", false)
}

/// Holm decisions with the family size m = the non-NaN count, or (`nan_in_family`) all of `p`;
/// NaN entries sort last and are never rejected.
fn holm_reject_in(
    p: &[f64],
    alpha: f64,
    test: &'static str,
    nan_in_family: bool,
) -> Result<Vec<bool>, StatsError> {
    check_alpha(alpha, test)?;
    let order = sorted_family(p, test)?;
    let m = if nan_in_family { p.len() } else { order.len() };
    let mut reject = vec![false; p.len()];
    for (k, &index) in order.iter().enumerate() {
        if p[index] > alpha / (m - k) as f64 {
            break;
        }
        reject[index] = true;
    }
    Ok(reject)
}

/// Benjamini-Hochberg adjusted p-values: running minimum from the top of p_(k) / (k / m), capped at 1.
pub fn bh_adjust(p: &[f64]) -> Result<Vec<f64>, StatsError> {
    let order = sorted_family(p, "bh_adjust")?;
    let m = order.len();
    let mut adjusted = vec![f64::NAN; p.len()];
    let mut running_min = f64::INFINITY;
    for (k, &index) in order.iter().enumerate().rev() {
        // statsmodels divides by the ECDF factor k/m rather than multiplying by m/k; keep its rounding.
        let factor = (k + 1) as f64 / m as f64;
        running_min = running_min.min(p[index] / factor);
        adjusted[index] = running_min.min(1.0);
    }
    Ok(adjusted)
}

/// Benjamini-Hochberg decisions at false discovery rate `alpha` (step-up: reject every p up to the largest
/// sorted p_(k) with p_(k) <= alpha k / m).
pub fn bh_reject(p: &[f64], alpha: f64) -> Result<Vec<bool>, StatsError> {
    check_alpha(alpha, "bh_reject")?;
    let order = sorted_family(p, "bh_reject")?;
    let m = order.len();
    let largest = order
        .iter()
        .enumerate()
        .rposition(|(k, &index)| p[index] <= (k + 1) as f64 / m as f64 * alpha);
    let mut reject = vec![false; p.len()];
    if let Some(last) = largest {
        for &index in &order[..=last] {
            reject[index] = true;
        }
    }
    Ok(reject)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_by_hand() {
        // Sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 -> running max 0.06.
        let p = [0.01, 0.04, 0.03, 0.005];
        let adj = holm_adjust(&p).unwrap();
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in adj.iter().zip(expected) {
            assert!((a - e).abs() < 1e-15, "{adj:?}");
        }
        // 0.005 <= 0.0125, 0.01 <= 0.0167, 0.03 > 0.025: stop; 0.04 is not rejected even though <= 0.05.
        assert_eq!(
            holm_reject(&p, 0.05).unwrap(),
            vec![true, false, false, true]
        );
    }

    #[test]
    fn bh_by_hand_and_nan_left_out() {
        let p = [0.01, f64::NAN, 0.04, 0.03];
        // m = 3: 0.01*3 = 0.03, 0.03*3/2 = 0.045, 0.04*3/3 = 0.04 -> running min from the top: 0.03, 0.04, 0.04.
        let adj = bh_adjust(&p).unwrap();
        assert!(adj[1].is_nan());
        for (a, e) in [adj[0], adj[2], adj[3]].iter().zip([0.03, 0.04, 0.04]) {
            assert!((a - e).abs() < 1e-15, "{adj:?}");
        }
        assert_eq!(bh_reject(&p, 0.05).unwrap(), vec![true, false, true, true]);
    }

    #[test]
    fn invalid_input_is_named() {
        let err = holm_adjust(&[0.5, 1.5]).unwrap_err();
        assert_eq!(
            err,
            StatsError::InvalidPValue {
                test: "holm_adjust",
                index: 1,
                value: 1.5
            }
        );
        assert!(err.to_string().contains("index 1"));
        assert!(holm_reject(&[0.1], 0.0).is_err());
        assert_eq!(holm_adjust(&[]).unwrap(), Vec::<f64>::new());
    }
}

/// Holm-adjusted p-values of a family of `p.len()` tests in which an untestable comparison (NaN)
/// still counts: m is the family's full size, the NaN entries sort after every number (as
/// `np.argsort` puts them) and stay NaN. This is statsmodels' `multipletests(p, method="holm")`
/// on an array holding NaN, and the ICML code's family of four (docs/decisions.md D-STATS-8).
pub fn holm_adjust_nan_in_family(p: &[f64]) -> Result<Vec<f64>, StatsError> {
    holm_adjust_in(p, "holm_adjust_nan_in_family", true)
}

/// Holm decisions at `alpha` over a family of `p.len()` tests, NaN entries counted in m and never
/// rejected: the sorted numbers are compared with alpha/m, alpha/(m-1), ..., stopping at the first
/// failure. statsmodels differs only on the NaN entries themselves (it flags a NaN that follows
/// only rejections as rejected, since `NaN > threshold` is false); a comparison that could not be
/// tested is not called significant here (docs/decisions.md D-STATS-8).
pub fn holm_reject_nan_in_family(p: &[f64], alpha: f64) -> Result<Vec<bool>, StatsError> {
    holm_reject_in(p, alpha, "holm_reject_nan_in_family", true)
}

#[cfg(test)]
mod nan_in_family_tests {
    use super::*;

    #[test]
    fn nan_counts_in_m_but_is_never_rejected() {
        // m = 4 although one test is NaN: 0.01 * 4 = 0.04, 0.03 * 3 = 0.09, 0.04 * 2 = 0.08 -> 0.09.
        let p = [0.01, f64::NAN, 0.04, 0.03];
        let adj = holm_adjust_nan_in_family(&p).unwrap();
        assert!(adj[1].is_nan());
        for (a, e) in [adj[0], adj[2], adj[3]].iter().zip([0.04, 0.09, 0.09]) {
            assert!((a - e).abs() < 1e-15, "{adj:?}");
        }
        // Left out of the family instead, m = 3 would make 0.01 * 3 = 0.03.
        assert!((holm_adjust_skipping_nan(&p)[0] - 0.03).abs() < 1e-15);
        // 0.01 <= 0.05 / 4; 0.03 > 0.05 / 3: stop.
        assert_eq!(
            holm_reject_nan_in_family(&p, 0.05).unwrap(),
            vec![true, false, false, false]
        );
        // Every number rejected: the NaN still is not.
        assert_eq!(
            holm_reject_nan_in_family(&[0.001, 0.002, f64::NAN], 0.05).unwrap(),
            vec![true, true, false]
        );
        assert!(holm_adjust_nan_in_family(&[0.5, 2.0]).is_err());
    }
}

/// Holm-adjusted p-values of a family in which undefined tests (NaN) take no part: they are left
/// out of the family and stay NaN in the output.
pub fn holm_adjust_skipping_nan(p: &[f64]) -> Vec<f64> {
    let finite: Vec<f64> = p.iter().copied().filter(|x| x.is_finite()).collect();
    let mut adjusted = holm_adjust(&finite).unwrap_or_default().into_iter();
    p.iter()
        .map(|x| {
            if x.is_finite() {
                adjusted.next().unwrap_or(f64::NAN)
            } else {
                f64::NAN
            }
        })
        .collect()
}

#[cfg(test)]
mod nan_family_tests {
    use super::*;

    #[test]
    fn nan_entries_are_outside_the_family() {
        let with_nan = holm_adjust_skipping_nan(&[0.01, f64::NAN, 0.04]);
        let without = holm_adjust(&[0.01, 0.04]).unwrap();
        assert_eq!(with_nan[0], without[0]);
        assert!(with_nan[1].is_nan());
        assert_eq!(with_nan[2], without[1]);
    }
}
