//! `polarity reproduce transfer`: clap arguments and the `run` function the binary wires in.

use super::reproduce::TerminalObserver;
use super::reproduce_images::{command_line, CommonArgs};
use crate::backend::{run_on, OnBackend};
use burn::tensor::backend::AutodiffBackend;
use clap::builder::TypedValueParser;
use clap::{Args, ValueEnum};
use polarity_images::mnist::MnistSubset;
use polarity_images::{Dataset, DatasetKind};
use polarity_reproduce::transfer::{self, Arch, Arm, Directions, TransferStudy};
use std::path::{Path, PathBuf};

/// `--preset` of `reproduce transfer` (the library's `transfer::Preset`).
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum TransferPreset {
    /// CI check: 2 sources, 2 sizes, 2 trials, every arm, 12 steps (< 2 min).
    Smoke,
    /// This machine within 30 minutes: every arm, forward and to MNIST, 2/10/50 per class, 5 trials, 240 steps.
    Cpu,
    /// Every arm, six sizes, 20 trials, 1200 steps (GPU or a long CPU run).
    #[value(alias = "paper")]
    Full,
}

impl From<TransferPreset> for transfer::Preset {
    fn from(p: TransferPreset) -> Self {
        match p {
            TransferPreset::Smoke => Self::Smoke,
            TransferPreset::Cpu => Self::Cpu,
            TransferPreset::Full => Self::Full,
        }
    }
}

/// `--arch` of `reproduce transfer`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum ArchArg {
    /// LeNet-style CNN at 28x28, 6-16 conv channels, 120-84 fc (CPU).
    SmallCnn,
    /// The same CNN with 32-64 conv channels and 256-128 fc (about 10x the compute).
    WideCnn,
    /// The paper's AlexNet at 227x227, grey replicated to RGB (needs a GPU).
    Alexnet,
}

impl From<ArchArg> for Arch {
    fn from(a: ArchArg) -> Self {
        match a {
            ArchArg::SmallCnn => Self::SmallCnn,
            ArchArg::WideCnn => Self::WideCnn,
            ArchArg::Alexnet => Self::Alexnet,
        }
    }
}

/// `--direction` of `reproduce transfer`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum DirectionArg {
    /// Fashion-MNIST classes 0-4 -> classes 5-9.
    Forward,
    /// Fashion-MNIST classes 5-9 -> classes 0-4.
    Reverse,
    /// Forward and reverse.
    Both,
    /// Fashion-MNIST (10 classes) -> MNIST digits (needs `polarity data fetch-mnist-subset`).
    ToMnist,
    /// Forward and to-mnist (the cpu preset's default).
    ForwardAndMnist,
    /// Forward, reverse and to-mnist (the full preset's default).
    All,
}

impl From<DirectionArg> for Directions {
    fn from(d: DirectionArg) -> Self {
        match d {
            DirectionArg::Forward => Self::Forward,
            DirectionArg::Reverse => Self::Reverse,
            DirectionArg::Both => Self::Both,
            DirectionArg::ToMnist => Self::ToMnist,
            DirectionArg::ForwardAndMnist => Self::ForwardAndMnist,
            DirectionArg::All => Self::All,
        }
    }
}

/// Options of `polarity reproduce transfer`.
#[derive(Args, Debug, Clone)]
pub struct TransferArgs {
    /// Output directory (source/, runs/, figures/, report.md, report.html, claims.csv).
    #[arg(long, default_value = "results/transfer")]
    pub out: PathBuf,
    /// Grid size: smoke (CI, < 2 min), cpu (this machine, <= 30 min) or full (every arm, 20 trials).
    #[arg(long, value_enum, default_value = "cpu")]
    pub preset: TransferPreset,
    /// Network: small-cnn (CPU), wide-cnn (32-64 conv, 256-128 fc) or alexnet (227x227; use with --device cuda).
    #[arg(long, value_enum, default_value = "small-cnn")]
    pub arch: ArchArg,
    /// Transfer directions; default by preset: smoke forward, cpu forward-and-mnist, full all.
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// Folder holding the MNIST subset (mnist_5k.csv.gz) for the direction to MNIST; default:
    /// $POLARITY_DATA/mnist-subset, then the user cache's mnist-subset.
    #[arg(long, value_name = "DIR")]
    pub mnist_dir: Option<PathBuf>,
    /// Override the preset's target training sizes: images per class (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub sizes: Option<Vec<usize>>,
    /// Override the preset's number of trials per size.
    #[arg(long)]
    pub trials: Option<usize>,
    /// Override the preset's Adam steps per target network (a multiple of the preset's rounds).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Override the preset's arms (comma-separated, e.g. frozen-polarity,fine-tuning,frozen-rand).
    #[arg(long, value_delimiter = ',', value_parser = arm_parser())]
    pub arms: Option<Vec<Arm>>,
    /// Test accuracy threshold of "steps to threshold" (default 0.8; smoke 0.6).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Non-inferiority margin of the test error, in percentage points (default 1).
    #[arg(long)]
    pub error_margin: Option<f64>,
    /// Non-inferiority margin of the steps to threshold, as a ratio (default 1.10).
    #[arg(long)]
    pub steps_margin: Option<f64>,
    #[command(flatten)]
    pub common: CommonArgs,
}

fn arm_parser() -> impl TypedValueParser<Value = Arm> {
    clap::builder::PossibleValuesParser::new(Arm::ALL.map(Arm::name))
        .map(|s| s.parse::<Arm>().expect("a possible value names an arm"))
}

impl TransferArgs {
    /// The study these arguments describe.
    pub fn study(&self) -> anyhow::Result<TransferStudy> {
        let preset = transfer::Preset::from(self.preset);
        let mut scale = preset.scale();
        if let Some(s) = &self.sizes {
            scale.per_class.clone_from(s);
        }
        if let Some(t) = self.trials {
            scale.trials = t;
        }
        if let Some(s) = self.steps {
            scale.budget.steps = s;
        }
        if let Some(a) = &self.arms {
            scale.arms.clone_from(a);
        }
        if let Some(t) = self.threshold {
            scale.threshold = t;
        }
        if let Some(m) = self.error_margin {
            scale.margins.error_points = m;
        }
        if let Some(m) = self.steps_margin {
            scale.margins.steps_ratio = m;
        }
        scale
            .check()
            .map_err(|e| anyhow::anyhow!("{e} (from the preset and the options given)"))?;
        Ok(TransferStudy {
            out: self.out.clone(),
            preset,
            scale,
            arch: self.arch.into(),
            directions: self
                .direction
                .map_or_else(|| preset.directions(), Directions::from),
            seed: self.common.seed,
            resume: self.common.resume,
            shard: self.common.shard()?,
            command: command_line(),
        })
    }
}

struct Run<'a> {
    study: &'a TransferStudy,
    data: &'a Dataset,
    mnist: Option<&'a MnistSubset>,
}

impl OnBackend for Run<'_> {
    type Output = PathBuf;
    fn run<B: AutodiffBackend>(self, device: &B::Device) -> anyhow::Result<PathBuf> {
        Ok(self
            .study
            .run::<B>(self.data, self.mnist, device, &TerminalObserver::default())?)
    }
}

/// `polarity reproduce transfer`.
pub fn run_transfer(args: TransferArgs) -> anyhow::Result<()> {
    crate::allocator::tune_for_training();
    let study = args.study()?;
    super::reproduce_plan::transfer(&study, args.common.device)?;
    let data = args.common.location.load(DatasetKind::FashionMnist)?;
    let mnist = if study.directions.need_mnist() {
        Some(load_mnist(args.mnist_dir.as_deref())?)
    } else {
        None
    };
    let report = run_on(
        args.common.device,
        Run {
            study: &study,
            data: &data,
            mnist: mnist.as_ref(),
        },
    )?;
    eprintln!("report: {} (and report.html beside it)", report.display());
    Ok(())
}

/// The MNIST subset from `dir`, else `$POLARITY_DATA/mnist-subset`, else the user cache's.
fn load_mnist(dir: Option<&Path>) -> anyhow::Result<MnistSubset> {
    use polarity_images::locate::{process_env, user_cache_dir};
    use polarity_images::mnist;
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => {
            let env = process_env();
            let candidates: Vec<PathBuf> = env
                .get("POLARITY_DATA")
                .map(PathBuf::from)
                .into_iter()
                .chain(user_cache_dir(&env))
                .map(|root| root.join(mnist::FOLDER))
                .collect();
            match candidates.iter().find(|c| c.join(mnist::FILE).exists()) {
                Some(c) => c.clone(),
                None => anyhow::bail!(
                    "the direction to MNIST needs the MNIST subset, found in none of {}; {} (or pass --mnist-dir, or choose --direction forward)",
                    candidates
                        .iter()
                        .map(|c| c.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    mnist::how_to_get(None)
                ),
            }
        }
    };
    Ok(mnist::load(&dir, polarity_images::Validation::Canonical)?)
}
