//! The paper's per-size statement about polarity against weight transfer, tested as stated:
//! Frozen IN-Polarity has a significantly lower error at convergence than Fluid IN-Weight "for
//! Fashion-MNIST <= 2000 samples except 750, CIFAR-10 <= 1000 samples" (docs/decisions.md
//! D-CLAIM-10). "Significant" is Fig 3's star: two-sided Mann-Whitney U, Holm over the ICML family
//! of four at that size (D-IMG-11, D-STATS-8).

use crate::images::design::{FLUID_IN_WEIGHT, FROZEN_IN_POLARITY};
use crate::images::fig3::{compare_with_baseline, PAPER_FAMILY};
use crate::images::measure::Metric;
use crate::images::runs::Runs;
use polarity_analysis::claims::power::mann_whitney_trials;
use polarity_analysis::claims::rules::{censored, probability_lower};
use polarity_analysis::claims::{fmt_p, Claim, Verdict};
use polarity_images::DatasetKind;

/// The paper's trials per condition (the number its significance was found with).
pub const PAPER_TRIALS: usize = 20;

/// The paper's sizes for `kind` and whether it calls the difference significant there.
pub fn paper_says(kind: DatasetKind) -> Vec<(usize, bool)> {
    match kind {
        DatasetKind::FashionMnist => [100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000]
            .into_iter()
            .map(|n| (n, n <= 2000 && n != 750))
            .collect(),
        DatasetKind::Cifar10 => [100, 250, 500, 750, 1000, 2500, 5000, 10000, 25000, 50000]
            .into_iter()
            .map(|n| (n, n <= 1000))
            .collect(),
    }
}

/// One size of the statement.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeRow {
    pub n: usize,
    /// median(Fluid IN-Weight) - median(Frozen IN-Polarity): positive = polarity lower.
    pub delta: f64,
    /// Holm-adjusted p over the family of four (NaN: untestable).
    pub p_holm: f64,
    /// Holm-significant with polarity's error lower.
    pub significant: bool,
    /// Holm-significant with polarity's error higher (against the statement).
    pub significant_other_way: bool,
    /// What the paper says at this size; `None` for a size it did not run.
    pub paper: Option<bool>,
    pub trials: usize,
    /// Trials per condition that the observed effect needs for 80 % power at 0.05 / 4.
    pub trials_needed: Option<usize>,
}

impl SizeRow {
    /// Whether our result agrees with the paper's at this size.
    pub fn agrees(&self) -> Option<bool> {
        self.paper.map(|p| p == self.significant)
    }

    /// A size where the paper found significance and we did not, with fewer trials than the
    /// paper or than the observed effect needs: not a contradiction.
    fn short_of_power(&self) -> bool {
        self.paper == Some(true)
            && !self.significant
            && !self.significant_other_way
            && (self.trials < PAPER_TRIALS || self.trials_needed.is_none_or(|k| self.trials < k))
    }
}

/// The per-size rows of `task` (every size where all five conditions of the comparison ran).
pub fn rows(runs: &Runs, task: &str, kind: DatasetKind) -> Vec<SizeRow> {
    let paper = paper_says(kind);
    let mut out = Vec::new();
    for n in runs.sizes(task) {
        let Some(base) = runs.get(task, n, FROZEN_IN_POLARITY) else {
            continue;
        };
        let base = Metric::Error.values(base);
        let others: Vec<_> = PAPER_FAMILY
            .iter()
            .filter_map(|&c| runs.get(task, n, c).map(|r| (c, Metric::Error.values(r))))
            .collect();
        let Some(k) = others.iter().position(|(c, _)| *c == FLUID_IN_WEIGHT) else {
            continue;
        };
        let cmp = &compare_with_baseline(FROZEN_IN_POLARITY, &base, &others)[k];
        let weight = &others[k].1;
        // Polarity lower is the statement's direction: P(polarity < weight) on censored values.
        let p_lower = probability_lower(&censored(&base), &censored(weight));
        let trials = base.len().min(weight.len());
        out.push(SizeRow {
            n,
            delta: cmp.delta,
            p_holm: cmp.p_holm.unwrap_or(f64::NAN),
            significant: cmp.significant && cmp.delta > 0.0,
            significant_other_way: cmp.significant && cmp.delta < 0.0,
            paper: paper.iter().find(|(m, _)| *m == n).map(|(_, s)| *s),
            trials,
            trials_needed: (p_lower > 0.5)
                .then(|| mann_whitney_trials(p_lower, 0.05 / PAPER_FAMILY.len() as f64))
                .flatten(),
        });
    }
    out
}

/// The verdict of the statement over `rows`: holds if we agree with the paper at every size it
/// ran that we covered; does not hold if we disagree where our test had the paper's trials and
/// the power the effect needs, or find the opposite significant; underpowered if the only
/// disagreements are sizes where the paper found significance and our run was short of trials.
pub fn claim(rows: &[SizeRow], kind: DatasetKind) -> Claim {
    let statement = "Frozen IN-Polarity has a significantly lower error than Fluid IN-Weight exactly at the sizes the paper names (Fig 3 star)";
    let paper = match kind {
        DatasetKind::FashionMnist => {
            "significant for Fashion-MNIST <= 2000 samples except 750 (not at 750, 3000-6000)"
        }
        DatasetKind::Cifar10 => "significant for CIFAR-10 <= 1000 samples (not at 2500-50000)",
    };
    let covered: Vec<&SizeRow> = rows.iter().filter(|r| r.paper.is_some()).collect();
    if covered.is_empty() {
        return Claim::not_measured(
            "P1s",
            statement,
            paper,
            "no size of the paper's list with both Frozen IN-Polarity and Fluid IN-Weight",
        );
    }
    let disagree: Vec<&&SizeRow> = covered
        .iter()
        .filter(|r| r.agrees() == Some(false))
        .collect();
    let refuting: Vec<usize> = disagree
        .iter()
        .filter(|r| r.significant_other_way || !r.short_of_power())
        .map(|r| r.n)
        .collect();
    let verdict = if disagree.is_empty() {
        Verdict::Holds
    } else if !refuting.is_empty() {
        Verdict::DoesNotHold
    } else {
        Verdict::Underpowered {
            trials: disagree
                .iter()
                .map(|r| r.trials_needed.map(|k| k.max(PAPER_TRIALS)))
                .try_fold(0, |acc, k| k.map(|k| acc.max(k))),
        }
    };
    let sizes = |f: &dyn Fn(&SizeRow) -> bool| {
        let v: Vec<String> = covered
            .iter()
            .filter(|r| f(r))
            .map(|r| r.n.to_string())
            .collect();
        if v.is_empty() {
            "none".into()
        } else {
            v.join(", ")
        }
    };
    Claim {
        id: "P1s".into(),
        statement: statement.into(),
        paper: paper.into(),
        measured: format!(
            "agrees at {}/{} of the paper's sizes covered; significant (polarity lower) at n = {}; disagreements at n = {}{}",
            covered.len() - disagree.len(),
            covered.len(),
            sizes(&|r| r.significant),
            sizes(&|r| r.agrees() == Some(false)),
            if refuting.is_empty() { String::new() } else {
                format!(" (refuting: n = {})", refuting.iter().map(usize::to_string).collect::<Vec<_>>().join(", "))
            }
        ),
        verdict,
        test: format!(
            "per size, Fig 3's test: Mann-Whitney U two-sided, Holm over the family of four, p <= 0.05 step-down, polarity's median lower; \
             holds if significant exactly where the paper says; a size where the paper found significance and we did not counts as \
             underpowered when we ran fewer than its {PAPER_TRIALS} trials or fewer than the observed effect needs (Noether, 80 % power at 0.05/4), \
             otherwise as a contradiction; adjusted p: {}",
            covered.iter().map(|r| format!("{}: {}", r.n, fmt_p(r.p_holm))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The report table: size, p adjusted, significant?, paper says, agrees?
pub fn table(rows: &[SizeRow]) -> (Vec<String>, Vec<Vec<String>>) {
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    let header = [
        "n",
        "Δ median error (IN-Weight - IN-Polarity)",
        "p adj (Holm, family of 4)",
        "significant?",
        "paper says",
        "agrees?",
        "trials",
    ]
    .map(String::from)
    .to_vec();
    let body = rows
        .iter()
        .map(|r| {
            vec![
                r.n.to_string(),
                crate::images::measure::fmt_delta(r.delta, 2),
                fmt_p(r.p_holm),
                if r.significant_other_way {
                    "yes, the other way".into()
                } else {
                    yes(r.significant)
                },
                r.paper.map_or("- (not a paper size)".into(), |p| {
                    if p {
                        "significant".into()
                    } else {
                        "not significant".into()
                    }
                }),
                r.agrees().map_or("-".into(), yes),
                r.trials.to_string(),
            ]
        })
        .collect();
    (header, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        n: usize,
        significant: bool,
        paper: Option<bool>,
        trials: usize,
        needed: Option<usize>,
    ) -> SizeRow {
        SizeRow {
            n,
            delta: 1.0,
            p_holm: if significant { 0.01 } else { 0.3 },
            significant,
            significant_other_way: false,
            paper,
            trials,
            trials_needed: needed,
        }
    }

    #[test]
    fn the_papers_sizes_as_stated() {
        let fm: Vec<usize> = paper_says(DatasetKind::FashionMnist)
            .into_iter()
            .filter(|(_, s)| *s)
            .map(|(n, _)| n)
            .collect();
        assert_eq!(fm, vec![100, 250, 500, 1000, 2000]);
        let cifar: Vec<usize> = paper_says(DatasetKind::Cifar10)
            .into_iter()
            .filter(|(_, s)| *s)
            .map(|(n, _)| n)
            .collect();
        assert_eq!(cifar, vec![100, 250, 500, 750, 1000]);
    }

    #[test]
    fn verdicts_follow_agreement_and_power() {
        let kind = DatasetKind::FashionMnist;
        let agree = [
            row(500, true, Some(true), 20, Some(10)),
            row(750, false, Some(false), 20, None),
        ];
        assert_eq!(claim(&agree, kind).verdict, Verdict::Holds);
        // Significant where the paper says not (750): a contradiction at the paper's trial count.
        let extra = [
            row(500, true, Some(true), 20, Some(10)),
            row(750, true, Some(false), 20, Some(10)),
        ];
        let c = claim(&extra, kind);
        assert_eq!(c.verdict, Verdict::DoesNotHold);
        assert!(c.measured.contains("refuting: n = 750"), "{}", c.measured);
        // Not significant where the paper is, with 5 trials and an effect that needs 30: underpowered.
        let short = [
            row(500, false, Some(true), 5, Some(30)),
            row(750, false, Some(false), 5, None),
        ];
        assert_eq!(
            claim(&short, kind).verdict,
            Verdict::Underpowered { trials: Some(30) }
        );
        // The same miss with 20 trials and an effect that 20 trials resolve: does not hold.
        let missed = [row(500, false, Some(true), 20, Some(12))];
        assert_eq!(claim(&missed, kind).verdict, Verdict::DoesNotHold);
        // Sizes outside the paper's list do not count; none covered: not measured.
        assert_eq!(
            claim(&[row(200, true, None, 20, None)], kind).verdict,
            Verdict::NotMeasured
        );
        let (_, body) = table(&agree);
        assert_eq!(
            body[1][3..6],
            ["no".to_string(), "not significant".into(), "yes".into()]
        );
    }
}
