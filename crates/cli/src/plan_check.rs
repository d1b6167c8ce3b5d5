//! The one place where a command's plan meets this machine's memory limit before any work
//! (docs/decisions.md D-PLAN-1): refused plans are errors naming the option, the value, the
//! estimate and the limit; long plans print their estimate; `--dry-run` prints it and stops.

use polarity_core::{MemoryLimit, Plan, Speed};

/// Checks `plan` against the detected limit. Returns whether the command should go on (false
/// after a dry run, which prints the estimate and stops).
pub fn check(plan: &Plan, speed: Speed, dry_run: bool) -> anyhow::Result<bool> {
    let limit = MemoryLimit::detect()?;
    plan.check(&limit)?;
    if dry_run || plan.is_long(speed) {
        eprintln!("{}", plan.summary(speed, &limit));
    }
    if dry_run {
        eprintln!("dry run: the plan fits; nothing was run or written");
    }
    Ok(!dry_run)
}

/// For plans without training work (merge): never long.
pub const NO_WORK: Speed = Speed {
    gflop_per_s: 1.0,
    source: "no training",
};

/// Threads a sweep will use: the flag, else one per core.
pub fn threads(flag: Option<usize>) -> usize {
    flag.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}
