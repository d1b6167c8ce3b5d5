//! Per-run metrics over one run's per-epoch validation curves (epoch index 0-based, one entry per epoch).
//!
//! Definitions follow the official notebooks (docs/decisions.md D-METRIC-1 to D-METRIC-3):
//! - epochs to threshold: first epoch with `val_acc >= thr` (`>=`, 0-based), `None` if never;
//! - reached: `val_acc > thr` at any epoch (strict `>`), as in `np.any(val_acc > cutoff)`;
//! - both compare the accuracy as float32 widened to float64, as the official pipeline does
//!   ([`AccuracyPrecision::Float32`], docs/decisions.md D-METRIC-5): 900/1000 does not reach 0.9;
//! - error at convergence: `100 * (1 - val_acc)` at the first epoch of minimum validation loss over all epochs;
//! - flip ratio: fraction of kernel entries whose sign changed between consecutive epoch ends
//!   (docs/decisions.md D-METRIC-4).
//!
//! NaN handling: a NaN accuracy never satisfies a comparison (as in NumPy), so it neither reaches nor counts
//! toward a threshold. A NaN loss is skipped when looking for the minimum (like `np.nanargmin`; a diverged
//! run's best epoch is the last good one). `np.argmin` itself would return the first NaN instead.

use thiserror::Error;

/// Invalid input to a metric.
#[derive(Debug, Error, PartialEq)]
pub enum MetricError {
    #[error("val_loss has {loss} epochs but val_acc has {acc}: the curves of one run must have the same length")]
    LengthMismatch { loss: usize, acc: usize },
    #[error("flip_ratio: total number of weights must be positive, got 0")]
    ZeroTotal,
    #[error("flip_ratio: epoch {epoch} has {flips} flips, more than the {total} weights")]
    TooManyFlips {
        epoch: usize,
        flips: u64,
        total: u64,
    },
    #[error(
        "sign_flips: snapshots have {before} and {after} entries; they must be the same tensor"
    )]
    SnapshotMismatch { before: usize, after: usize },
}

/// How a recorded accuracy is compared with a threshold (docs/decisions.md D-METRIC-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccuracyPrecision {
    /// As the official pipeline: the accuracy rounded to float32 (as TensorBoard stores it), then
    /// compared as float64. 900/1000 is 0.89999998 and does not reach 0.9. Rounding a value that
    /// was recorded as f32 and read back into f64 gives that f32 back, so this is exact for our tables.
    #[default]
    Float32,
    /// The value as given (0.9 reaches 0.9): for checking how much the official rule matters.
    AsGiven,
}

impl AccuracyPrecision {
    /// The value a threshold is compared with.
    pub fn scored(self, acc: f64) -> f64 {
        match self {
            Self::Float32 => f64::from(acc as f32),
            Self::AsGiven => acc,
        }
    }
}

/// First 0-based epoch whose validation accuracy is `>= threshold`; `None` if no epoch reaches it.
/// Accuracies are compared as float32 ([`AccuracyPrecision::Float32`]).
pub fn epochs_to_threshold(val_acc: &[f64], threshold: f64) -> Option<usize> {
    epochs_to_threshold_as(val_acc, threshold, AccuracyPrecision::Float32)
}

/// [`epochs_to_threshold`] with an explicit precision.
pub fn epochs_to_threshold_as(
    val_acc: &[f64],
    threshold: f64,
    precision: AccuracyPrecision,
) -> Option<usize> {
    val_acc
        .iter()
        .position(|&acc| precision.scored(acc) >= threshold)
}

/// Whether any epoch's validation accuracy is strictly above `threshold` (compared as float32).
pub fn reached(val_acc: &[f64], threshold: f64) -> bool {
    reached_as(val_acc, threshold, AccuracyPrecision::Float32)
}

/// [`reached`] with an explicit precision.
pub fn reached_as(val_acc: &[f64], threshold: f64, precision: AccuracyPrecision) -> bool {
    val_acc.iter().any(|&acc| precision.scored(acc) > threshold)
}

/// Fraction of runs that [`reached`] the threshold; `None` when there are no runs.
pub fn probability_reached<R: AsRef<[f64]>>(runs: &[R], threshold: f64) -> Option<f64> {
    if runs.is_empty() {
        return None;
    }
    let hits = runs
        .iter()
        .filter(|run| reached(run.as_ref(), threshold))
        .count();
    Some(hits as f64 / runs.len() as f64)
}

/// First epoch of minimum validation loss, skipping NaN losses; `None` if there is no non-NaN loss.
pub fn convergence_epoch(val_loss: &[f64]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (epoch, &loss) in val_loss.iter().enumerate() {
        if loss.is_nan() {
            continue;
        }
        // Strict `<` keeps the first occurrence of a tied minimum, as np.argmin does.
        if best.is_none_or(|(_, best_loss)| loss < best_loss) {
            best = Some((epoch, loss));
        }
    }
    best.map(|(epoch, _)| epoch)
}

/// Validation error in percent, `100 * (1 - val_acc)`, at the [`convergence_epoch`] of `val_loss`.
///
/// `Ok(None)` when every loss is NaN (or the run is empty); a NaN accuracy at that epoch gives `Some(NaN)`,
/// which the summaries count as missing.
pub fn error_at_convergence(val_loss: &[f64], val_acc: &[f64]) -> Result<Option<f64>, MetricError> {
    if val_loss.len() != val_acc.len() {
        return Err(MetricError::LengthMismatch {
            loss: val_loss.len(),
            acc: val_acc.len(),
        });
    }
    Ok(convergence_epoch(val_loss).map(|epoch| 100.0 * (1.0 - val_acc[epoch])))
}

/// Per-epoch flip ratios: `flips[e] / total`, where `flips[e]` counts the sign changes of one layer's
/// kernel between two consecutive epoch ends and `total` is that layer's number of kernel entries.
pub fn flip_ratio(flips: &[u64], total: u64) -> Result<Vec<f64>, MetricError> {
    if total == 0 {
        return Err(MetricError::ZeroTotal);
    }
    flips
        .iter()
        .enumerate()
        .map(|(epoch, &count)| {
            if count > total {
                Err(MetricError::TooManyFlips {
                    epoch,
                    flips: count,
                    total,
                })
            } else {
                Ok(count as f64 / total as f64)
            }
        })
        .collect()
}

/// Number of entries whose sign differs between two snapshots of one tensor, with `np.sign` semantics
/// (-1, 0, +1: a weight moving from 0 to a non-zero value counts as a flip).
pub fn sign_flips(before: &[f32], after: &[f32]) -> Result<u64, MetricError> {
    if before.len() != after.len() {
        return Err(MetricError::SnapshotMismatch {
            before: before.len(),
            after: after.len(),
        });
    }
    let sign = |v: f32| (v > 0.0) as i8 - (v < 0.0) as i8;
    Ok(before
        .iter()
        .zip(after)
        .filter(|(&b, &a)| sign(b) != sign(a))
        .count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accuracies as the engine records them: `correct / n` in f32, written with f32's shortest
    /// `Display` and read back into f64 (as `XorRecord<f64>` does).
    fn recorded(correct: u32, n: u32) -> f64 {
        let text = (correct as f32 / n as f32).to_string();
        text.parse::<f64>().unwrap()
    }

    #[test]
    fn nine_hundred_of_a_thousand_does_not_reach_ninety_percent() {
        // The official pipeline: float32(900/1000) = 0.89999997615814208984375 < 0.9.
        let acc = recorded(900, 1000);
        assert_eq!(acc, 0.9, "the table holds the text 0.9");
        assert_eq!(f64::from(acc as f32), 0.899_999_976_158_142_1);
        let curve = [recorded(850, 1000), acc, recorded(901, 1000)];
        assert_eq!(epochs_to_threshold(&curve, 0.9), Some(2));
        assert_eq!(
            epochs_to_threshold_as(&curve, 0.9, AccuracyPrecision::AsGiven),
            Some(1)
        );
        assert!(!reached(&curve[..2], 0.9));
        // 950/1000 does not reach 0.95 either, while 800/1000 (0.80000001 as f32) is above 0.8.
        assert_eq!(epochs_to_threshold(&[recorded(950, 1000)], 0.95), None);
        assert!(reached(&[recorded(800, 1000)], 0.8));
        assert!(!reached_as(
            &[recorded(800, 1000)],
            0.8,
            AccuracyPrecision::AsGiven
        ));
        // Brute force over every count of 1000: the rule is exactly "float32 of the count".
        for correct in 0..=1000u32 {
            let a = recorded(correct, 1000);
            let as_f32 = f64::from(correct as f32 / 1000.0);
            assert_eq!(epochs_to_threshold(&[a], 0.9).is_some(), as_f32 >= 0.9);
            assert_eq!(reached(&[a], 0.95), as_f32 > 0.95);
        }
    }

    #[test]
    fn epochs_to_threshold_uses_ge_and_zero_based_epochs() {
        let acc = [0.5, 0.89, 0.91, 0.96, 0.91];
        assert_eq!(epochs_to_threshold(&acc, 0.9), Some(2));
        assert_eq!(epochs_to_threshold(&acc, 0.5), Some(0));
        assert_eq!(epochs_to_threshold(&acc, 0.95), Some(3));
        assert_eq!(epochs_to_threshold(&acc, 0.97), None);
        assert_eq!(epochs_to_threshold(&[], 0.1), None);
        // NaN never satisfies the comparison.
        assert_eq!(epochs_to_threshold(&[f64::NAN, 0.2, 0.95], 0.9), Some(2));
        // 0.5 is exact in float32, so >= counts it.
        assert_eq!(epochs_to_threshold(&[0.25, 0.5], 0.5), Some(1));
    }

    #[test]
    fn reached_is_strict_where_epochs_to_threshold_is_not() {
        // 0.75 is exact in float32: it has an epoch count but is not > 0.75.
        let acc = [0.5, 0.75, 0.75];
        assert_eq!(epochs_to_threshold(&acc, 0.75), Some(1));
        assert!(!reached(&acc, 0.75), "exactly 0.75 is not > 0.75");
        assert!(reached(&acc, 0.7499));
        assert!(!reached(&[f64::NAN], 0.0));
        assert!(!reached(&[], 0.0));
    }

    #[test]
    fn probability_reached_counts_runs() {
        let runs = vec![
            vec![0.1, 0.96],
            vec![0.875, 0.875],
            vec![0.2, 0.99, 0.3],
            vec![],
        ];
        // Run 2 stays at exactly 0.875 (exact in float32): not strictly above it.
        assert_eq!(probability_reached(&runs, 0.875), Some(0.5));
        assert_eq!(probability_reached(&runs, 0.0), Some(0.75));
        assert_eq!(probability_reached::<Vec<f64>>(&[], 0.9), None);
        let slices: [&[f64]; 2] = [&[0.1], &[0.91]];
        assert_eq!(probability_reached(&slices, 0.9), Some(0.5));
        assert_eq!(probability_reached(&[[0.95]], 0.95), Some(0.0));
    }

    #[test]
    fn error_at_convergence_uses_first_argmin_of_loss() {
        let loss = [0.9, 0.3, 0.5, 0.3, 0.4];
        let acc = [0.5, 0.8, 0.7, 0.9, 0.85];
        // Tied minimum at epochs 1 and 3: the first one counts, even though epoch 3 is more accurate.
        assert_eq!(convergence_epoch(&loss), Some(1));
        let err = error_at_convergence(&loss, &acc).unwrap().unwrap();
        assert!((err - 20.0).abs() < 1e-12, "{err}");
    }

    #[test]
    fn error_at_convergence_skips_nan_losses_and_rejects_mismatched_curves() {
        let loss = [f64::NAN, 0.4, 0.2, f64::NAN];
        let acc = [0.1, 0.6, 0.75, 0.0];
        assert_eq!(convergence_epoch(&loss), Some(2));
        assert!((error_at_convergence(&loss, &acc).unwrap().unwrap() - 25.0).abs() < 1e-12);
        assert_eq!(
            error_at_convergence(&[f64::NAN, f64::NAN], &[0.5, 0.5]),
            Ok(None)
        );
        assert_eq!(error_at_convergence(&[], &[]), Ok(None));
        let err = error_at_convergence(&[0.1, 0.2], &[0.5]).unwrap_err();
        assert_eq!(err, MetricError::LengthMismatch { loss: 2, acc: 1 });
        assert!(err.to_string().contains("val_loss has 2"));
    }

    #[test]
    fn flip_ratio_divides_and_validates() {
        assert_eq!(flip_ratio(&[0, 5, 10], 10).unwrap(), vec![0.0, 0.5, 1.0]);
        assert_eq!(flip_ratio(&[1], 0), Err(MetricError::ZeroTotal));
        assert_eq!(
            flip_ratio(&[1, 11], 10),
            Err(MetricError::TooManyFlips {
                epoch: 1,
                flips: 11,
                total: 10
            })
        );
    }

    #[test]
    fn sign_flips_follow_np_sign() {
        let before = [1.0, -1.0, 0.0, 2.0, -0.5];
        let after = [0.5, 1.0, 0.3, 0.0, -3.0];
        // index 1 (- to +), 2 (0 to +), 3 (+ to 0) flip; 0 and 4 keep their sign.
        assert_eq!(sign_flips(&before, &after), Ok(3));
        assert_eq!(
            sign_flips(&[1.0], &[]),
            Err(MetricError::SnapshotMismatch {
                before: 1,
                after: 0
            })
        );
        // Brute-force cross-check against the ratio helper.
        let ratio =
            flip_ratio(&[sign_flips(&before, &after).unwrap()], before.len() as u64).unwrap();
        assert!((ratio[0] - 0.6).abs() < 1e-12);
    }
}
