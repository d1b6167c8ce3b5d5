//! The rules every claim is judged by, shared by all tasks, so that a change to how a kind of
//! claim is judged is made once. Each returns a [`Judgement`]: the verdict, what was measured
//! and how the verdict was decided (the three text columns of a claims table).
//!
//! - [`judge`]: condition A against condition B over training sizes, lower is better
//!   ([`Assertion::Better`] at every size, or [`Assertion::NotWorse`]): Mann-Whitney U per size,
//!   Holm over the sizes.
//! - [`ratio_of_medians`]: "A needs x % of B's time" (ratio < 100 % and significant).
//! - [`share`]: "at least a fraction of the comparisons go the claimed way".
//! - [`proportion_above`]: "more than a level of the trials succeed", by a Wilson interval.

use super::{fmt_p, Verdict};
use crate::results::cell::{holm, median, mwu_p};

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
    /// A is as good or better: significantly worse at no size.
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

/// One size of a two-condition comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeOutcome {
    pub n: usize,
    pub median_a: f64,
    pub median_b: f64,
    /// Two-sided Mann-Whitney U, unadjusted; NaN when not computable.
    pub p: f64,
}

impl SizeOutcome {
    /// Medians and the Mann-Whitney p-value of the per-trial values at size `n` (NaN = missing).
    pub fn of(n: usize, a: &[f64], b: &[f64]) -> Self {
        Self {
            n,
            median_a: median(a),
            median_b: median(b),
            p: mwu_p(a, b),
        }
    }
}

/// The verdict of `assertion` over the sizes. Sizes where either median is undefined are left
/// out; none left is inconclusive.
pub fn judge(outcomes: &[SizeOutcome], assertion: Assertion) -> Judgement {
    let adjusted = holm(&outcomes.iter().map(|o| o.p).collect::<Vec<_>>());
    let defined: Vec<(&SizeOutcome, f64)> = outcomes
        .iter()
        .zip(adjusted.iter().copied())
        .filter(|(o, _)| o.median_a.is_finite() && o.median_b.is_finite())
        .collect();
    let lower = defined
        .iter()
        .filter(|(o, _)| o.median_a < o.median_b)
        .count();
    let higher = defined
        .iter()
        .filter(|(o, _)| o.median_a > o.median_b)
        .count();
    let significant = |better: bool| -> Vec<usize> {
        defined
            .iter()
            .filter(|(o, p)| *p < 0.05 && (o.median_a < o.median_b) == better)
            .filter(|(o, _)| o.median_a != o.median_b)
            .map(|(o, _)| o.n)
            .collect()
    };
    let (sig_better, sig_worse) = (significant(true), significant(false));
    let list = |v: &[usize]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let measured = format!(
        "A lower at {lower}/{} sizes (higher at {higher}); significantly better at n = {}; significantly worse at n = {}",
        defined.len(),
        list(&sig_better),
        list(&sig_worse)
    );
    let verdict = if defined.is_empty() {
        Verdict::Inconclusive
    } else if !sig_worse.is_empty() {
        Verdict::DoesNotHold
    } else {
        match assertion {
            Assertion::NotWorse => Verdict::Holds,
            Assertion::Better if lower == defined.len() && !sig_better.is_empty() => Verdict::Holds,
            Assertion::Better if 2 * higher > defined.len() => Verdict::DoesNotHold,
            Assertion::Better => Verdict::Inconclusive,
        }
    };
    let rule = match assertion {
        Assertion::Better => "holds if A's median is lower at every size and A is significantly better at one size at least and worse at none; does not hold if A's median is higher at most sizes",
        Assertion::NotWorse => "holds if A is significantly worse at no size",
    };
    let test = format!(
        "Mann-Whitney U two-sided per size, Holm over {} sizes, alpha 0.05 (adjusted p: {}); {rule}",
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

/// The ratio of medians `100 * median(a) / median(b)` (%), with its verdict: holds if below
/// 100 % and the two-sided Mann-Whitney U test is significant at 5 %, does not hold if at or
/// above 100 %, otherwise (or when undefined) inconclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioOfMedians {
    pub ratio_pct: f64,
    pub median_a: f64,
    pub median_b: f64,
    pub p: f64,
    pub verdict: Verdict,
}

pub fn ratio_of_medians(a: &[f64], b: &[f64]) -> RatioOfMedians {
    let (ma, mb) = (median(a), median(b));
    let ratio_pct = 100.0 * ma / mb;
    let p = mwu_p(a, b);
    let verdict = if !ratio_pct.is_finite() {
        Verdict::Inconclusive
    } else if ratio_pct >= 100.0 {
        Verdict::DoesNotHold
    } else if p < 0.05 {
        Verdict::Holds
    } else {
        Verdict::Inconclusive
    };
    RatioOfMedians {
        ratio_pct,
        median_a: ma,
        median_b: mb,
        p,
        verdict,
    }
}

/// "The claimed direction in at least `holds_at` of the `total` comparisons": holds at or above
/// `holds_at`, does not hold below `fails_below`, inconclusive between; no comparison is
/// inconclusive. Fractions are compared exactly (integer arithmetic on `count / total`).
pub fn share(
    count: usize,
    total: usize,
    holds_at: (usize, usize),
    fails_below: (usize, usize),
) -> Verdict {
    let at_least = |(num, den): (usize, usize)| count * den >= total * num;
    if total == 0 {
        Verdict::Inconclusive
    } else if at_least(holds_at) {
        Verdict::Holds
    } else if !at_least(fails_below) {
        Verdict::DoesNotHold
    } else {
        Verdict::Inconclusive
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
/// `level` (or every one of at least `all_of` trials succeeded and the upper end reaches it),
/// does not hold if its upper end is below `level`, otherwise inconclusive.
pub fn proportion_above(successes: usize, n: usize, level: f64, all_of: usize) -> Verdict {
    let (lo, hi) = wilson(successes, n);
    if lo > level || (successes == n && hi >= level && n >= all_of) {
        Verdict::Holds
    } else if hi < level {
        Verdict::DoesNotHold
    } else {
        Verdict::Inconclusive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(n: usize, a: f64, b: f64, p: f64) -> SizeOutcome {
        SizeOutcome {
            n,
            median_a: a,
            median_b: b,
            p,
        }
    }

    #[test]
    fn better_needs_every_size_lower_and_one_significant() {
        // Holm over 3: 0.001*3 = 0.003 significant, 0.2*2, 0.5 not.
        let j = judge(
            &[
                o(10, 1.0, 2.0, 0.001),
                o(20, 1.0, 1.5, 0.2),
                o(30, 0.9, 1.0, 0.5),
            ],
            Assertion::Better,
        );
        assert_eq!(j.verdict, Verdict::Holds, "{}", j.measured);
        assert!(
            j.measured.contains("lower at 3/3") && j.measured.contains("better at n = 10"),
            "{}",
            j.measured
        );
        // One size higher (not significantly): inconclusive.
        let j = judge(
            &[
                o(10, 1.0, 2.0, 0.001),
                o(20, 1.6, 1.5, 0.2),
                o(30, 0.9, 1.0, 0.5),
            ],
            Assertion::Better,
        );
        assert_eq!(j.verdict, Verdict::Inconclusive);
        // Ties at most sizes are not evidence against A: inconclusive.
        let j = judge(
            &[
                o(10, 1.0, 1.0, 1.0),
                o(20, 1.0, 1.0, 1.0),
                o(30, 0.9, 1.0, 0.5),
            ],
            Assertion::Better,
        );
        assert_eq!(j.verdict, Verdict::Inconclusive);
        // Nothing significant, A higher at 2 of 3 sizes: does not hold.
        let j = judge(
            &[
                o(10, 3.0, 2.0, 0.3),
                o(20, 1.6, 1.5, 0.2),
                o(30, 0.9, 1.0, 0.5),
            ],
            Assertion::Better,
        );
        assert_eq!(j.verdict, Verdict::DoesNotHold);
    }

    #[test]
    fn significantly_worse_anywhere_refutes_both_assertions() {
        let outcomes = [o(10, 3.0, 2.0, 0.0001), o(20, 1.0, 1.5, 0.3)];
        assert_eq!(
            judge(&outcomes, Assertion::NotWorse).verdict,
            Verdict::DoesNotHold
        );
        assert_eq!(
            judge(&outcomes, Assertion::Better).verdict,
            Verdict::DoesNotHold
        );
        // The same difference is not significant once Holm multiplies by 2 and p is 0.03.
        let outcomes = [o(10, 3.0, 2.0, 0.03), o(20, 1.0, 1.5, 0.3)];
        assert_eq!(
            judge(&outcomes, Assertion::NotWorse).verdict,
            Verdict::Holds
        );
    }

    #[test]
    fn undefined_medians_are_inconclusive() {
        let j = judge(&[o(10, f64::NAN, 2.0, f64::NAN)], Assertion::NotWorse);
        assert_eq!(j.verdict, Verdict::Inconclusive);
    }

    #[test]
    fn outcomes_come_from_the_values() {
        let a: Vec<f64> = (0..5).map(f64::from).collect();
        let b: Vec<f64> = (100..105).map(f64::from).collect();
        let s = SizeOutcome::of(7, &a, &b);
        assert_eq!((s.n, s.median_a, s.median_b), (7, 2.0, 102.0));
        assert!((s.p - 2.0 / 252.0).abs() < 1e-12);
    }

    #[test]
    fn ratio_of_medians_needs_direction_and_significance() {
        let fast: Vec<f64> = (10..20).map(f64::from).collect();
        let slow: Vec<f64> = (30..40).map(f64::from).collect();
        let r = ratio_of_medians(&fast, &slow);
        assert!((r.ratio_pct - 100.0 * 14.5 / 34.5).abs() < 1e-9);
        assert_eq!(r.verdict, Verdict::Holds);
        assert_eq!(ratio_of_medians(&slow, &fast).verdict, Verdict::DoesNotHold);
        // Slightly lower but overlapping: not significant, inconclusive.
        let close: Vec<f64> = (11..21).map(f64::from).collect();
        assert_eq!(
            ratio_of_medians(&fast, &close).verdict,
            Verdict::Inconclusive
        );
        // No value on one side: the ratio is undefined.
        assert_eq!(
            ratio_of_medians(&fast, &[f64::NAN]).verdict,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn share_compares_fractions_exactly() {
        // 4 of 5 is exactly 80 %.
        assert_eq!(share(4, 5, (4, 5), (1, 2)), Verdict::Holds);
        assert_eq!(share(3, 5, (4, 5), (1, 2)), Verdict::Inconclusive);
        assert_eq!(share(2, 5, (4, 5), (1, 2)), Verdict::DoesNotHold);
        assert_eq!(share(0, 0, (4, 5), (1, 2)), Verdict::Inconclusive);
    }

    #[test]
    fn wilson_matches_the_closed_form_and_decides_proportions() {
        // 50/50: the interval is [n / (n + z^2), 1].
        let z2 = 1.959_963_984_540_054f64.powi(2);
        let (lo, hi) = wilson(50, 50);
        assert!((lo - 50.0 / (50.0 + z2)).abs() < 1e-12 && hi == 1.0);
        assert_eq!(proportion_above(50, 50, 0.99, 50), Verdict::Holds);
        assert_eq!(proportion_above(49, 49, 0.99, 50), Verdict::Inconclusive);
        assert_eq!(proportion_above(40, 50, 0.99, 50), Verdict::DoesNotHold);
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }
}
