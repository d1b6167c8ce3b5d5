//! `polarity reproduce ...`: one command per part of the paper.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ReproduceCommand {
    /// The XOR half of the paper (Fig 1, Fig 4, Supp B.1, flips) with figures, claims and a report.
    Xor(XorArgs),
    /// The image half (Fig 2, 3, Supp B.2-B.6) on Fashion-MNIST or CIFAR-10, presets paper|cpu|smoke.
    Images(Box<super::reproduce_images::ImagesArgs>),
    /// Polarity transfer without ImageNet: pretrain on Fashion-MNIST classes 0-4, transfer to 5-9 (and back).
    Transfer(Box<super::reproduce_transfer::TransferArgs>),
}

pub fn run(cmd: ReproduceCommand) -> anyhow::Result<()> {
    match cmd {
        ReproduceCommand::Xor(a) => run_xor(a),
        ReproduceCommand::Images(a) => super::reproduce_images::run_images(*a),
        ReproduceCommand::Transfer(a) => super::reproduce_transfer::run_transfer(*a),
    }
}

#[derive(Args)]
pub struct XorArgs {
    /// Output directory (runs/, figures/, report.md, report.html, claims.csv).
    #[arg(long, default_value = "results/xor")]
    pub out: PathBuf,
    /// Fewer trials, sizes and hidden sizes: a check in under a minute, not the paper's grid.
    #[arg(long)]
    pub quick: bool,
    /// Continue an interrupted reproduction in --out (finished units are kept).
    #[arg(long)]
    pub resume: bool,
    /// Worker threads (default: one per core); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Experiment seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Train every grid on given data instead of drawing it: a folder of the official code's
    /// num_dim=D%sample_size=N.pkl files, or a CSV `set,x1..xD,label` (set: train|val).
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// Judge the claims on K independent data draws (not with --data), draw 0 (the main data) included; 1 = main draw only [default: 3 with --quick, else 20].
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    pub data_draws: Option<u64>,
    /// Repeat every grid on each data draw, not only the official Fig-1 grid.
    #[arg(long)]
    pub full_draws: bool,
    /// Format of each grid's per-epoch table: parquet (runs/*/results.parquet) or csv.
    #[arg(long, value_name = "parquet|csv", default_value = "parquet")]
    pub format: polarity_sweep::TableFormat,
}

/// `polarity reproduce xor`.
pub fn run_xor(a: XorArgs) -> anyhow::Result<()> {
    let data_draws = match (&a.data, a.data_draws) {
        // Given data is one draw: the claims are judged on it alone.
        (Some(_), None) => 1,
        (Some(path), Some(k)) if k > 1 => anyhow::bail!(
            "--data-draws {k}: data draws need drawn data, but --data {} gives the data",
            path.display()
        ),
        // Beyond usize the plan check below refuses it anyway.
        (_, Some(k)) => usize::try_from(k).unwrap_or(usize::MAX),
        (None, None) => polarity_reproduce::xor::plan::default_data_draws(a.quick),
    };
    super::reproduce_plan::xor(a.quick, a.seed, a.threads, data_draws, a.full_draws)?;
    let report = polarity_reproduce::xor::XorReproduction {
        out: a.out,
        quick: a.quick,
        resume: a.resume,
        threads: a.threads,
        seed: a.seed,
        data_draws,
        full_draws: a.full_draws,
        format: a.format,
        data: a.data.map_or_else(
            polarity_xor::DataSource::default,
            polarity_xor::DataSource::files,
        ),
    }
    .run(&TerminalObserver::default())?;
    eprintln!("report: {} (and report.html beside it)", report.display());
    Ok(())
}

/// Prints a reproduction's steps and draws its sweeps' progress (the library prints nothing).
pub struct TerminalObserver {
    sweep: std::sync::Arc<dyn polarity_sweep::Progress>,
}

impl Default for TerminalObserver {
    fn default() -> Self {
        Self {
            sweep: crate::progress::terminal(),
        }
    }
}

impl polarity_reproduce::Observer for TerminalObserver {
    fn stage(&self, text: &str) {
        eprintln!("== {text}");
    }
    fn sweep(&self) -> Option<std::sync::Arc<dyn polarity_sweep::Progress>> {
        Some(self.sweep.clone())
    }
}
