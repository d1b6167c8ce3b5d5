//! Each quantitative XOR claim of the paper (docs/decisions.md D-CLAIM-1), measured on our runs,
//! with a verdict decided by one of the shared rules of `polarity_analysis::claims::rules`.

use super::figures::{FLUID, FROZEN_RAND, FROZEN_SUFF, POS_RAND};
use super::measure::{fraction, holm, med, mwu_p, CellValues};
use super::table::Runs;
use polarity_analysis::claims::fmt_p;
use polarity_analysis::claims::rules::{
    judge, proportion_above, ratio_of_medians, share, Assertion, SizeOutcome,
};
use polarity_analysis::stats;
use polarity_xor::Condition;

pub use polarity_analysis::claims::rules::wilson;
pub use polarity_analysis::claims::{Claim, Verdict};

/// Theory values the claims need: (hidden units, Theorem D.1 at d = 5, oracle truth).
pub struct TheoryPoints {
    pub units: Vec<usize>,
    pub theorem_d1: Vec<f64>,
    pub truth: Vec<f64>,
}

fn cell(runs: &Runs, n: usize, h: usize, c: Condition) -> Option<CellValues> {
    runs.get(n, h, POS_RAND, c).map(CellValues::of)
}

fn missing(id: &'static str, statement: &'static str, paper: &str, what: &str) -> Claim {
    Claim::not_measured(id, statement, paper, &format!("{what} is not in this grid"))
}

fn time_ratio_claim(fig1: &Runs, id: &'static str, n: usize, paper_pct: f64) -> Claim {
    const S: &str =
        "Frozen sufficient-Polarity needs a fraction of Fluid's time to reach 90 % (h = 64)";
    let (Some(a), Some(b)) = (cell(fig1, n, 64, FROZEN_SUFF), cell(fig1, n, 64, FLUID)) else {
        return missing(
            id,
            S,
            &format!("{paper_pct:.0} % at {n} samples"),
            &format!("n = {n}"),
        );
    };
    let r = ratio_of_medians(&a.epochs_to_90, &b.epochs_to_90);
    let (ratio, ma, mb, p) = (r.ratio_pct, r.median_a, r.median_b, r.p);
    Claim {
        id: id.into(),
        statement: S.into(),
        paper: format!("{paper_pct:.0} % at {n} samples"),
        measured: format!(
            "{ratio:.0} % (median {ma} vs {mb} epochs; {}/{} and {}/{} trials reached 90 %)",
            a.time().n,
            a.epochs_to_90.len(),
            b.time().n,
            b.epochs_to_90.len()
        ),
        verdict: r.verdict,
        test: format!(
            "ratio of medians < 100 % and Mann-Whitney U two-sided p = {} < 0.05",
            fmt_p(p)
        ),
    }
}

/// All XOR claims for one semantics.
pub fn xor_claims(fig1: &Runs, fig4: &Runs, theory: &TheoryPoints) -> Vec<Claim> {
    let sizes: Vec<usize> = { fig1.curves.distinct(|c| c.n_train) };
    let mut claims = Vec::new();

    // C1: sufficient faster than Fluid at every size (Fig 1B x-range 40-500).
    {
        let outcomes: Vec<SizeOutcome> = sizes
            .iter()
            .filter(|&&n| n >= 40)
            .filter_map(|&n| {
                let (a, b) = (cell(fig1, n, 64, FROZEN_SUFF)?, cell(fig1, n, 64, FLUID)?);
                Some(SizeOutcome::of(n, &a.epochs_to_90, &b.epochs_to_90))
            })
            .collect();
        claims.push(Claim::judged(
            "1B-a",
            "Frozen sufficient-Polarity (A) learns faster than Fluid (B) at every training size: median epochs to 90 % (Fig 1B)".into(),
            "faster at all sizes",
            judge(&outcomes, Assertion::Better),
        ));
    }
    claims.push(time_ratio_claim(fig1, "1B-b", 60, 58.0));
    claims.push(time_ratio_claim(fig1, "1B-c", 72, 48.0));

    // C4/C5: Frozen RAND ~ Fluid, faster at 80 and 92.
    {
        let mut ps = Vec::new();
        for &n in sizes.iter().filter(|&&n| n >= 40) {
            if let (Some(a), Some(b)) = (cell(fig1, n, 64, FROZEN_RAND), cell(fig1, n, 64, FLUID)) {
                ps.push(mwu_p(&a.epochs_to_90, &b.epochs_to_90));
            }
        }
        let adj = holm(&ps);
        let tested = adj.iter().filter(|p| p.is_finite()).count();
        let differ = adj.iter().filter(|p| **p < 0.05).count();
        claims.push(Claim {
            id: "1B-d".into(),
            statement: "Frozen RAND-Polarity learns about as fast as Fluid (Fig 1B)".into(),
            paper: "green ~ blue".into(),
            measured: format!("significantly different at {differ} of {tested} sizes"),
            verdict: share(tested - differ, tested, (4, 5), (4, 5)),
            test: "Mann-Whitney U two-sided per size, Holm; holds if different at <= 20 % of sizes"
                .into(),
        });
        let mut faster = Vec::new();
        let mut text = Vec::new();
        for n in [80, 92] {
            if let (Some(a), Some(b)) = (cell(fig1, n, 64, FROZEN_RAND), cell(fig1, n, 64, FLUID)) {
                let (ma, mb) = (med(&a.time()), med(&b.time()));
                faster.push(ma < mb);
                text.push(format!(
                    "n = {n}: {ma} vs {mb} epochs (p = {})",
                    fmt_p(mwu_p(&a.epochs_to_90, &b.epochs_to_90))
                ));
            }
        }
        claims.push(Claim {
            id: "1B-e".into(),
            statement: "Frozen RAND-Polarity is faster than Fluid at 80 and 92 samples (Fig 1B)"
                .into(),
            paper: "faster at 80 and 92".into(),
            measured: if text.is_empty() {
                "not in this grid".into()
            } else {
                text.join("; ")
            },
            verdict: match faster.iter().filter(|f| **f).count() {
                _ if faster.len() < 2 => Verdict::Inconclusive,
                2 => Verdict::Holds,
                1 => Verdict::Inconclusive,
                _ => Verdict::DoesNotHold,
            },
            test: "median epochs to 90 % lower at both sizes (p-values shown, not required)".into(),
        });
    }

    // C6: error at convergence (Fig 1C).
    {
        let (mut lower, mut total) = (0, 0);
        for &n in &sizes {
            if let (Some(a), Some(b)) = (cell(fig1, n, 64, FROZEN_SUFF), cell(fig1, n, 64, FLUID)) {
                total += 1;
                lower += usize::from(med(&a.err()) <= med(&b.err()));
            }
        }
        claims.push(Claim {
            id: "1C-a".into(),
            statement: "At convergence Frozen sufficient-Polarity reaches a given error with fewer samples than Fluid (Fig 1C)".into(),
            paper: "red below blue".into(),
            measured: format!("median error lower or equal at {lower} of {total} sizes"),
            verdict: share(lower, total, (4, 5), (1, 2)),
            test: "median error at convergence <= Fluid's at >= 80 % of sizes".into(),
        });
        let first_80 = |c: Condition| {
            sizes
                .iter()
                .copied()
                .find(|&n| cell(fig1, n, 64, c).is_some_and(|v| med(&v.err()) <= 20.0))
        };
        let (r, f) = (first_80(FROZEN_RAND), first_80(FLUID));
        claims.push(Claim {
            id: "1C-b".into(),
            statement: "Frozen RAND-Polarity needs similar or less data than Fluid to reach 80 % accuracy (Fig 1C)".into(),
            paper: "similar and often less data".into(),
            measured: {
                let show = |x: Option<usize>| x.map_or("never".to_string(), |n| n.to_string());
                format!("smallest size with median accuracy >= 80 %: RAND {}, Fluid {}", show(r), show(f))
            },
            verdict: match (r, f) {
                (Some(r), Some(f)) if r <= f => Verdict::Holds,
                (Some(_), None) => Verdict::Holds,
                (Some(_), Some(_)) | (None, Some(_)) => Verdict::DoesNotHold,
                (None, None) => Verdict::Inconclusive,
            },
            test: "compare the smallest training sizes".into(),
        });
    }

    // Theory and capacity (Fig 4A).
    let th_at = |h: usize| theory.units.iter().position(|&u| u == h);
    if let Some(k) = th_at(15) {
        let p = theory.theorem_d1[k];
        claims.push(Claim {
            id: "4A-a".into(),
            statement: "Theory (Theorem D.1, d = 5): a RAND-Polarity net with 15 hidden units can learn XOR with > 99 % probability".into(),
            paper: "> 99 % at 15 units".into(),
            measured: format!(
                "Theorem D.1 as printed: {:.4} %; oracle truth: {:.4} %",
                100.0 * p,
                100.0 * theory.truth[k]
            ),
            verdict: if p > 0.99 { Verdict::Holds } else { Verdict::DoesNotHold },
            test: "exact rational value > 0.99".into(),
        });
    }
    let n_cap = 500;
    match cell(fig4, n_cap, 15, FROZEN_RAND) {
        Some(v) => {
            let k = v.reached_95.iter().filter(|b| **b).count();
            let (lo, hi) = wilson(k, v.reached_95.len());
            claims.push(Claim {
                id: "4A-b".into(),
                statement: "Simulation: > 99 % of Frozen RAND-Polarity nets with 15 hidden units learn XOR (> 95 % val. acc., 500 samples)".into(),
                paper: "> 99 % at 15 units".into(),
                measured: format!("{k}/{} = {:.1} % (95 % CI {:.1}-{:.1} %)", v.reached_95.len(), 100.0 * fraction(&v.reached_95), 100.0 * lo, 100.0 * hi),
                verdict: proportion_above(k, v.reached_95.len(), 0.99, 50),
                test: "Wilson 95 % interval against 99 % (all of >= 50 trials counts as holding)".into(),
            });
        }
        None => claims.push(missing(
            "4A-b",
            "Simulation: > 99 % of 15-unit Frozen RAND nets learn",
            "> 99 %",
            "h = 15 at n = 500",
        )),
    }
    {
        let mut inside = 0;
        let mut total = 0;
        let mut worst: f64 = 0.0;
        for (k, &h) in theory.units.iter().enumerate() {
            if let Some(v) = cell(fig4, n_cap, h, FROZEN_RAND) {
                let s = v.reached_95.iter().filter(|b| **b).count();
                let (lo, hi) = wilson(s, v.reached_95.len());
                total += 1;
                inside += usize::from((lo..=hi).contains(&theory.theorem_d1[k]));
                worst = worst.max((fraction(&v.reached_95) - theory.theorem_d1[k]).abs());
            }
        }
        claims.push(Claim {
            id: "4A-c".into(),
            statement: "The simulated probability of learning (Frozen RAND) matches Theorem D.1 (d = 5)".into(),
            paper: "nicely matches".into(),
            measured: format!("theory inside the 95 % interval at {inside} of {total} sizes; largest gap {:.1} points", 100.0 * worst),
            verdict: share(inside, total, (4, 5), (4, 5)),
            test: "Wilson 95 % interval per hidden size; holds if theory inside at >= 80 %".into(),
        });
    }
    {
        let text: Vec<String> = [FROZEN_SUFF, FLUID]
            .iter()
            .filter_map(|c| {
                cell(fig4, n_cap, 3, *c).map(|v| format!("{}: {:.0} %", c, 100.0 * v.p95()))
            })
            .collect();
        let ok = [FROZEN_SUFF, FLUID]
            .iter()
            .all(|c| cell(fig4, n_cap, 3, *c).is_some_and(|v| v.p95() >= 0.9));
        claims.push(Claim {
            id: "4A-d".into(),
            statement: "3 hidden units suffice for Fluid and Frozen sufficient-Polarity (theory: probability 1 from 3 units)".into(),
            paper: "100 % from 3 units (theory)".into(),
            measured: if text.is_empty() { "not in this grid".into() } else { format!("simulated at h = 3, n = 500: {}", text.join(", ")) },
            verdict: if text.is_empty() {
                Verdict::Inconclusive
            } else if ok {
                Verdict::Holds
            } else {
                Verdict::DoesNotHold
            },
            test: "simulation: >= 90 % of trials exceed 95 % val. acc. (gradient training need not find a solution that exists)".into(),
        });
    }

    // Fig 4B: 10-unit RAND nets lose the advantages.
    {
        let (mut better, mut total) = (0, 0);
        for &n in &sizes {
            if let (Some(a), Some(b)) = (cell(fig4, n, 10, FROZEN_RAND), cell(fig4, n, 10, FLUID)) {
                total += 3;
                better += usize::from(a.p90() > b.p90());
                better += usize::from(med(&a.time()) < med(&b.time()));
                better += usize::from(med(&a.err()) < med(&b.err()));
            }
        }
        claims.push(Claim {
            id: "4B".into(),
            statement: "Frozen RAND-Polarity nets with 10 hidden units lose their advantages over Fluid (Fig 4B)".into(),
            paper: "no advantage at 10 units".into(),
            measured: format!("RAND better in {better} of {total} (size, metric) comparisons"),
            verdict: share(total - better, total, (2, 3), (2, 3)),
            test: "better on P(90 %), median epochs and median error; holds if in <= 1/3 of comparisons".into(),
        });
    }
    // Fig 4D: advantages mostly above 15 units.
    {
        let mut small = (0, 0);
        let mut large = (0, 0);
        for c in fig4
            .cells()
            .filter(|c| c.condition == FROZEN_RAND && (60..=100).contains(&c.n_train))
        {
            let (Some(a), Some(b)) = (
                cell(fig4, c.n_train, c.hidden, FROZEN_RAND),
                cell(fig4, c.n_train, c.hidden, FLUID),
            ) else {
                continue;
            };
            let wins = usize::from(a.p90() > b.p90())
                + usize::from(med(&a.time()) < med(&b.time()))
                + usize::from(stats::median(&a.error) < stats::median(&b.error));
            let bucket = if c.hidden > 15 {
                &mut large
            } else {
                &mut small
            };
            bucket.0 += wins;
            bucket.1 += 3;
        }
        let rate = |b: (usize, usize)| b.0 as f64 / b.1.max(1) as f64;
        claims.push(Claim {
            id: "4D".into(),
            statement: "Frozen RAND-Polarity nets gain their advantages mostly above 15 hidden units (Fig 4D)".into(),
            paper: "mostly > 15 units".into(),
            measured: format!(
                "RAND beats Fluid in {:.0} % of (cell, metric) pairs with h > 15 vs {:.0} % with h <= 15 (sizes 60-100)",
                100.0 * rate(large),
                100.0 * rate(small)
            ),
            verdict: if large.1 == 0 || small.1 == 0 {
                Verdict::Inconclusive
            } else if rate(large) > rate(small) {
                Verdict::Holds
            } else {
                Verdict::DoesNotHold
            },
            test: "compare win rates above and at/below 15 units".into(),
        });
    }
    claims
}
