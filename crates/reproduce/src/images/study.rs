//! The part both studies share: a grid of (task, training size, trial) units run through the
//! sweep runner, each unit training a list of conditions from one random initial draw with
//! polarity-image-train (`run_conditions`), so frozen/fluid partners and RAND/transferred-
//! polarity networks of a trial share their initial magnitudes (pairs for the Wilcoxon test).
//! Generic over the burn backend: the binary chooses it.

use crate::images::design::{color, Source};
use crate::{ensure, Context, Result};
use burn::tensor::backend::AutodiffBackend;
use polarity_core::{seed, TensorSpec};
use polarity_image_train::{run_conditions, table, PreparedImages, RunPlan, TrainOptions};
use polarity_images::conditions::{start, Condition, PolaritySource};
use polarity_images::{ImageSet, InWeightInput, Preprocess};
use polarity_models::{NetworkConfig, PretrainedWeights};
use polarity_sweep::{ConfigFormat, Grid, RunOptions, RunOutcome, Sweep, Unit};
use serde::Serialize;

/// One learning problem of a study: a training pool (units take its first N images), a
/// validation set, the preprocessing and, for the IN/transfer conditions, the weights whose
/// polarity (or values) are transferred.
pub struct Task {
    /// The unit coordinate and the `dataset` column of the rows, e.g. `fashion-mnist` or
    /// `fm0-4_to_5-9`.
    pub name: String,
    pub train: ImageSet,
    pub val: ImageSet,
    pub preprocess: Preprocess,
    pub pretrained: Option<PretrainedWeights>,
}

/// Everything that determines a study's grid and training, except the data.
#[derive(Debug, Clone, Serialize)]
pub struct StudyPlan {
    pub network: NetworkConfig,
    pub conditions: Vec<Condition>,
    /// Epochs, batch size, learning rate, reset rule; the seeds are set per unit.
    pub options: TrainOptions,
    pub seed: u64,
    pub sizes: Vec<usize>,
    pub trials: usize,
}

/// Kernel (rank >= 2) parameters of `network` in the order the training records list them.
pub fn kernel_specs(network: &NetworkConfig) -> Result<Vec<TensorSpec>> {
    Ok(network.kernel_specs()?)
}

/// The CSV header of a study's rows: polarity-image-train's run table for this network.
pub fn header(network: &NetworkConfig) -> Result<Vec<String>> {
    let kernels: Vec<String> = kernel_specs(network)?.into_iter().map(|k| k.name).collect();
    Ok(polarity_image_train::table_header(&kernels))
}

/// Units in canonical order: task slowest, then size, then trial.
pub fn units(plan: &StudyPlan, tasks: &[&str]) -> Result<Vec<Unit>> {
    Ok(Grid::new()
        .axis("task", tasks.iter().map(|t| t.to_string()))
        .axis("n", plan.sizes.iter().map(|&n| n as i64))
        .axis("trial", (0..plan.trials).map(|t| t as i64))
        .units()?)
}

/// The training options of one unit: the batch order depends on the size only (identical for
/// every trial and condition, as the paper's fixed shuffle); the backend generator (posRand
/// draws) on the trial.
pub fn unit_options(plan: &StudyPlan, task: &str, n: usize, trial: usize) -> TrainOptions {
    let task_label = seed::label(task);
    TrainOptions {
        shuffle_seed: seed::derive(
            plan.seed,
            &[seed::label("image-shuffle"), task_label, n as u64],
        ),
        backend_seed: seed::derive(
            plan.seed,
            &[seed::label("image-backend"), task_label, trial as u64],
        ),
        ..plan.options
    }
}

/// Trains every condition of one unit and returns its table rows (every condition fed the
/// task's preprocessing).
pub fn run_unit<B: AutodiffBackend>(
    plan: &StudyPlan,
    task: &Task,
    n: usize,
    trial: usize,
    device: &B::Device,
) -> Result<Vec<Vec<String>>> {
    run_unit_with::<B>(plan, task, n, trial, InWeightInput::Dataset, device)
}

/// The training and validation images of a unit of size `n`: the first `n` training images, the
/// task's preprocessing resolved for that size (the full split's own mean/std when `n` is all of
/// it, docs/decisions.md D-IMG-12).
pub fn unit_images(task: &Task, n: usize) -> Result<(PreparedImages, PreparedImages)> {
    ensure!(
        n <= task.train.len(),
        "task {}: training size {n} is larger than its training pool ({} images)",
        task.name,
        task.train.len()
    );
    let preprocess = task.preprocess.for_training_size(n);
    Ok((
        PreparedImages {
            set: task.train.first_n(n)?,
            preprocess: preprocess.clone(),
        },
        PreparedImages {
            set: task.val.clone(),
            preprocess,
        },
    ))
}

/// As [`run_unit`], the IN-Weight conditions fed `in_weight` (docs/decisions.md D-IMG-13). With
/// the Caffe input they are trained in a second call on their own images; every condition keeps
/// its seeds (each training job seeds the backend itself), and the rows come back in the plan's
/// condition order.
pub fn run_unit_with<B: AutodiffBackend>(
    plan: &StudyPlan,
    task: &Task,
    n: usize,
    trial: usize,
    in_weight: InWeightInput,
    device: &B::Device,
) -> Result<Vec<Vec<String>>> {
    let (train, val) = unit_images(task, n)?;
    let run_plan = |conditions: Vec<Condition>| RunPlan {
        dataset: task.name.clone(),
        n_train: n,
        trial,
        // The initial draw depends on the task and trial only: every size of a trial starts
        // from the same weights.
        experiment_seed: seed::derive(plan.seed, &[seed::label(&task.name)]),
        network: plan.network.clone(),
        conditions,
        options: unit_options(plan, &task.name, n, trial),
    };
    let is_weight = |c: &Condition| c.source == PolaritySource::InWeight;
    let split = in_weight != InWeightInput::Dataset && plan.conditions.iter().any(is_weight);
    let groups: Vec<(Vec<Condition>, PreparedImages, PreparedImages)> = if split {
        let with = |p: &PreparedImages| PreparedImages {
            set: p.set.clone(),
            preprocess: p.preprocess.for_in_weight(in_weight),
        };
        let (weight, rest): (Vec<Condition>, Vec<Condition>) =
            plan.conditions.iter().partition(|c| is_weight(c));
        let (weight_train, weight_val) = (with(&train), with(&val));
        vec![(rest, train, val), (weight, weight_train, weight_val)]
    } else {
        vec![(plan.conditions.clone(), train, val)]
    };
    let mut by_condition: Vec<(Condition, Vec<Vec<String>>)> = Vec::new();
    for (conditions, train, val) in groups {
        if conditions.is_empty() {
            continue;
        }
        let rp = run_plan(conditions);
        let results = run_conditions::<B>(
            &rp,
            task.pretrained.as_ref(),
            &train,
            &val,
            device,
            &mut |_, _| {},
        )?;
        for r in &results {
            by_condition.push((r.condition, table(&rp, std::slice::from_ref(r)).1));
        }
    }
    let mut rows = Vec::new();
    for c in &plan.conditions {
        if let Some((_, r)) = by_condition.iter().find(|(k, _)| k == c) {
            rows.extend(r.iter().cloned());
        }
    }
    Ok(rows)
}

/// Where a sweep goes and how it resumes or shards.
#[derive(Debug, Clone)]
pub struct SweepPlace {
    pub options: RunOptions,
}

/// Runs (or resumes) the whole study through the sweep runner on backend `B`. `config` is the
/// fully resolved description of the study (it identifies the sweep for `--resume` and merges).
pub fn run_study<B: AutodiffBackend>(
    plan: &StudyPlan,
    tasks: &[Task],
    config: &serde_json::Value,
    place: &SweepPlace,
    device: &B::Device,
) -> Result<(RunOutcome, Sweep)> {
    run_study_with::<B>(plan, tasks, InWeightInput::Dataset, config, place, device)
}

/// As [`run_study`], the IN-Weight conditions fed `in_weight` (docs/decisions.md D-IMG-13).
pub fn run_study_with<B: AutodiffBackend>(
    plan: &StudyPlan,
    tasks: &[Task],
    in_weight: InWeightInput,
    config: &serde_json::Value,
    place: &SweepPlace,
    device: &B::Device,
) -> Result<(RunOutcome, Sweep)> {
    let names: Vec<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
    let sweep = Sweep::new(
        serde_json::to_string_pretty(config)?,
        ConfigFormat::Json,
        header(&plan.network)?,
        units(plan, &names)?,
    )?;
    // burn-flex has one random generator per process (posRand draws are seeded through it), so
    // two networks training at once would interleave their draws: run one unit at a time.
    let mut options = place.options.clone();
    if let Some(t) = options.threads {
        ensure!(
            t == 1,
            "--threads {t}: image units run one at a time (the backend's random generator is per \
             process, so parallel units would not be reproducible); shard the sweep instead"
        );
    }
    // One unit at a time on this thread, each with every core for its own kernels (whose
    // results do not depend on the thread count: D-TRAIN-9, D-TRAIN-10, D-STACK-12).
    options.one_unit_at_a_time = true;
    let outcome = polarity_sweep::run(&sweep, &options, |unit| {
        let task_name: String = unit.parse("task")?;
        let n: usize = unit.parse("n")?;
        let trial: usize = unit.parse("trial")?;
        let task = tasks
            .iter()
            .find(|t| t.name == task_name)
            .with_context(|| format!("unit {unit}: no task named {task_name}"))?;
        run_unit_with::<B>(plan, task, n, trial, in_weight, device)
    })?;
    Ok((outcome, sweep))
}

/// log10 |w| of the initial kernels of trial 0 per condition (Supp B.6) and the exact zeros.
pub type Magnitudes = (
    Vec<(String, polarity_analysis::figures::Rgb, Vec<f64>)>,
    Vec<(String, usize)>,
);

pub fn initial_magnitudes(plan: &StudyPlan, task: &Task, source: Source) -> Result<Magnitudes> {
    let init = plan
        .network
        .initial_values(seed::derive(plan.seed, &[seed::label(&task.name)]), 0)?;
    let mut out = Vec::new();
    let mut zeros = Vec::new();
    for &c in &plan.conditions {
        let s = start(c, &init, task.pretrained.as_ref().map(|p| &p.tensors))?;
        let all: Vec<f32> = s
            .weights
            .0
            .values()
            .filter(|(shape, _)| shape.len() >= 2)
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        // At most ~200k points: a fixed stride keeps the histogram's shape for AlexNet-sized nets.
        let stride = all.len().div_ceil(200_000).max(1);
        let z = all.iter().filter(|w| **w == 0.0).count();
        let values = all
            .iter()
            .step_by(stride)
            .filter(|w| **w != 0.0)
            .map(|w| f64::from(w.abs()).log10())
            .collect();
        out.push((source.label(c), color(c), values));
        zeros.push((source.label(c), z));
    }
    Ok((out, zeros))
}
