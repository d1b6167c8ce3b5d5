//! The transfer study's report: the answer first (one figure: test error against images per
//! class, transferred polarity vs weights vs RAND, with intervals, and the verdicts from the
//! declared margins), then every arm's numbers, the sources and the design.

use super::arms::Arm;
use super::units::TargetTask;
use super::verdicts::{compare, values, Comparison, Outcome};
use super::{TransferStudy, SIX};
use crate::images::runs::Runs;
use crate::images::sections;
use crate::Result;
use polarity_analysis::claims::noninferiority::{fmt_estimate, Margin};
use polarity_analysis::claims::{fmt_p, Verdict};
use polarity_analysis::figures::{write_figure, Figure, LegendCorner, LinePanel, Panel, Series};
use polarity_analysis::report::Report;
use polarity_analysis::stats::{median, percentile, SplitMix64};
use polarity_images::Dataset;
use std::path::{Path, PathBuf};

/// The arms drawn in the headline figure.
const HEADLINE: [Arm; 5] = [
    Arm::FrozenPolarity,
    Arm::FineTuning,
    Arm::FrozenWeights,
    Arm::FrozenRand,
    Arm::LinearProbe,
];

/// Median and its 95 % percentile-bootstrap interval (`resamples` resamples, seeded); NaN when
/// the sample is empty.
pub fn median_interval(v: &[f64], seed: u64, resamples: usize) -> (f64, f64, f64) {
    let m = median(v).unwrap_or(f64::NAN);
    if v.is_empty() {
        return (m, f64::NAN, f64::NAN);
    }
    let mut rng = SplitMix64::new(seed);
    let mut r = vec![0.0; v.len()];
    let meds: Vec<f64> = (0..resamples)
        .map(|_| {
            for x in r.iter_mut() {
                *x = v[rng.index(v.len())];
            }
            median(&r).unwrap_or(f64::NAN)
        })
        .collect();
    let q = |p: f64| percentile(&meds, p).ok().flatten().unwrap_or(f64::NAN);
    (m, q(2.5), q(97.5))
}

fn rel(base: &Path, p: &Path) -> String {
    p.strip_prefix(base).unwrap_or(p).display().to_string()
}

impl TransferStudy {
    fn outcomes(&self) -> (Outcome, Outcome) {
        (
            Outcome::FinalError,
            Outcome::StepsTo {
                threshold_permille: (self.scale.threshold * 1000.0).round() as u32,
                steps_per_round: self.scale.budget.steps_per_round(),
            },
        )
    }

    /// Every comparison the arms of this run allow, for `task`.
    fn comparisons(&self, runs: &Runs, task: &str) -> Vec<Comparison> {
        let (error, steps) = self.outcomes();
        let m = self.scale.margins;
        let sizes = &self.scale.per_class;
        let seed = self.seed;
        let r = self.scale.bootstrap_resamples;
        let pts = m.error_points;
        let mut out = Vec::new();
        let mut add = |pair: (Arm, Arm), outcome: Outcome, margin: Margin, id: &str, what: &str| {
            if self.scale.arms.contains(&pair.0) && self.scale.arms.contains(&pair.1) {
                let statement = format!("{} {what} {}", pair.0.label(), pair.1.label());
                if let Some(c) = compare(
                    runs,
                    task,
                    sizes,
                    pair,
                    outcome,
                    margin,
                    (
                        id,
                        statement,
                        "the paper's central claim, here with a source trained on other classes",
                    ),
                    seed,
                    r,
                ) {
                    out.push(c);
                }
            }
        };
        let within = format!("has a test error at most {pts:.1} points above");
        add(
            (Arm::FrozenPolarity, Arm::FineTuning),
            error,
            Margin::Difference(pts),
            "T1",
            &within,
        );
        add(
            (Arm::FrozenPolarity, Arm::FineTuning),
            steps,
            Margin::Ratio(m.steps_ratio),
            "T2",
            &format!(
                "reaches {:.0} % test accuracy within {:.0} % of the steps of",
                100.0 * self.scale.threshold,
                100.0 * m.steps_ratio
            ),
        );
        add(
            (Arm::FrozenPolarity, Arm::FrozenWeights),
            error,
            Margin::Difference(pts),
            "T3",
            &within,
        );
        add(
            (Arm::FrozenPolarity, Arm::FrozenRand),
            error,
            Margin::Difference(0.0),
            "T4",
            "has a lower test error than",
        );
        add(
            (Arm::FrozenPolarity, Arm::ShuffledPolarity),
            error,
            Margin::Difference(0.0),
            "T5",
            "has a lower test error than",
        );
        add(
            (Arm::FineTuning, Arm::RandomSignWeights),
            error,
            Margin::Difference(0.0),
            "T6",
            "has a lower test error than",
        );
        add(
            (Arm::EarlyPolarity, Arm::FrozenPolarity),
            error,
            Margin::Difference(pts),
            "T7",
            &within,
        );
        add(
            (Arm::PolarityFreeHead, Arm::FrozenPolarity),
            error,
            Margin::Difference(pts),
            "T8",
            &within,
        );
        add(
            (Arm::PolarityResampled, Arm::FineTuningResampled),
            error,
            Margin::Difference(pts),
            "T9",
            &within,
        );
        add(
            (Arm::FrozenPolarity, Arm::LinearProbe),
            error,
            Margin::Difference(pts),
            "T10",
            &within,
        );
        out
    }

    fn headline_figure(&self, runs: &Runs, tasks: &[TargetTask]) -> Result<PathBuf> {
        let (error, _) = self.outcomes();
        let panels = tasks
            .iter()
            .map(|t| {
                let series = HEADLINE
                    .iter()
                    .filter(|a| self.scale.arms.contains(a))
                    .map(|&arm| {
                        let (mut med, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
                        for &k in &self.scale.per_class {
                            let v = values(runs, &t.name, k, arm, error);
                            let (m, l, h) = median_interval(&v, self.seed, 2000);
                            med.push(m);
                            lo.push(l);
                            hi.push(h);
                        }
                        Series {
                            label: arm.label().to_string(),
                            x: self.scale.per_class.iter().map(|&k| k as f64).collect(),
                            median: med,
                            q25: lo,
                            q75: hi,
                            color: Some(arm.color()),
                        }
                    })
                    .collect();
                Panel::Line(LinePanel {
                    title: t.name.clone(),
                    x_label: "training images per class".into(),
                    y_label: "test error (%) after the step budget".into(),
                    log_x: true,
                    y_range: None,
                    series,
                    markers: vec![],
                    legend: LegendCorner::UpperRight,
                })
            })
            .collect();
        let figure = Figure {
            title: Some(
                "Test error against training images per class (median, 95 % bootstrap interval)"
                    .into(),
            ),
            panels,
            panel_width: 720,
            panel_height: 480,
        };
        let stem = self.out.join("figures").join("transfer-error");
        write_figure(&figure, &stem)?;
        Ok(PathBuf::from("figures/transfer-error.png"))
    }

    pub(super) fn report(
        &self,
        tasks: &[TargetTask],
        runs: &Runs,
        (seconds, ran, hash): (f64, usize, &str),
        data: &Dataset,
    ) -> Result<PathBuf> {
        std::fs::create_dir_all(self.out.join("figures"))?;
        let s = &self.scale;
        let mut report = Report::new("polarity: does transferred polarity let a new task learn as well as transferred weights?");
        report.paragraph(format!(
            "The paper's central claim (Wang et al., ICML 2023): a network's weight polarity, transferred from a pretrained \
             network and frozen, lets a new task learn as well as or better than transferring the weights, above all with \
             little data. ImageNet weights cannot be had here, so {} source networks per direction are trained here on half \
             of Fashion-MNIST's classes and transferred to the other half (`fm0-4_to_5-9`, `fm5-9_to_0-4`), or on all ten \
             and transferred across domains to MNIST digits (`fm_to_mnist`: the 5,000-image MNIST subset, split here into a \
             training pool and a test split). Margins declared before the run (saved in the \
             config): test error at most **{:.1} points** above weight transfer, steps to {:.0} % test accuracy at most \
             **x{:.2}**. Preset **{:?}**, seed {}, command `{}`.",
            s.sources.per_direction,
            s.margins.error_points,
            100.0 * s.threshold,
            s.margins.steps_ratio,
            self.preset,
            self.seed,
            self.command
        ));
        let figure = self.headline_figure(runs, tasks)?;
        report.image(figure, "test error against training images per class");
        let mut all = Vec::new();
        for t in tasks {
            let comparisons = self.comparisons(runs, &t.name);
            report.paragraph(format!(
                "**Answer for {}.** {}",
                t.name,
                answer(&comparisons)
            ));
            report.table(
                format!("{}: verdicts from the declared margins", t.name),
                ["id", "claim", "margin", "verdict", "measured", "test"]
                    .map(String::from)
                    .to_vec(),
                comparisons
                    .iter()
                    .map(|c| {
                        vec![
                            c.claim.id.clone(),
                            c.claim.statement.clone(),
                            c.margin.text(),
                            c.claim.verdict.text(),
                            c.claim.measured.clone(),
                            c.claim.test.clone(),
                        ]
                    })
                    .collect(),
            )?;
            for c in comparisons
                .iter()
                .filter(|c| ["T1", "T2"].contains(&c.claim.id.as_str()))
            {
                report.table(
                    format!(
                        "{} {}: {} against {} per size",
                        t.name,
                        c.claim.id,
                        c.a.label(),
                        c.b.label()
                    ),
                    [
                        "images per class",
                        "trials",
                        "estimate (censored)",
                        "reached-only",
                        "95 % one-sided bounds",
                        "p non-inferior (Holm)",
                        "p inferior (Holm)",
                        "test",
                        "verdict",
                    ]
                    .map(String::from)
                    .to_vec(),
                    c.sizes
                        .iter()
                        .map(|o| {
                            vec![
                                o.n.to_string(),
                                o.trials.to_string(),
                                fmt_estimate(o.estimate, c.margin),
                                fmt_estimate(o.estimate_reached, c.margin),
                                format!(
                                    "[{}, {}]",
                                    fmt_estimate(o.lower, c.margin),
                                    fmt_estimate(o.upper, c.margin)
                                ),
                                fmt_p(o.p_holm),
                                fmt_p(o.p_inferior_holm),
                                if o.paired {
                                    "Wilcoxon (paired)"
                                } else {
                                    "Mann-Whitney U"
                                }
                                .into(),
                                o.verdict.text(),
                            ]
                        })
                        .collect(),
                )?;
            }
            all.extend(comparisons.into_iter().map(|c| (t.name.clone(), c.claim)));
        }
        sections::write_claims_csv(&self.out.join("claims.csv"), &all)?;

        report.heading(2, "Every arm")?;
        report.paragraph(format!(
            "Median [95 % bootstrap interval of the median] over trials. Every network takes {} Adam steps (lr {}, Keras \
             form) with batch min(n, {}), n = images per class x classes, and is evaluated on {} test images after each of \
             {} rounds; the error is that after the last step (no choice of epoch on the test split). Steps to threshold: \
             the first round's end at which the test accuracy reaches {:.0} %; runs that never reach it count as the worst \
             (censored) and the count of such runs is shown.",
            s.budget.steps,
            polarity_image_train::TrainOptions::default().lr,
            s.budget.max_batch,
            tasks
                .iter()
                .map(|t| format!("{} ({})", t.test.len(), t.name))
                .collect::<Vec<_>>()
                .join(", "),
            s.budget.rounds,
            100.0 * s.threshold
        ));
        let (error, steps) = self.outcomes();
        for t in tasks {
            for (what, outcome) in [("test error (%)", error), ("steps to threshold", steps)] {
                let mut header = vec!["arm".to_string()];
                header.extend(s.per_class.iter().map(|k| format!("{k}/class")));
                let rows = s
                    .arms
                    .iter()
                    .map(|&arm| {
                        let mut r = vec![arm.label().to_string()];
                        for &k in &s.per_class {
                            let v = values(runs, &t.name, k, arm, outcome);
                            let missing = v.iter().filter(|x| x.is_nan()).count();
                            let censored: Vec<f64> = v
                                .iter()
                                .map(|&x| if x.is_nan() { f64::INFINITY } else { x })
                                .collect();
                            let (m, lo, hi) = median_interval(&censored, self.seed, 1000);
                            let f = |x: f64| {
                                if x.is_infinite() {
                                    "never".to_string()
                                } else if x.is_nan() {
                                    "-".into()
                                } else {
                                    format!("{x:.1}")
                                }
                            };
                            r.push(if missing > 0 {
                                format!(
                                    "{} [{}, {}] ({missing}/{} never)",
                                    f(m),
                                    f(lo),
                                    f(hi),
                                    v.len()
                                )
                            } else {
                                format!("{} [{}, {}]", f(m), f(lo), f(hi))
                            });
                        }
                        r
                    })
                    .collect();
                report.table(format!("{}: {what}", t.name), header, rows)?;
            }
        }
        report.paragraph(format!(
            "Arms (docs/decisions.md D-TRANSFER-6): the paper's six conditions ({}) with the source network as \"IN\"; \
             shuffled polarity permutes the source's signs within each tensor; random-sign weights fine-tune from the \
             source magnitudes with random signs; head free leaves the new head's polarity unconstrained; the linear \
             probe keeps every transferred weight at the source's value and trains only the new head (D-TRANSFER-8); \
             the 1-epoch \
             source tests whether polarity settles early (Supp B.5's argument); the resampled arms draw the subset anew \
             for every trial instead of the nested one. The head (last layer) is never transferred. Trial i uses source \
             i mod {} and one random draw shared by every arm that starts from random magnitudes (paired tests).",
            SIX.iter().map(|a| a.label()).collect::<Vec<_>>().join(", "),
            s.sources.per_direction
        ));

        report.heading(2, "Source networks and their polarity")?;
        let mut rows = Vec::new();
        for t in tasks {
            for src in t.sources.sources.iter().chain(&t.sources.one_epoch) {
                let kept = src.history.get(src.kept_epoch);
                rows.push(vec![
                    t.name.clone(),
                    src.name.clone(),
                    format!("{} of {}", src.kept_epoch + 1, src.history.len()),
                    kept.map_or("-".into(), |e| format!("{:.2} %", 100.0 * e.val_acc)),
                    src.seconds
                        .map_or("reused (resume)".into(), |x| format!("{x:.0}")),
                    format!(
                        "`{}` sha256 {}",
                        rel(&self.out, &src.weights_file),
                        sections::short_hash(&src.pretrained.sha256)
                    ),
                    format!(
                        "`{}` sha256 {}",
                        rel(&self.out, &src.template_file),
                        sections::short_hash(&src.template_sha256)
                    ),
                ]);
            }
        }
        report.table(
            "Sources: disjoint training subsets, stopped at the epoch of least held-out loss",
            [
                "direction",
                "source",
                "epoch kept",
                "held-out acc.",
                "train time (s)",
                "weights",
                "polarity template",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        )?;
        report.table(
            "Runs",
            ["networks", "wall time (s)", "table", "config sha256"]
                .map(String::from)
                .to_vec(),
            vec![vec![
                (tasks.len() * s.per_class.len() * s.trials * s.arms.len()).to_string(),
                if ran == 0 {
                    "resumed (no new work)".into()
                } else {
                    format!("{seconds:.0}")
                },
                "runs/results.csv (n_train = images per class; epoch = round; val_* = test split)"
                    .into(),
                hash.get(..12).unwrap_or(hash).to_string(),
            ]],
        )?;
        report.heading(2, "Data")?;
        report.paragraph(format!(
            "{} from `{}`: {}. Target subsets: the first k of each target class in a seeded order (stratified, nested \
             across sizes); sources: a seeded permutation of the source classes' training images cut into a held-out \
             split of {} and {} disjoint subsets of {}; the test images are a seeded subset of the target classes' test \
             split (disjoint from every training image).",
            data.kind.display_name(),
            data.provenance.directory.display(),
            sections::data_files(data),
            s.sources.holdout,
            s.sources.per_direction,
            s.sources.images
        ));
        let files = report.write(&self.out, "report")?;
        Ok(files.markdown)
    }
}

/// One sentence that answers the question from T1 (error) and T2 (speed), saying how sure it is.
fn answer(comparisons: &[Comparison]) -> String {
    let get = |id: &str| comparisons.iter().find(|c| c.claim.id == id);
    let part = |c: Option<&Comparison>, what: &str| match c {
        None => format!("{what}: not measured"),
        Some(c) => {
            let at = |v: fn(&Verdict) -> bool| {
                c.sizes
                    .iter()
                    .filter(|o| v(&o.verdict))
                    .map(|o| o.n.to_string())
                    .collect::<Vec<_>>()
            };
            let holds = at(|v| *v == Verdict::Holds);
            let fails = at(|v| *v == Verdict::DoesNotHold);
            format!(
                "{what} (margin {}): **{}** overall; holds at k = {}; does not hold at k = {} (k: images per class)",
                c.margin.text(),
                c.claim.verdict.text(),
                if holds.is_empty() { "none".into() } else { holds.join(", ") },
                if fails.is_empty() { "none".into() } else { fails.join(", ") },
            )
        }
    };
    format!(
        "Frozen transferred polarity against weight transfer (fine-tuning) — {}; {}. \"Underpowered\" means this run \
         had too few trials to tell; the trial count that would do is given where one would.",
        part(get("T1"), "error"),
        part(get("T2"), "speed")
    )
}
