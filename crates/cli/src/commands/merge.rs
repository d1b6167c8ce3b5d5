//! `polarity merge`: combine the output directories of a sharded sweep into one table.

use clap::Args;
use std::path::PathBuf;

/// `polarity merge`: combine shard output directories into one table.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Directory to write the merged config, table and complete.json into (must not hold a sweep).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Shard output directories (each written by a sweep run with --shard or a job array).
    #[arg(value_name = "SHARD_DIR", required = true)]
    pub shard_dirs: Vec<PathBuf>,
}

pub fn run(args: MergeArgs) -> anyhow::Result<()> {
    let plan = polarity_sweep::plan::merge_plan(&args.shard_dirs);
    crate::plan_check::check(&plan, crate::plan_check::NO_WORK, false)?;
    let outcome = polarity_sweep::merge(&args.out, &args.shard_dirs)?;
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
    struct Merge {
        #[command(flatten)]
        merge: MergeArgs,
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
