//! `polarity images ...`: train one image run (`train`), time a training step (`bench`), and
//! check a GPU against the CPU (`gpu-check`). Options, progress bars and output files here;
//! the training in polarity-image-train, on the backend `--device` picks (`crate::backend`).

use super::data::{dataset_parser, DataLocationArgs};
use crate::backend::{run_on, DeviceKind, OnBackend};
use anyhow::Context;
use burn::tensor::backend::AutodiffBackend;
use clap::{Args, Subcommand, ValueEnum};
use polarity_core::{seed, NamedTensors, ResetMethod, ResetRule};
use polarity_image_train::{
    preprocess_for, repeat_step, run_conditions, table, to_csv, ConditionResult, ImageBatches,
    PreparedImages, Progress, RunPlan, StepBatch, StepOptions, StepTrace, TrainOptions,
};
use polarity_images::conditions::Condition;
use polarity_images::{Dataset, DatasetKind, Preprocess, ValidationSplit};
use polarity_models::{
    GroupedLayers, NetworkConfig, NetworkKind, PaperAlexNetConfig, PretrainedWeights,
};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ImagesArgs {
    #[command(subcommand)]
    pub command: ImagesCommand,
}

#[derive(Subcommand, Debug)]
pub enum ImagesCommand {
    /// Train one network, training size and trial under one or more of the six conditions.
    Train(TrainArgs),
    /// Time one training step (forward, backward, Adam, Freeze-SGD) of a network.
    Bench(BenchArgs),
    /// Train the paper's AlexNet a few steps on the CPU and on a GPU from the same weights and batch: losses and weights must agree; times a GPU step.
    GpuCheck(GpuCheckArgs),
}

/// Which network (polarity-models' registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NetworkArg {
    /// The paper's AlexNet (Caffe/Keras layout, 227 input).
    PaperAlexnet,
    /// torchvision's AlexNet (224 input).
    TorchAlexnet,
    /// A LeNet-style CNN (28 input), fast on a CPU.
    SmallCnn,
}

impl From<NetworkArg> for NetworkKind {
    fn from(a: NetworkArg) -> Self {
        match a {
            NetworkArg::PaperAlexnet => NetworkKind::PaperAlexnet,
            NetworkArg::TorchAlexnet => NetworkKind::TorchAlexnet,
            NetworkArg::SmallCnn => NetworkKind::SmallCnn,
        }
    }
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Dataset to train on.
    #[arg(long, value_parser = dataset_parser(), default_value = "fashion-mnist")]
    pub dataset: DatasetKind,
    #[command(flatten)]
    pub location: DataLocationArgs,
    /// Network architecture.
    #[arg(long, value_enum, default_value = "paper-alexnet")]
    pub network: NetworkArg,
    /// Conditions to train, comma-separated (frozen-in-polarity, fluid-rand-polarity, ...) or `all`.
    #[arg(long, default_value = "all")]
    pub conditions: String,
    /// Number of training images (the first N of the training split).
    #[arg(long, default_value_t = 1000)]
    pub n_train: usize,
    /// Trial index (selects the random initial weights).
    #[arg(long, default_value_t = 0)]
    pub trial: usize,
    /// Experiment seed; every random draw derives from it.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Epochs to train.
    #[arg(long, default_value_t = 100)]
    pub epochs: usize,
    /// Mini-batch size (the paper: 1000).
    #[arg(long, default_value_t = 1000)]
    pub batch_size: usize,
    /// Adam learning rate (the paper: 0.001).
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    /// Reset method of frozen networks (posRand, posCon, zero, flip).
    #[arg(long, default_value = "posRand")]
    pub reset: ResetMethod,
    /// Magnitude of posRand/posCon resets.
    #[arg(long, default_value_t = 1e-3)]
    pub eps: f32,
    /// Input side in pixels (default: 227 for the paper's AlexNet, 224 torchvision's, 28 the small CNN).
    #[arg(long)]
    pub input_size: Option<usize>,
    /// Divide every layer width by this (CPU runs of the RAND conditions; pretrained weights need 1).
    #[arg(long, default_value_t = 1)]
    pub width_divisor: usize,
    /// Validate on a seeded subset of this many test images instead of the full test split.
    #[arg(long)]
    pub val_size: Option<usize>,
    /// Pretrained weights for the IN conditions: bvlc_alexnet.npy (paper AlexNet) or a torchvision .pth/.safetensors.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// How Caffe's grouped conv2/4/5 are loaded: expanded with free off-diagonal blocks (paper) or kept grouped.
    #[arg(long, value_enum, default_value = "expand-free")]
    pub grouped: GroupedArg,
    /// Device to train on.
    #[arg(long, value_enum, default_value = "flex")]
    pub device: DeviceKind,
    /// Output CSV (one row per network per epoch); a .json sidecar gets provenance and histograms.
    #[arg(long, default_value = "results/images.csv")]
    pub out: PathBuf,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Check the plan (sizes, memory, expected time), print its estimate and stop.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupedArg {
    ExpandFree,
    Grouped,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Network to time.
    #[arg(long, value_enum, default_value = "paper-alexnet")]
    pub network: NetworkArg,
    /// Batch size.
    #[arg(long, default_value_t = 128)]
    pub batch_size: usize,
    /// Input side (default: the network's own).
    #[arg(long)]
    pub input_size: Option<usize>,
    /// Input channels of the small CNN (Fashion-MNIST: 1, CIFAR-10: 3); the AlexNets take 3.
    #[arg(long, default_value_t = 1,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub channels: usize,
    /// Timed steps (after one untimed warm-up step); the median is reported.
    #[arg(long, default_value_t = 3)]
    pub steps: usize,
    /// Time the step without the Freeze-SGD reset (plain Adam, as the PyTorch script).
    #[arg(long)]
    pub no_freeze: bool,
    /// Device to run on.
    #[arg(long, value_enum, default_value = "flex")]
    pub device: DeviceKind,
}

#[derive(Args, Debug)]
pub struct GpuCheckArgs {
    #[command(flatten)]
    pub location: DataLocationArgs,
    /// Images in the batch.
    #[arg(long, default_value_t = 128)]
    pub batch: usize,
    /// Training steps compared between CPU and GPU.
    #[arg(long, default_value_t = 3)]
    pub steps: usize,
    /// Timed GPU steps (after one warm-up step).
    #[arg(long, default_value_t = 10)]
    pub timed_steps: usize,
    /// Relative tolerance on the losses.
    #[arg(long, default_value_t = 1e-2)]
    pub loss_rtol: f64,
    /// Skip the CPU run (timing only).
    #[arg(long)]
    pub no_cpu: bool,
    /// The device checked against the CPU (flex checks the check itself on a machine without a GPU).
    #[arg(long, value_enum, default_value = "cuda")]
    pub device: DeviceKind,
    /// JSON summary file.
    #[arg(long, default_value = "gpu-check.json")]
    pub out: PathBuf,
}

pub fn run(args: ImagesArgs) -> anyhow::Result<()> {
    crate::allocator::tune_for_training();
    match args.command {
        ImagesCommand::Train(a) => train(a),
        ImagesCommand::Bench(a) => bench(a),
        ImagesCommand::GpuCheck(a) => gpu_check(a),
    }
}

pub(super) fn parse_conditions(s: &str) -> anyhow::Result<Vec<Condition>> {
    if s.trim() == "all" {
        return Ok(Condition::ALL.to_vec());
    }
    Ok(s.split(',')
        .map(|c| c.trim().parse::<Condition>())
        .collect::<Result<_, _>>()?)
}

fn train(a: TrainArgs) -> anyhow::Result<()> {
    if !super::images_plan::train(&a)? {
        return Ok(());
    }
    let data = a.location.load(a.dataset)?;
    train_on(a, data)
}

/// [`run_conditions`] on the backend [`run_on`] picks.
struct RunJob<'a> {
    plan: &'a RunPlan,
    pretrained: Option<&'a PretrainedWeights>,
    train: &'a dyn ImageBatches,
    val: &'a dyn ImageBatches,
    progress: &'a mut dyn FnMut(usize, Progress),
}

impl OnBackend for RunJob<'_> {
    type Output = Vec<ConditionResult>;
    fn run<B: AutodiffBackend>(self, device: &B::Device) -> anyhow::Result<Self::Output> {
        Ok(run_conditions::<B>(
            self.plan,
            self.pretrained,
            self.train,
            self.val,
            device,
            self.progress,
        )?)
    }
}

/// `images train` on an already loaded dataset (`a.dataset` and `a.location` are not used to
/// find it). The CLI loads with full checksum validation; tests pass synthetic data.
pub fn train_on(a: TrainArgs, data: Dataset) -> anyhow::Result<()> {
    anyhow::ensure!(
        data.kind == a.dataset,
        "--dataset {} but the data given is {}",
        a.dataset.name(),
        data.kind.name()
    );
    let conditions = parse_conditions(&a.conditions)?;
    let kind = NetworkKind::from(a.network);
    let in_channels = kind.input_channels(data.train.channels());
    let mut network = NetworkConfig::new(kind, in_channels, a.input_size, a.width_divisor);
    let grouped = match a.grouped {
        GroupedArg::ExpandFree => GroupedLayers::ExpandFree,
        GroupedArg::Grouped => {
            network = network.with_caffe_groups();
            GroupedLayers::Grouped
        }
    };
    let needs_pretrained = conditions.iter().any(|c| c.needs_pretrained());
    let pretrained = match (&a.weights, needs_pretrained) {
        (Some(path), true) => Some(
            network
                .load_pretrained(path, grouped)
                .with_context(|| format!("loading {}", path.display()))?,
        ),
        (None, true) => anyhow::bail!(
            "conditions {} need pretrained weights: pass --weights bvlc_alexnet.npy (paper AlexNet) or a torchvision .pth, \
             or choose --conditions frozen-rand-polarity,fluid-rand-polarity",
            conditions.iter().filter(|c| c.needs_pretrained()).map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
        ),
        _ => None,
    };
    if let Some(side) = a.input_size {
        network
            .check_input_side(side)
            .with_context(|| format!("--input-size {side}"))?;
    }
    let preprocess = preprocess_for(a.dataset, &network, network.input_side(a.input_size));
    let train_set = PreparedImages {
        set: data.train.first_n(a.n_train)?,
        preprocess: preprocess.clone(),
    };
    let split = match a.val_size {
        Some(size) => ValidationSplit::SeededSubset { size, seed: a.seed },
        None => ValidationSplit::Full,
    };
    let val_set = PreparedImages {
        set: split.apply(&data.test)?,
        preprocess,
    };
    let options = TrainOptions {
        epochs: a.epochs,
        batch_size: a.batch_size,
        lr: a.lr,
        reset: ResetRule::new(a.reset, a.eps),
        shuffle_seed: seed::derive(a.seed, &[seed::label("image-shuffle"), a.n_train as u64]),
        backend_seed: seed::derive(a.seed, &[seed::label("image-backend"), a.trial as u64]),
        ..TrainOptions::default()
    };
    let plan = RunPlan {
        dataset: a.dataset.name().to_string(),
        n_train: a.n_train,
        trial: a.trial,
        experiment_seed: a.seed,
        network,
        conditions,
        options,
    };
    let steps = a.epochs * a.n_train.div_ceil(a.batch_size.max(1));
    let bar = if a.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new((steps * plan.conditions.len()) as u64)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} steps {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let names: Vec<String> = plan.conditions.iter().map(|c| c.to_string()).collect();
    let mut progress = |k: usize, p: Progress| {
        bar.inc(1);
        let acc = p
            .last_val_acc
            .map_or(String::new(), |v| format!(", val acc {v:.3}"));
        bar.set_message(format!("{} epoch {}{acc}", names[k], p.epoch));
    };
    let job = RunJob {
        plan: &plan,
        pretrained: pretrained.as_ref(),
        train: &train_set,
        val: &val_set,
        progress: &mut progress,
    };
    let results = run_on(a.device, job)?;
    bar.finish_and_clear();
    let (header, rows) = table(&plan, &results);
    write_atomic(&a.out, to_csv(&header, &rows).as_bytes())?;
    let sidecar = serde_json::json!({
        "plan": plan,
        "data": data.provenance,
        "pretrained": pretrained.as_ref().map(|p| serde_json::json!({
            "source": p.source, "format": p.format, "sha256": p.sha256,
            "checksum_verified": p.checksum_verified, "unused": p.unused,
        })),
        "conditions": results.iter().map(|r| serde_json::json!({
            "condition": r.condition.to_string(),
            "initial_magnitudes": r.initial_magnitudes,
            "aligned": r.aligned,
            "constrained_fraction": r.constrained_fraction,
        })).collect::<Vec<_>>(),
        "created_by": format!("polarity {}", env!("CARGO_PKG_VERSION")),
    });
    write_atomic(
        &a.out.with_extension("json"),
        serde_json::to_string_pretty(&sidecar)?.as_bytes(),
    )?;
    for r in &results {
        if let Some(last) = r.result.records.last() {
            println!(
                "{:<22} final epoch {}: val acc {:.4}, val loss {:.4}",
                r.condition.paper_name(),
                last.epoch,
                last.val_acc,
                last.val_loss
            );
        }
    }
    println!("wrote {} rows to {}", rows.len(), a.out.display());
    Ok(())
}

/// Writes `bytes` to `path` atomically (a temporary file in the same folder, then rename).
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

/// [`repeat_step`] on the backend [`run_on`] picks.
struct StepsJob<'a> {
    network: &'a NetworkConfig,
    init: &'a NamedTensors,
    batch: &'a StepBatch,
    options: StepOptions,
}

impl OnBackend for StepsJob<'_> {
    type Output = StepTrace;
    fn run<B: AutodiffBackend>(self, device: &B::Device) -> anyhow::Result<StepTrace> {
        Ok(repeat_step::<B>(
            self.network,
            self.init,
            self.batch,
            &self.options,
            device,
        )?)
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn bench(a: BenchArgs) -> anyhow::Result<()> {
    super::images_plan::bench(&a)?;
    let kind = NetworkKind::from(a.network);
    let network = NetworkConfig::new(kind, kind.input_channels(a.channels), a.input_size, 1);
    let side = network.input_side(a.input_size);
    let init = network.initial_values_from(&mut seed::rng(0, &[seed::label("bench")]))?;
    let job = StepsJob {
        network: &network,
        init: &init,
        batch: &StepBatch::Random {
            batch_size: a.batch_size,
            side,
        },
        options: StepOptions {
            steps: a.steps.max(1),
            warmup: true,
            freeze: (!a.no_freeze).then(ResetRule::default),
            record_loss: false,
            lr: 1e-3,
        },
    };
    let trace = run_on(a.device, job)?;
    let wall = median(trace.seconds.clone());
    let cpu: Option<Vec<f64>> = trace.cpu_seconds.iter().copied().collect();
    let cpu_text = cpu.map_or(String::new(), |c| {
        format!(", median {:.3} CPU-s/step (process CPU time)", median(c))
    });
    println!(
        "{} batch {} input {side}x{side} device {:?}{}: median {wall:.3} s/step{cpu_text} over {} steps (wall: {})",
        kind.name(),
        a.batch_size,
        a.device,
        if a.no_freeze { "" } else { " with Freeze-SGD (posRand)" },
        trace.seconds.len(),
        trace.seconds.iter().map(|t| format!("{t:.3}")).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

/// The paper's AlexNet (227x227, Fashion-MNIST, the paper's preprocessing, Keras Adam lr 1e-3,
/// Freeze-SGD) trained a few steps on the same batch on the CPU and on `--device`; losses and
/// weights must agree, and a step on the device is timed. Dropout is off and the reset is
/// posCon, so both runs are deterministic (no backend random numbers). Writes a JSON summary;
/// exits 1 on disagreement.
fn gpu_check(a: GpuCheckArgs) -> anyhow::Result<()> {
    super::images_plan::gpu_check(&a)?;
    let data = a.location.load(DatasetKind::FashionMnist)?;
    let pre = Preprocess::paper(DatasetKind::FashionMnist);
    let set = data.train.first_n(a.batch)?;
    let batch = StepBatch::Given(pre.batch(&set, &(0..a.batch).collect::<Vec<_>>())?);
    let network = NetworkConfig::PaperAlexnet(PaperAlexNetConfig {
        dropout: 0.0,
        ..PaperAlexNetConfig::default()
    });
    let init = network.initial_values_from(&mut seed::rng(0, &[seed::label("gpu-check")]))?;
    let steps = |steps: usize| StepsJob {
        network: &network,
        init: &init,
        batch: &batch,
        options: StepOptions {
            steps,
            warmup: false,
            freeze: Some(ResetRule::new(ResetMethod::PosCon, 1e-3)),
            record_loss: true,
            lr: 1e-3,
        },
    };
    let g = run_on(a.device, steps(a.steps))?;
    let timing = run_on(a.device, steps(a.timed_steps + 1))?;
    let gpu_step = median(timing.seconds[1..].to_vec());
    let losses = |t: &StepTrace| -> Vec<f64> { t.losses.iter().map(|&l| f64::from(l)).collect() };
    let mut summary = serde_json::json!({
        "batch": a.batch, "steps": a.steps, "gpu_losses": losses(&g),
        "gpu_step_seconds_median": gpu_step, "gpu_step_seconds": timing.seconds,
    });
    let mut ok = true;
    if !a.no_cpu {
        let c = run_on(DeviceKind::Flex, steps(a.steps))?;
        let loss_rel: Vec<f64> = losses(&c)
            .iter()
            .zip(&losses(&g))
            .map(|(x, y)| (x - y).abs() / x.abs().max(1e-12))
            .collect();
        // Weights: Adam normalises each update, so an entry whose gradient is near zero can move
        // by up to lr per step on one device and not the other; compare the bulk.
        let mut diffs: Vec<f64> = Vec::new();
        for (name, (_, cv)) in &c.weights.0 {
            let (_, gv) = g
                .weights
                .get(name)
                .with_context(|| format!("GPU run lacks {name}"))?;
            diffs.extend(cv.iter().zip(gv).map(|(x, y)| f64::from((x - y).abs())));
        }
        diffs.sort_by(f64::total_cmp);
        let q = |f: f64| diffs[((diffs.len() - 1) as f64 * f) as usize];
        let (median_diff, p999) = (q(0.5), q(0.999));
        let lr_steps = 1e-3 * a.steps as f64;
        ok = loss_rel.iter().all(|r| *r <= a.loss_rtol)
            && median_diff <= 1e-5
            && p999 <= 2.0 * lr_steps;
        summary["cpu_losses"] = serde_json::json!(losses(&c));
        summary["loss_relative_differences"] = serde_json::json!(loss_rel);
        summary["weight_abs_diff_median"] = serde_json::json!(median_diff);
        summary["weight_abs_diff_p99_9"] = serde_json::json!(p999);
        summary["cpu_step_seconds_median"] = serde_json::json!(median(c.seconds));
        summary["tolerance"] = serde_json::json!(format!(
            "loss rel <= {}, median |dw| <= 1e-5, 99.9th percentile |dw| <= {}",
            a.loss_rtol,
            2.0 * lr_steps
        ));
    }
    summary["agree"] = serde_json::json!(ok);
    let text = serde_json::to_string_pretty(&summary)?;
    std::fs::write(&a.out, &text).with_context(|| format!("writing {}", a.out.display()))?;
    println!("{text}");
    anyhow::ensure!(
        ok,
        "the CPU and {:?} runs disagree (see {})",
        a.device,
        a.out.display()
    );
    Ok(())
}

#[cfg(test)]
#[path = "images_tests.rs"]
mod tests;
