//! The target networks: one sweep unit per (direction, images per class, trial) trains every
//! arm of the study from the trial's random draw and source `trial mod K`, for the equal budget
//! of steps, evaluating on the test split after each round (docs/decisions.md D-TRANSFER-5).

use super::arms::Arm;
use super::budget::{Budget, Tiled};
use super::sources::DirectionSources;
use super::splits::ClassOrder;
use crate::{ensure, Context, Result};
use burn::tensor::backend::AutodiffBackend;
use polarity_core::{seed, PolarityTemplate};
use polarity_image_train::{
    table_header, train_network_fixed, Fixed, ImageBatches, PreparedImages, TrainOptions,
    TrainResult,
};
use polarity_images::record::kernel_column;
use polarity_images::{ImageRecord, ImageSet, KernelCounts, Preprocess};
use polarity_models::{NetworkConfig, NetworkJob, TrainableClassifier};
use polarity_sweep::{ConfigFormat, Grid, RunOptions, RunOutcome, Sweep, Unit};

/// One direction's target task.
pub(crate) struct TargetTask {
    pub name: String,
    /// The target classes' training images (relabelled 0..classes).
    pub pool: ImageSet,
    /// The nested stratified order of `pool`.
    pub order: ClassOrder,
    /// The disjoint test split every network is evaluated on.
    pub test: ImageSet,
    pub preprocess: Preprocess,
    pub sources: DirectionSources,
    /// The head kernel's name (`out.weight`).
    pub head: String,
    /// Its layer (`out`): the one layer a linear probe trains.
    pub head_layer: String,
    /// The target network (its head has one output per target class).
    pub network: NetworkConfig,
}

/// Everything the units share.
pub(crate) struct UnitPlan<'a> {
    pub arms: &'a [Arm],
    pub budget: Budget,
    pub options: TrainOptions,
    pub seed: u64,
    pub per_class: &'a [usize],
    pub trials: usize,
}

/// The result table's header for `network`.
pub(crate) fn header(network: &NetworkConfig) -> Result<Vec<String>> {
    let kernels: Vec<String> = network
        .kernel_specs()?
        .into_iter()
        .map(|k| k.name)
        .collect();
    Ok(table_header(&kernels))
}

struct Job<'a, B: AutodiffBackend> {
    template: Option<&'a PolarityTemplate>,
    /// The head layer for a linear probe (`None`: every layer trains).
    train_only: Option<&'a str>,
    train: &'a dyn ImageBatches,
    test: &'a dyn ImageBatches,
    options: &'a TrainOptions,
    device: &'a B::Device,
}

impl<B: AutodiffBackend> NetworkJob<B> for Job<'_, B> {
    type Output = Result<TrainResult>;
    fn run<M: TrainableClassifier<B>>(self, model: M) -> Self::Output {
        let fixed = Fixed {
            template: self.template,
            train_only: self.train_only,
        };
        let (_, result) = train_network_fixed::<B, M>(
            model,
            fixed,
            self.train,
            self.test,
            self.options,
            self.device,
            &mut |_| {},
        )
        .context("training a target network")?;
        Ok(result)
    }
}

impl UnitPlan<'_> {
    /// Trains every arm of unit (task, k per class, trial) and returns its table rows
    /// (`n_train` = images per class; `epoch` = round; `val_*` = the test split).
    pub fn run_unit<B: AutodiffBackend>(
        &self,
        task: &TargetTask,
        k: usize,
        trial: usize,
        device: &B::Device,
    ) -> Result<Vec<Vec<String>>> {
        let task_label = seed::label(&task.name);
        let classes = task.pool.num_classes();
        let network = &task.network;
        let init = network.initial_values(seed::derive(self.seed, &[task_label]), trial)?;
        let nested = task.order.subset(k, "target training pool")?;
        let test = PreparedImages {
            set: task.test.clone(),
            preprocess: task.preprocess.clone(),
        };
        let n = k * classes;
        let options = TrainOptions {
            epochs: self.budget.rounds,
            batch_size: self.budget.batch(n),
            shuffle_seed: seed::derive(
                self.seed,
                &[
                    seed::label("target-shuffle"),
                    task_label,
                    k as u64,
                    trial as u64,
                ],
            ),
            backend_seed: seed::derive(
                self.seed,
                &[seed::label("target-backend"), task_label, trial as u64],
            ),
            ..self.options
        };
        let control_seed = seed::derive(
            self.seed,
            &[seed::label("control"), task_label, trial as u64],
        );
        let kernels: Vec<String> = network
            .kernel_specs()?
            .into_iter()
            .map(|s| kernel_column(&s.name))
            .collect();
        let mut rows = Vec::new();
        for &arm in self.arms {
            let indices = if arm.resampled() {
                ClassOrder::new(
                    task.pool.labels(),
                    classes,
                    seed::derive(
                        self.seed,
                        &[seed::label("resample"), task_label, trial as u64],
                    ),
                )
                .subset(k, "target training pool")?
            } else {
                nested.clone()
            };
            let source = if arm.early_source() {
                task.sources.one_epoch.as_ref().context(
                    "the early-polarity arm needs the one-epoch source (sources.one_epoch)",
                )?
            } else {
                &task.sources.sources[trial % task.sources.sources.len()]
            };
            let start = arm.start(&init, &source.pretrained.tensors, control_seed, &task.head)?;
            let train = Tiled::new(
                PreparedImages {
                    set: task.pool.subset(&indices)?,
                    preprocess: task.preprocess.clone(),
                },
                &self.budget,
            );
            let job = Job::<B> {
                template: start.template.as_ref(),
                train_only: arm.head_only().then_some(task.head_layer.as_str()),
                train: &train,
                test: &test,
                options: &options,
                device,
            };
            let result = network
                .run_with::<B, _>(&start.weights, device, job)?
                .with_context(|| {
                    format!(
                        "{} n = {k}/class trial {trial} arm {}",
                        task.name,
                        arm.name()
                    )
                })?;
            for e in &result.records {
                rows.push(
                    ImageRecord {
                        dataset: task.name.clone(),
                        n_train: k,
                        network: network.kind().name().to_string(),
                        reset: options.reset.method,
                        condition: arm.name().to_string(),
                        trial,
                        epoch: e.epoch,
                        train_loss: e.train_loss,
                        train_acc: e.train_acc,
                        val_loss: e.val_loss,
                        val_acc: e.val_acc,
                        kernels: KernelCounts {
                            names: kernels.clone(),
                            resets: e.resets.clone(),
                            flips: e.flips.clone(),
                        },
                    }
                    .row(),
                );
            }
        }
        Ok(rows)
    }

    /// Runs (or resumes) every unit through the sweep runner; `config` identifies the sweep.
    pub fn run_sweep<B: AutodiffBackend>(
        &self,
        tasks: &[TargetTask],
        config: &serde_json::Value,
        options: &RunOptions,
        device: &B::Device,
    ) -> Result<(RunOutcome, Sweep)> {
        let units: Vec<Unit> = Grid::new()
            .axis("task", tasks.iter().map(|t| t.name.clone()))
            .axis("per_class", self.per_class.iter().map(|&n| n as i64))
            .axis("trial", (0..self.trials).map(|t| t as i64))
            .units()?;
        let sweep = Sweep::new(
            serde_json::to_string_pretty(config)?,
            ConfigFormat::Json,
            header(&tasks.first().context("the study has no direction")?.network)?,
            units,
        )?;
        // burn-flex has one random generator per process (posRand draws are seeded through it):
        // one unit at a time, as the image studies.
        let mut options = options.clone();
        if let Some(t) = options.threads {
            ensure!(
                t == 1,
                "--threads {t}: image units run one at a time; shard the sweep instead"
            );
        }
        // One unit at a time on this thread, each with every core for its own kernels (whose
        // results do not depend on the thread count: D-TRAIN-9, D-TRAIN-10, D-STACK-12).
        options.one_unit_at_a_time = true;
        let outcome = polarity_sweep::run(&sweep, &options, |unit| {
            let name: String = unit.parse("task")?;
            let k: usize = unit.parse("per_class")?;
            let trial: usize = unit.parse("trial")?;
            let task = tasks
                .iter()
                .find(|t| t.name == name)
                .with_context(|| format!("unit {unit}: no task named {name}"))?;
            self.run_unit::<B>(task, k, trial, device)
        })?;
        Ok((outcome, sweep))
    }
}
