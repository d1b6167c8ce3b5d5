//! `polarity reproduce transfer` and `polarity reproduce images`: clap arguments and `run`
//! functions the `polarity` binary wires in.

use super::data::{dataset_parser, DataLocationArgs};
use crate::backend::{run_on, DeviceKind, OnBackend};
use burn::tensor::backend::AutodiffBackend;
use polarity_images::Dataset;
use polarity_reproduce::transfer::{Arch, Directions, TransferStudy};
use polarity_reproduce::{images, transfer};
use clap::Args;
use polarity_images::DatasetKind;
use polarity_sweep::{process_env, resolve_shard, Shard};
use std::path::PathBuf;

/// Options of `polarity reproduce transfer`.
#[derive(Args, Debug, Clone)]
pub struct TransferArgs {
    /// Output directory (source/, runs/, figures/, report.md, report.html, claims.csv).
    #[arg(long, default_value = "results/transfer")]
    pub out: PathBuf,
    /// Grid size: smoke (CI, < 2 min), cpu (this machine, tens of minutes) or paper (20 trials, 100 epochs, batch 1000).
    #[arg(long, value_enum, default_value = "cpu")]
    pub preset: transfer::Preset,
    /// Network: small-cnn (CPU) or alexnet (the paper's AlexNet at 227x227; use with --device cuda).
    #[arg(long, value_enum, default_value = "small-cnn")]
    pub arch: Arch,
    /// Transfer direction: forward (classes 0-4 -> 5-9), reverse (5-9 -> 0-4) or both (twice the time).
    #[arg(long, value_enum, default_value = "forward")]
    pub direction: Directions,
    /// Override the preset's target training sizes (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub sizes: Option<Vec<usize>>,
    /// Override the preset's number of trials per size.
    #[arg(long)]
    pub trials: Option<usize>,
    /// Override the preset's number of target epochs.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Validation accuracy threshold for "epochs to threshold" and "probability" (default 0.8).
    #[arg(long)]
    pub threshold: Option<f64>,
    #[command(flatten)]
    pub common: CommonArgs,
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
    /// Grid size: paper (GPU), cpu (about an hour here, scaled-down AlexNet) or smoke (CI).
    #[arg(long, value_enum, default_value = "cpu")]
    pub preset: images::Preset,
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
    #[command(flatten)]
    pub common: CommonArgs,
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
    fn shard(&self) -> anyhow::Result<Option<Shard>> {
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

fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

impl TransferArgs {
    /// The study these arguments describe.
    pub fn study(&self) -> anyhow::Result<TransferStudy> {
        let mut scale = self.preset.scale();
        override_grid(
            &mut scale.sizes,
            &mut scale.trials,
            &mut scale.epochs,
            &self.sizes,
            self.trials,
            self.epochs,
        )?;
        if let Some(t) = self.threshold {
            anyhow::ensure!(
                t > 0.0 && t < 1.0,
                "--threshold {t}: expected a validation accuracy in (0, 1)"
            );
            scale.threshold = t;
        }
        Ok(TransferStudy {
            out: self.out.clone(),
            preset: self.preset,
            scale,
            arch: self.arch,
            directions: self.direction,
            seed: self.common.seed,
            resume: self.common.resume,
            shard: self.common.shard()?,
            command: command_line(),
        })
    }
}

/// A study run on the backend `--device` picks.
struct Run<'a, S> {
    study: &'a S,
    data: &'a Dataset,
}

impl OnBackend for Run<'_, TransferStudy> {
    type Output = PathBuf;
    fn run<B: AutodiffBackend>(self, device: &B::Device) -> anyhow::Result<PathBuf> {
        self.study.run::<B>(self.data, device)
    }
}

impl OnBackend for Run<'_, images::ImagesStudy> {
    type Output = PathBuf;
    fn run<B: AutodiffBackend>(self, device: &B::Device) -> anyhow::Result<PathBuf> {
        self.study.run::<B>(self.data, device)
    }
}

/// `polarity reproduce transfer`.
pub fn run_transfer(args: TransferArgs) -> anyhow::Result<()> {
    let study = args.study()?;
    let data = args.common.location.load(DatasetKind::FashionMnist)?;
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

/// `polarity reproduce images`.
pub fn run_images(args: ImagesArgs) -> anyhow::Result<()> {
    let mut scale = args.preset.scale(args.dataset);
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
        preset: args.preset,
        scale,
        weights: args.weights.clone(),
        seed: args.common.seed,
        resume: args.common.resume,
        shard: args.common.shard()?,
        command: command_line(),
    };
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
