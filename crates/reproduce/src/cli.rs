//! `polarity reproduce ...`

use clap::Args;
use std::path::PathBuf;

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
}

/// `polarity reproduce xor`.
pub fn run_xor(a: XorArgs) -> anyhow::Result<()> {
    let report = crate::xor::XorReproduction {
        out: a.out,
        quick: a.quick,
        resume: a.resume,
        threads: a.threads,
        seed: a.seed,
    }
    .run()?;
    eprintln!("report: {} (and report.html beside it)", report.display());
    Ok(())
}
