//! `polarity reproduce transfer`: polarity transfer without ImageNet weights. A source network is
//! trained here on half of Fashion-MNIST's classes; its polarity (a template artifact) and its
//! weights are transferred to the other half with few samples, under the paper's conditions:
//! Fluid/Frozen RAND-Polarity, Frozen/Fluid transferred polarity, weight transfer (fine-tuning).

mod report;

use crate::images::design::{
    FLUID_IN_POLARITY, FLUID_IN_WEIGHT, FLUID_RAND, FROZEN_IN_POLARITY, FROZEN_RAND,
};
use crate::images::runs::Runs;
use crate::images::source_net;
use crate::images::study::{self, StudyPlan, SweepPlace, Task};
use crate::{ensure, Context, Observer, Result};
use burn::tensor::backend::AutodiffBackend;
use polarity_core::seed;
use polarity_image_train::{PreparedImages, TrainOptions};
use polarity_images::conditions::Condition;
use polarity_images::{Dataset, ImageSet, Preprocess, ValidationSplit};
use polarity_models::{NetworkConfig, NetworkKind, PretrainedWeights};
use polarity_sweep::RunOptions;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// The five conditions of the transfer study (docs/decisions.md D-TRANSFER-2: D-IMG-6 with the
/// source network as "IN").
pub const CONDITIONS: [Condition; 5] = [
    FROZEN_IN_POLARITY,
    FLUID_IN_POLARITY,
    FROZEN_RAND,
    FLUID_RAND,
    FLUID_IN_WEIGHT,
];

/// The network of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// LeNet-style CNN at 28x28 (trains on a CPU in minutes).
    SmallCnn,
    /// The paper's AlexNet at 227x227, grey replicated to RGB (needs a GPU).
    Alexnet,
}

/// Which way knowledge is transferred between the two halves of the classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Directions {
    /// Classes 0-4 -> classes 5-9.
    Forward,
    /// Classes 5-9 -> classes 0-4.
    Reverse,
    /// Both.
    Both,
}

/// Sizes, trials and epochs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// CI check: tiny grid, well under two minutes (release build).
    Smoke,
    /// The study run on a CPU: minutes to tens of minutes.
    Cpu,
    /// Paper-like scale (20 trials, 100 epochs, batch 1000); for a GPU or a long CPU run.
    Paper,
}

/// Every number of a transfer study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    /// Source-task training images (the first N of its classes) and epochs.
    pub source_images: usize,
    pub source_epochs: usize,
    pub source_batch: usize,
    pub sizes: Vec<usize>,
    pub trials: usize,
    pub epochs: usize,
    pub batch_size: usize,
    /// Validation images (a seeded subset of the target classes' test images).
    pub val_size: usize,
    /// Threshold of "epochs to threshold" and "probability" (Fig 2).
    pub threshold: f64,
}

impl Preset {
    pub fn scale(self) -> Scale {
        match self {
            Preset::Smoke => Scale {
                source_images: 1000,
                source_epochs: 2,
                source_batch: 100,
                sizes: vec![50, 200],
                trials: 3,
                epochs: 4,
                batch_size: 50,
                val_size: 300,
                threshold: 0.8,
            },
            // About 20-30 minutes for both directions on this project's 2-vCPU machines; the
            // validation passes dominate, hence 500 images.
            Preset::Cpu => Scale {
                source_images: 15_000,
                source_epochs: 5,
                source_batch: 100,
                sizes: vec![20, 50, 100, 250, 500],
                trials: 6,
                epochs: 25,
                batch_size: 25,
                val_size: 500,
                threshold: 0.8,
            },
            Preset::Paper => Scale {
                source_images: 30_000,
                source_epochs: 10,
                source_batch: 100,
                sizes: vec![100, 250, 500, 750, 1000, 2000, 3000],
                trials: 20,
                epochs: 100,
                batch_size: 1000,
                val_size: 5000,
                threshold: 0.8,
            },
        }
    }
}

/// What `reproduce transfer` does.
#[derive(Debug, Clone)]
pub struct TransferStudy {
    pub out: PathBuf,
    pub preset: Preset,
    pub scale: Scale,
    pub arch: Arch,
    pub directions: Directions,
    pub seed: u64,
    pub resume: bool,
    pub shard: Option<polarity_sweep::Shard>,
    /// The command line, for the report.
    pub command: String,
}

/// One direction: its classes and task name.
#[derive(Debug, Clone, Serialize)]
pub struct Direction {
    pub name: String,
    pub source_classes: Vec<u8>,
    pub target_classes: Vec<u8>,
}

impl Directions {
    pub fn list(self) -> Vec<Direction> {
        let low: Vec<u8> = (0..5).collect();
        let high: Vec<u8> = (5..10).collect();
        let forward = Direction {
            name: "fm0-4_to_5-9".into(),
            source_classes: low.clone(),
            target_classes: high.clone(),
        };
        let reverse = Direction {
            name: "fm5-9_to_0-4".into(),
            source_classes: high,
            target_classes: low,
        };
        match self {
            Directions::Forward => vec![forward],
            Directions::Reverse => vec![reverse],
            Directions::Both => vec![forward, reverse],
        }
    }
}

/// A trained source network and where it was saved.
pub(crate) struct SourceNet {
    direction: Direction,
    pretrained: PretrainedWeights,
    history: Vec<source_net::SourceEpoch>,
    weights_file: PathBuf,
    template_file: PathBuf,
    template_sha256: String,
    template_source_sha256: String,
    constrained: f64,
    seconds: Option<f64>,
}

impl TransferStudy {
    /// The network for Fashion-MNIST images of side `side` (grey; replicated to RGB for
    /// AlexNet) with 5 classes.
    pub fn network(&self, side: usize) -> NetworkConfig {
        let mut n = match self.arch {
            Arch::SmallCnn => NetworkConfig::new(NetworkKind::SmallCnn, 1, Some(side), 1),
            Arch::Alexnet => NetworkConfig::new(NetworkKind::PaperAlexnet, 3, None, 1),
        };
        n.set_num_classes(5);
        n
    }

    fn preprocess(&self, data: &Dataset) -> Preprocess {
        match self.arch {
            Arch::SmallCnn => Preprocess {
                normalization: data.kind.paper_normalization(),
                size: None,
                grey_to_rgb: false,
            },
            Arch::Alexnet => Preprocess::paper(data.kind),
        }
    }

    fn options(&self, epochs: usize, batch_size: usize) -> TrainOptions {
        TrainOptions {
            epochs,
            batch_size,
            eval_batch_size: 500,
            ..TrainOptions::default()
        }
    }

    fn val_set(&self, data: &Dataset, classes: &[u8]) -> Result<ImageSet> {
        let test = data.test.filter_classes(classes)?;
        let size = self.scale.val_size.min(test.len());
        Ok(ValidationSplit::SeededSubset {
            size,
            seed: seed::derive(self.seed, &[seed::label("transfer-val")]),
        }
        .apply(&test)?)
    }

    /// Trains (or, on resume, reloads) the source network of `direction` on backend `B`.
    fn source<B: AutodiffBackend>(
        &self,
        data: &Dataset,
        direction: &Direction,
        network: &NetworkConfig,
        device: &B::Device,
    ) -> Result<SourceNet> {
        let dir = self.out.join("source").join(&direction.name);
        let weights_file = dir.join("weights.bin");
        let template_file = dir.join("polarity.ptpl");
        let meta = serde_json::json!({
            "network": network,
            "classes": direction.source_classes,
            "images": self.scale.source_images,
            "epochs": self.scale.source_epochs,
            "batch_size": self.scale.source_batch,
            "seed": self.seed,
            "data": data.provenance.files.iter().map(|f| &f.content_sha256).collect::<Vec<_>>(),
        });
        let kernels = study::kernel_specs(network)?;
        let head = source_net::head_layer(&kernels)?;
        let reuse = self.resume && weights_file.exists();
        let started = Instant::now();
        let (weights, history, sha) = if reuse {
            let (w, stored, sha) = source_net::load(&weights_file)?;
            ensure!(
                stored.get("source") == Some(&meta),
                "{} was made with other settings than this run; use another --out or delete it",
                weights_file.display()
            );
            let history =
                serde_json::from_value(stored["history"].clone()).context("source history")?;
            (w, history, sha)
        } else {
            let pool = data.train.filter_classes(&direction.source_classes)?;
            let n = self.scale.source_images.min(pool.len());
            let preprocess = self.preprocess(data);
            let train = PreparedImages {
                set: pool.first_n(n)?,
                preprocess: preprocess.clone(),
            };
            let val = PreparedImages {
                set: self.val_set(data, &direction.source_classes)?,
                preprocess,
            };
            let init = network.initial_values(
                seed::derive(
                    self.seed,
                    &[seed::label("transfer-source"), seed::label(&direction.name)],
                ),
                0,
            )?;
            let opts = TrainOptions {
                shuffle_seed: seed::derive(self.seed, &[seed::label("transfer-source-shuffle")]),
                backend_seed: seed::derive(self.seed, &[seed::label("transfer-source-backend")]),
                ..self.options(self.scale.source_epochs, self.scale.source_batch)
            };
            eprintln!(
                "== source network {}: {n} images of classes {:?}, {} epochs",
                direction.name, direction.source_classes, opts.epochs
            );
            let (w, history) =
                source_net::train_source::<B>(network, &init, &train, &val, &opts, device)?;
            let sha = source_net::save(
                &weights_file,
                &w,
                &serde_json::json!({ "source": meta, "history": history }),
            )?;
            (w, history, sha)
        };
        let seconds = (!reuse).then(|| started.elapsed().as_secs_f64());
        let pretrained = source_net::as_pretrained(&weights, &head, &weights_file, &sha);
        // The template artifact: the transferred kernels' signs, traceable to the weights file.
        let template = pretrained.kernel_template();
        template
            .save(&template_file)
            .with_context(|| format!("writing {}", template_file.display()))?;
        let template_sha256 = source_net::sha256(&std::fs::read(&template_file)?);
        let (free, total) = template.tensors.iter().fold((0usize, 0usize), |(f, t), k| {
            (
                f + k.signs().iter().filter(|&&s| s == 0).count(),
                t + k.signs().len(),
            )
        });
        Ok(SourceNet {
            direction: direction.clone(),
            constrained: 1.0 - free as f64 / total.max(1) as f64,
            template_source_sha256: template.provenance.source_sha256.clone(),
            pretrained,
            history,
            weights_file,
            template_file,
            template_sha256,
            seconds,
        })
    }

    /// Runs the study on `data` (Fashion-MNIST, or synthetic data in tests) on backend `B` and
    /// writes the report; returns the report's path.
    pub fn run<B: AutodiffBackend>(
        &self,
        data: &Dataset,
        device: &B::Device,
        observer: &dyn Observer,
    ) -> Result<PathBuf> {
        ensure!(
            data.train.num_classes() == 10,
            "the transfer study needs a 10-class dataset (classes 0-4 and 5-9), got {} classes",
            data.train.num_classes()
        );
        // Refuse a used directory before the source network would overwrite its weights.
        let manifest = self.out.join("runs").join(polarity_sweep::MANIFEST_FILE);
        ensure!(
            self.resume || !manifest.exists(),
            "{} already holds a sweep ({}); pass --resume to continue it, or choose another --out",
            self.out.display(),
            manifest.display()
        );
        let network = self.network(data.train.height());
        let directions = self.directions.list();
        let mut sources = Vec::new();
        for d in &directions {
            sources.push(self.source::<B>(data, d, &network, device)?);
        }
        let plan = StudyPlan {
            network: network.clone(),
            conditions: CONDITIONS.to_vec(),
            options: self.options(self.scale.epochs, self.scale.batch_size),
            seed: self.seed,
            sizes: self.scale.sizes.clone(),
            trials: self.scale.trials,
        };
        let mut tasks = Vec::new();
        for s in &sources {
            tasks.push(Task {
                name: s.direction.name.clone(),
                train: data.train.filter_classes(&s.direction.target_classes)?,
                val: self.val_set(data, &s.direction.target_classes)?,
                preprocess: self.preprocess(data),
                pretrained: Some(s.pretrained.clone()),
            });
        }
        let config = serde_json::json!({
            "study": "transfer",
            "preset": self.preset,
            // The threshold only changes the analysis: leave it out, so that `--resume` can
            // report the same runs at another threshold.
            "scale": Scale { threshold: f64::NAN, ..self.scale.clone() },
            "arch": self.arch,
            "plan": plan,
            "directions": directions,
            "source_weights_sha256": sources.iter().map(|s| &s.pretrained.sha256).collect::<Vec<_>>(),
            "data": data.provenance.files.iter().map(|f| &f.content_sha256).collect::<Vec<_>>(),
        });
        let place = SweepPlace {
            options: RunOptions {
                out: self.out.join("runs"),
                resume: self.resume,
                shard: self.shard,
                threads: None,
                progress: observer.sweep(),
            },
        };
        let networks = directions.len() * plan.sizes.len() * plan.trials * plan.conditions.len();
        observer.stage(&format!(
            "target networks: {networks} ({} directions x {} sizes x {} trials x {} conditions)",
            directions.len(),
            plan.sizes.len(),
            plan.trials,
            plan.conditions.len()
        ));
        let started = Instant::now();
        let (outcome, sweep) = study::run_study::<B>(&plan, &tasks, &config, &place, device)?;
        let seconds = started.elapsed().as_secs_f64();
        if self.shard.is_some() {
            observer.stage("shard finished: merge the shard directories with `polarity merge`, then rerun without --shard and with --resume for the report");
            return Ok(outcome.results_csv);
        }
        let runs = Runs::from_rows(&sweep.header, &outcome.rows)?;
        self.report(
            &plan,
            &tasks,
            &sources,
            &runs,
            (seconds, outcome.ran, &sweep.config_hash()),
            data,
        )
    }
}
