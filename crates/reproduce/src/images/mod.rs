//! `polarity reproduce images`: the paper's image grid (docs/decisions.md D-IMG-1 to D-IMG-10;
//! Fig 2, 3, Supp B.2-B.6) through the sweep runner, with a report and the claims of
//! docs/decisions.md D-CLAIM-2. The IN conditions need ImageNet AlexNet weights
//! (`--weights bvlc_alexnet.npy`); without them only the RAND conditions run and the report says
//! why.

pub mod claims;
pub mod design;
pub mod fig3;
pub mod figures;
pub mod measure;
pub mod per_size;
pub mod runs;
pub mod sections;
pub mod source_net;
pub mod study;

use crate::images::claims::{
    comparison_claims_with, notebook_cells, notebook_claim, Claim, ImageMargins,
};
use crate::images::design::{Source, FROZEN_IN_POLARITY, FROZEN_RAND};
use crate::images::figures::View;
use crate::images::measure::cell_text;
use crate::images::runs::Runs;
use crate::{ensure, Context, Observer, Result};
use burn::tensor::backend::AutodiffBackend;
use polarity_analysis::report::Report;
use polarity_image_train::TrainOptions;
use polarity_images::conditions::{Condition, PolaritySource};
use polarity_images::{
    Dataset, DatasetKind, InWeightInput, Normalization, Preprocess, ValidationSplit,
};
use polarity_models::{GroupedLayers, NetworkConfig, NetworkKind};
use polarity_sweep::RunOptions;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;
use study::{StudyPlan, SweepPlace, Task};

/// How much of the paper's grid to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// The paper: full AlexNet at 227x227, its sizes, 20 trials, 100 epochs, batch 1000, full test split (GPU).
    Paper,
    /// Scaled down for this CPU: AlexNet widths / 8 at 67x67, 5 sizes, 5 trials, 20 epochs, batch 100.
    Cpu,
    /// CI check: AlexNet widths / 16 at 67x67, 2 sizes, 2 trials, 3 epochs.
    Smoke,
}

/// Every number of an image run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    pub width_divisor: usize,
    /// Input side (227 = the paper).
    pub input_size: usize,
    pub sizes: Vec<usize>,
    pub trials: usize,
    pub epochs: usize,
    pub batch_size: usize,
    /// Validation images: `None` = the full test split (the paper).
    pub val_size: Option<usize>,
}

impl Preset {
    pub fn scale(self, dataset: DatasetKind) -> Scale {
        match self {
            Preset::Paper => Scale {
                width_divisor: 1,
                input_size: 227,
                sizes: match dataset {
                    DatasetKind::FashionMnist => {
                        vec![100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000]
                    }
                    DatasetKind::Cifar10 => {
                        vec![100, 250, 500, 750, 1000, 2500, 5000, 10000, 25000, 50000]
                    }
                },
                trials: 20,
                epochs: 100,
                batch_size: 1000,
                val_size: None,
            },
            Preset::Cpu => Scale {
                width_divisor: 8,
                input_size: 67,
                sizes: vec![100, 250, 500, 1000, 2000],
                trials: 5,
                epochs: 20,
                batch_size: 100,
                val_size: Some(2000),
            },
            Preset::Smoke => Scale {
                width_divisor: 16,
                input_size: 67,
                sizes: vec![100, 200],
                trials: 2,
                epochs: 3,
                batch_size: 50,
                val_size: Some(200),
            },
        }
    }
}

/// What `reproduce images` does.
#[derive(Debug, Clone)]
pub struct ImagesStudy {
    pub out: PathBuf,
    pub dataset: DatasetKind,
    pub preset: Preset,
    /// The preset's numbers, possibly overridden.
    pub scale: Scale,
    pub weights: Option<PathBuf>,
    /// What the IN-Weight conditions are fed (default: the dataset-normalised input every
    /// condition gets, as the official code; docs/decisions.md D-IMG-13).
    pub in_weight_input: InWeightInput,
    /// The declared non-inferiority margins of the "not worse" claims (D-CLAIM-11).
    pub margins: ImageMargins,
    pub seed: u64,
    pub resume: bool,
    pub shard: Option<polarity_sweep::Shard>,
    pub command: String,
}

/// The paper's main threshold per dataset (80 % Fashion-MNIST, 50 % CIFAR-10).
pub fn main_threshold(kind: DatasetKind) -> f64 {
    match kind {
        DatasetKind::FashionMnist => 0.8,
        DatasetKind::Cifar10 => 0.5,
    }
}

impl ImagesStudy {
    /// Runs the study on `data` on backend `B` and writes the report; returns its path.
    pub fn run<B: AutodiffBackend>(
        &self,
        data: &Dataset,
        device: &B::Device,
        observer: &dyn Observer,
    ) -> Result<PathBuf> {
        ensure!(
            data.kind == self.dataset,
            "--dataset {} but the data given is {}",
            self.dataset.name(),
            data.kind.name()
        );
        let scale = self.scale.clone();
        let mut network = NetworkConfig::new(
            NetworkKind::PaperAlexnet,
            3,
            Some(scale.input_size),
            scale.width_divisor,
        );
        let pretrained = match &self.weights {
            None => None,
            Some(path) => {
                ensure!(
                    scale.width_divisor == 1 && scale.input_size == 227,
                    "--weights needs the full AlexNet at 227x227 (--preset paper); the {:?} preset scales the network down",
                    self.preset
                );
                Some(
                    network
                        .load_pretrained(path, GroupedLayers::ExpandFree)
                        .with_context(|| format!("loading {}", path.display()))?,
                )
            }
        };
        ensure!(
            self.in_weight_input == InWeightInput::Dataset || pretrained.is_some(),
            "--in-weight-input caffe-bgr changes what the IN-Weight conditions see, and they run only with \
             ImageNet weights: give --weights bvlc_alexnet.npy (with --preset paper)"
        );
        self.margins.check()?;
        network.set_num_classes(10);
        let conditions: Vec<Condition> = Condition::ALL
            .into_iter()
            .filter(|c| pretrained.is_some() || c.source == PolaritySource::Rand)
            .collect();
        let val = match scale.val_size {
            None => ValidationSplit::Full,
            Some(size) => ValidationSplit::SeededSubset {
                size: size.min(data.test.len()),
                seed: self.seed,
            },
        };
        let mut preprocess =
            Preprocess::paper(self.dataset).with_size(Some((scale.input_size, scale.input_size)));
        // A size that is the whole training split is normalised with the split's own scalar
        // mean/std, as the official code does (docs/decisions.md D-IMG-12).
        let full_split = scale.sizes.contains(&data.train.len()).then(|| {
            let full = Normalization::scalar_from_data(&data.train);
            preprocess.normalization = Normalization::BySize {
                subset: Box::new(preprocess.normalization.clone()),
                full: Box::new(full.clone()),
                full_len: data.train.len(),
            };
            full
        });
        let task = Task {
            name: self.dataset.name().to_string(),
            train: data.train.clone(),
            val: val.apply(&data.test)?,
            preprocess,
            pretrained,
        };
        let plan = StudyPlan {
            network,
            conditions,
            options: TrainOptions {
                epochs: scale.epochs,
                batch_size: scale.batch_size,
                ..TrainOptions::default()
            },
            seed: self.seed,
            sizes: scale.sizes.clone(),
            trials: scale.trials,
        };
        let config = serde_json::json!({
            "study": "images",
            "preset": self.preset,
            "scale": scale,
            "plan": plan,
            "weights_sha256": task.pretrained.as_ref().map(|p| &p.sha256),
            "validation": format!("{val:?}"),
            "full_split_normalization": full_split.as_ref().map(|n| format!("{n:?}")),
            "in_weight_input": self.in_weight_input,
            "margins": self.margins,
            "data": data.provenance.files.iter().map(|f| &f.content_sha256).collect::<Vec<_>>(),
        });
        let place = SweepPlace {
            options: RunOptions {
                out: self.out.join("runs"),
                resume: self.resume,
                shard: self.shard,
                threads: None,
                progress: observer.sweep(),
                keep_journal: false,
                one_unit_at_a_time: true,
            },
        };
        observer.stage(&format!(
            "{}: {} networks ({} sizes x {} trials x {} conditions)",
            task.name,
            plan.sizes.len() * plan.trials * plan.conditions.len(),
            plan.sizes.len(),
            plan.trials,
            plan.conditions.len()
        ));
        let started = Instant::now();
        let tasks = [task];
        let (outcome, sweep) = study::run_study_with::<B>(
            &plan,
            &tasks,
            self.in_weight_input,
            &config,
            &place,
            device,
        )?;
        let seconds = started.elapsed().as_secs_f64();
        if self.shard.is_some() {
            observer.stage("shard finished: merge the shard directories with `polarity merge`, then rerun without --shard and with --resume for the report");
            return Ok(outcome.results_csv);
        }
        let runs = Runs::from_rows(&sweep.header, &outcome.rows)?;
        if let Some(full) = &full_split {
            observer.stage(&format!(
                "n = {} is the whole training split: normalised with its own {full:?}",
                data.train.len()
            ));
        }
        self.report(
            &plan,
            &tasks[0],
            &scale,
            &runs,
            (seconds, outcome.ran, &sweep.config_hash()),
            data,
        )
    }

    fn report(
        &self,
        plan: &StudyPlan,
        task: &Task,
        scale: &Scale,
        runs: &Runs,
        (seconds, ran, hash): (f64, usize, &str),
        data: &Dataset,
    ) -> Result<PathBuf> {
        std::fs::create_dir_all(self.out.join("figures"))?;
        let threshold = main_threshold(self.dataset);
        let mut report = Report::new(format!(
            "polarity: reproduction of the image experiments on {} (Wang et al., ICML 2023)",
            self.dataset.display_name()
        ));
        report.paragraph(format!(
            "Preset **{:?}**: the paper's AlexNet (Caffe/Keras layout){}, input {}x{}, {} trials, {} epochs, batch {}, \
             Adam lr {} (Keras form), posRand eps {}, validation on {}. Seed {}. Command `{}`.",
            self.preset,
            if scale.width_divisor > 1 { format!(" with every width divided by {}", scale.width_divisor) } else { String::new() },
            scale.input_size,
            scale.input_size,
            plan.trials,
            plan.options.epochs,
            plan.options.batch_size,
            plan.options.lr,
            plan.options.reset.eps,
            scale.val_size.map_or("the full test split".into(), |n| format!("{n} fixed test images")),
            self.seed,
            self.command
        ));
        match &task.pretrained {
            Some(p) => report.paragraph(format!(
                "ImageNet weights: `{}` ({}, sha256 {}). All six conditions ran.",
                p.source, p.format, p.sha256
            )),
            None => report.paragraph(
                "**The IN-Polarity and IN-Weight conditions were skipped**: they need ImageNet AlexNet weights \
                 (`--weights bvlc_alexnet.npy`, the paper's Caffe file), and none was given (they cannot be downloaded \
                 on this project's machines). Only Frozen and Fluid RAND-Polarity ran; Fig 3 therefore compares with \
                 Frozen RAND-Polarity, and the claims about transferred polarity are not measured. \
                 `polarity reproduce transfer` tests polarity transfer with a source network trained here.",
            ),
        };
        report.paragraph(input_paragraph(
            self.in_weight_input,
            task,
            data.train.len(),
        ));
        report.paragraph(format!(
            "Declared before the run (saved in `runs/config.json`): the \"not worse\" claims P1, P6, P7 allow {} percentage \
             point(s) of error and P2 {:.0} % more epochs; each is tested per size with a one-sided percentile bootstrap \
             ({} resamples, seed {}), Holm over the sizes at alpha {}, and is \"underpowered\" with fewer than {} trials \
             per condition (docs/decisions.md D-CLAIM-11).",
            self.margins.error_points,
            100.0 * self.margins.epochs_fraction,
            self.margins.test.resamples,
            self.margins.test.seed,
            self.margins.test.alpha,
            self.margins.test.min_trials
        ));
        report.table(
            "Runs",
            [
                "dataset",
                "networks",
                "wall time (s)",
                "table",
                "config sha256",
            ]
            .map(String::from)
            .to_vec(),
            vec![vec![
                task.name.clone(),
                (plan.sizes.len() * plan.trials * plan.conditions.len()).to_string(),
                if ran == 0 {
                    "resumed (no new work)".into()
                } else {
                    format!("{seconds:.0}")
                },
                "runs/results.csv".into(),
                hash.get(..12).unwrap_or(hash).to_string(),
            ]],
        )?;

        let mut claims = comparison_claims_with(
            runs,
            &task.name,
            Source::ImageNet,
            threshold,
            Some(&self.margins),
        );
        let size_rows = per_size::rows(runs, &task.name, self.dataset);
        claims.insert(1, per_size::claim(&size_rows, self.dataset));
        let cells = if self.dataset == DatasetKind::FashionMnist {
            notebook_cells(runs, &task.name)
        } else {
            Vec::new()
        };
        if self.dataset == DatasetKind::FashionMnist {
            // The notebook's medians are 20 trials of the full network trained 100 epochs: a run with
            // the scale overridden (fewer epochs or trials) gets no verdict (docs/decisions.md D-CLAIM-2).
            let comparable = self.preset == Preset::Paper
                && self.scale.width_divisor == 1
                && self.scale.epochs == 100
                && self.scale.trials >= 20;
            claims.push(notebook_claim(&cells, comparable));
        }
        report.heading(2, "Claims")?;
        report.table(
            "Claims (docs/decisions.md D-CLAIM-2)",
            sections::claim_header(),
            sections::claim_rows(&claims),
        )?;
        if !size_rows.is_empty() {
            let (header, body) = per_size::table(&size_rows);
            report.table(
                "P1s per size: Frozen IN-Polarity against Fluid IN-Weight, error at convergence (docs/decisions.md D-CLAIM-10)",
                header,
                body,
            )?;
        }
        let tagged: Vec<(String, Claim)> = claims
            .iter()
            .map(|c| (task.name.clone(), c.clone()))
            .collect();
        sections::write_claims_csv(&self.out.join("claims.csv"), &tagged)?;
        if !cells.is_empty() {
            report.table(
                "The official notebook's Fashion-MNIST medians (error % at convergence) against ours",
                ["condition", "n", "notebook median", "ours: median [25 %, 75 %]"].map(String::from).to_vec(),
                cells
                    .iter()
                    .map(|c| vec![c.condition.paper_name(), c.n.to_string(), format!("{:.2}", c.notebook), cell_text(&c.ours, 2)])
                    .collect(),
            )?;
        }

        let sizes = runs.sizes(&task.name);
        let baseline = if plan.conditions.contains(&FROZEN_IN_POLARITY) {
            FROZEN_IN_POLARITY
        } else {
            FROZEN_RAND
        };
        let view = View {
            runs,
            task: &task.name,
            sizes: &sizes,
            conditions: &plan.conditions,
            source: Source::ImageNet,
            baseline,
        };
        let tag = task.name.clone();
        report.heading(2, "Figures")?;
        let kernels = study::kernel_specs(&plan.network)?;
        let kernel_sizes: Vec<u64> = kernels.iter().map(|k| k.numel() as u64).collect();
        let magnitudes = study::initial_magnitudes(plan, task, Source::ImageNet)?;
        sections::task_figures(
            &mut report,
            &self.out,
            &view,
            threshold,
            &kernel_sizes,
            &magnitudes,
            &tag,
        )?;
        report.heading(2, "Data")?;
        report.paragraph(format!(
            "{} from `{}` (file order; the paper's TFDS order differs, see polarity-images' README): {}.",
            data.kind.display_name(),
            data.provenance.directory.display(),
            sections::data_files(data)
        ));
        let files = report.write(&self.out, "report")?;
        Ok(files.markdown)
    }
}

/// The report's sentence on what the networks are fed: the dataset normalisation (and the full
/// split's own mean/std where a size is all of it), and what IN-Weight gets.
fn input_paragraph(in_weight: InWeightInput, task: &Task, full_len: usize) -> String {
    let full = match &task.preprocess.normalization {
        Normalization::BySize { full, .. } => format!(
            " At n = {full_len}, the whole training split, the inputs are normalised with the split's own scalar \
             mean and std ({full:?}) instead of the constants, as the official code does (docs/decisions.md D-IMG-12)."
        ),
        _ => String::new(),
    };
    let weight = {
        match in_weight {
            InWeightInput::Dataset => " **IN-Weight is (or, in a run with ImageNet weights, would be) fed the same dataset-normalised RGB input as every other \
                condition** (the official code's choice), not the BGR 0-255 minus ImageNet mean input the Caffe weights \
                were trained on: the default handicaps weight transfer, so the IN-Weight results (and the claims \
                comparing polarity with weight transfer) are a lower bound for weight transfer; \
                `--in-weight-input caffe-bgr` feeds it Caffe's input (docs/decisions.md D-IMG-13)."
                .to_string(),
            InWeightInput::CaffeBgr => " **IN-Weight is fed Caffe's input** (`--in-weight-input caffe-bgr`: BGR, 0-255 \
                minus the ImageNet mean per channel), the input its weights were trained on; the other conditions get \
                the dataset-normalised RGB input (docs/decisions.md D-IMG-13)."
                .to_string(),
        }
    };
    format!(
        "Input: {} normalised with the paper's constants, resized to the network's side{}.{full}{weight}",
        task.name,
        if task.preprocess.grey_to_rgb { ", grey replicated to RGB" } else { "" }
    )
}
