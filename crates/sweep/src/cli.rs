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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Parser)]
    struct Experiment {
        #[command(flatten)]
        sweep: SweepArgs,
    }

    #[derive(Parser)]
    struct Merge {
        #[command(flatten)]
        merge: MergeArgs,
    }

    #[test]
    fn sweep_args_parse_and_flatten() {
        Experiment::command().debug_assert();
        let args = Experiment::try_parse_from([
            "x",
            "--out",
            "d",
            "--shard",
            "2/4",
            "--threads",
            "3",
            "--resume",
        ])
        .unwrap()
        .sweep;
        assert_eq!(args.out, PathBuf::from("d"));
        assert_eq!(args.shard, Some(Shard::new(2, 4).unwrap()));
        assert_eq!(
            (args.threads, args.resume, args.shards),
            (Some(3), true, None)
        );
        let bad = Experiment::try_parse_from(["x", "--out", "d", "--shard", "5/4"])
            .err()
            .unwrap()
            .to_string();
        assert!(bad.contains("1..=4"), "{bad}");
        assert!(
            Experiment::try_parse_from(["x"]).is_err(),
            "--out is required"
        );
    }

    #[test]
    fn merge_args_need_at_least_one_shard_dir() {
        Merge::command().debug_assert();
        let args = Merge::try_parse_from(["m", "--out", "o", "a", "b"])
            .unwrap()
            .merge;
        assert_eq!(
            args.shard_dirs,
            vec![PathBuf::from("a"), PathBuf::from("b")]
        );
        assert!(Merge::try_parse_from(["m", "--out", "o"]).is_err());
    }
}
