//! Command-line pieces: `SweepArgs` (flattened into each experiment command) and `polarity merge`.

use crate::{merge, process_env, resolve_shard, RunOptions, Shard};
use clap::Args;
use std::path::PathBuf;

/// Options every sweeping command shares.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// Output directory: config, journal and results.csv are written here.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Continue an interrupted run in --out, skipping finished units (starts afresh if DIR holds no sweep).
    #[arg(long)]
    pub resume: bool,
    /// Run only shard I of N (1-based): the units whose index k has k % N == I-1.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Number of shards when the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "N")]
    pub shards: Option<usize>,
    /// Worker threads (default: one per core); results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

impl SweepArgs {
    /// Resolves the shard (flags, then Slurm/Kubernetes variables of this process) into run options.
    pub fn options(&self) -> anyhow::Result<RunOptions> {
        if self.threads == Some(0) {
            anyhow::bail!("--threads must be at least 1");
        }
        Ok(RunOptions {
            out: self.out.clone(),
            resume: self.resume,
            shard: resolve_shard(self.shard, self.shards, &process_env())?,
            threads: self.threads,
        })
    }
}

/// `polarity merge`: combine shard output directories into one table.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Directory to write the merged config, journal and results.csv into (must not hold a sweep).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Shard output directories (each written by a sweep run with --shard or a job array).
    #[arg(value_name = "SHARD_DIR", required = true)]
    pub shard_dirs: Vec<PathBuf>,
}

pub fn run_merge(args: MergeArgs) -> anyhow::Result<()> {
    let outcome = merge(&args.out, &args.shard_dirs)?;
    eprintln!(
        "merged {} directories: {} units, {} rows -> {}",
        args.shard_dirs.len(),
        outcome.units,
        outcome.rows,
        outcome.results_csv.display()
    );
    Ok(())
}
