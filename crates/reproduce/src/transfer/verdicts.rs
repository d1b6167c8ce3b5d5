//! The study's answers: per-network outcomes (test error at the end of the budget, steps to the
//! accuracy threshold) and the claims judged against the margins declared in the config
//! (docs/decisions.md D-TRANSFER-3).

use super::arms::Arm;
use crate::images::runs::{Cell, Run, Runs};
use polarity_analysis::claims::noninferiority::{
    non_inferiority, Margin, SizeNonInferiority, SizeSamples,
};
use polarity_analysis::claims::{Claim, Judgement};
use polarity_analysis::stats::BootstrapOptions;
use serde::{Deserialize, Serialize};

/// The margins, declared in the preset (or on the command line) before the run and saved with
/// its config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Margins {
    /// Test error (percentage points) by which transferred polarity may exceed the comparison.
    pub error_points: f64,
    /// Ratio of median steps to the threshold that transferred polarity may take.
    pub steps_ratio: f64,
}

/// What is measured of one network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Test error (%) after the last round.
    FinalError,
    /// Steps until the test accuracy first reaches the threshold (NaN: never).
    StepsTo {
        threshold_permille: u32,
        steps_per_round: usize,
    },
}

impl Outcome {
    pub fn value(self, run: &Run) -> f64 {
        match self {
            Outcome::FinalError => run.val_acc.last().map_or(f64::NAN, |a| 100.0 * (1.0 - a)),
            Outcome::StepsTo {
                threshold_permille,
                steps_per_round,
            } => {
                let t = f64::from(threshold_permille) / 1000.0;
                run.val_acc
                    .iter()
                    .position(|&a| a >= t)
                    .map_or(f64::NAN, |r| ((r + 1) * steps_per_round) as f64)
            }
        }
    }
}

/// Per-trial values of `arm` at `k` per class, in trial order (empty when absent).
pub fn values(runs: &Runs, task: &str, k: usize, arm: Arm, outcome: Outcome) -> Vec<f64> {
    runs.curves
        .get(&Cell {
            task: task.to_string(),
            n_train: k,
            condition: arm.name().to_string(),
        })
        .map(|c| c.iter().map(|r| outcome.value(r)).collect())
        .unwrap_or_default()
}

/// One judged comparison: the claim row and its per-size results.
pub struct Comparison {
    pub claim: Claim,
    pub sizes: Vec<SizeNonInferiority>,
    pub margin: Margin,
    pub a: Arm,
    pub b: Arm,
}

/// "A is not worse than B by more than `margin`" for `outcome` over every size of `task`.
#[allow(clippy::too_many_arguments)]
pub fn compare(
    runs: &Runs,
    task: &str,
    sizes: &[usize],
    (a, b): (Arm, Arm),
    outcome: Outcome,
    margin: Margin,
    (id, statement, question): (&str, String, &str),
    seed: u64,
    resamples: usize,
) -> Option<Comparison> {
    let samples: Vec<SizeSamples> = sizes
        .iter()
        .map(|&k| SizeSamples {
            n: k,
            a: values(runs, task, k, a, outcome),
            b: values(runs, task, k, b, outcome),
            paired: a.shares_init(b),
        })
        .filter(|s| !s.a.is_empty() && !s.b.is_empty())
        .collect();
    if samples.is_empty() {
        return None;
    }
    let options = BootstrapOptions {
        resamples,
        seed,
        confidence: 0.95,
    };
    let (per, judgement): (Vec<SizeNonInferiority>, Judgement) =
        non_inferiority(&samples, margin, &options);
    Some(Comparison {
        claim: Claim::judged(id, statement, question, judgement),
        sizes: per,
        margin,
        a,
        b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_by_hand() {
        let run = Run {
            trial: 0,
            val_acc: vec![0.5, 0.79, 0.81, 0.9],
            val_loss: vec![1.0; 4],
            flips: vec![],
        };
        assert!((Outcome::FinalError.value(&run) - 10.0).abs() < 1e-9);
        let steps = Outcome::StepsTo {
            threshold_permille: 800,
            steps_per_round: 50,
        };
        assert_eq!(steps.value(&run), 150.0);
        let never = Outcome::StepsTo {
            threshold_permille: 950,
            steps_per_round: 50,
        };
        assert!(never.value(&run).is_nan());
    }
}
