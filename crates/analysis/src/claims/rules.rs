//! The rules every claim is judged by, shared by all tasks, so that a change to how a kind of
//! claim is judged is made once. Each returns a [`Judgement`]: the verdict, what was measured
//! and how the verdict was decided (the three text columns of a claims table). Verdict words:
//! docs/decisions.md D-CLAIM-5.
//!
//! - [`judge`]: condition A against condition B over training sizes, lower is better
//!   ([`Assertion::Better`] at every size, or [`Assertion::NotWorse`]): Mann-Whitney U per size
//!   with missing values as censored (worst rank), Holm over the sizes of the claim.
//! - [`ratio_claim`]: "A needs x % of B's time": the ratio of medians with a bootstrap interval,
//!   and where the paper's value lies.
//! - [`share`]: "at least a fraction of the comparisons go the claimed way".
//! - [`proportion_above`]: "more than a level of the trials succeed", by a Wilson interval.

use super::power::{mann_whitney_trials, separation_trials, wilson_trials};
use super::{fmt_p, Verdict};
use crate::results::cell::{holm, median, mwu_p};
use crate::stats::{ratio_of_medians_interval, BootstrapOptions, Placement, RatioInterval};

/// A verdict with the text of what was measured and of the test that decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub measured: String,
    pub test: String,
}

/// What a claim asserts about condition A against condition B (lower values are better).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assertion {
    /// A is better: lower median at every size, significantly at one size at least, and
    /// significantly worse at none.
    Better,
    /// A is as good or better. Without a non-inferiority margin this can be refuted (A
    /// significantly worse at some size) but not established: at best "consistent".
    NotWorse,
}

impl Assertion {
    /// The verb of a claim statement ("A is better than B").
    pub fn verb(self) -> &'static str {
        match self {
            Assertion::Better => "is better than",
            Assertion::NotWorse => "is as good as or better than",
        }
    }
}

/// Missing values (a run that never reached the threshold, a diverged run) as the worst
/// outcome of a lower-is-better metric: `+inf`, which ranks above every value (censored ranks,
/// docs/decisions.md D-STATS-7).
pub fn censored(values: &[f64]) -> Vec<f64> {
    values
        .iter()
        .map(|&v| if v.is_nan() { f64::INFINITY } else { v })
        .collect()
}

/// P(A < B) + P(A = B) / 2 over all pairs (the Mann-Whitney probability of superiority of A,
/// lower is better); NaN for an empty sample. Use on [`censored`] values.
pub fn probability_lower(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return f64::NAN;
    }
    let mut wins = 0.0;
    for x in a {
        for y in b {
            wins += if x < y {
                1.0
            } else if x == y {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (a.len() * b.len()) as f64
}

/// One size of a two-condition comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeOutcome {
    pub n: usize,
    /// Medians with missing values censored (worst rank): `+inf` when more than half are missing.
    pub median_a: f64,
    pub median_b: f64,
    /// Two-sided Mann-Whitney U with missing values censored (worst rank); NaN when not computable.
    pub p: f64,
    /// Reached-only (missing values dropped, the official `nanmedian`): medians and the test.
    pub median_a_reached: f64,
    pub median_b_reached: f64,
    pub p_reached: f64,
    /// P(A < B) + ties / 2 on the censored values.
    pub p_lower: f64,
    /// Trials per condition (the smaller of the two).
    pub trials: usize,
}

impl SizeOutcome {
    /// The outcome at size `n` from per-trial values (NaN = missing, the worst outcome).
    pub fn of(n: usize, a: &[f64], b: &[f64]) -> Self {
        let (ca, cb) = (censored(a), censored(b));
        Self {
            n,
            median_a: median(&ca),
            median_b: median(&cb),
            p: mwu_p(&ca, &cb),
            median_a_reached: median(a),
            median_b_reached: median(b),
            p_reached: mwu_p(a, b),
            p_lower: probability_lower(&ca, &cb),
            trials: a.len().min(b.len()),
        }
    }
}

fn list(v: &[usize]) -> String {
    if v.is_empty() {
        "none".to_string()
    } else {
        v.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Sizes where A is Holm-significantly better (`better`) or worse, given adjusted p-values.
fn significant(
    outcomes: &[SizeOutcome],
    adjusted: &[f64],
    a: impl Fn(&SizeOutcome) -> (f64, f64),
    better: bool,
) -> Vec<usize> {
    outcomes
        .iter()
        .zip(adjusted)
        .filter(|(o, p)| {
            let (ma, mb) = a(o);
            **p < 0.05 && ma != mb && (ma < mb) == better
        })
        .map(|(o, _)| o.n)
        .collect()
}

/// The verdict of `assertion` over the sizes (one Holm family: the sizes of this claim).
/// Missing values count as censored (worst rank); the reached-only test is shown beside it.
/// Not decided either way: "underpowered" when fewer trials were run than the Mann-Whitney test
/// needs to detect the largest effect seen (at Holm's first-step level), otherwise "consistent".
pub fn judge(outcomes: &[SizeOutcome], assertion: Assertion) -> Judgement {
    let adjusted = holm(&outcomes.iter().map(|o| o.p).collect::<Vec<_>>());
    let adjusted_reached = holm(&outcomes.iter().map(|o| o.p_reached).collect::<Vec<_>>());
    let censored_medians = |o: &SizeOutcome| (o.median_a, o.median_b);
    let reached_medians = |o: &SizeOutcome| (o.median_a_reached, o.median_b_reached);
    let lower = outcomes.iter().filter(|o| o.median_a < o.median_b).count();
    let higher = outcomes.iter().filter(|o| o.median_a > o.median_b).count();
    let sig_better = significant(outcomes, &adjusted, censored_medians, true);
    let sig_worse = significant(outcomes, &adjusted, censored_medians, false);
    let reached_better = significant(outcomes, &adjusted_reached, reached_medians, true);
    let reached_worse = significant(outcomes, &adjusted_reached, reached_medians, false);
    let family = outcomes.iter().filter(|o| o.p.is_finite()).count().max(1);
    // The largest effect in the claimed direction, and the trials it would need at alpha / m.
    let best = outcomes
        .iter()
        .filter(|o| o.p_lower.is_finite())
        .max_by(|x, y| x.p_lower.total_cmp(&y.p_lower));
    let needed = best.and_then(|o| {
        (o.p_lower > 0.5)
            .then(|| mann_whitney_trials(o.p_lower, 0.05 / family as f64))
            .flatten()
    });
    let trials = outcomes.iter().map(|o| o.trials).min().unwrap_or(0);
    let undecided = if needed.is_none_or(|k| trials < k) {
        Verdict::Underpowered { trials: needed }
    } else {
        Verdict::Consistent
    };
    let verdict = if outcomes.is_empty() {
        Verdict::NotMeasured
    } else if !sig_worse.is_empty() {
        Verdict::DoesNotHold
    } else {
        match assertion {
            // Not being significantly worse is no evidence of being as good: without a declared
            // non-inferiority margin the claim cannot be established (docs/decisions.md D-CLAIM-9).
            Assertion::NotWorse => Verdict::Holds.without_margin(),
            Assertion::Better if lower == outcomes.len() && !sig_better.is_empty() => {
                Verdict::Holds
            }
            Assertion::Better if 2 * higher > outcomes.len() => Verdict::DoesNotHold,
            Assertion::Better => undecided,
        }
    };
    let measured = format!(
        "A lower at {lower}/{} sizes (higher at {higher}); significantly better at n = {}; significantly worse at n = {} \
         [reached-only: better at n = {}; worse at n = {}]",
        outcomes.len(),
        list(&sig_better),
        list(&sig_worse),
        list(&reached_better),
        list(&reached_worse),
    );
    let rule = match assertion {
        Assertion::Better => "holds if A's median is lower at every size and A is significantly better at one size at least and worse at none; does not hold if A is significantly worse anywhere or its median is higher at most sizes",
        Assertion::NotWorse => "does not hold if A is significantly worse at any size; otherwise consistent, never holds: no non-inferiority margin is declared (docs/decisions.md D-CLAIM-9)",
    };
    let power = match (best, needed) {
        (Some(o), Some(k)) => format!(
            "; power: the largest effect, P(A < B) = {:.2} at n = {}, needs {k} trials per condition for 80 % power at alpha 0.05/{family} (Noether)",
            o.p_lower, o.n
        ),
        _ => "; power: no effect in the claimed direction to size a trial count for".into(),
    };
    let test = format!(
        "Mann-Whitney U two-sided per size, runs that never reach it censored (worst rank); Holm family: the {} sizes of this claim, alpha 0.05 (adjusted p: {}); {rule}{power}",
        outcomes.len(),
        outcomes
            .iter()
            .zip(&adjusted)
            .map(|(o, p)| format!("{}: {}", o.n, fmt_p(*p)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Judgement {
        verdict,
        measured,
        test,
    }
}

/// A claimed ratio of medians ("A needs 58 % of B's time") against the measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioClaim {
    /// `nanmedian(a) / nanmedian(b)` with its bootstrap interval (reached-only, the official
    /// definition of the medians).
    pub ratio: RatioInterval,
    /// The ratio of the censored medians (never reaching = worst): `+inf` / NaN when a censored
    /// median is not reached.
    pub censored_ratio: f64,
    /// Where the claimed ratio lies relative to the interval.
    pub placement: Option<Placement>,
    /// Two-sided Mann-Whitney U on the censored values.
    pub p: f64,
    pub judgement: Judgement,
}

/// Judges "median(a) / median(b) = `claimed`" (a fraction, e.g. 0.58), `a` and `b` per-trial
/// values with NaN for missing. Does not hold if the claimed value lies outside the bootstrap
/// interval; holds if it lies inside and the interval excludes 1 (no difference); otherwise
/// underpowered when fewer trials were run than would separate the claimed ratio from 1 with
/// 80 % power (the interval's implied standard error scaled by 1 / sqrt(trials)), else consistent.
pub fn ratio_claim(a: &[f64], b: &[f64], claimed: f64, options: &BootstrapOptions) -> RatioClaim {
    let trials = a.len().min(b.len());
    let ratio = ratio_of_medians_interval(a, b, options).unwrap_or(RatioInterval {
        estimate: f64::NAN,
        interval: None,
        undefined: 0,
        resamples: 0,
        confidence: options.confidence,
    });
    let (ca, cb) = (censored(a), censored(b));
    let (ma, mb) = (median(&ca), median(&cb));
    let censored_ratio = if mb.is_infinite() { f64::NAN } else { ma / mb };
    let p = mwu_p(&ca, &cb);
    let placement = ratio.locate(claimed);
    let alpha = 1.0 - options.confidence;
    let needed = ratio
        .implied_se()
        .and_then(|se| separation_trials(trials, se, claimed, 1.0, alpha));
    let verdict = match (placement, ratio.interval) {
        _ if a.is_empty() || b.is_empty() => Verdict::NotMeasured,
        (None, _) | (_, None) => Verdict::Underpowered { trials: None },
        (Some(Placement::Below | Placement::Above), _) => Verdict::DoesNotHold,
        (Some(Placement::Inside), Some((_, hi))) if hi < 1.0 => Verdict::Holds,
        (Some(Placement::Inside), _) => match needed {
            Some(k) if trials >= k => Verdict::Consistent,
            k => Verdict::Underpowered { trials: k },
        },
    };
    let pct = |x: f64| {
        if x.is_finite() {
            format!("{:.0} %", 100.0 * x)
        } else {
            "undefined".into()
        }
    };
    let interval = match ratio.interval {
        Some((lo, hi)) => format!(
            "{:.0} % CI {}-{}",
            100.0 * ratio.confidence,
            pct(lo),
            pct(hi)
        ),
        None => format!(
            "interval undetermined: {} of {} resamples have no median on a side",
            ratio.undefined, ratio.resamples
        ),
    };
    let measured = format!(
        "{} ({interval}); paper's {} lies {}; censored medians (never reaching = worst): {} vs {}, ratio {}",
        pct(ratio.estimate),
        pct(claimed),
        placement.map_or("- (no interval)", Placement::text),
        fmt_median(ma),
        fmt_median(mb),
        pct(censored_ratio),
    );
    let power = match needed {
        Some(k) => format!(
            "; about {k} trials per condition would separate {} from 100 % with 80 % power",
            pct(claimed)
        ),
        None => String::new(),
    };
    let test = format!(
        "ratio of nanmedians (reached-only, official), percentile bootstrap ({} resamples, seed {}, both conditions resampled independently); \
         holds if the paper's value is inside the interval and the interval is below 100 %, does not hold if outside; \
         Mann-Whitney U on censored values p = {}{power}",
        options.resamples,
        options.seed,
        fmt_p(p)
    );
    RatioClaim {
        ratio,
        censored_ratio,
        placement,
        p,
        judgement: Judgement {
            verdict,
            measured,
            test,
        },
    }
}

/// A median for tables: "not reached" for `+inf` (censored), "-" for NaN.
pub fn fmt_median(m: f64) -> String {
    if m.is_infinite() {
        "not reached".into()
    } else if m.is_nan() {
        "-".into()
    } else {
        format!("{m}")
    }
}

/// "The claimed direction in at least `holds_at` of the `total` comparisons": holds at or above
/// `holds_at`, does not hold below `fails_below`, consistent between; no comparison is not
/// measured. Fractions are compared exactly (integer arithmetic on `count / total`). Both
/// fractions are the project's own thresholds: callers say so in their test text.
pub fn share(
    count: usize,
    total: usize,
    holds_at: (usize, usize),
    fails_below: (usize, usize),
) -> Verdict {
    let at_least = |(num, den): (usize, usize)| count * den >= total * num;
    if total == 0 {
        Verdict::NotMeasured
    } else if at_least(holds_at) {
        Verdict::Holds
    } else if !at_least(fails_below) {
        Verdict::DoesNotHold
    } else {
        Verdict::Consistent
    }
}

/// Wilson 95 % interval of a binomial proportion (`(0, 1)` for no trials).
pub fn wilson(successes: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (z, n_f) = (1.959_963_984_540_054f64, n as f64);
    let p = successes as f64 / n_f;
    let denom = 1.0 + z * z / n_f;
    let centre = (p + z * z / (2.0 * n_f)) / denom;
    let half = z * (p * (1.0 - p) / n_f + z * z / (4.0 * n_f * n_f)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// "More than `level` of the trials succeed": holds if the Wilson interval's lower end is above
/// `level`, does not hold if its upper end is below it. Between: underpowered if the observed
/// rate is above `level` (with the trials at which that rate's interval would clear it),
/// consistent otherwise. No trials: not measured.
pub fn proportion_above(successes: usize, n: usize, level: f64) -> Verdict {
    let (lo, hi) = wilson(successes, n);
    if n == 0 {
        Verdict::NotMeasured
    } else if lo > level {
        Verdict::Holds
    } else if hi < level {
        Verdict::DoesNotHold
    } else {
        let rate = successes as f64 / n as f64;
        if rate > level {
            Verdict::Underpowered {
                trials: wilson_trials(rate, level),
            }
        } else {
            Verdict::Consistent
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(n: usize, a: f64, b: f64, p: f64, p_lower: f64) -> SizeOutcome {
        SizeOutcome {
            n,
            median_a: a,
            median_b: b,
            p,
            median_a_reached: a,
            median_b_reached: b,
            p_reached: p,
            p_lower,
            trials: 50,
        }
    }

    #[test]
    fn better_needs_every_size_lower_and_one_significant() {
        // Holm over 3: 0.001*3 = 0.003 significant, 0.2*2, 0.5 not.
        let j = judge(
            &[
                o(10, 1.0, 2.0, 0.001, 0.9),
                o(20, 1.0, 1.5, 0.2, 0.6),
                o(30, 0.9, 1.0, 0.5, 0.55),
            ],
            Assertion::Better,
        );
        assert_eq!(j.verdict, Verdict::Holds, "{}", j.measured);
        assert!(
            j.measured.contains("lower at 3/3") && j.measured.contains("better at n = 10"),
            "{}",
            j.measured
        );
        assert!(j.test.contains("Holm family: the 3 sizes"), "{}", j.test);
        // One size higher (not significantly), the best effect P = 0.6 at alpha 0.05/3 needs
        // (2.393980 + 0.841621)^2 / (6 * 0.01) = 174.5 -> 175 trials: underpowered at 50.
        let j = judge(
            &[
                o(10, 1.0, 1.1, 0.3, 0.6),
                o(20, 1.6, 1.5, 0.2, 0.45),
                o(30, 0.9, 1.0, 0.5, 0.55),
            ],
            Assertion::Better,
        );
        assert_eq!(
            j.verdict,
            Verdict::Underpowered { trials: Some(175) },
            "{}",
            j.test
        );
        // The same with a large effect that 50 trials could have detected: consistent.
        let j = judge(
            &[
                o(10, 1.0, 1.1, 0.3, 0.9),
                o(20, 1.6, 1.5, 0.2, 0.45),
                o(30, 0.9, 1.0, 0.5, 0.55),
            ],
            Assertion::Better,
        );
        assert_eq!(j.verdict, Verdict::Consistent);
        // Nothing significant, A higher at 2 of 3 sizes: does not hold.
        let j = judge(
            &[
                o(10, 3.0, 2.0, 0.3, 0.4),
                o(20, 1.6, 1.5, 0.2, 0.4),
                o(30, 0.9, 1.0, 0.5, 0.55),
            ],
            Assertion::Better,
        );
        assert_eq!(j.verdict, Verdict::DoesNotHold);
        assert_eq!(judge(&[], Assertion::Better).verdict, Verdict::NotMeasured);
    }

    #[test]
    fn significantly_worse_anywhere_refutes_both_assertions() {
        let outcomes = [o(10, 3.0, 2.0, 0.0001, 0.1), o(20, 1.0, 1.5, 0.3, 0.6)];
        assert_eq!(
            judge(&outcomes, Assertion::NotWorse).verdict,
            Verdict::DoesNotHold
        );
        assert_eq!(
            judge(&outcomes, Assertion::Better).verdict,
            Verdict::DoesNotHold
        );
        // The same difference is not significant once Holm multiplies by 2 and p is 0.03: no
        // evidence against "not worse", but none for it either without a margin (D-CLAIM-9).
        let outcomes = [o(10, 3.0, 2.0, 0.03, 0.3), o(20, 1.0, 1.5, 0.3, 0.6)];
        assert_eq!(
            judge(&outcomes, Assertion::NotWorse).verdict,
            Verdict::Consistent
        );
    }

    #[test]
    fn never_reaching_is_censored_not_dropped() {
        // Fluid reaches the threshold in 3 of 10 trials, fast when it does; A reaches it always.
        let a: Vec<f64> = (0..10).map(|k| 20.0 + f64::from(k)).collect();
        let b: Vec<f64> = [5.0, 6.0, 7.0]
            .into_iter()
            .chain(std::iter::repeat_n(f64::NAN, 7))
            .collect();
        let s = SizeOutcome::of(60, &a, &b);
        // Reached-only, Fluid looks faster; censored, most Fluid runs rank last.
        assert_eq!((s.median_a_reached, s.median_b_reached), (24.5, 6.0));
        assert_eq!((s.median_a, s.median_b), (24.5, f64::INFINITY));
        // Censored P(A < B): A beats the 7 censored runs, loses to the 3 reached: 70 / 100.
        assert!((s.p_lower - 0.7).abs() < 1e-12);
        // Reference (SciPy 1.17.1): mannwhitneyu(a, [5, 6, 7] + [inf] * 7) p = 0.13203893667369285
        // (asymptotic, tie-corrected) and mannwhitneyu(a, [5, 6, 7]) p = 2 / 286 (exact).
        assert!((s.p - 0.132_038_936_673_692_85).abs() < 1e-12, "{}", s.p);
        assert!((s.p_reached - 2.0 / 286.0).abs() < 1e-12, "{}", s.p_reached);
        let j = judge(&[s], Assertion::Better);
        assert!(
            j.measured
                .contains("reached-only: better at n = none; worse at n = 60"),
            "{}",
            j.measured
        );
        assert_ne!(j.verdict, Verdict::DoesNotHold, "the censored test decides");
    }

    #[test]
    fn outcomes_come_from_the_values() {
        let a: Vec<f64> = (0..5).map(f64::from).collect();
        let b: Vec<f64> = (100..105).map(f64::from).collect();
        let s = SizeOutcome::of(7, &a, &b);
        assert_eq!((s.n, s.median_a, s.median_b), (7, 2.0, 102.0));
        assert!((s.p - 2.0 / 252.0).abs() < 1e-12);
        assert_eq!((s.p_lower, s.trials), (1.0, 5));
    }

    #[test]
    fn ratio_claims_place_the_papers_value() {
        let fast: Vec<f64> = (10..20).map(f64::from).collect();
        let slow: Vec<f64> = (30..40).map(f64::from).collect();
        let o = BootstrapOptions::default();
        let r = ratio_claim(&fast, &slow, 0.42, &o);
        assert!((r.ratio.estimate - 14.5 / 34.5).abs() < 1e-12);
        let (lo, hi) = r.ratio.interval.unwrap();
        assert!(lo < 0.42 && 0.42 < hi && hi < 1.0, "{lo} {hi}");
        assert_eq!(
            r.judgement.verdict,
            Verdict::Holds,
            "{}",
            r.judgement.measured
        );
        assert!(r.judgement.measured.contains("lies inside"));
        // The paper's 58 % is above this interval (at most 17.5 / 31.5 = 56 %): does not hold.
        let r = ratio_claim(&fast, &slow, 0.58, &o);
        assert!(hi < 0.58);
        assert_eq!(r.judgement.verdict, Verdict::DoesNotHold);
        assert!(
            r.judgement.measured.contains("58 % lies above"),
            "{}",
            r.judgement.measured
        );
        // Wide overlap with 100 %: the 58 % is inside, but 10 trials cannot separate it from 100 %.
        let a: Vec<f64> = [3.0, 30.0, 8.0, 25.0, 12.0, 40.0, 5.0, 20.0, 9.0, 35.0].to_vec();
        let b: Vec<f64> = [10.0, 40.0, 15.0, 30.0, 20.0, 50.0, 8.0, 25.0, 12.0, 45.0].to_vec();
        let r = ratio_claim(&a, &b, 0.8, &o);
        assert_eq!(r.placement, Some(Placement::Inside));
        match r.judgement.verdict {
            Verdict::Underpowered { trials: Some(k) } => assert!(k > 10, "{k}"),
            v => panic!("{v:?}: {}", r.judgement.test),
        }
        // Fluid never reached it: no ratio at all.
        let r = ratio_claim(&fast, &[f64::NAN; 10], 0.58, &o);
        assert_eq!(r.judgement.verdict, Verdict::Underpowered { trials: None });
        assert!(r.censored_ratio.is_nan());
        assert_eq!(
            ratio_claim(&[], &slow, 0.58, &o).judgement.verdict,
            Verdict::NotMeasured
        );
    }

    #[test]
    fn share_compares_fractions_exactly() {
        // 4 of 5 is exactly 80 %.
        assert_eq!(share(4, 5, (4, 5), (1, 2)), Verdict::Holds);
        assert_eq!(share(3, 5, (4, 5), (1, 2)), Verdict::Consistent);
        assert_eq!(share(2, 5, (4, 5), (1, 2)), Verdict::DoesNotHold);
        assert_eq!(share(0, 0, (4, 5), (1, 2)), Verdict::NotMeasured);
    }

    #[test]
    fn wilson_matches_the_closed_form_and_decides_proportions() {
        // 50/50: the interval is [n / (n + z^2), 1].
        let z2 = 1.959_963_984_540_054f64.powi(2);
        let (lo, hi) = wilson(50, 50);
        assert!((lo - 50.0 / (50.0 + z2)).abs() < 1e-12 && hi == 1.0);
        // All of 50 succeed, but 99 % needs 381 trials to be shown.
        assert_eq!(
            proportion_above(50, 50, 0.99),
            Verdict::Underpowered { trials: Some(381) }
        );
        assert_eq!(proportion_above(400, 400, 0.99), Verdict::Holds);
        assert_eq!(proportion_above(49, 50, 0.99), Verdict::Consistent);
        assert_eq!(proportion_above(40, 50, 0.99), Verdict::DoesNotHold);
        assert_eq!(proportion_above(0, 0, 0.99), Verdict::NotMeasured);
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }
}
