//! Non-inferiority against a margin declared before the run (docs/decisions.md D-TRANSFER-3):
//! "A is not worse than B by more than the margin", lower values better, judged size by size.
//!
//! - The margin is a difference (`median(A) - median(B) <= m`, e.g. 1 point of error) or a ratio
//!   (`median(A) / median(B) <= r`, e.g. 1.10 of the epochs); a ratio is tested on log values, so
//!   both are a shift test.
//! - Missing values (runs that never reach a threshold) are censored: `+inf`, the worst rank
//!   (D-STATS-7). The reached-only estimate (missing values dropped) is shown beside it.
//! - Per size: a one-sided rank test of the shifted samples (`A - m` against `B`): Mann-Whitney U,
//!   or the Wilcoxon signed-rank test where trial i of A and of B share an initialisation
//!   (`paired`), and a one-sided percentile bootstrap bound of the estimate (pairs resampled
//!   together when paired). Holm over the sizes of the claim, alpha 0.05.
//! - Verdict per size: **holds** when the Holm-adjusted test rejects "worse by the margin or more"
//!   and the bootstrap's upper bound is below the margin; **does not hold** when the adjusted test
//!   in the other direction says A is worse by more than the margin and the lower bound is above
//!   it; otherwise **underpowered** (with the trials that would separate the estimate from the
//!   margin, D-STATS-6) or **consistent** when that many were run. The rank tests cannot reach
//!   one-sided p < 0.05 with 3 trials a side, so 3 trials are never enough to hold.

use super::power::separation_trials;
use super::{fmt_p, Judgement, Verdict};
use crate::stats::{
    holm_adjust_skipping_nan, mann_whitney_u, median, wilcoxon_signed_rank, BootstrapOptions,
    SplitMix64,
};
use serde::{Deserialize, Serialize};

/// Family-wise level of every non-inferiority claim (one-sided).
pub const ALPHA: f64 = 0.05;

/// The declared margin of "A is not worse than B".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Margin {
    /// `median(A) - median(B) <= value` (same unit as the values).
    Difference(f64),
    /// `median(A) / median(B) <= value` (values must be positive).
    Ratio(f64),
}

impl Margin {
    /// The margin as written in a report, e.g. `+1.00` or `x1.10`.
    pub fn text(self) -> String {
        match self {
            Margin::Difference(m) => format!("{m:+.2}"),
            Margin::Ratio(r) => format!("x{r:.2}"),
        }
    }

    /// The value the shift test works on (log for a ratio; `+inf` stays `+inf`).
    fn scale(self, v: f64) -> f64 {
        match self {
            Margin::Difference(_) => v,
            Margin::Ratio(_) => v.ln(),
        }
    }

    /// The margin on the scale of [`Margin::scale`].
    fn shift(self) -> f64 {
        match self {
            Margin::Difference(m) => m,
            Margin::Ratio(r) => r.ln(),
        }
    }

    /// Median of A against median of B on the margin's terms (difference or ratio); `+inf`
    /// when A's median is censored, NaN when both are.
    fn estimate(self, a: f64, b: f64) -> f64 {
        match self {
            Margin::Difference(_) => a - b,
            Margin::Ratio(_) => a / b,
        }
    }

    fn valid(self) -> bool {
        match self {
            Margin::Difference(m) => m.is_finite() && m >= 0.0,
            Margin::Ratio(r) => r.is_finite() && r >= 1.0,
        }
    }
}

/// One size's per-trial values (NaN = missing: never reached).
#[derive(Debug, Clone, PartialEq)]
pub struct SizeSamples {
    pub n: usize,
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    /// Trial i of A and of B share an initialisation (equal lengths): paired test and bootstrap.
    pub paired: bool,
}

/// The result at one size.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeNonInferiority {
    pub n: usize,
    pub trials: usize,
    pub paired: bool,
    /// Censored medians on the margin's terms (difference or ratio); `+inf` when A's censored
    /// median is not reached.
    pub estimate: f64,
    /// The same with missing values dropped (the official nanmedian); NaN when undefined.
    pub estimate_reached: f64,
    /// One-sided bootstrap bounds at level `1 - ALPHA` (each on its own side).
    pub lower: f64,
    pub upper: f64,
    /// One-sided p of "A is worse by the margin or more" (small: non-inferior), and Holm-adjusted.
    pub p: f64,
    pub p_holm: f64,
    /// One-sided p of "A is not worse by more than the margin" (small: inferior), Holm-adjusted.
    pub p_inferior: f64,
    pub p_inferior_holm: f64,
    /// Trials per condition that would separate the estimate from the margin (80 % power).
    pub needed: Option<usize>,
    pub verdict: Verdict,
    /// Standard deviation of the finite bootstrap estimates, on the margin's scale (log for a
    /// ratio): sizes the trial count an underpowered size would need.
    pub bootstrap_sd: f64,
}

fn censor(v: &[f64]) -> Vec<f64> {
    v.iter()
        .map(|&x| if x.is_nan() { f64::INFINITY } else { x })
        .collect()
}

/// Median that keeps `+inf` (a censored median): NaN only for an empty sample.
fn censored_median(v: &[f64]) -> f64 {
    median(v).unwrap_or(f64::NAN)
}

/// One-sided p-values (A lower, A higher) from a two-sided p and the side the data lie on
/// (`a_lower`: the statistic is on A-lower's side). The null distributions of both tests are
/// symmetric, so the favoured side's p is half the two-sided one.
fn one_sided(p_two: f64, a_lower: Option<bool>) -> (f64, f64) {
    if p_two.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let half = (p_two / 2.0).min(1.0);
    match a_lower {
        Some(true) => (half, 1.0 - half),
        Some(false) => (1.0 - half, half),
        None => (1.0 - half, 1.0 - half),
    }
}

/// Signed-rank sums (R+, R-) of the non-zero differences `d` (average ranks of |d|).
fn signed_rank_sums(d: &[f64]) -> (f64, f64) {
    let nz: Vec<f64> = d.iter().copied().filter(|x| *x != 0.0).collect();
    let abs: Vec<f64> = nz.iter().map(|x| x.abs()).collect();
    let (ranks, _) = crate::stats::average_ranks(&abs);
    nz.iter().zip(ranks).fold(
        (0.0, 0.0),
        |(p, m), (x, r)| {
            if *x > 0.0 {
                (p + r, m)
            } else {
                (p, m + r)
            }
        },
    )
}

/// One-sided p-values (A - shift below B, above B) of the shift test on scaled censored values.
/// A difference of two `+inf` counts as a tie (both censored: no evidence either way).
fn shift_test(a: &[f64], b: &[f64], shift: f64, paired: bool) -> (f64, f64) {
    let shifted: Vec<f64> = a.iter().map(|x| x - shift).collect();
    if paired {
        let d: Vec<f64> = shifted
            .iter()
            .zip(b)
            .map(|(x, y)| if x == y { 0.0 } else { x - y })
            .collect();
        let zeros = vec![0.0; d.len()];
        let p = wilcoxon_signed_rank(&d, &zeros).map_or(f64::NAN, |w| w.p_value);
        let (plus, minus) = signed_rank_sums(&d);
        let side = (plus != minus).then_some(minus > plus);
        one_sided(p, side)
    } else {
        match mann_whitney_u(&shifted, b) {
            Ok(m) => {
                let mid = (m.n_x * m.n_y) as f64 / 2.0;
                one_sided(m.p_value, (m.u != mid).then_some(m.u < mid))
            }
            Err(_) => (f64::NAN, f64::NAN),
        }
    }
}

/// The bootstrap distribution of the censored estimate on the scale of the margin (`+inf` for
/// a resample whose A median is censored or whose estimate is undefined: the worst case).
fn bootstrap(s: &SizeSamples, margin: Margin, options: &BootstrapOptions) -> Vec<f64> {
    let (a, b) = (censor(&s.a), censor(&s.b));
    let mut rng = SplitMix64::new(options.seed);
    let (mut ra, mut rb) = (vec![0.0; a.len()], vec![0.0; b.len()]);
    (0..options.resamples)
        .map(|_| {
            if s.paired {
                for i in 0..a.len() {
                    let k = rng.index(a.len());
                    ra[i] = a[k];
                    rb[i] = b[k];
                }
            } else {
                for v in ra.iter_mut() {
                    *v = a[rng.index(a.len())];
                }
                for v in rb.iter_mut() {
                    *v = b[rng.index(b.len())];
                }
            }
            let e = margin.scale(margin.estimate(censored_median(&ra), censored_median(&rb)));
            if e.is_nan() {
                f64::INFINITY
            } else {
                e
            }
        })
        .collect()
}

/// The order statistic at quantile `q` (nearest rank, upward): defined with infinite values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let k = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[k - 1]
}

/// The fewest trials a side at which the rank test can reach one-sided p < `level` at all (a
/// bootstrap spread measured on 3 trials can suggest fewer): the smallest exact p is
/// `1 / C(2k, k)` for Mann-Whitney U with k trials a side, `1 / 2^k` for k Wilcoxon pairs.
fn rank_test_floor(paired: bool, level: f64) -> usize {
    let smallest_p = |k: usize| {
        if paired {
            0.5f64.powi(k as i32)
        } else {
            // C(2k, k) = prod_{i=1..k} (k + i) / i
            1.0 / (1..=k).fold(1.0, |c, i| c * (k + i) as f64 / i as f64)
        }
    };
    (1..64).find(|&k| smallest_p(k) < level).unwrap_or(64)
}

/// Standard deviation of the finite values (NaN with fewer than two).
fn finite_sd(v: &[f64]) -> f64 {
    let f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if f.len() < 2 {
        return f64::NAN;
    }
    let m = f.iter().sum::<f64>() / f.len() as f64;
    (f.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (f.len() - 1) as f64).sqrt()
}

/// Judges "A is not worse than B by more than `margin`" at every size (one Holm family) and
/// overall: holds if it holds at every size, does not hold if it does not at some size, else
/// underpowered (the most trials any size needs) or consistent. `options.seed` seeds the
/// bootstrap; `options.confidence` is ignored (the bounds are one-sided at `1 - ALPHA`).
pub fn non_inferiority(
    sizes: &[SizeSamples],
    margin: Margin,
    options: &BootstrapOptions,
) -> (Vec<SizeNonInferiority>, Judgement) {
    let shift = margin.shift();
    let mut out: Vec<SizeNonInferiority> = sizes
        .iter()
        .map(|s| {
            let usable = margin.valid()
                && s.a.len() >= 2
                && s.b.len() >= 2
                && (!s.paired || s.a.len() == s.b.len())
                && (matches!(margin, Margin::Difference(_))
                    || s.a.iter().chain(&s.b).all(|v| v.is_nan() || *v > 0.0));
            let (ca, cb) = (censor(&s.a), censor(&s.b));
            let estimate = margin.estimate(censored_median(&ca), censored_median(&cb));
            let estimate_reached = match (median(&s.a), median(&s.b)) {
                (Some(x), Some(y)) => margin.estimate(x, y),
                _ => f64::NAN,
            };
            let (sa, sb): (Vec<f64>, Vec<f64>) = (
                ca.iter().map(|&v| margin.scale(v)).collect(),
                cb.iter().map(|&v| margin.scale(v)).collect(),
            );
            let (p, p_inferior) = if usable {
                shift_test(&sa, &sb, shift, s.paired)
            } else {
                (f64::NAN, f64::NAN)
            };
            let mut boot = if usable {
                bootstrap(s, margin, options)
            } else {
                Vec::new()
            };
            boot.sort_by(f64::total_cmp);
            let unscale = |v: f64| match margin {
                Margin::Difference(_) => v,
                Margin::Ratio(_) => v.exp(),
            };
            let (lower, upper) = if boot.is_empty() {
                (f64::NAN, f64::NAN)
            } else {
                (
                    unscale(quantile(&boot, ALPHA)),
                    unscale(quantile(&boot, 1.0 - ALPHA)),
                )
            };
            SizeNonInferiority {
                n: s.n,
                trials: s.a.len().min(s.b.len()),
                paired: s.paired,
                estimate,
                estimate_reached,
                lower,
                upper,
                p,
                p_holm: f64::NAN,
                p_inferior,
                p_inferior_holm: f64::NAN,
                needed: None,
                verdict: Verdict::NotMeasured,
                bootstrap_sd: finite_sd(&boot),
            }
        })
        .collect();
    let holm = holm_adjust_skipping_nan(&out.iter().map(|o| o.p).collect::<Vec<_>>());
    let holm_inf = holm_adjust_skipping_nan(&out.iter().map(|o| o.p_inferior).collect::<Vec<_>>());
    let family = out.iter().filter(|o| o.p.is_finite()).count().max(1);
    for (o, (ph, pi)) in out.iter_mut().zip(holm.into_iter().zip(holm_inf)) {
        o.p_holm = ph;
        o.p_inferior_holm = pi;
        o.verdict = size_verdict(o, margin, family);
    }
    let judgement = overall(&out, margin);
    (out, judgement)
}

fn size_verdict(o: &mut SizeNonInferiority, margin: Margin, family: usize) -> Verdict {
    let m = match margin {
        Margin::Difference(m) | Margin::Ratio(m) => m,
    };
    if o.p.is_nan() || o.upper.is_nan() {
        return Verdict::NotMeasured;
    }
    if o.p_holm < ALPHA && o.upper < m {
        return Verdict::Holds;
    }
    if o.p_inferior_holm < ALPHA && o.lower > m {
        return Verdict::DoesNotHold;
    }
    let (est, shift) = (margin.scale(o.estimate), margin.shift());
    // One-sided level ALPHA / family = two-sided 2 ALPHA / family in separation_trials.
    let level = ALPHA / family as f64;
    o.needed = if est < shift {
        separation_trials(o.trials, o.bootstrap_sd, est, shift, 2.0 * level)
            .map(|k| k.max(rank_test_floor(o.paired, level)))
    } else {
        None
    };
    match o.needed {
        Some(k) if o.trials >= k => Verdict::Consistent,
        k => Verdict::Underpowered { trials: k },
    }
}

/// A value on the margin's terms for tables.
pub fn fmt_estimate(v: f64, margin: Margin) -> String {
    if v.is_nan() {
        "-".into()
    } else if v.is_infinite() {
        "not reached".into()
    } else {
        match margin {
            Margin::Difference(_) => format!("{v:+.2}"),
            Margin::Ratio(_) => format!("x{v:.2}"),
        }
    }
}

fn overall(out: &[SizeNonInferiority], margin: Margin) -> Judgement {
    let at = |f: &dyn Fn(&SizeNonInferiority) -> bool| {
        let v: Vec<String> = out
            .iter()
            .filter(|o| f(o))
            .map(|o| o.n.to_string())
            .collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let measured_any = out.iter().any(|o| o.verdict != Verdict::NotMeasured);
    let verdict = if out.is_empty() || !measured_any {
        Verdict::NotMeasured
    } else if out.iter().any(|o| o.verdict == Verdict::DoesNotHold) {
        Verdict::DoesNotHold
    } else if out.iter().all(|o| o.verdict == Verdict::Holds) {
        Verdict::Holds
    } else if out.iter().any(|o| {
        matches!(
            o.verdict,
            Verdict::Underpowered { .. } | Verdict::NotMeasured
        )
    }) {
        let needed = out
            .iter()
            .filter_map(|o| match o.verdict {
                Verdict::Underpowered { trials } => Some(trials),
                _ => None,
            })
            .try_fold(0usize, |m, t| t.map(|k| m.max(k)));
        Verdict::Underpowered {
            trials: needed.filter(|&k| k > 0),
        }
    } else {
        Verdict::Consistent
    };
    let measured = format!(
        "estimate (censored; reached-only) [{:.0} % one-sided bounds] per size: {}; holds at n = {}; does not hold at n = {}",
        100.0 * (1.0 - ALPHA),
        out.iter()
            .map(|o| format!(
                "{}: {} ({}) [{}, {}]",
                o.n,
                fmt_estimate(o.estimate, margin),
                fmt_estimate(o.estimate_reached, margin),
                fmt_estimate(o.lower, margin),
                fmt_estimate(o.upper, margin)
            ))
            .collect::<Vec<_>>()
            .join("; "),
        at(&|o| o.verdict == Verdict::Holds),
        at(&|o| o.verdict == Verdict::DoesNotHold),
    );
    let test = format!(
        "margin {} declared before the run; per size a one-sided {} test of A shifted by the margin against B, \
         runs that never reach it censored (worst rank), Holm over the {} sizes (adjusted p: {}), and a one-sided \
         percentile bootstrap bound; holds where both say A is within the margin, does not hold where both say \
         it is beyond (docs/decisions.md D-TRANSFER-3)",
        margin.text(),
        if out.iter().all(|o| o.paired) {
            "Wilcoxon signed-rank (trials share an initialisation)"
        } else if out.iter().any(|o| o.paired) {
            "rank (Wilcoxon where paired, else Mann-Whitney U)"
        } else {
            "Mann-Whitney U"
        },
        out.len(),
        out.iter()
            .map(|o| format!("{}: {}", o.n, fmt_p(o.p_holm)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Judgement {
        verdict,
        measured,
        test,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> BootstrapOptions {
        BootstrapOptions {
            resamples: 2000,
            seed: 7,
            confidence: 0.95,
        }
    }

    /// `k` values spread evenly over `[centre - 0.5, centre + 0.5]`.
    fn spread(centre: f64, k: usize) -> Vec<f64> {
        (0..k)
            .map(|i| centre - 0.5 + i as f64 / (k - 1) as f64)
            .collect()
    }

    fn size(n: usize, a: Vec<f64>, b: Vec<f64>, paired: bool) -> SizeSamples {
        SizeSamples { n, a, b, paired }
    }

    #[test]
    fn a_margin_the_data_clearly_meet_holds() {
        // A is 0.5 points better than B with 20 trials; margin 1 point.
        let s = [
            size(10, spread(20.0, 20), spread(20.5, 20), false),
            size(50, spread(10.0, 20), spread(10.5, 20), false),
        ];
        let (per, j) = non_inferiority(&s, Margin::Difference(1.0), &opts());
        assert_eq!(j.verdict, Verdict::Holds, "{j:?}");
        for o in &per {
            assert!((o.estimate + 0.5).abs() < 1e-12, "{o:?}");
            assert!(o.upper < 1.0 && o.p_holm < ALPHA, "{o:?}");
        }
    }

    #[test]
    fn a_clearly_violated_margin_does_not_hold() {
        // A is 3 points worse at one size: beyond the 1-point margin.
        let s = [
            size(10, spread(23.0, 20), spread(20.0, 20), false),
            size(50, spread(10.0, 20), spread(10.0, 20), false),
        ];
        let (per, j) = non_inferiority(&s, Margin::Difference(1.0), &opts());
        assert_eq!(per[0].verdict, Verdict::DoesNotHold);
        assert!(per[0].lower > 1.0);
        assert_eq!(j.verdict, Verdict::DoesNotHold);
    }

    #[test]
    fn three_trials_are_underpowered_never_holds() {
        // Identical, well-separated values: the bootstrap bound is tight, yet 3 trials cannot
        // reach one-sided p < 0.05 with either rank test.
        for paired in [false, true] {
            let s = [size(
                10,
                vec![10.0, 10.1, 10.2],
                vec![20.0, 20.1, 20.2],
                paired,
            )];
            let (per, j) = non_inferiority(&s, Margin::Difference(1.0), &opts());
            assert!(per[0].upper < 1.0, "{:?}", per[0]);
            assert!(
                matches!(j.verdict, Verdict::Underpowered { .. }),
                "paired {paired}: {j:?}"
            );
        }
    }

    #[test]
    fn rank_test_floors_by_hand() {
        // 1/C(6,3) = 0.05 is not below 0.05; 1/C(8,4) = 1/70 is. Wilcoxon: 1/16 > 0.05 > 1/32.
        assert_eq!(rank_test_floor(false, 0.05), 4);
        assert_eq!(rank_test_floor(true, 0.05), 5);
        // Holm's first step over 6 sizes: 0.05/6 = 0.0083: 1/C(10,5) = 1/252; 1/2^7 = 0.0078.
        assert_eq!(rank_test_floor(false, 0.05 / 6.0), 5);
        assert_eq!(rank_test_floor(true, 0.05 / 6.0), 7);
    }

    #[test]
    fn mann_whitney_one_sided_p_by_hand() {
        // 3 vs 3, A all below B after the shift: exact two-sided p = 2 / C(6,3) = 0.1, one-sided 0.05.
        let (p, q) = shift_test(&[1.0, 2.0, 3.0], &[5.0, 6.0, 7.0], 0.0, false);
        assert!(
            (p - 0.05).abs() < 1e-12 && (q - 0.95).abs() < 1e-12,
            "{p} {q}"
        );
        // Shifting A by 10 puts it above B: the sides swap.
        let (p, q) = shift_test(&[11.0, 12.0, 13.0], &[5.0, 6.0, 7.0], 0.0, false);
        assert!((p - 0.95).abs() < 1e-12 && (q - 0.05).abs() < 1e-12);
    }

    #[test]
    fn wilcoxon_one_sided_p_by_hand() {
        // 6 pairs, every difference negative and distinct: exact two-sided p = 2 / 2^6, one-sided 1/64.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.5, 3.0, 4.5, 6.0, 7.5, 9.0];
        let (p, q) = shift_test(&a, &b, 0.0, true);
        assert!((p - 1.0 / 64.0).abs() < 1e-12, "{p}");
        assert!((q - (1.0 - 1.0 / 64.0)).abs() < 1e-12, "{q}");
        assert_eq!(signed_rank_sums(&[-1.0, 2.0, -3.0, 0.0]), (2.0, 4.0));
    }

    #[test]
    fn censored_runs_take_the_worst_rank_and_ratio_margins_use_logs() {
        // Epochs: A reaches the threshold in 10 of 20 runs only; reached-only it looks as fast as B,
        // censored it is not within x1.10.
        let mut a = spread(5.0, 20);
        for v in a.iter_mut().skip(10) {
            *v = f64::NAN;
        }
        let b = spread(5.0, 20).iter().map(|v| v + 1.0).collect::<Vec<_>>();
        let s = [size(25, a, b, false)];
        let (per, j) = non_inferiority(&s, Margin::Ratio(1.10), &opts());
        let o = &per[0];
        assert!(o.estimate_reached < 1.0, "reached-only ratio {o:?}");
        assert!(o.estimate > 1.10 || o.estimate.is_infinite(), "{o:?}");
        assert!(o.upper.is_infinite(), "{o:?}");
        assert_ne!(j.verdict, Verdict::Holds);
        // A clearly faster, no censoring: holds at x1.10.
        let s = [size(25, spread(5.0, 20), spread(8.0, 20), false)];
        let (per, j) = non_inferiority(&s, Margin::Ratio(1.10), &opts());
        assert_eq!(j.verdict, Verdict::Holds, "{per:?}");
        assert!((per[0].estimate - 5.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn paired_bootstrap_resamples_pairs_together() {
        // B = A + 0.3 exactly per pair, with a wide spread between pairs: paired, every resample's
        // difference of medians is exactly -0.3, so the bounds collapse onto it.
        let a: Vec<f64> = (0..12).map(|i| (i * i) as f64).collect();
        let b: Vec<f64> = a.iter().map(|v| v + 0.3).collect();
        let s = [size(5, a, b, true)];
        let (per, j) = non_inferiority(&s, Margin::Difference(0.1), &opts());
        assert!(
            (per[0].upper + 0.3).abs() < 1e-9 && (per[0].lower + 0.3).abs() < 1e-9,
            "{per:?}"
        );
        assert_eq!(j.verdict, Verdict::Holds);
    }

    #[test]
    fn invalid_margins_and_tiny_samples_are_not_measured() {
        let s = [size(5, vec![1.0, 2.0], vec![1.0, 2.0], false)];
        let (_, j) = non_inferiority(&s, Margin::Difference(-1.0), &opts());
        assert_eq!(j.verdict, Verdict::NotMeasured);
        let (_, j) = non_inferiority(&s, Margin::Ratio(0.9), &opts());
        assert_eq!(j.verdict, Verdict::NotMeasured);
        let s = [size(5, vec![1.0], vec![1.0, 2.0], false)];
        let (_, j) = non_inferiority(&s, Margin::Difference(1.0), &opts());
        assert_eq!(j.verdict, Verdict::NotMeasured);
    }
}
