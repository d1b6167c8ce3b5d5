//! `polarity reproduce transfer`: does a network's polarity, transferred from a source network
//! and frozen, let a new task learn as well as transferring the weights, above all with little
//! data? ImageNet weights cannot be had here, so source networks are trained here on half of
//! Fashion-MNIST's classes and transferred to the other half, or on all of Fashion-MNIST and
//! transferred to MNIST digits (docs/decisions.md D-TRANSFER-1 to D-TRANSFER-9):
//!
//! - sources ([`sources`]): K networks per direction on disjoint subsets, early-stopped on a
//!   held-out split, plus a one-epoch source;
//! - targets ([`units`]): stratified nested subsets of k images per class, an equal budget of
//!   Adam steps at every size ([`budget`]), the error on a disjoint test split;
//! - arms ([`arms`]): the paper's six conditions and the controls;
//! - verdicts ([`verdicts`]): non-inferiority against the margins declared in the preset.

mod arms;
mod budget;
mod report;
mod sources;
mod splits;
mod units;
mod verdicts;

pub use arms::Arm;
pub use budget::Budget;
pub use sources::SourceScale;
pub use splits::{ClassOrder, SourceSplits};
pub use verdicts::Margins;

use crate::images::runs::Runs;
use crate::{ensure, Context, Observer, Result};
use burn::tensor::backend::AutodiffBackend;
use polarity_core::seed;
use polarity_image_train::TrainOptions;
use polarity_images::mnist::MnistSubset;
use polarity_images::{Dataset, ImageSet, Normalization, Preprocess, ValidationSplit};
use polarity_models::{NetworkConfig, NetworkKind, SmallCnnConfig};
use polarity_sweep::RunOptions;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// The network of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// LeNet-style CNN at 28x28 (6-16 conv channels, 120-84 fc; trains on a CPU in minutes).
    SmallCnn,
    /// The same CNN wider: 32-64 conv channels, 256-128 fc (about 10x the compute).
    WideCnn,
    /// The paper's AlexNet at 227x227, grey replicated to RGB (needs a GPU).
    Alexnet,
}

/// Which transfers the study runs: within Fashion-MNIST between the two halves of its classes,
/// and across domains from Fashion-MNIST to MNIST digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Directions {
    /// Fashion-MNIST classes 0-4 -> classes 5-9.
    Forward,
    /// Fashion-MNIST classes 5-9 -> classes 0-4.
    Reverse,
    /// Forward and reverse.
    Both,
    /// Fashion-MNIST (10 classes) -> MNIST digits (the 5,000-image subset; cross-domain).
    ToMnist,
    /// Forward and Fashion-MNIST -> MNIST.
    ForwardAndMnist,
    /// All three.
    All,
}

/// Where a direction's target images come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetData {
    /// The target classes of Fashion-MNIST (training and test splits).
    FashionMnist,
    /// The MNIST subset, split here into a training pool and a test split (D-TRANSFER-9).
    MnistSubset,
}

/// Sizes, trials and budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// CI check: tiny grid, every arm, well under two minutes.
    Smoke,
    /// The study on this project's 2-vCPU machines within 30 minutes: every arm, two directions.
    Cpu,
    /// Every arm, 20 trials, six sizes, all three directions; for a GPU or a long CPU run.
    Full,
}

/// Every number of a transfer study, declared before the run and saved with its config.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    pub sources: SourceScale,
    /// Target training sizes: images per class (stratified, nested).
    pub per_class: Vec<usize>,
    pub trials: usize,
    pub budget: Budget,
    /// Test images of the target classes (a seeded subset of the test split).
    pub test_size: usize,
    pub arms: Vec<Arm>,
    /// Test accuracy of "steps to threshold".
    pub threshold: f64,
    pub margins: Margins,
    pub bootstrap_resamples: usize,
}

/// The paper's six conditions, the comparison every verdict needs.
const SIX: [Arm; 6] = [
    Arm::FrozenPolarity,
    Arm::FluidPolarity,
    Arm::FrozenRand,
    Arm::FluidRand,
    Arm::FrozenWeights,
    Arm::FineTuning,
];

const MARGINS: Margins = Margins {
    error_points: 1.0,
    steps_ratio: 1.10,
};

impl Preset {
    /// The directions the preset runs unless told otherwise: smoke needs only Fashion-MNIST.
    pub fn directions(self) -> Directions {
        match self {
            Preset::Smoke => Directions::Forward,
            Preset::Cpu => Directions::ForwardAndMnist,
            Preset::Full => Directions::All,
        }
    }

    pub fn scale(self) -> Scale {
        match self {
            Preset::Smoke => Scale {
                sources: SourceScale {
                    per_direction: 2,
                    images: 300,
                    holdout: 200,
                    max_epochs: 2,
                    batch: 50,
                    one_epoch: true,
                },
                per_class: vec![2, 10],
                trials: 2,
                budget: Budget {
                    steps: 12,
                    rounds: 2,
                    max_batch: 50,
                },
                test_size: 500,
                arms: Arm::ALL.to_vec(),
                threshold: 0.6,
                margins: MARGINS,
                bootstrap_resamples: 1000,
            },
            // Measured on this project's 2-vCPU machines: see docs/decisions.md D-TRANSFER-7.
            Preset::Cpu => Scale {
                sources: SourceScale {
                    per_direction: 5,
                    images: 2000,
                    holdout: 1000,
                    max_epochs: 4,
                    batch: 50,
                    one_epoch: true,
                },
                per_class: vec![2, 10, 50],
                trials: 5,
                budget: Budget {
                    steps: 240,
                    rounds: 4,
                    max_batch: 50,
                },
                test_size: 2000,
                arms: Arm::ALL.to_vec(),
                threshold: 0.8,
                margins: MARGINS,
                bootstrap_resamples: 4000,
            },
            Preset::Full => Scale {
                sources: SourceScale {
                    per_direction: 5,
                    images: 5000,
                    holdout: 2000,
                    max_epochs: 15,
                    batch: 50,
                    one_epoch: true,
                },
                per_class: vec![2, 5, 10, 25, 50, 100],
                trials: 20,
                budget: Budget {
                    steps: 1200,
                    rounds: 12,
                    max_batch: 50,
                },
                test_size: 5000,
                arms: Arm::ALL.to_vec(),
                threshold: 0.8,
                margins: MARGINS,
                bootstrap_resamples: 4000,
            },
        }
    }
}

impl Scale {
    /// Checks the numbers before any work, naming the option at fault.
    pub fn check(&self) -> Result<()> {
        ensure!(
            !self.per_class.is_empty() && self.per_class.iter().all(|&k| k > 0),
            "sizes: expected positive images per class, got {:?}",
            self.per_class
        );
        ensure!(self.trials > 0, "trials: must be at least 1");
        let b = &self.budget;
        ensure!(
            b.rounds > 0
                && b.steps >= b.rounds
                && b.steps.is_multiple_of(b.rounds)
                && b.max_batch > 0,
            "budget: {} steps must be a positive multiple of the {} rounds (batch cap {})",
            b.steps,
            b.rounds,
            b.max_batch
        );
        ensure!(
            self.threshold > 0.0 && self.threshold < 1.0,
            "threshold {}: expected a test accuracy in (0, 1)",
            self.threshold
        );
        ensure!(
            self.margins.error_points >= 0.0 && self.margins.steps_ratio >= 1.0,
            "margins: error points {} must be >= 0 and the steps ratio {} >= 1",
            self.margins.error_points,
            self.margins.steps_ratio
        );
        ensure!(
            SIX.iter().all(|a| self.arms.contains(a))
                || [Arm::FrozenPolarity, Arm::FineTuning, Arm::FrozenRand]
                    .iter()
                    .all(|a| self.arms.contains(a)),
            "arms: the study needs at least frozen-polarity, fine-tuning and frozen-rand, got {:?}",
            self.arms
        );
        ensure!(
            !self.arms.contains(&Arm::EarlyPolarity) || self.sources.one_epoch,
            "arms: early-polarity needs the one-epoch source (sources.one_epoch)"
        );
        ensure!(
            self.sources.per_direction > 0 && self.sources.max_epochs > 0 && self.sources.batch > 0,
            "sources: per direction, epochs and batch must be positive"
        );
        Ok(())
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

/// One direction: its task name, the source's Fashion-MNIST classes and the target's classes.
#[derive(Debug, Clone, Serialize)]
pub struct Direction {
    pub name: String,
    pub source_classes: Vec<u8>,
    pub target: TargetData,
    pub target_classes: Vec<u8>,
}

impl Directions {
    pub fn list(self) -> Vec<Direction> {
        let low: Vec<u8> = (0..5).collect();
        let high: Vec<u8> = (5..10).collect();
        let all: Vec<u8> = (0..10).collect();
        let forward = Direction {
            name: "fm0-4_to_5-9".into(),
            source_classes: low.clone(),
            target: TargetData::FashionMnist,
            target_classes: high.clone(),
        };
        let reverse = Direction {
            name: "fm5-9_to_0-4".into(),
            source_classes: high,
            target: TargetData::FashionMnist,
            target_classes: low,
        };
        let to_mnist = Direction {
            name: "fm_to_mnist".into(),
            source_classes: all.clone(),
            target: TargetData::MnistSubset,
            target_classes: all,
        };
        match self {
            Directions::Forward => vec![forward],
            Directions::Reverse => vec![reverse],
            Directions::Both => vec![forward, reverse],
            Directions::ToMnist => vec![to_mnist],
            Directions::ForwardAndMnist => vec![forward, to_mnist],
            Directions::All => vec![forward, reverse, to_mnist],
        }
    }

    /// Whether a direction needs the MNIST subset.
    pub fn need_mnist(self) -> bool {
        self.list()
            .iter()
            .any(|d| d.target == TargetData::MnistSubset)
    }
}

impl TransferStudy {
    /// The network for grey images of side `side` with `classes` outputs.
    pub fn network(&self, side: usize, classes: usize) -> NetworkConfig {
        let mut n = match self.arch {
            Arch::SmallCnn => NetworkConfig::new(NetworkKind::SmallCnn, 1, Some(side), 1),
            Arch::WideCnn => NetworkConfig::SmallCnn(SmallCnnConfig {
                input_size: side,
                in_channels: 1,
                conv_channels: [32, 64],
                fc_units: [256, 128],
                num_classes: classes,
            }),
            Arch::Alexnet => NetworkConfig::new(NetworkKind::PaperAlexnet, 3, None, 1),
        };
        n.set_num_classes(classes);
        n
    }

    fn preprocess(&self, data: &Dataset) -> Preprocess {
        match self.arch {
            Arch::SmallCnn | Arch::WideCnn => Preprocess {
                normalization: data.kind.paper_normalization(),
                size: None,
                grey_to_rgb: false,
            },
            Arch::Alexnet => Preprocess::paper(data.kind),
        }
    }

    /// The MNIST direction's training pool, test split and preprocessing: per digit, the first
    /// `largest` images of a seeded order may be trained on, and the test split is a seeded
    /// subset of the others, at most `test_size` (D-TRANSFER-9). Inputs are normalised with the
    /// subset's own scalar mean and std, as each dataset is in the paper; the rest of `base` (the
    /// source's preprocessing: size, grey to RGB) is kept.
    fn mnist_target(
        &self,
        mnist: &MnistSubset,
        largest: usize,
        base: Preprocess,
    ) -> Result<(ImageSet, ImageSet, Preprocess)> {
        let images = &mnist.images;
        let order = ClassOrder::new(
            images.labels(),
            images.num_classes(),
            seed::derive(self.seed, &[seed::label("mnist-split")]),
        );
        let pool = images.subset(&order.subset(largest, "MNIST training pool")?)?;
        let rest = images.subset(&order.rest(largest))?;
        let size = self.scale.test_size.min(rest.len());
        ensure!(
            size > 0,
            "MNIST subset: no test images left after {largest} per digit for training"
        );
        let test = ValidationSplit::SeededSubset {
            size,
            seed: seed::derive(self.seed, &[seed::label("transfer-test-mnist")]),
        }
        .apply(&rest)?;
        let preprocess = Preprocess {
            normalization: Normalization::scalar_from_data(images),
            ..base
        };
        Ok((pool, test, preprocess))
    }

    /// The target classes' test images every target network is evaluated on.
    fn test_set(&self, data: &Dataset, direction: &Direction) -> Result<ImageSet> {
        let test = data.test.filter_classes(&direction.target_classes)?;
        ensure!(
            self.scale.test_size <= test.len(),
            "test size {}: the target classes of {} have {} test images",
            self.scale.test_size,
            direction.name,
            test.len()
        );
        Ok(ValidationSplit::SeededSubset {
            size: self.scale.test_size,
            seed: seed::derive(self.seed, &[seed::label("transfer-test")]),
        }
        .apply(&test)?)
    }

    /// Runs the study on `data` (Fashion-MNIST, or synthetic data in tests) and, for a direction
    /// to MNIST, `mnist`, on backend `B` and writes the report; returns the report's path.
    pub fn run<B: AutodiffBackend>(
        &self,
        data: &Dataset,
        mnist: Option<&MnistSubset>,
        device: &B::Device,
        observer: &dyn Observer,
    ) -> Result<PathBuf> {
        self.scale.check()?;
        ensure!(
            data.train.num_classes() == 10,
            "the transfer study needs a 10-class dataset (classes 0-4 and 5-9), got {} classes",
            data.train.num_classes()
        );
        // Refuse a used directory before the source networks would overwrite their weights.
        let manifest = self.out.join("runs").join(polarity_sweep::MANIFEST_FILE);
        ensure!(
            self.resume || !manifest.exists(),
            "{} already holds a sweep ({}); pass --resume to continue it, or choose another --out",
            self.out.display(),
            manifest.display()
        );
        let side = data.train.height();
        let directions = self.directions.list();
        let mnist = if self.directions.need_mnist() {
            let m = mnist.context(
                "the direction to MNIST needs the MNIST subset (`polarity data fetch-mnist-subset`)",
            )?;
            ensure!(
                m.images.height() == side && m.images.num_classes() == 10,
                "the MNIST subset must hold {side}x{side} images of 10 digits, got {}x{} and {} classes",
                m.images.height(),
                m.images.width(),
                m.images.num_classes()
            );
            Some(m)
        } else {
            None
        };
        let mut data_sha: Vec<String> = data
            .provenance
            .files
            .iter()
            .map(|f| f.content_sha256.clone())
            .collect();
        if let Some(m) = mnist {
            data_sha.push(m.provenance.content_sha256.clone());
        }
        let data_sha = serde_json::Value::from(data_sha);
        let mut tasks = Vec::new();
        for d in &directions {
            let source_network = self.network(side, d.source_classes.len());
            let network = self.network(side, d.target_classes.len());
            let kernels = network.kernel_specs()?;
            let head = kernels.last().map(|k| k.name.clone()).unwrap_or_default();
            let head_layer = crate::images::source_net::head_layer(&kernels)?;
            let pool = data.train.filter_classes(&d.source_classes)?;
            observer.stage(&format!(
                "source networks {}: {} x {} images of classes {:?}, up to {} epochs",
                d.name,
                self.scale.sources.per_direction,
                self.scale.sources.images,
                d.source_classes,
                self.scale.sources.max_epochs
            ));
            let preprocess = self.preprocess(data);
            let sources =
                self.sources::<B>(d, &pool, &preprocess, &source_network, &data_sha, device)?;
            let largest = self.scale.per_class.iter().copied().max().unwrap_or(0);
            let (target, test, preprocess) = match (d.target, mnist) {
                (TargetData::MnistSubset, Some(m)) => self.mnist_target(m, largest, preprocess)?,
                (TargetData::MnistSubset, None) => unreachable!("checked above"),
                (TargetData::FashionMnist, _) => (
                    data.train.filter_classes(&d.target_classes)?,
                    self.test_set(data, d)?,
                    preprocess,
                ),
            };
            let order = ClassOrder::new(
                target.labels(),
                target.num_classes(),
                seed::derive(self.seed, &[seed::label("subsets"), seed::label(&d.name)]),
            );
            order.subset(largest, "target training pool")?;
            tasks.push(units::TargetTask {
                name: d.name.clone(),
                test,
                pool: target,
                order,
                preprocess,
                sources,
                head,
                head_layer,
                network,
            });
        }
        let plan = units::UnitPlan {
            arms: &self.scale.arms,
            budget: self.scale.budget,
            options: TrainOptions {
                eval_batch_size: 500,
                ..TrainOptions::default()
            },
            seed: self.seed,
            per_class: &self.scale.per_class,
            trials: self.scale.trials,
        };
        let config = serde_json::json!({
            "study": "transfer",
            "version": 3,
            "preset": self.preset,
            "scale": self.scale,
            "arch": self.arch,
            "networks": tasks.iter().map(|t| &t.network).collect::<Vec<_>>(),
            "test_images": tasks.iter().map(|t| t.test.len()).collect::<Vec<_>>(),
            "options": plan.options,
            "seed": self.seed,
            "directions": directions,
            "source_weights_sha256": tasks.iter().map(|t| {
                t.sources.sources.iter().chain(&t.sources.one_epoch).map(|s| s.pretrained.sha256.clone()).collect::<Vec<_>>()
            }).collect::<Vec<_>>(),
            "data": data_sha,
        });
        let networks =
            tasks.len() * self.scale.per_class.len() * self.scale.trials * self.scale.arms.len();
        observer.stage(&format!(
            "target networks: {networks} ({} directions x {} sizes x {} trials x {} arms), {} steps each",
            tasks.len(),
            self.scale.per_class.len(),
            self.scale.trials,
            self.scale.arms.len(),
            self.scale.budget.steps
        ));
        let options = RunOptions {
            out: self.out.join("runs"),
            resume: self.resume,
            shard: self.shard,
            threads: None,
            progress: observer.sweep(),
            keep_journal: false,
            one_unit_at_a_time: true,
        };
        let started = Instant::now();
        let (outcome, sweep) = plan.run_sweep::<B>(&tasks, &config, &options, device)?;
        let seconds = started.elapsed().as_secs_f64();
        if self.shard.is_some() {
            observer.stage("shard finished: merge the shard directories with `polarity merge`, then rerun without --shard and with --resume for the report");
            return Ok(outcome.results_csv);
        }
        let runs = Runs::from_rows(&sweep.header, &outcome.rows)?;
        self.report(
            &tasks,
            &runs,
            (seconds, outcome.ran, &sweep.config_hash()),
            data,
        )
    }
}
