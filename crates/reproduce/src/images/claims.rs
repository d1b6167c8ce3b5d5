//! The paper's image claims (docs/decisions.md D-CLAIM-2) measured on our runs, with a verdict
//! each. The same claims serve the transfer study, with the source network in ImageNet's place.
//!
//! A claim compares two conditions over the training sizes with a lower-is-better metric
//! (error at convergence, or epochs to a threshold). Per size: medians and the two-sided
//! Mann-Whitney U p-value; the p-values are Holm-adjusted over the sizes of the claim.

use crate::images::design::{
    Source, FLUID_IN_POLARITY, FLUID_IN_WEIGHT, FLUID_RAND, FROZEN_IN_POLARITY, FROZEN_RAND,
};
use crate::images::measure::Metric;
use crate::images::runs::Runs;
use polarity_analysis::claims::margin::{judge_with_margin, margin_outcome, Margin, MarginTest};
use polarity_analysis::claims::rules::judge;
use polarity_analysis::stats;
use polarity_images::conditions::Condition;
use serde::Serialize;

pub use polarity_analysis::claims::rules::{Assertion, SizeOutcome};
pub use polarity_analysis::claims::{Claim, Verdict};

/// Per-size outcomes of condition `a` against `b` on `task`.
pub fn outcomes(
    runs: &Runs,
    task: &str,
    a: Condition,
    b: Condition,
    metric: Metric,
) -> Vec<SizeOutcome> {
    runs.sizes(task)
        .into_iter()
        .filter_map(|n| {
            let (ra, rb) = (runs.get(task, n, a)?, runs.get(task, n, b)?);
            Some(SizeOutcome::of(n, &metric.values(ra), &metric.values(rb)))
        })
        .collect()
}

/// Per-size margin outcomes of condition `a` against `b` on `task`.
fn margin_outcomes(
    runs: &Runs,
    task: &str,
    a: Condition,
    b: Condition,
    metric: Metric,
    margin: Margin,
    test: &MarginTest,
) -> Vec<polarity_analysis::claims::margin::MarginOutcome> {
    runs.sizes(task)
        .into_iter()
        .filter_map(|n| {
            let (ra, rb) = (runs.get(task, n, a)?, runs.get(task, n, b)?);
            Some(margin_outcome(
                n,
                &metric.values(ra),
                &metric.values(rb),
                margin,
                test,
            ))
        })
        .collect()
}

struct Spec {
    id: &'static str,
    a: Condition,
    b: Condition,
    metric: Metric,
    assertion: Assertion,
    paper: &'static str,
}

/// The non-inferiority margins of the "not worse" image claims (P1, P2, P6, P7), declared before
/// the run and saved in its config (docs/decisions.md D-CLAIM-11).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ImageMargins {
    /// Error at convergence: A may be at most this many percentage points worse (P1, P6, P7).
    pub error_points: f64,
    /// Epochs to the threshold: A may need at most this fraction more (P2).
    pub epochs_fraction: f64,
    pub test: MarginTest,
}

impl Default for ImageMargins {
    /// 1 point of error, 10 % of epochs (the suggestion), the default bootstrap test.
    fn default() -> Self {
        Self {
            error_points: 1.0,
            epochs_fraction: 0.10,
            test: MarginTest::default(),
        }
    }
}

impl ImageMargins {
    /// Checks every number; the message names the command-line option.
    pub fn check(&self) -> crate::Result<()> {
        crate::ensure!(
            self.error_points.is_finite() && self.error_points > 0.0,
            "--margin-error {}: expected a positive number of percentage points of error",
            self.error_points
        );
        crate::ensure!(
            self.epochs_fraction.is_finite() && self.epochs_fraction > 0.0,
            "--margin-epochs {}: expected a positive fraction of epochs (0.1 = 10 % more)",
            self.epochs_fraction
        );
        crate::ensure!(
            self.test.alpha > 0.0 && self.test.alpha < 1.0 && self.test.resamples >= 100 && self.test.min_trials >= 2,
            "margin test {:?}: expected alpha in (0, 1), at least 100 resamples and a minimum of 2 trials",
            self.test
        );
        Ok(())
    }

    /// The margin of a claim on `metric`.
    pub fn for_metric(&self, metric: Metric) -> Margin {
        match metric {
            Metric::Error => Margin::Points {
                points: self.error_points,
            },
            Metric::EpochsTo(_) => Margin::Fraction {
                fraction: self.epochs_fraction,
            },
        }
    }
}

/// The comparison claims of docs/decisions.md D-CLAIM-2 (images) for `task`; `threshold` is the
/// time threshold. "Not worse" claims have no margin here: at best consistent (D-CLAIM-9).
pub fn comparison_claims(runs: &Runs, task: &str, source: Source, threshold: f64) -> Vec<Claim> {
    comparison_claims_with(runs, task, source, threshold, None)
}

/// As [`comparison_claims`], the "not worse" claims judged against `margins` when given
/// (docs/decisions.md D-CLAIM-11).
pub fn comparison_claims_with(
    runs: &Runs,
    task: &str,
    source: Source,
    threshold: f64,
    margins: Option<&ImageMargins>,
) -> Vec<Claim> {
    let time = Metric::EpochsTo(threshold);
    let specs = [
        Spec { id: "P1", a: FROZEN_IN_POLARITY, b: FLUID_IN_WEIGHT, metric: Metric::Error, assertion: Assertion::NotWorse,
            paper: "polarity transfers as well as or better than weights: lower error at most sizes (FM: significant <= 2000 samples except 750; CIFAR-10 <= 1000)" },
        Spec { id: "P2", a: FROZEN_IN_POLARITY, b: FLUID_IN_WEIGHT, metric: time, assertion: Assertion::NotWorse,
            paper: "fewer epochs to threshold than weight transfer, at every threshold (B.4)" },
        Spec { id: "P3", a: FROZEN_IN_POLARITY, b: FLUID_RAND, metric: Metric::Error, assertion: Assertion::Better,
            paper: "Frozen IN-Polarity always learns with fewer samples than Fluid RAND" },
        Spec { id: "P4", a: FROZEN_IN_POLARITY, b: FLUID_RAND, metric: time, assertion: Assertion::Better,
            paper: "Frozen IN-Polarity always learns with fewer epochs than Fluid RAND" },
        Spec { id: "P5", a: FLUID_IN_POLARITY, b: FLUID_RAND, metric: Metric::Error, assertion: Assertion::Better,
            paper: "most of the gain comes from the transferred polarity (Fluid IN-Polarity vs Fluid RAND)" },
        Spec { id: "P6", a: FROZEN_IN_POLARITY, b: FLUID_IN_POLARITY, metric: Metric::Error, assertion: Assertion::NotWorse,
            paper: "extra gain from fixing the transferred polarity" },
        Spec { id: "P7", a: FROZEN_RAND, b: FLUID_RAND, metric: Metric::Error, assertion: Assertion::NotWorse,
            paper: "Frozen RAND-Polarity never worse than Fluid RAND" },
    ];
    let mut claims = Vec::new();
    for s in specs {
        let statement = format!(
            "{} (A) {} {} (B) in {}",
            source.label(s.a),
            s.assertion.verb(),
            source.label(s.b),
            s.metric.short_name()
        );
        let o = outcomes(runs, task, s.a, s.b, s.metric);
        claims.push(if o.is_empty() {
            Claim::not_measured(s.id, &statement, s.paper, "a condition is not in this run")
        } else {
            let judgement = match (s.assertion, margins) {
                (Assertion::NotWorse, Some(m)) => {
                    let margin = m.for_metric(s.metric);
                    let with = margin_outcomes(runs, task, s.a, s.b, s.metric, margin, &m.test);
                    judge_with_margin(&with, margin, &m.test)
                }
                _ => judge(&o, s.assertion),
            };
            Claim::judged(s.id, statement, s.paper, judgement)
        });
    }
    claims.push(variance_claim(runs, task, source));
    claims
}

/// "IN-Polarity runs have less variance across trials": IQR of the error of Frozen IN-Polarity
/// against Fluid RAND and Fluid IN-Weight, size by size (descriptive, no test).
fn variance_claim(runs: &Runs, task: &str, source: Source) -> Claim {
    let iqr = |c: Condition, n: usize| {
        runs.get(task, n, c).and_then(|r| {
            let s = stats::summarize(&Metric::Error.values(r));
            Some(s.q75? - s.q25?)
        })
    };
    let mut smaller = 0;
    let mut total = 0;
    for n in runs.sizes(task) {
        let Some(base) = iqr(FROZEN_IN_POLARITY, n) else {
            continue;
        };
        for other in [FLUID_RAND, FLUID_IN_WEIGHT] {
            if let Some(o) = iqr(other, n) {
                total += 1;
                smaller += usize::from(base < o);
            }
        }
    }
    let verdict = match total {
        0 => Verdict::NotMeasured,
        _ if 2 * smaller > total => Verdict::Holds,
        _ => Verdict::DoesNotHold,
    };
    Claim {
        id: "P8".into(),
        statement: format!(
            "{} varies less across trials than {} and {}",
            source.label(FROZEN_IN_POLARITY),
            source.label(FLUID_RAND),
            source.label(FLUID_IN_WEIGHT)
        ),
        paper: "IN-Polarity runs have less variance; IN-Weight runs vary more".into(),
        measured: format!("smaller IQR of the error in {smaller}/{total} (size, condition) pairs"),
        verdict,
        test: "descriptive: holds if the IQR is smaller in more than half of the pairs".into(),
    }
}

/// The notebook's Fashion-MNIST medians (docs/decisions.md D-CLAIM-2), error at convergence (%), by
/// condition and size.
pub const NOTEBOOK_SIZES: [usize; 10] = [100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000];
pub const NOTEBOOK_ERROR: [(Condition, [f64; 10]); 6] = [
    (
        FROZEN_IN_POLARITY,
        [
            36.29, 28.64, 24.85, 23.73, 21.45, 18.82, 16.71, 15.38, 14.50, 13.72,
        ],
    ),
    (
        FLUID_IN_POLARITY,
        [
            36.72, 29.47, 25.41, 24.10, 21.81, 19.54, 17.62, 16.44, 15.37, 14.45,
        ],
    ),
    (
        FROZEN_RAND,
        [
            43.51, 31.35, 27.22, 24.90, 23.74, 20.59, 18.08, 16.92, 15.83, 15.45,
        ],
    ),
    (
        FLUID_RAND,
        [
            43.45, 31.81, 27.42, 26.12, 24.11, 20.90, 18.59, 17.28, 16.10, 15.68,
        ],
    ),
    (
        crate::images::design::FROZEN_IN_WEIGHT,
        [
            35.32, 29.09, 24.87, 23.97, 21.22, 17.72, 16.01, 14.82, 13.63, 13.01,
        ],
    ),
    (
        FLUID_IN_WEIGHT,
        [
            38.01, 30.74, 26.02, 23.79, 23.05, 19.52, 16.93, 15.24, 14.40, 13.93,
        ],
    ),
];

/// One covered cell of the notebook table: (condition, n, notebook median, our summary).
pub struct NotebookCell {
    pub condition: Condition,
    pub n: usize,
    pub notebook: f64,
    pub ours: stats::Summary,
}

/// Cells of the notebook's error table that our run covers.
pub fn notebook_cells(runs: &Runs, task: &str) -> Vec<NotebookCell> {
    let mut out = Vec::new();
    for (c, medians) in NOTEBOOK_ERROR {
        for (k, &n) in NOTEBOOK_SIZES.iter().enumerate() {
            if let Some(r) = runs.get(task, n, c) {
                out.push(NotebookCell {
                    condition: c,
                    n,
                    notebook: medians[k],
                    ours: stats::summarize(&Metric::Error.values(r)),
                });
            }
        }
    }
    out
}

/// Whether the notebook's medians fall inside our interquartile ranges in most covered cells.
pub fn notebook_claim(cells: &[NotebookCell], same_network: bool) -> Claim {
    let inside = cells
        .iter()
        .filter(|c| matches!((c.ours.q25, c.ours.q75), (Some(lo), Some(hi)) if lo <= c.notebook && c.notebook <= hi))
        .count();
    let verdict = if cells.is_empty() || !same_network {
        Verdict::NotMeasured
    } else if 4 * inside >= 3 * cells.len() {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold
    };
    Claim {
        id: "N1".into(),
        statement: "The official notebook's Fashion-MNIST error medians are reproduced".into(),
        paper: "the official notebook's table, docs/decisions.md D-CLAIM-2 (20 trials, full AlexNet, 100 epochs)".into(),
        measured: format!(
            "notebook median inside our 25-75 % range in {inside}/{} covered cells{}",
            cells.len(),
            if same_network {
                ""
            } else {
                " (not the notebook's scale -- full network, 100 epochs, 20 trials: no verdict)"
            }
        ),
        verdict,
        test: "holds if inside in at least 75 % of the covered cells (paper preset only)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_claim_counts_cells_inside_the_iqr() {
        let s = |lo: f64, hi: f64| stats::Summary {
            median: Some((lo + hi) / 2.0),
            q25: Some(lo),
            q75: Some(hi),
            n: 20,
            missing: 0,
        };
        let cells = vec![
            NotebookCell {
                condition: FLUID_RAND,
                n: 100,
                notebook: 43.45,
                ours: s(40.0, 45.0),
            },
            NotebookCell {
                condition: FROZEN_RAND,
                n: 100,
                notebook: 43.51,
                ours: s(40.0, 45.0),
            },
            NotebookCell {
                condition: FROZEN_RAND,
                n: 250,
                notebook: 31.35,
                ours: s(35.0, 40.0),
            },
        ];
        let c = notebook_claim(&cells, true);
        assert_eq!(c.verdict, Verdict::DoesNotHold, "2/3 < 75 %");
        assert!(c.measured.contains("2/3"));
        assert_eq!(notebook_claim(&cells[..2], true).verdict, Verdict::Holds);
        assert_eq!(
            notebook_claim(&cells[..2], false).verdict,
            Verdict::NotMeasured
        );
    }
}
