//! Median and quartiles of per-trial values with NumPy's default definitions, ignoring missing values
//! (`np.nanmedian`, `np.nanpercentile(method="linear")`, i.e. Hyndman-Fan type 7).

use super::StatsError;
use serde::Serialize;

/// Median and 25th/75th percentiles of the non-missing values, with the count of each kind.
///
/// The statistics are `None` when no value is present (NumPy returns NaN with a warning).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub median: Option<f64>,
    pub q25: Option<f64>,
    pub q75: Option<f64>,
    /// Number of non-missing values the statistics are computed from.
    pub n: usize,
    /// Number of missing values (NaN or `None`) that were ignored.
    pub missing: usize,
}

/// Summarises values where NaN marks a missing value (e.g. a run that never reached a threshold).
pub fn summarize(values: &[f64]) -> Summary {
    let mut present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let missing = values.len() - present.len();
    present.sort_by(f64::total_cmp);
    summarize_sorted(&present, missing)
}

/// Summarises values where `None` (or NaN) marks a missing value.
pub fn summarize_options(values: &[Option<f64>]) -> Summary {
    let flat: Vec<f64> = values.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    summarize(&flat)
}

fn summarize_sorted(sorted: &[f64], missing: usize) -> Summary {
    let at = |fraction: f64| (!sorted.is_empty()).then(|| linear_quantile(sorted, fraction));
    Summary {
        median: median_sorted(sorted),
        q25: at(0.25),
        q75: at(0.75),
        n: sorted.len(),
        missing,
    }
}

/// `np.nanmedian`: the middle value, or the mean of the two middle values; `None` if nothing is present.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    present.sort_by(f64::total_cmp);
    median_sorted(&present)
}

fn median_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        // np.median averages the two middle elements (sum, then divide), not a lerp at 0.5.
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// `np.nanpercentile(values, q)` with the default linear method, `q` in percent.
pub fn percentile(values: &[f64], q: f64) -> Result<Option<f64>, StatsError> {
    if !(0.0..=100.0).contains(&q) {
        return Err(StatsError::InvalidPercentile { q });
    }
    let mut present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    present.sort_by(f64::total_cmp);
    Ok((!present.is_empty()).then(|| linear_quantile(&present, q / 100.0)))
}

/// Type-7 quantile of a non-empty sorted slice, with NumPy's index and interpolation arithmetic.
fn linear_quantile(sorted: &[f64], fraction: f64) -> f64 {
    let last = sorted.len() - 1;
    let virtual_index = last as f64 * fraction;
    if virtual_index >= last as f64 {
        return sorted[last];
    }
    let below = virtual_index.floor();
    let gamma = virtual_index - below;
    let a = sorted[below as usize];
    let b = sorted[below as usize + 1];
    // numpy's _lerp: interpolate from the nearer end to stay monotone and exact at the ends.
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quartiles_by_hand() {
        // n = 4: indices 0.75 and 2.25 -> 1 + 0.75 = 1.75 and 3 + 0.25 = 3.25.
        let s = summarize(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(
            s,
            Summary {
                median: Some(2.5),
                q25: Some(1.75),
                q75: Some(3.25),
                n: 4,
                missing: 0
            }
        );
    }

    #[test]
    fn missing_values_are_counted_and_ignored() {
        let s = summarize(&[f64::NAN, 10.0, 20.0, f64::NAN, 30.0]);
        assert_eq!(
            s,
            Summary {
                median: Some(20.0),
                q25: Some(15.0),
                q75: Some(25.0),
                n: 3,
                missing: 2
            }
        );
        let s = summarize_options(&[None, Some(1.0)]);
        assert_eq!(
            s,
            Summary {
                median: Some(1.0),
                q25: Some(1.0),
                q75: Some(1.0),
                n: 1,
                missing: 1
            }
        );
        let s = summarize(&[f64::NAN]);
        assert_eq!(
            s,
            Summary {
                median: None,
                q25: None,
                q75: None,
                n: 0,
                missing: 1
            }
        );
    }

    #[test]
    fn percentile_validates_q_and_hits_the_extremes() {
        let xs = [5.0, 1.0, 9.0];
        assert_eq!(percentile(&xs, 0.0), Ok(Some(1.0)));
        assert_eq!(percentile(&xs, 100.0), Ok(Some(9.0)));
        assert_eq!(percentile(&xs, 50.0), Ok(Some(5.0)));
        assert_eq!(percentile(&[], 50.0), Ok(None));
        assert_eq!(
            percentile(&xs, 101.0),
            Err(StatsError::InvalidPercentile { q: 101.0 })
        );
        assert_eq!(median(&[2.0, f64::NAN, 4.0]), Some(3.0));
    }
}
