//! The transfer study's report: source networks and artifacts, headline tables, claims, and per
//! target task Fig 2, Fig 3, the threshold tables and Supp B.5/B.6.

use super::{Arch, SourceNet, TransferStudy, CONDITIONS};
use crate::images::claims::{comparison_claims, Claim};
use crate::images::design::{
    Source, FLUID_IN_POLARITY, FLUID_IN_WEIGHT, FLUID_RAND, FROZEN_IN_POLARITY, FROZEN_RAND,
};
use crate::images::figures::View;
use crate::images::measure::{cell_text, compare, fmt_delta, fmt_p, Metric};
use crate::images::runs::Runs;
use crate::images::sections;
use crate::images::study::{self, StudyPlan, Task};
use crate::Result;
use polarity_analysis::report::Report;
use polarity_analysis::stats;
use polarity_images::Dataset;
use std::path::{Path, PathBuf};

impl TransferStudy {
    pub(super) fn report(
        &self,
        plan: &StudyPlan,
        tasks: &[Task],
        sources: &[SourceNet],
        runs: &Runs,
        (seconds, ran, hash): (f64, usize, &str),
        data: &Dataset,
    ) -> Result<PathBuf> {
        std::fs::create_dir_all(self.out.join("figures"))?;
        let mut report =
            Report::new("polarity: polarity transfer from a source network trained here");
        report.paragraph(format!(
            "Does a network's weight polarity carry knowledge to a new task as well as its weights do (Wang et al., \
             ICML 2023, the paper's central claim, tested there with ImageNet AlexNet)? Here the source network is a \
             **{}** trained on half of the Fashion-MNIST classes; the target task is the other half (relabelled 0-4) \
             with few samples. Preset **{:?}**, seed {}, command `{}`. Target networks: Adam lr {} (Keras form), \
             batch {}, {} epochs, {} trials per size, posRand eps {}; validation on {} fixed test images of the target \
             classes; metrics as the official notebooks (docs/decisions.md D-METRIC-1 to D-METRIC-3). Each trial draws one random initialisation shared \
             by the RAND and transferred-polarity networks (transferred polarity = the random magnitudes with the \
             source's signs, as IN-Polarity); weight transfer starts from the source weights. The head (last layer) is \
             never transferred: it is drawn at random, and frozen networks keep its random polarity (as the paper's \
             new 10-way layer).",
            match self.arch { Arch::SmallCnn => "LeNet-style CNN (28x28)", Arch::Alexnet => "the paper's AlexNet (227x227)" },
            self.preset, self.seed, self.command, plan.options.lr, plan.options.batch_size, plan.options.epochs, plan.trials,
            plan.options.reset.eps, self.scale.val_size
        ));
        report.heading(2, "Source networks and the polarity artifacts")?;
        let rows = sources
            .iter()
            .map(|s| {
                let last = s.history.last();
                vec![
                    s.direction.name.clone(),
                    format!("{:?}", s.direction.source_classes),
                    format!(
                        "{} images, {} epochs",
                        self.scale.source_images, self.scale.source_epochs
                    ),
                    last.map_or("-".into(), |e| format!("{:.2} %", 100.0 * e.val_acc)),
                    s.seconds
                        .map_or("reused (resume)".into(), |t| format!("{t:.0}")),
                    format!(
                        "`{}` sha256 {}",
                        rel(&self.out, &s.weights_file),
                        sections::short_hash(&s.pretrained.sha256)
                    ),
                    format!(
                        "`{}` sha256 {}; weights sha256 {}",
                        rel(&self.out, &s.template_file),
                        sections::short_hash(&s.template_sha256),
                        sections::short_hash(&s.template_source_sha256)
                    ),
                    format!("{:.1} %", 100.0 * s.constrained),
                ]
            })
            .collect();
        report.table(
            "Source networks (validation accuracy on source-class test images after the last epoch)",
            ["direction", "source classes", "training", "source val. acc.", "train time (s)", "weights file", "polarity template (polarity-core format)", "template entries constrained"]
                .map(String::from).to_vec(),
            rows,
        )?;
        report.paragraph("The template file holds the signs of every transferred kernel (head excluded) and records its \
            provenance (`weights:<file>`, the sha256 of the weights' bytes, the polarity version); `polarity template \
            show FILE` prints it. Exact zeros would be free entries.");
        report.table(
            "Runs",
            [
                "tasks",
                "networks",
                "wall time (s)",
                "table",
                "config sha256",
            ]
            .map(String::from)
            .to_vec(),
            vec![vec![
                tasks
                    .iter()
                    .map(|t| t.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                (tasks.len() * plan.sizes.len() * plan.trials * plan.conditions.len()).to_string(),
                if ran == 0 {
                    "resumed (no new work)".into()
                } else {
                    format!("{seconds:.0}")
                },
                "runs/results.csv".into(),
                hash.get(..12).unwrap_or(hash).to_string(),
            ]],
        )?;

        report.heading(
            2,
            "Headline: polarity transfer against weight transfer and no transfer",
        )?;
        report.paragraph(format!(
            "Median validation error (%) at convergence per target size. Δ = Frozen transferred polarity minus \
             the other condition; p = two-sided Mann-Whitney U, Holm over the four comparisons at that size; `*` p < \
             0.05. Time: median epochs to {:.0} % validation accuracy.",
            100.0 * self.scale.threshold
        ));
        let mut all_claims: Vec<(String, Claim)> = Vec::new();
        for t in tasks {
            report.table(
                format!("{}: error at convergence", t.name),
                headline_header(),
                headline_rows(runs, &t.name, Metric::Error),
            )?;
            report.table(
                format!(
                    "{}: epochs to {:.0} %",
                    t.name,
                    100.0 * self.scale.threshold
                ),
                headline_header(),
                headline_rows(runs, &t.name, Metric::EpochsTo(self.scale.threshold)),
            )?;
        }
        report.heading(2, "Claims")?;
        report.paragraph("The paper's image claims (docs/decisions.md D-CLAIM-2) with the source network in ImageNet's place: A and B are \
            compared size by size; the verdict rule is in the last column.");
        for t in tasks {
            let claims = comparison_claims(runs, &t.name, Source::SourceTask, self.scale.threshold);
            report.table(
                t.name.clone(),
                sections::claim_header(),
                sections::claim_rows(&claims),
            )?;
            all_claims.extend(claims.into_iter().map(|c| (t.name.clone(), c)));
        }
        sections::write_claims_csv(&self.out.join("claims.csv"), &all_claims)?;

        let kernels = study::kernel_specs(&plan.network)?;
        let kernel_sizes: Vec<u64> = kernels.iter().map(|k| k.numel() as u64).collect();
        for t in tasks {
            report.heading(2, format!("Target task {}", t.name))?;
            let sizes = runs.sizes(&t.name);
            let view = View {
                runs,
                task: &t.name,
                sizes: &sizes,
                conditions: &CONDITIONS,
                source: Source::SourceTask,
                baseline: FROZEN_IN_POLARITY,
            };
            let tag = t.name.clone();
            let magnitudes = study::initial_magnitudes(plan, t, Source::SourceTask)?;
            sections::task_figures(
                &mut report,
                &self.out,
                &view,
                self.scale.threshold,
                &kernel_sizes,
                &magnitudes,
                &tag,
            )?;
        }
        report.heading(2, "Data")?;
        report.paragraph(format!(
            "{} from `{}`: {}. Training images are the first N of the target classes in file order (nested across sizes).",
            data.kind.display_name(),
            data.provenance.directory.display(),
            sections::data_files(data)
        ));
        let files = report.write(&self.out, "report")?;
        Ok(files.markdown)
    }
}

fn rel(base: &Path, p: &Path) -> String {
    p.strip_prefix(base).unwrap_or(p).display().to_string()
}

fn headline_header() -> Vec<String> {
    let s = Source::SourceTask;
    let mut h = vec!["n".to_string()];
    h.extend(CONDITIONS.iter().map(|&c| s.label(c)));
    h.extend(
        [FLUID_IN_WEIGHT, FLUID_RAND, FLUID_IN_POLARITY, FROZEN_RAND]
            .iter()
            .map(|&c| format!("Δ vs {} (p)", s.label(c))),
    );
    h
}

/// Per size: each condition's median [IQR], then the baseline's differences with Holm p-values.
pub fn headline_rows(runs: &Runs, task: &str, metric: Metric) -> Vec<Vec<String>> {
    let others = [FLUID_IN_WEIGHT, FLUID_RAND, FLUID_IN_POLARITY, FROZEN_RAND];
    runs.sizes(task)
        .into_iter()
        .map(|n| {
            let mut r = vec![n.to_string()];
            for c in CONDITIONS {
                r.push(runs.get(task, n, c).map_or("-".into(), |x| {
                    cell_text(&stats::summarize(&metric.values(x)), 1)
                }));
            }
            let base = runs
                .get(task, n, FROZEN_IN_POLARITY)
                .map(|x| metric.values(x));
            let vals: Option<Vec<Vec<f64>>> = others
                .iter()
                .map(|&c| runs.get(task, n, c).map(|x| metric.values(x)))
                .collect();
            match (base, vals) {
                (Some(b), Some(v)) => {
                    for c in compare(&b, &v, &[false; 4]) {
                        // Δ is baseline minus other here: negative = polarity transfer better.
                        r.push(format!(
                            "{} ({}{})",
                            fmt_delta(-c.delta, 2),
                            fmt_p(c.p_holm),
                            if c.significant() { " *" } else { "" }
                        ));
                    }
                }
                _ => r.extend(std::iter::repeat_n("-".to_string(), others.len())),
            }
            r
        })
        .collect()
}
