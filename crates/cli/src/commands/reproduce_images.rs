//! `polarity reproduce images`: clap arguments and the `run` function the `polarity` binary
//! wires in, and the options every image study shares (`reproduce transfer` uses them too).

use super::data::{dataset_parser, DataLocationArgs};
use super::reproduce::TerminalObserver;
use crate::backend::{run_on, DeviceKind, OnBackend};
use burn::tensor::backend::AutodiffBackend;
use clap::{Args, ValueEnum};
use polarity_images::{Dataset, DatasetKind, InWeightInput};
use polarity_reproduce::images;
use polarity_reproduce::images::claims::ImageMargins;
use polarity_sweep::{process_env, resolve_shard, Shard};
use std::path::PathBuf;

/// `--preset` of `reproduce images` (the library's `images::Preset`).
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum ImagesPreset {
    /// The paper: full AlexNet at 227x227, its sizes, 20 trials, 100 epochs, batch 1000, full test split (GPU).
    Paper,
    /// Scaled down for this CPU: AlexNet widths / 8 at 67x67, 5 sizes, 5 trials, 20 epochs, batch 100.
    Cpu,
    /// CI check: AlexNet widths / 16 at 67x67, 2 sizes, 2 trials, 3 epochs.
    Smoke,
}

impl From<ImagesPreset> for images::Preset {
    fn from(p: ImagesPreset) -> Self {
        match p {
            ImagesPreset::Paper => Self::Paper,
            ImagesPreset::Cpu => Self::Cpu,
            ImagesPreset::Smoke => Self::Smoke,
        }
    }
}

/// Options of `polarity reproduce images`.
#[derive(Args, Debug, Clone)]
pub struct ImagesArgs {
    /// Dataset.
    #[arg(long, value_parser = dataset_parser(), default_value = "fashion-mnist")]
    pub dataset: DatasetKind,
    /// ImageNet AlexNet weights (bvlc_alexnet.npy) for the IN conditions; without it they are skipped.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// Grid size: paper (GPU), cpu (22 min on 2 vCPUs, scaled-down AlexNet) or smoke (CI).
    #[arg(long, value_enum, default_value = "cpu")]
    pub preset: ImagesPreset,
    /// Output directory (runs/, figures/, report.md, report.html, claims.csv).
    #[arg(long, default_value = "results/images")]
    pub out: PathBuf,
    /// Override the preset's training sizes (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub sizes: Option<Vec<usize>>,
    /// Override the preset's number of trials per size.
    #[arg(long)]
    pub trials: Option<usize>,
    /// Override the preset's number of epochs.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// What IN-Weight is fed: dataset (the normalised RGB every condition gets, as the official code) or caffe-bgr (BGR 0-255 minus the ImageNet mean, the weights' own input).
    #[arg(long, value_enum, default_value = "dataset")]
    pub in_weight_input: InWeightInputArg,
    /// Non-inferiority margin of the "not worse" error claims (P1, P6, P7), in percentage points of error, declared before the run.
    #[arg(long, value_name = "POINTS", default_value_t = ImageMargins::default().error_points)]
    pub margin_error: f64,
    /// Non-inferiority margin of the "not worse" epochs claim (P2), as a fraction (0.1 = at most 10 % more epochs).
    #[arg(long, value_name = "FRACTION", default_value_t = ImageMargins::default().epochs_fraction)]
    pub margin_epochs: f64,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `--in-weight-input` of `reproduce images` (the library's `InWeightInput`).
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum InWeightInputArg {
    /// The dataset-normalised RGB input of every condition (the official code).
    Dataset,
    /// Caffe's input: BGR, 0-255, minus the ImageNet mean per channel.
    CaffeBgr,
}

impl From<InWeightInputArg> for InWeightInput {
    fn from(a: InWeightInputArg) -> Self {
        match a {
            InWeightInputArg::Dataset => Self::Dataset,
            InWeightInputArg::CaffeBgr => Self::CaffeBgr,
        }
    }
}

/// Options both studies share.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    #[command(flatten)]
    pub location: DataLocationArgs,
    /// Experiment seed; every random draw derives from it.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Device: flex (CPU) or cuda (NVIDIA GPU; binary built with --features cuda).
    #[arg(long, value_enum, default_value = "flex")]
    pub device: DeviceKind,
    /// Continue an interrupted run in --out (finished units and the source network are kept).
    #[arg(long)]
    pub resume: bool,
    /// Run only shard I of N (1-based) of the sweep; merge shards with `polarity merge`, then rerun with --resume for the report.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Number of shards when the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "N")]
    pub shards: Option<usize>,
}

impl CommonArgs {
    pub(super) fn shard(&self) -> anyhow::Result<Option<Shard>> {
        Ok(resolve_shard(self.shard, self.shards, &process_env())?)
    }
}

/// Applies `--sizes`, `--trials`, `--epochs` to a preset's numbers.
fn override_grid(
    sizes: &mut Vec<usize>,
    trials: &mut usize,
    epochs: &mut usize,
    new_sizes: &Option<Vec<usize>>,
    new_trials: Option<usize>,
    new_epochs: Option<usize>,
) -> anyhow::Result<()> {
    if let Some(s) = new_sizes {
        anyhow::ensure!(
            !s.is_empty() && s.iter().all(|&n| n > 0),
            "--sizes must list positive sizes, got {s:?}"
        );
        sizes.clone_from(s);
    }
    if let Some(t) = new_trials {
        anyhow::ensure!(t > 0, "--trials must be at least 1");
        *trials = t;
    }
    if let Some(e) = new_epochs {
        anyhow::ensure!(e > 0, "--epochs must be at least 1");
        *epochs = e;
    }
    Ok(())
}

pub(super) fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

/// A study run on the backend `--device` picks.
struct Run<'a, S> {
    study: &'a S,
    data: &'a Dataset,
}

impl OnBackend for Run<'_, images::ImagesStudy> {
    type Output = PathBuf;
    fn run<B: AutodiffBackend>(self, device: &B::Device) -> anyhow::Result<PathBuf> {
        Ok(self
            .study
            .run::<B>(self.data, device, &TerminalObserver::default())?)
    }
}

/// `polarity reproduce images`.
pub fn run_images(args: ImagesArgs) -> anyhow::Result<()> {
    crate::allocator::tune_for_training();
    let preset = images::Preset::from(args.preset);
    let mut scale = preset.scale(args.dataset);
    override_grid(
        &mut scale.sizes,
        &mut scale.trials,
        &mut scale.epochs,
        &args.sizes,
        args.trials,
        args.epochs,
    )?;
    let study = images::ImagesStudy {
        out: args.out.clone(),
        dataset: args.dataset,
        preset,
        scale,
        weights: args.weights.clone(),
        in_weight_input: args.in_weight_input.into(),
        margins: ImageMargins {
            error_points: args.margin_error,
            epochs_fraction: args.margin_epochs,
            ..ImageMargins::default()
        },
        seed: args.common.seed,
        resume: args.common.resume,
        shard: args.common.shard()?,
        command: command_line(),
    };
    super::reproduce_plan::images(
        args.dataset,
        &study.scale,
        args.weights.is_some(),
        args.common.device,
    )?;
    let data = args.common.location.load(args.dataset)?;
    let report = run_on(
        args.common.device,
        Run {
            study: &study,
            data: &data,
        },
    )?;
    eprintln!("report: {} (and report.html beside it)", report.display());
    Ok(())
}
