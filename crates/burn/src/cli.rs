//! `polarity images ...`: train one image run (`train`) and time a training step (`bench`).
//! The lead's `polarity` binary flattens [`ImagesArgs`] under `images` and calls [`run`].

use crate::conditions::Condition;
use crate::run::{
    run_conditions, table, to_csv, write_atomic, NetworkConfig, NetworkKind, RunPlan,
};
use crate::train::{ImageBatches, TrainOptions};
use crate::weights::GroupedLayers;
use crate::{FreezeConfig, FreezeOptimizer, KerasAdam};
use anyhow::Context;
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{Int, Tensor, TensorData};
use clap::{Args, Subcommand, ValueEnum};
use polarity_core::{seed, ResetMethod, ResetRule};
use polarity_images::cli::DataLocationArgs;
use polarity_images::{DatasetKind, ImageSet, Preprocess, ValidationSplit};
use std::path::PathBuf;
use std::time::Instant;

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
}

/// Where the tensors live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeviceKind {
    /// CPU (burn-flex backend).
    Flex,
    /// NVIDIA GPU (burn-cuda; build with `--features cuda`).
    Cuda,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Dataset to train on.
    #[arg(long, value_enum, default_value = "fashion-mnist")]
    pub dataset: DatasetKind,
    #[command(flatten)]
    pub location: DataLocationArgs,
    /// Network architecture.
    #[arg(long, value_enum, default_value = "paper-alexnet")]
    pub network: NetworkKind,
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
    pub network: NetworkKind,
    /// Batch size.
    #[arg(long, default_value_t = 128)]
    pub batch_size: usize,
    /// Input side (default: the network's own).
    #[arg(long)]
    pub input_size: Option<usize>,
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

pub fn run(args: ImagesArgs) -> anyhow::Result<()> {
    match args.command {
        ImagesCommand::Train(a) => train(a),
        ImagesCommand::Bench(a) => bench(a),
    }
}

/// Training or validation images with their preprocessing.
pub struct PreparedImages {
    pub set: ImageSet,
    pub preprocess: Preprocess,
}

impl ImageBatches for PreparedImages {
    fn len(&self) -> usize {
        self.set.len()
    }
    fn batch(&self, indices: &[usize]) -> anyhow::Result<(Vec<f32>, [usize; 4], Vec<i64>)> {
        let b = self.preprocess.batch(&self.set, indices)?;
        Ok((b.images, b.shape, b.labels))
    }
}

fn parse_conditions(s: &str) -> anyhow::Result<Vec<Condition>> {
    if s.trim() == "all" {
        return Ok(Condition::ALL.to_vec());
    }
    s.split(',')
        .map(|c| c.trim().parse::<Condition>().map_err(anyhow::Error::msg))
        .collect()
}

fn preprocess_for(
    kind: DatasetKind,
    network: &NetworkConfig,
    input_size: Option<usize>,
) -> Preprocess {
    let paper = Preprocess::paper(kind);
    match network {
        NetworkConfig::PaperAlexnet(c) => paper.with_size(Some((c.input_size, c.input_size))),
        NetworkConfig::TorchAlexnet(_) => {
            let side = input_size.unwrap_or(224);
            paper.with_size(Some((side, side)))
        }
        NetworkConfig::SmallCnn(c) => Preprocess {
            normalization: kind.paper_normalization(),
            size: Some((c.input_size, c.input_size)),
            grey_to_rgb: false,
        },
    }
}

fn train(a: TrainArgs) -> anyhow::Result<()> {
    let data = a.location.load(a.dataset)?;
    train_on(a, data)
}

/// `images train` on an already loaded dataset (`a.dataset` and `a.location` are not used to
/// find it). The CLI loads with full checksum validation; tests pass synthetic data.
pub fn train_on(a: TrainArgs, data: polarity_images::Dataset) -> anyhow::Result<()> {
    anyhow::ensure!(
        data.kind == a.dataset,
        "--dataset {} but the data given is {}",
        a.dataset.name(),
        data.kind.name()
    );
    let conditions = parse_conditions(&a.conditions)?;
    let in_channels = match (a.network, a.dataset) {
        (NetworkKind::SmallCnn, DatasetKind::FashionMnist) => 1,
        _ => 3,
    };
    let mut network = NetworkConfig::new(a.network, in_channels, a.input_size, a.width_divisor);
    if let (NetworkConfig::PaperAlexnet(c), GroupedArg::Grouped) = (&mut network, a.grouped) {
        *c = c.clone().caffe_groups();
    }
    let grouped = match a.grouped {
        GroupedArg::ExpandFree => GroupedLayers::ExpandFree,
        GroupedArg::Grouped => GroupedLayers::Grouped,
    };
    let needs_pretrained = conditions.iter().any(|c| c.needs_pretrained());
    let pretrained = match (&a.weights, needs_pretrained) {
        (Some(path), true) => Some(network.load_pretrained(path, grouped).with_context(|| format!("loading {}", path.display()))?),
        (None, true) => anyhow::bail!(
            "conditions {} need pretrained weights: pass --weights bvlc_alexnet.npy (paper AlexNet) or a torchvision .pth, \
             or choose --conditions frozen-rand-polarity,fluid-rand-polarity",
            conditions.iter().filter(|c| c.needs_pretrained()).map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
        ),
        _ => None,
    };
    if let (NetworkConfig::TorchAlexnet(_), Some(side)) = (&network, a.input_size) {
        anyhow::ensure!(
            side >= crate::models::TorchAlexNetConfig::MIN_INPUT,
            "--input-size {side} is below torchvision AlexNet's minimum of {}",
            crate::models::TorchAlexNetConfig::MIN_INPUT
        );
    }
    let preprocess = preprocess_for(a.dataset, &network, a.input_size);
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
    let mut progress = |k: usize, p: crate::train::Progress| {
        bar.inc(1);
        let acc = p
            .last_val_acc
            .map_or(String::new(), |v| format!(", val acc {v:.3}"));
        bar.set_message(format!("{} epoch {}{acc}", names[k], p.epoch));
    };
    let results = match a.device {
        DeviceKind::Flex => {
            type B = burn::backend::Autodiff<burn::backend::Flex>;
            run_conditions::<B>(
                &plan,
                pretrained.as_ref(),
                &train_set,
                &val_set,
                &Default::default(),
                &mut progress,
            )?
        }
        DeviceKind::Cuda => run_cuda(
            &plan,
            pretrained.as_ref(),
            &train_set,
            &val_set,
            &mut progress,
        )?,
    };
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
        "created_by": format!("polarity-burn {}", env!("CARGO_PKG_VERSION")),
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

#[cfg(feature = "cuda")]
fn cuda_device() -> anyhow::Result<burn::backend::cuda::CudaDevice> {
    // burn-cuda panics deep inside when there is no GPU or driver; check the device nodes the
    // NVIDIA driver creates first, for a clear error.
    let nodes = ["/dev/nvidiactl", "/dev/nvidia0"];
    anyhow::ensure!(
        nodes.iter().any(|n| std::path::Path::new(n).exists()),
        "--device cuda: no NVIDIA GPU visible ({} missing); use --device flex",
        nodes.join(", ")
    );
    Ok(burn::backend::cuda::CudaDevice::default())
}

#[cfg(feature = "cuda")]
fn run_cuda(
    plan: &RunPlan,
    pretrained: Option<&crate::weights::PretrainedWeights>,
    train: &dyn ImageBatches,
    val: &dyn ImageBatches,
    progress: &mut dyn FnMut(usize, crate::train::Progress),
) -> anyhow::Result<Vec<crate::run::ConditionResult>> {
    type B = burn::backend::Autodiff<burn::backend::Cuda>;
    run_conditions::<B>(plan, pretrained, train, val, &cuda_device()?, progress)
}

#[cfg(not(feature = "cuda"))]
fn run_cuda(
    _: &RunPlan,
    _: Option<&crate::weights::PretrainedWeights>,
    _: &dyn ImageBatches,
    _: &dyn ImageBatches,
    _: &mut dyn FnMut(usize, crate::train::Progress),
) -> anyhow::Result<Vec<crate::run::ConditionResult>> {
    anyhow::bail!("this binary was built without CUDA support; rebuild with `--features cuda`")
}

fn bench(a: BenchArgs) -> anyhow::Result<()> {
    let network = NetworkConfig::new(a.network, 3, a.input_size, 1);
    let side = match &network {
        NetworkConfig::PaperAlexnet(c) => c.input_size,
        NetworkConfig::TorchAlexnet(_) => a.input_size.unwrap_or(224),
        NetworkConfig::SmallCnn(c) => c.input_size,
    };
    let times = match a.device {
        DeviceKind::Flex => {
            type B = burn::backend::Autodiff<burn::backend::Flex>;
            bench_on::<B>(&network, &a, side, &Default::default())?
        }
        DeviceKind::Cuda => bench_cuda(&network, &a, side)?,
    };
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let wall = median(times.iter().map(|t| t.0).collect());
    let cpu: Option<Vec<f64>> = times.iter().map(|t| t.1).collect();
    let cpu_text = cpu.map_or(String::new(), |c| {
        format!(
            ", median {:.3} CPU-s/step (process user+system time)",
            median(c)
        )
    });
    let name = match a.network {
        NetworkKind::PaperAlexnet => "paper-alexnet",
        NetworkKind::TorchAlexnet => "torch-alexnet",
        NetworkKind::SmallCnn => "small-cnn",
    };
    println!(
        "{name} batch {} input {side}x{side} device {:?}{}: median {wall:.3} s/step{cpu_text} over {} steps (wall: {})",
        a.batch_size,
        a.device,
        if a.no_freeze { "" } else { " with Freeze-SGD (posRand)" },
        times.len(),
        times.iter().map(|t| format!("{:.3}", t.0)).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

#[cfg(feature = "cuda")]
fn bench_cuda(
    network: &NetworkConfig,
    a: &BenchArgs,
    side: usize,
) -> anyhow::Result<Vec<(f64, Option<f64>)>> {
    type B = burn::backend::Autodiff<burn::backend::Cuda>;
    bench_on::<B>(network, a, side, &cuda_device()?)
}

#[cfg(not(feature = "cuda"))]
fn bench_cuda(
    _: &NetworkConfig,
    _: &BenchArgs,
    _: usize,
) -> anyhow::Result<Vec<(f64, Option<f64>)>> {
    anyhow::bail!("this binary was built without CUDA support; rebuild with `--features cuda`")
}

fn bench_on<B: AutodiffBackend>(
    network: &NetworkConfig,
    a: &BenchArgs,
    side: usize,
    device: &B::Device,
) -> anyhow::Result<Vec<(f64, Option<f64>)>> {
    use crate::models::{PaperAlexNet, SmallCnn, TorchAlexNet};
    let mut rng = seed::rng(0, &[seed::label("bench")]);
    match network {
        NetworkConfig::PaperAlexnet(c) => {
            step_times::<B, PaperAlexNet<B>>(c.init(device, &mut rng)?, a, side, 3, device)
        }
        NetworkConfig::TorchAlexnet(c) => {
            step_times::<B, TorchAlexNet<B>>(c.init(device, &mut rng)?, a, side, 3, device)
        }
        NetworkConfig::SmallCnn(c) => {
            step_times::<B, SmallCnn<B>>(c.init(device, &mut rng)?, a, side, c.in_channels, device)
        }
    }
}

fn step_times<B, M>(
    mut model: M,
    a: &BenchArgs,
    side: usize,
    channels: usize,
    device: &B::Device,
) -> anyhow::Result<Vec<(f64, Option<f64>)>>
where
    B: AutodiffBackend,
    M: crate::models::TrainableClassifier<B>,
{
    let n = a.batch_size;
    let x = Tensor::<B, 4>::random(
        [n, channels, side, side],
        burn::tensor::Distribution::Normal(0.0, 1.0),
        device,
    );
    let labels: Vec<i64> = (0..n as i64).map(|i| i % 10).collect();
    let y = Tensor::<B, 1, Int>::from_data(TensorData::new(labels, [n]), device);
    let template = if a.no_freeze {
        polarity_core::PolarityTemplate {
            tensors: Vec::new(),
            provenance: polarity_core::Provenance::new("none", b""),
        }
    } else {
        crate::kernel_template::<B, M>(&model, "bench init")
    };
    let mut optim = FreezeOptimizer::new(
        KerasAdam::default().init::<B, M>(),
        &model,
        &template,
        FreezeConfig::new(ResetRule::default()),
        device,
    )?;
    let loss_fn = burn::nn::loss::CrossEntropyLossConfig::new().init(device);
    let mut times = Vec::new();
    for i in 0..=a.steps.max(1) {
        let t0 = Instant::now();
        let cpu0 = process_cpu_seconds();
        let loss = loss_fn.forward(model.forward(x.clone()), y.clone());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(1e-3, model, grads);
        // Wait for the device so the time covers the whole step.
        B::sync(device)?;
        if i > 0 {
            let cpu = process_cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
            times.push((t0.elapsed().as_secs_f64(), cpu));
        }
    }
    Ok(times)
}

/// This process's user + system CPU time in seconds, from `/proc/self/stat` (Linux; clock
/// ticks at the usual 100 Hz). `None` elsewhere. CPU time is what a step costs when other
/// processes share the machine and stretch the wall-clock time.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
