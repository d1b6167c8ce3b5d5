//! Shards: which slice of the grid this process runs.
//!
//! Shard `i/N` (1-based, like cargo-nextest) owns the units whose 0-based canonical index `k` has
//! `k % N == i - 1`. Round-robin rather than contiguous blocks because grids are usually ordered by
//! size, so contiguous blocks would give the last shard all the expensive units.

use crate::error::ShardError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// `return Err(ShardError(format!(...)))`.
macro_rules! bail {
    ($($message:tt)*) => {
        return Err(ShardError(format!($($message)*)))
    };
}

/// Prefixes `context` to an error's message, keeping one flat message.
fn context<E: fmt::Display>(context: impl FnOnce() -> String) -> impl FnOnce(E) -> ShardError {
    move |e| ShardError(format!("{}: {e}", context()))
}

/// Shard `index` of `count`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn new(index: usize, count: usize) -> Result<Shard, ShardError> {
        if count == 0 {
            bail!("shard count must be at least 1, got 0");
        }
        if index == 0 || index > count {
            bail!("shard index must be in 1..={count} (1-based), got {index}");
        }
        Ok(Shard { index, count })
    }

    /// Whether the unit at 0-based canonical position `position` belongs to this shard.
    pub fn owns(&self, position: usize) -> bool {
        position % self.count == self.index - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let Some((i, n)) = text.split_once('/') else {
            bail!("shard {text:?}: expected I/N, e.g. 2/8");
        };
        let index = i.trim().parse().map_err(context(|| {
            format!("shard {text:?}: index {i:?} is not a number")
        }))?;
        let count = n.trim().parse().map_err(context(|| {
            format!("shard {text:?}: count {n:?} is not a number")
        }))?;
        Shard::new(index, count).map_err(context(|| format!("shard {text:?}")))
    }
}

fn env_number(env: &HashMap<String, String>, name: &str) -> Result<Option<usize>, ShardError> {
    match env.get(name) {
        None => Ok(None),
        Some(raw) => raw.trim().parse().map(Some).map_err(context(|| {
            format!("environment variable {name}={raw:?} is not a non-negative integer")
        })),
    }
}

/// Resolves the shard from the explicit flags and the environment, in this order:
/// 1. `--shard I/N` (a `--shards` that disagrees with N is an error);
/// 2. Slurm job arrays: `SLURM_ARRAY_TASK_ID`, normalised with `SLURM_ARRAY_TASK_MIN`, count from
///    `SLURM_ARRAY_TASK_COUNT` (or `--shards`);
/// 3. Kubernetes indexed jobs: `JOB_COMPLETION_INDEX` (0-based) with `--shards N`;
/// 4. otherwise no shard (the whole grid); `--shards` alone is an error.
///
/// `env` is passed in (not read here) so that this is testable; use [`process_env`].
pub fn resolve_shard(
    shard: Option<Shard>,
    shards: Option<usize>,
    env: &HashMap<String, String>,
) -> Result<Option<Shard>, ShardError> {
    if shards == Some(0) {
        bail!("--shards must be at least 1");
    }
    if let Some(shard) = shard {
        if let Some(n) = shards.filter(|&n| n != shard.count) {
            bail!("--shard {shard} and --shards {n} disagree on the number of shards");
        }
        return Ok(Some(shard));
    }
    if let Some(id) = env_number(env, "SLURM_ARRAY_TASK_ID")? {
        return slurm_shard(id, shards, env).map(Some);
    }
    if let Some(index) = env_number(env, "JOB_COMPLETION_INDEX")? {
        let Some(count) = shards else {
            bail!("JOB_COMPLETION_INDEX={index} is set but the number of shards is not: pass --shards N (the job's completions)");
        };
        return Shard::new(index + 1, count)
            .map_err(context(|| {
                format!("JOB_COMPLETION_INDEX={index} (0-based) with --shards {count}")
            }))
            .map(Some);
    }
    if let Some(n) = shards {
        bail!("--shards {n} needs a shard index: pass --shard I/{n}, or run as a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes indexed job (JOB_COMPLETION_INDEX)");
    }
    Ok(None)
}

fn slurm_shard(
    id: usize,
    shards: Option<usize>,
    env: &HashMap<String, String>,
) -> Result<Shard, ShardError> {
    let env_count = env_number(env, "SLURM_ARRAY_TASK_COUNT")?;
    let count = match (env_count, shards) {
        (Some(e), Some(s)) if e != s => {
            bail!("SLURM_ARRAY_TASK_COUNT={e} but --shards {s}: they must agree (or drop --shards)")
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => {
            bail!("SLURM_ARRAY_TASK_ID={id} is set but SLURM_ARRAY_TASK_COUNT is not: pass --shards N")
        }
    };
    let min = match env_number(env, "SLURM_ARRAY_TASK_MIN")? {
        Some(min) => min,
        // Without MIN, id 0 could mean a 0-based array, where every later id would be off by one.
        None if id == 0 => bail!(
            "SLURM_ARRAY_TASK_ID=0 but SLURM_ARRAY_TASK_MIN is not set, so it is unclear whether the array \
             starts at 0 or 1; use --array=1-N or pass --shard I/N"
        ),
        None => 1,
    };
    if let Some(max) = env_number(env, "SLURM_ARRAY_TASK_MAX")? {
        if max < min || max - min + 1 != count {
            bail!(
                "Slurm array {min}-{max} has {count} tasks (SLURM_ARRAY_TASK_COUNT), not {}: stepped or \
                 sparse arrays are not supported, use a contiguous --array=1-N",
                max.saturating_sub(min) + 1
            );
        }
    }
    if id < min {
        bail!("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}");
    }
    Shard::new(id - min + 1, count).map_err(context(|| {
        format!("SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_MIN={min}, {count} tasks")
    }))
}

/// The variables [`resolve_shard`] looks at, read from the real process environment.
pub fn process_env() -> HashMap<String, String> {
    const NAMES: [&str; 5] = [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_MAX",
        "JOB_COMPLETION_INDEX",
    ];
    NAMES
        .iter()
        .filter_map(|&name| std::env::var(name).ok().map(|v| (name.to_string(), v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn err(shard: Option<Shard>, shards: Option<usize>, pairs: &[(&str, &str)]) -> String {
        format!(
            "{:#}",
            resolve_shard(shard, shards, &env(pairs)).unwrap_err()
        )
    }

    #[test]
    fn parse_and_ownership_partition_the_grid() {
        assert_eq!(
            "2/5".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 5 }
        );
        for bad in ["0/3", "4/3", "1/0", "3", "a/3", "1/b"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad} accepted");
        }
        // Every position belongs to exactly one of the N shards.
        for count in 1..6 {
            for position in 0..40 {
                let owners = (1..=count)
                    .filter(|&i| Shard::new(i, count).unwrap().owns(position))
                    .count();
                assert_eq!(owners, 1, "position {position} of {count} shards");
            }
        }
    }

    #[test]
    fn explicit_shard_wins_over_environment() {
        let e = [
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        let s = Shard::new(1, 2).unwrap();
        assert_eq!(resolve_shard(Some(s), None, &env(&e)).unwrap(), Some(s));
        assert_eq!(resolve_shard(Some(s), Some(2), &env(&[])).unwrap(), Some(s));
        assert!(err(Some(s), Some(3), &[]).contains("disagree"));
    }

    #[test]
    fn slurm_one_and_zero_based_arrays() {
        let one = [
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ];
        assert_eq!(
            resolve_shard(None, None, &env(&one)).unwrap(),
            Some(Shard::new(1, 4).unwrap())
        );
        let zero = [
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
        ];
        assert_eq!(
            resolve_shard(None, None, &env(&zero)).unwrap(),
            Some(Shard::new(4, 4).unwrap())
        );
        // Without MIN a non-zero id is taken as 1-based; id 0 is ambiguous and refused.
        let no_min = [
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(
            resolve_shard(None, None, &env(&no_min)).unwrap(),
            Some(Shard::new(4, 4).unwrap())
        );
        assert!(err(
            None,
            None,
            &[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "4")
            ]
        )
        .contains("MIN"));
        // The count may come from --shards, but must agree with Slurm's when both exist.
        let no_count = [("SLURM_ARRAY_TASK_ID", "2")];
        assert_eq!(
            resolve_shard(None, Some(3), &env(&no_count)).unwrap(),
            Some(Shard::new(2, 3).unwrap())
        );
        assert!(err(None, None, &no_count).contains("SLURM_ARRAY_TASK_COUNT"));
        assert!(err(None, Some(5), &one).contains("--shards 5"));
    }

    #[test]
    fn slurm_stepped_arrays_and_out_of_range_ids_are_refused() {
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "5"),
        ];
        assert!(err(None, None, &stepped).contains("stepped"));
        let beyond = [
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ];
        assert!(err(None, None, &beyond).contains("1..=4"));
        let garbage = [
            ("SLURM_ARRAY_TASK_ID", "x"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert!(err(None, None, &garbage).contains("SLURM_ARRAY_TASK_ID=\"x\""));
    }

    #[test]
    fn kubernetes_index_is_zero_based_and_needs_a_count() {
        let k8s = [("JOB_COMPLETION_INDEX", "0")];
        assert_eq!(
            resolve_shard(None, Some(3), &env(&k8s)).unwrap(),
            Some(Shard::new(1, 3).unwrap())
        );
        assert!(err(None, None, &k8s).contains("--shards"));
        assert!(err(None, Some(3), &[("JOB_COMPLETION_INDEX", "3")]).contains("1..=3"));
    }

    #[test]
    fn no_source_means_whole_grid_and_lone_shards_is_an_error() {
        assert_eq!(resolve_shard(None, None, &env(&[])).unwrap(), None);
        assert!(err(None, Some(4), &[]).contains("needs a shard index"));
        assert!(err(None, Some(0), &[]).contains("at least 1"));
    }
}
