//! `SweepArgs`: the options every sweeping command flattens (`--out`, `--resume`, `--shard`,
//! `--shards`, `--threads`), mapped onto the sweep runner's typed `RunOptions`.

use clap::Args;
use polarity_sweep::{process_env, resolve_shard, RunOptions, Shard};
use std::path::PathBuf;

/// Options every sweeping command shares.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// Output directory: config, journal and the table are written here (a finished whole-grid
    /// run then keeps the table and complete.json, not the journal).
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
    /// Keep the journal once the run is complete (by default a finished whole-grid run deletes it:
    /// its table and complete.json hold the same rows; shard runs always keep theirs for merge).
    #[arg(long)]
    pub keep_journal: bool,
}

impl SweepArgs {
    /// Resolves the shard (flags, then Slurm/Kubernetes variables of this process) into run
    /// options that show progress on the terminal.
    pub fn options(&self) -> anyhow::Result<RunOptions> {
        if self.threads == Some(0) {
            anyhow::bail!("--threads must be at least 1");
        }
        Ok(RunOptions {
            out: self.out.clone(),
            resume: self.resume,
            shard: resolve_shard(self.shard, self.shards, &process_env())?,
            threads: self.threads,
            progress: Some(crate::progress::terminal()),
            keep_journal: self.keep_journal,
            one_unit_at_a_time: false,
        })
    }
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
}
