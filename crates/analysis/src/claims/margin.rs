//! "A is not worse than B" judged against a non-inferiority margin declared before the run
//! (docs/decisions.md D-STATS-9, D-CLAIM-11): per size, a one-sided percentile bootstrap of the
//! difference (or ratio) of medians, lower is better, Holm over the sizes. With fewer trials than
//! the declared minimum the verdict is "underpowered", never "holds".

use super::power::separation_trials;
use super::rules::{censored, fmt_median, Judgement};
use super::{fmt_p, Verdict};
use crate::stats::{holm_reject, median, SplitMix64};
use serde::{Deserialize, Serialize};

/// How much worse than B condition A may be and still count as "not worse" (lower is better).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Margin {
    /// `median(A) - median(B) < points`, in the metric's units (e.g. 1 percentage point of error).
    Points { points: f64 },
    /// `median(A) / median(B) - 1 < fraction` (e.g. 0.10: at most 10 % more epochs).
    Fraction { fraction: f64 },
}

impl Margin {
    /// The margin in the statistic's units.
    pub fn bound(self) -> f64 {
        match self {
            Margin::Points { points } => points,
            Margin::Fraction { fraction } => fraction,
        }
    }

    /// The statistic on two samples (missing values censored as `+inf`): NaN when undefined
    /// (both medians not reached, or 0 / 0).
    pub fn statistic(self, a: &[f64], b: &[f64]) -> f64 {
        let (ma, mb) = (median(a).unwrap_or(f64::NAN), median(b).unwrap_or(f64::NAN));
        match self {
            Margin::Points { .. } => ma - mb,
            Margin::Fraction { .. } if ma.is_infinite() && mb.is_infinite() => f64::NAN,
            Margin::Fraction { .. } if mb == 0.0 => {
                if ma == 0.0 {
                    f64::NAN
                } else {
                    f64::INFINITY
                }
            }
            Margin::Fraction { .. } => ma / mb - 1.0,
        }
    }

    pub fn text(self) -> String {
        match self {
            Margin::Points { points } => format!("median(A) - median(B) < {points}"),
            Margin::Fraction { fraction } => {
                format!("median(A) / median(B) < {}", fmt_fraction(1.0 + fraction))
            }
        }
    }
}

fn fmt_fraction(x: f64) -> String {
    format!("{:.0} %", 100.0 * x)
}

/// How a margin is tested; saved with the results beside the margins.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MarginTest {
    /// One-sided level, family-wise over the sizes of a claim (Holm).
    pub alpha: f64,
    pub resamples: usize,
    pub seed: u64,
    /// Fewer trials per condition than this: "underpowered" whatever the bootstrap says (a
    /// percentile bootstrap of a median from a handful of trials has a handful of distinct values).
    pub min_trials: usize,
}

impl Default for MarginTest {
    /// alpha 0.05, 4000 resamples, seed 0 (as D-STATS-5), at least 10 trials (project choice).
    fn default() -> Self {
        Self {
            alpha: 0.05,
            resamples: 4000,
            seed: 0,
            min_trials: 10,
        }
    }
}

/// One size of a margin comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginOutcome {
    pub n: usize,
    /// The statistic on the samples (censored medians).
    pub estimate: f64,
    /// One-sided upper `1 - alpha` bound: the `ceil((1 - alpha) B)`-th smallest resample, an
    /// undefined resample counted as `+inf`.
    pub upper: f64,
    /// Bootstrap p-value of "A is worse by the margin or more" (H0: statistic >= margin):
    /// `(#{resamples >= margin or undefined} + 1) / (B + 1)`.
    pub p_within: f64,
    /// Bootstrap p-value of "A is worse by at most the margin" (H0: statistic <= margin):
    /// `(#{resamples <= margin or undefined} + 1) / (B + 1)`.
    pub p_beyond: f64,
    /// Standard deviation of the defined, finite resamples (NaN if fewer than two).
    pub se: f64,
    pub trials: usize,
}

/// The bootstrap resamples of `margin`'s statistic (censored values; NaN where undefined), in
/// resample order: for each resample `a.len()` indices into `a`, then `b.len()` into `b`
/// (SplitMix64, index = output mod n, as D-STATS-5).
pub fn margin_resamples(a: &[f64], b: &[f64], margin: Margin, test: &MarginTest) -> Vec<f64> {
    let (a, b) = (censored(a), censored(b));
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut rng = SplitMix64::new(test.seed);
    let (mut ra, mut rb) = (vec![0.0; a.len()], vec![0.0; b.len()]);
    (0..test.resamples)
        .map(|_| {
            for v in ra.iter_mut() {
                *v = a[rng.index(a.len())];
            }
            for v in rb.iter_mut() {
                *v = b[rng.index(b.len())];
            }
            margin.statistic(&ra, &rb)
        })
        .collect()
}

/// The outcome at size `n` from per-trial values (NaN = missing, the worst outcome).
pub fn margin_outcome(
    n: usize,
    a: &[f64],
    b: &[f64],
    margin: Margin,
    test: &MarginTest,
) -> MarginOutcome {
    let delta = margin.bound();
    let resamples = margin_resamples(a, b, margin, test);
    let count = |f: &dyn Fn(f64) -> bool| resamples.iter().filter(|&&t| t.is_nan() || f(t)).count();
    let p = |k: usize| (k + 1) as f64 / (resamples.len() + 1) as f64;
    let mut sorted: Vec<f64> = resamples
        .iter()
        .map(|&t| if t.is_nan() { f64::INFINITY } else { t })
        .collect();
    sorted.sort_by(f64::total_cmp);
    let rank = ((1.0 - test.alpha) * sorted.len() as f64).ceil() as usize;
    let finite: Vec<f64> = resamples
        .iter()
        .copied()
        .filter(|t| t.is_finite())
        .collect();
    let se = if finite.len() < 2 {
        f64::NAN
    } else {
        let m = finite.iter().sum::<f64>() / finite.len() as f64;
        (finite.iter().map(|t| (t - m).powi(2)).sum::<f64>() / (finite.len() - 1) as f64).sqrt()
    };
    MarginOutcome {
        n,
        estimate: margin.statistic(&censored(a), &censored(b)),
        upper: sorted.get(rank.max(1) - 1).copied().unwrap_or(f64::NAN),
        p_within: if resamples.is_empty() {
            f64::NAN
        } else {
            p(count(&|t| t >= delta))
        },
        p_beyond: if resamples.is_empty() {
            f64::NAN
        } else {
            p(count(&|t| t <= delta))
        },
        se,
        trials: a.len().min(b.len()),
    }
}

fn holm_sizes(
    outcomes: &[MarginOutcome],
    p: impl Fn(&MarginOutcome) -> f64,
    alpha: f64,
) -> Vec<usize> {
    let ps: Vec<f64> = outcomes.iter().map(p).collect();
    holm_reject(&ps, alpha)
        .unwrap_or_else(|_| vec![false; ps.len()])
        .into_iter()
        .zip(outcomes)
        .filter(|(r, _)| *r)
        .map(|(_, o)| o.n)
        .collect()
}

fn list(v: &[usize]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// "A is not worse than B by `margin` at every size": holds if the bootstrap rejects "worse by the
/// margin or more" at every size (Holm over the sizes, one-sided `alpha`); does not hold if it
/// rejects "worse by at most the margin" at some size; otherwise, and always below
/// `min_trials`, underpowered with the trials the hardest size would need (80 % power), or
/// consistent if the run already had them.
pub fn judge_with_margin(
    outcomes: &[MarginOutcome],
    margin: Margin,
    test: &MarginTest,
) -> Judgement {
    let delta = margin.bound();
    let m = outcomes.len().max(1);
    let trials = outcomes.iter().map(|o| o.trials).min().unwrap_or(0);
    let within = holm_sizes(outcomes, |o| o.p_within, test.alpha);
    let beyond = holm_sizes(outcomes, |o| o.p_beyond, test.alpha);
    // The hardest size: the largest p of "within the margin".
    let hardest = outcomes
        .iter()
        .max_by(|x, y| x.p_within.total_cmp(&y.p_within));
    let needed = hardest.and_then(|o| {
        (o.estimate < delta)
            // One-sided at alpha / m is two-sided at 2 alpha / m.
            .then(|| {
                separation_trials(
                    o.trials,
                    o.se,
                    o.estimate,
                    delta,
                    2.0 * test.alpha / m as f64,
                )
            })
            .flatten()
            .map(|k| k.max(test.min_trials))
    });
    let verdict = if outcomes.is_empty() {
        Verdict::NotMeasured
    } else if trials < test.min_trials {
        Verdict::Underpowered {
            trials: needed
                .or(Some(test.min_trials))
                .filter(|_| hardest.is_some_and(|o| o.estimate < delta)),
        }
    } else if !beyond.is_empty() {
        Verdict::DoesNotHold
    } else if within.len() == outcomes.len() {
        Verdict::Holds
    } else {
        match needed {
            Some(k) if trials >= k => Verdict::Consistent,
            k => Verdict::Underpowered { trials: k },
        }
    };
    let measured = format!(
        "{}; within the margin at n = {}; worse than the margin at n = {}",
        outcomes
            .iter()
            .map(|o| format!(
                "n = {}: {} (upper {:.0} % bound {})",
                o.n,
                fmt_stat(margin, o.estimate),
                100.0 * (1.0 - test.alpha),
                fmt_stat(margin, o.upper)
            ))
            .collect::<Vec<_>>()
            .join("; "),
        list(&within),
        list(&beyond),
    );
    let test_text = format!(
        "non-inferiority margin declared before the run: {} (lower is better); per size a one-sided percentile bootstrap \
         of the censored medians (runs that never reach a threshold = worst; {} resamples, seed {}, conditions resampled \
         independently); Holm over the {} sizes at one-sided alpha {}; holds if \"worse by the margin or more\" is \
         rejected at every size, does not hold if \"worse by at most the margin\" is rejected at some size; fewer than {} \
         trials per condition: underpowered (p within: {}){}",
        margin.text(),
        test.resamples,
        test.seed,
        outcomes.len(),
        test.alpha,
        test.min_trials,
        outcomes.iter().map(|o| format!("{}: {}", o.n, fmt_p(o.p_within))).collect::<Vec<_>>().join(", "),
        match needed {
            Some(k) => format!("; about {k} trials per condition would establish it with 80 % power at the hardest size"),
            None => String::new(),
        }
    );
    Judgement {
        verdict,
        measured,
        test: test_text,
    }
}

fn fmt_stat(margin: Margin, x: f64) -> String {
    match margin {
        Margin::Points { .. } if x.is_finite() => format!("{x:+.2}"),
        Margin::Fraction { .. } if x.is_finite() => format!("ratio {}", fmt_fraction(1.0 + x)),
        _ => fmt_median(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(
        n: usize,
        estimate: f64,
        p_within: f64,
        p_beyond: f64,
        trials: usize,
    ) -> MarginOutcome {
        MarginOutcome {
            n,
            estimate,
            upper: estimate + 0.5,
            p_within,
            p_beyond,
            se: 0.5,
            trials,
        }
    }

    #[test]
    fn statistics_by_hand() {
        let pts = Margin::Points { points: 1.0 };
        assert_eq!(pts.statistic(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.5]), 1.0);
        let frac = Margin::Fraction { fraction: 0.1 };
        assert!((frac.statistic(&[11.0], &[10.0]) - 0.1).abs() < 1e-12);
        // Never reached (censored +inf): A's median infinite is worst, B's makes A better.
        assert_eq!(frac.statistic(&[f64::INFINITY], &[10.0]), f64::INFINITY);
        assert_eq!(frac.statistic(&[5.0], &[f64::INFINITY]), -1.0);
        assert!(frac.statistic(&[f64::INFINITY], &[f64::INFINITY]).is_nan());
    }

    #[test]
    fn constant_samples_give_exact_bootstrap_p_values() {
        // Every resample has the same statistic: 0.5 points worse, inside a margin of 1.
        let test = MarginTest {
            resamples: 99,
            ..MarginTest::default()
        };
        let o = margin_outcome(
            7,
            &[2.5; 12],
            &[2.0; 12],
            Margin::Points { points: 1.0 },
            &test,
        );
        assert_eq!((o.estimate, o.upper), (0.5, 0.5));
        // No resample at or beyond the margin: p = 1 / 100; all of them within it: p_beyond = 1.
        assert!((o.p_within - 0.01).abs() < 1e-15 && o.p_beyond == 1.0);
        let j = judge_with_margin(
            std::slice::from_ref(&o),
            Margin::Points { points: 1.0 },
            &test,
        );
        assert_eq!(j.verdict, Verdict::Holds, "{}", j.measured);
        // The same with 3 trials: underpowered, never holds.
        let o3 = margin_outcome(
            7,
            &[2.5; 3],
            &[2.0; 3],
            Margin::Points { points: 1.0 },
            &test,
        );
        let j = judge_with_margin(&[o3], Margin::Points { points: 1.0 }, &test);
        assert!(
            matches!(j.verdict, Verdict::Underpowered { .. }),
            "{:?}",
            j.verdict
        );
        // 1.5 points worse, beyond the margin at every resample: does not hold.
        let worse = margin_outcome(
            7,
            &[3.5; 12],
            &[2.0; 12],
            Margin::Points { points: 1.0 },
            &test,
        );
        assert_eq!(
            judge_with_margin(&[worse], Margin::Points { points: 1.0 }, &test).verdict,
            Verdict::DoesNotHold
        );
    }

    #[test]
    fn holm_over_sizes_and_power() {
        let test = MarginTest::default();
        let margin = Margin::Points { points: 1.0 };
        // Holm over 2: 0.01 <= 0.025, 0.04 <= 0.05: both sizes within: holds.
        let both = [
            outcome(10, 0.0, 0.01, 1.0, 20),
            outcome(20, 0.2, 0.04, 1.0, 20),
        ];
        assert_eq!(
            judge_with_margin(&both, margin, &test).verdict,
            Verdict::Holds
        );
        // 0.03 > 0.025 at the first step: not established. The hardest size (p 0.04) has
        // estimate 0.2, se 0.5 at 20 trials; one-sided at 0.05 / 2 it needs
        // 20 ((z_0.975 + z_0.8) 0.5 / 0.8)^2 = 20 (2.80155 * 0.625)^2 = 61.3 -> 62.
        let one = [
            outcome(10, 0.0, 0.03, 1.0, 20),
            outcome(20, 0.2, 0.04, 1.0, 20),
        ];
        assert_eq!(
            judge_with_margin(&one, margin, &test).verdict,
            Verdict::Underpowered { trials: Some(62) }
        );
        // Worse than the margin, significantly, at one size: does not hold.
        let bad = [
            outcome(10, 2.0, 1.0, 0.001, 20),
            outcome(20, 0.2, 0.01, 1.0, 20),
        ];
        let j = judge_with_margin(&bad, margin, &test);
        assert_eq!(j.verdict, Verdict::DoesNotHold);
        assert!(
            j.measured.contains("worse than the margin at n = 10"),
            "{}",
            j.measured
        );
        assert!(j.test.contains("declared before the run"));
        assert_eq!(
            judge_with_margin(&[], margin, &test).verdict,
            Verdict::NotMeasured
        );
    }
}
