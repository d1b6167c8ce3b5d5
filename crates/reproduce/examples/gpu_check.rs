//! GPU check for `scripts/gpu-check.sh`: trains the paper's AlexNet (227x227, Fashion-MNIST,
//! the paper's preprocessing, Keras Adam lr 1e-3, Freeze-SGD) for a few steps on the same batch
//! on the CPU (burn-flex) and on the GPU (burn-cuda), checks that losses and weights agree, and
//! times a GPU training step. Dropout is off and the reset is posCon so both runs are
//! deterministic (no backend random numbers). Writes a JSON summary; exits 1 on disagreement.
//!
//! `cargo build --release -p polarity-reproduce-images --features cuda --example gpu_check`

use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{ElementConversion, Int, Tensor, TensorData};
use clap::Parser;
use polarity_burn::models::{ImageClassifier, PaperAlexNet, PaperAlexNetConfig};
use polarity_burn::paths::{param_values, set_param_values, NamedTensors, Selection};
use polarity_burn::{kernel_template, FreezeConfig, FreezeOptimizer, KerasAdam};
use polarity_core::{seed, ResetMethod, ResetRule};
use polarity_images::cli::DataLocationArgs;
use polarity_images::{DatasetKind, Preprocess};
use std::time::Instant;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    location: DataLocationArgs,
    /// Images in the batch.
    #[arg(long, default_value_t = 128)]
    batch: usize,
    /// Training steps compared between CPU and GPU.
    #[arg(long, default_value_t = 3)]
    steps: usize,
    /// Timed GPU steps (after one warm-up step).
    #[arg(long, default_value_t = 10)]
    timed_steps: usize,
    /// Relative tolerance on the losses.
    #[arg(long, default_value_t = 1e-2)]
    loss_rtol: f64,
    /// Skip the CPU run (timing only).
    #[arg(long)]
    no_cpu: bool,
    /// JSON summary file.
    #[arg(long, default_value = "gpu-check.json")]
    out: std::path::PathBuf,
}

struct Trace {
    losses: Vec<f64>,
    weights: NamedTensors,
    step_seconds: Vec<f64>,
}

fn train<B: AutodiffBackend>(
    cfg: &PaperAlexNetConfig,
    init: &NamedTensors,
    batch: &(Vec<f32>, [usize; 4], Vec<i64>),
    steps: usize,
    device: &B::Device,
) -> anyhow::Result<Trace> {
    let mut model: PaperAlexNet<B> = set_param_values(cfg.init_zeros(device)?, init, device)?;
    let template = kernel_template::<B, _>(&model, "gpu-check init");
    let rule = ResetRule::new(ResetMethod::PosCon, 1e-3);
    let mut optim = FreezeOptimizer::new(
        KerasAdam::default().init::<B, PaperAlexNet<B>>(),
        &model,
        &template,
        FreezeConfig::new(rule),
        device,
    )?;
    let loss_fn = burn::nn::loss::CrossEntropyLossConfig::new().init(device);
    let n = batch.2.len();
    let x = Tensor::<B, 4>::from_data(TensorData::new(batch.0.clone(), batch.1), device);
    let y = Tensor::<B, 1, Int>::from_data(TensorData::new(batch.2.clone(), [n]), device);
    let mut losses = Vec::new();
    let mut step_seconds = Vec::new();
    for _ in 0..steps {
        let t0 = Instant::now();
        let loss = loss_fn.forward(model.forward(x.clone()), y.clone());
        let value: f32 = loss.clone().into_scalar().elem();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(1e-3, model, grads);
        B::sync(device)?;
        step_seconds.push(t0.elapsed().as_secs_f64());
        losses.push(f64::from(value));
    }
    let mut weights = NamedTensors::default();
    for (s, v) in param_values::<B, _>(&model, Selection::All) {
        weights.insert(s.name, s.shape, v);
    }
    Ok(Trace {
        losses,
        weights,
        step_seconds,
    })
}

#[cfg(feature = "cuda")]
fn gpu(
    cfg: &PaperAlexNetConfig,
    init: &NamedTensors,
    batch: &(Vec<f32>, [usize; 4], Vec<i64>),
    steps: usize,
) -> anyhow::Result<Trace> {
    type B = burn::backend::Autodiff<burn::backend::Cuda>;
    train::<B>(cfg, init, batch, steps, &Default::default())
}

#[cfg(not(feature = "cuda"))]
fn gpu(
    _: &PaperAlexNetConfig,
    _: &NamedTensors,
    _: &(Vec<f32>, [usize; 4], Vec<i64>),
    _: usize,
) -> anyhow::Result<Trace> {
    anyhow::bail!("built without CUDA: rebuild with --features cuda")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let data = a.location.load(DatasetKind::FashionMnist)?;
    let pre = Preprocess::paper(DatasetKind::FashionMnist);
    let set = data.train.first_n(a.batch)?;
    let b = pre.batch(&set, &(0..a.batch).collect::<Vec<_>>())?;
    let batch = (b.images, b.shape, b.labels);
    let cfg = PaperAlexNetConfig {
        dropout: 0.0,
        ..PaperAlexNetConfig::default()
    };
    let init = cfg.initial_values(&mut seed::rng(0, &[seed::label("gpu-check")]))?;

    let g = gpu(&cfg, &init, &batch, a.steps)?;
    let timing = gpu(&cfg, &init, &batch, a.timed_steps + 1)?;
    let gpu_step = median(timing.step_seconds[1..].to_vec());
    let mut summary = serde_json::json!({
        "batch": a.batch, "steps": a.steps, "gpu_losses": g.losses,
        "gpu_step_seconds_median": gpu_step, "gpu_step_seconds": timing.step_seconds,
    });
    let mut ok = true;
    if !a.no_cpu {
        type B = burn::backend::Autodiff<burn::backend::Flex>;
        let c = train::<B>(&cfg, &init, &batch, a.steps, &Default::default())?;
        let loss_rel: Vec<f64> = c
            .losses
            .iter()
            .zip(&g.losses)
            .map(|(x, y)| (x - y).abs() / x.abs().max(1e-12))
            .collect();
        // Weights: Adam normalises each update, so an entry whose gradient is near zero can move
        // by up to lr per step on one device and not the other; compare the bulk.
        let mut diffs: Vec<f64> = Vec::new();
        for (name, (_, cv)) in &c.weights.0 {
            let (_, gv) = g
                .weights
                .get(name)
                .ok_or_else(|| anyhow::anyhow!("GPU run lacks {name}"))?;
            diffs.extend(cv.iter().zip(gv).map(|(x, y)| f64::from((x - y).abs())));
        }
        diffs.sort_by(f64::total_cmp);
        let q = |f: f64| diffs[((diffs.len() - 1) as f64 * f) as usize];
        let (median_diff, p999) = (q(0.5), q(0.999));
        let lr_steps = 1e-3 * a.steps as f64;
        ok = loss_rel.iter().all(|r| *r <= a.loss_rtol)
            && median_diff <= 1e-5
            && p999 <= 2.0 * lr_steps;
        summary["cpu_losses"] = serde_json::json!(c.losses);
        summary["loss_relative_differences"] = serde_json::json!(loss_rel);
        summary["weight_abs_diff_median"] = serde_json::json!(median_diff);
        summary["weight_abs_diff_p99_9"] = serde_json::json!(p999);
        summary["cpu_step_seconds_median"] = serde_json::json!(median(c.step_seconds));
        summary["tolerance"] = serde_json::json!(format!(
            "loss rel <= {}, median |dw| <= 1e-5, 99.9th percentile |dw| <= {}",
            a.loss_rtol,
            2.0 * lr_steps
        ));
    }
    summary["agree"] = serde_json::json!(ok);
    let text = serde_json::to_string_pretty(&summary)?;
    std::fs::write(&a.out, &text)?;
    println!("{text}");
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
