//! In-process tests of run, resume, shards and merge against an independently written table.

use polarity_sweep::{merge, run, ConfigFormat, Grid, Progress, RunOptions, Shard, Sweep, Unit};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const HEADER: [&str; 4] = ["unit", "size", "trial", "value"];

fn sweep_with(config: &str) -> Sweep {
    let grid = Grid::new()
        .axis("size", [3, 10, 30])
        .axis("cond", ["frozen", "fluid"])
        .axis("trial", 0..5);
    let header = HEADER.map(String::from).to_vec();
    Sweep::new(
        config.to_string(),
        ConfigFormat::Toml,
        header,
        grid.units().unwrap(),
    )
    .unwrap()
}

fn sweep() -> Sweep {
    sweep_with("seed = 1\n")
}

/// Deterministic rows with awkward fields (comma, quote, newline) and a varying row count (0..=2).
fn rows(unit: &Unit) -> anyhow::Result<Vec<Vec<String>>> {
    let size: usize = unit.parse("size")?;
    let trial: usize = unit.parse("trial")?;
    Ok((0..(size + trial) % 3)
        .map(|r| {
            vec![
                unit.id().to_string(),
                size.to_string(),
                trial.to_string(),
                format!("{r}, \"x\"\n{}", size * trial),
            ]
        })
        .collect())
}

/// The expected table written by hand: RFC 4180 quoting, `\n` line ends, units in grid order.
fn reference_table(sweep: &Sweep, units: &[&Unit]) -> Vec<u8> {
    let quote = |f: &str| {
        if f.contains([',', '"', '\n']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_string()
        }
    };
    let mut text = sweep.header.join(",") + "\n";
    for unit in units {
        for row in rows(unit).unwrap() {
            text += &row.iter().map(|f| quote(f)).collect::<Vec<_>>().join(",");
            text += "\n";
        }
    }
    text.into_bytes()
}

fn options(out: &Path, threads: usize) -> RunOptions {
    RunOptions {
        out: out.to_path_buf(),
        resume: false,
        shard: None,
        threads: Some(threads),
        progress: None,
        keep_journal: false,
        one_unit_at_a_time: false,
    }
}

/// A progress observer that writes down what it was told.
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<String>>,
}

impl Progress for Recorder {
    fn start(&self, shard: Option<Shard>, total: usize, done: usize) {
        assert_eq!(shard, None);
        self.events
            .lock()
            .unwrap()
            .push(format!("start {total} {done}"));
    }
    fn unit_finished(&self, done: usize, total: usize) {
        self.events
            .lock()
            .unwrap()
            .push(format!("unit {done}/{total}"));
    }
    fn finish(&self) {
        self.events.lock().unwrap().push("finish".to_string());
    }
    fn torn_tail_dropped(&self, journal: &Path, bytes: u64) {
        assert!(journal.ends_with("journal"));
        self.events.lock().unwrap().push(format!("torn {bytes}"));
    }
}

fn results(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("results.csv")).unwrap()
}

/// `one_unit_at_a_time`: every unit runs on the calling thread, never two at once, and the
/// work inside a unit sees rayon's global pool (every core), not a one-thread pool; the table is
/// the same as the pool's.
#[test]
fn one_unit_at_a_time_runs_on_the_calling_thread_with_the_global_pool() {
    let sweep = sweep();
    let all: Vec<&Unit> = sweep.units.iter().collect();
    let expected = reference_table(&sweep, &all);
    let tmp = tempfile::tempdir().unwrap();
    let caller = std::thread::current().id();
    let running = AtomicUsize::new(0);
    let inner_threads = Mutex::new(HashSet::new());
    let sequential = RunOptions {
        one_unit_at_a_time: true,
        // ignored when one_unit_at_a_time is set
        ..options(tmp.path(), 1)
    };
    let outcome = run(&sweep, &sequential, |unit| {
        assert_eq!(std::thread::current().id(), caller, "unit {}", unit.id());
        assert_eq!(
            running.fetch_add(1, Ordering::SeqCst),
            0,
            "two units at once"
        );
        inner_threads
            .lock()
            .unwrap()
            .insert(rayon::current_num_threads());
        let r = rows(unit);
        running.fetch_sub(1, Ordering::SeqCst);
        r
    })
    .unwrap();
    assert_eq!(outcome.ran, sweep.units.len());
    assert_eq!(results(tmp.path()), expected);
    let global = rayon::ThreadPoolBuilder::new()
        .build()
        .unwrap()
        .current_num_threads();
    assert_eq!(
        inner_threads.into_inner().unwrap(),
        HashSet::from([global]),
        "a unit sees the global pool's threads"
    );
    // Contrast: a one-thread pool confines a unit's own parallel work to one thread.
    let pooled = tmp.path().join("pooled");
    let seen = Mutex::new(HashSet::new());
    run(&sweep, &options(&pooled, 1), |unit| {
        seen.lock().unwrap().insert(rayon::current_num_threads());
        rows(unit)
    })
    .unwrap();
    assert_eq!(seen.into_inner().unwrap(), HashSet::from([1]));
    assert_eq!(results(&pooled), expected);
}

#[test]
fn table_matches_reference_for_any_thread_count() {
    let sweep = sweep();
    let all: Vec<&Unit> = sweep.units.iter().collect();
    let expected = reference_table(&sweep, &all);
    let tmp = tempfile::tempdir().unwrap();
    for threads in [1, 2, 5] {
        let out = tmp.path().join(format!("t{threads}"));
        let kept = RunOptions {
            keep_journal: true,
            ..options(&out, threads)
        };
        let outcome = run(&sweep, &kept, rows).unwrap();
        assert_eq!(outcome.ran, sweep.units.len());
        assert_eq!(results(&out), expected, "threads={threads}");
        // Frames appended concurrently never interleave: the journal reads back whole.
        let journal = polarity_sweep::journal::read(&out.join("journal")).unwrap();
        assert_eq!(journal.torn_bytes, 0, "threads={threads}");
        let mut ids: Vec<&str> = journal.records.iter().map(|r| r.unit.as_str()).collect();
        ids.sort_unstable();
        let mut all: Vec<&str> = sweep.units.iter().map(|u| u.id()).collect();
        all.sort_unstable();
        assert_eq!(ids, all, "threads={threads}");
        // The saved config and its hash are what the caller supplied.
        assert_eq!(
            std::fs::read_to_string(out.join("config.toml")).unwrap(),
            "seed = 1\n"
        );
        let hash_line = std::fs::read_to_string(out.join("config.sha256")).unwrap();
        assert_eq!(hash_line, format!("{}  config.toml\n", sweep.config_hash()));
    }
}

#[test]
fn resume_skips_finished_units_and_keeps_the_bytes() {
    let sweep = sweep();
    let tmp = tempfile::tempdir().unwrap();
    let reference = tmp.path().join("reference");
    run(&sweep, &options(&reference, 2), rows).unwrap();

    // First attempt fails at one unit: finished units stay journaled, no table is written.
    let out = tmp.path().join("out");
    let failing = |unit: &Unit| {
        if unit.id() == "size=10/cond=fluid/trial=2" {
            anyhow::bail!("simulated failure");
        }
        rows(unit)
    };
    let err = run(&sweep, &options(&out, 1), failing).unwrap_err();
    assert!(
        format!("{err:#}").contains("size=10/cond=fluid/trial=2"),
        "{err:#}"
    );
    assert!(!out.join("results.csv").exists());
    let journaled = polarity_sweep::journal::read(&out.join("journal"))
        .unwrap()
        .records
        .len();
    // One thread runs in grid order: every unit before the failing one (index 17) is journaled.
    assert_eq!(journaled, 17);

    // Simulate a SIGKILL in the middle of the 18th frame's write: a torn tail after 17 good frames.
    let journal_path = out.join("journal");
    let mut bytes = std::fs::read(&journal_path).unwrap();
    let good_len = bytes.len();
    let torn_frame = polarity_sweep::journal::encode(&polarity_sweep::journal::Record {
        unit: "size=10/cond=fluid/trial=2".to_string(),
        rows: vec![],
    })
    .unwrap();
    bytes.extend_from_slice(&torn_frame[..torn_frame.len() - 3]);
    std::fs::write(&journal_path, &bytes).unwrap();
    // A refused run (no --resume) leaves the torn journal untouched.
    assert!(run(&sweep, &options(&out, 1), rows).is_err());
    assert_eq!(std::fs::read(&journal_path).unwrap(), bytes);

    let calls = Mutex::new(Vec::new());
    let counting = |unit: &Unit| {
        calls.lock().unwrap().push(unit.id().to_string());
        rows(unit)
    };
    let observer = Arc::new(Recorder::default());
    let resumed = run(
        &sweep,
        &RunOptions {
            resume: true,
            progress: Some(observer.clone()),
            keep_journal: true,
            ..options(&out, 3)
        },
        counting,
    )
    .unwrap();
    assert_eq!((resumed.skipped, resumed.ran), (17, sweep.units.len() - 17));
    // The observer saw the torn tail, the resumed start, every unit once (counting up to the
    // total), and the end.
    let total = sweep.units.len();
    let mut seen = observer.events.lock().unwrap().clone();
    assert_eq!(
        seen[..2],
        [
            format!("torn {}", torn_frame.len() - 3),
            format!("start {total} 17")
        ]
    );
    assert_eq!(seen.last(), Some(&"finish".to_string()));
    seen.retain(|e| e.starts_with("unit "));
    seen.sort_by_key(|e| e[5..].split('/').next().unwrap().parse::<usize>().unwrap());
    let expected: Vec<String> = (18..=total).map(|d| format!("unit {d}/{total}")).collect();
    assert_eq!(seen, expected);
    let called: HashSet<String> = calls.into_inner().unwrap().into_iter().collect();
    assert_eq!(called.len(), sweep.units.len() - 17);
    assert!(
        !called.contains("size=3/cond=frozen/trial=0"),
        "a finished unit was recomputed"
    );
    assert_eq!(results(&out), results(&reference));
    let journal = polarity_sweep::journal::read(&journal_path).unwrap();
    assert_eq!(
        (journal.records.len(), journal.torn_bytes),
        (sweep.units.len(), 0)
    );
    assert_eq!(
        std::fs::read(&journal_path).unwrap()[..good_len],
        bytes[..good_len]
    );

    // Resuming a finished directory recomputes nothing, leaves the same bytes and, without
    // keep_journal, deletes the journal the table now stands in for.
    let again = run(
        &sweep,
        &RunOptions {
            resume: true,
            ..options(&out, 2)
        },
        |_| -> anyhow::Result<Vec<Vec<String>>> { unreachable!() },
    )
    .unwrap();
    assert_eq!((again.ran, again.skipped), (0, sweep.units.len()));
    assert_eq!(results(&out), results(&reference));
    assert!(!journal_path.exists());
}

#[test]
fn used_directory_and_changed_config_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&sweep(), &options(&out, 2), rows).unwrap();
    let fresh = run(&sweep(), &options(&out, 2), rows)
        .unwrap_err()
        .to_string();
    assert!(fresh.contains("--resume"), "{fresh}");
    let other = sweep_with("seed = 2\n");
    let err = run(
        &other,
        &RunOptions {
            resume: true,
            ..options(&out, 2)
        },
        rows,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(&sweep().config_hash()) && err.contains(&other.config_hash()),
        "{err}"
    );
    let shard = Some(Shard::new(1, 2).unwrap());
    let err = run(
        &sweep(),
        &RunOptions {
            resume: true,
            shard,
            ..options(&out, 2)
        },
        rows,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("shard 1/2") && err.contains("whole grid"),
        "{err}"
    );
}

#[test]
fn wrong_row_width_names_the_unit() {
    let tmp = tempfile::tempdir().unwrap();
    let err = run(&sweep(), &options(tmp.path(), 1), |_| {
        Ok::<_, polarity_sweep::BoxError>(vec![vec!["x".to_string()]])
    })
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("size=3/cond=frozen/trial=0")
            && text.contains("1 fields")
            && text.contains("has 4"),
        "{text}"
    );
}

fn run_shards(sweep: &Sweep, root: &Path, count: usize) -> Vec<PathBuf> {
    (1..=count)
        .map(|index| {
            let dir = root.join(format!("shard{index}"));
            let shard = Some(Shard::new(index, count).unwrap());
            run(
                sweep,
                &RunOptions {
                    shard,
                    ..options(&dir, 2)
                },
                rows,
            )
            .unwrap();
            dir
        })
        .collect()
}

#[test]
fn shards_partition_the_grid_and_merge_to_the_unsharded_bytes() {
    let sweep = sweep();
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    run(&sweep, &options(&whole, 2), rows).unwrap();
    for count in [1, 3, 7] {
        let root = tmp.path().join(format!("n{count}"));
        let dirs = run_shards(&sweep, &root, count);
        // Each shard table holds exactly its round-robin slice, in grid order.
        for (i, dir) in dirs.iter().enumerate() {
            let mine: Vec<&Unit> = sweep.units.iter().skip(i).step_by(count).collect();
            assert_eq!(
                results(dir),
                reference_table(&sweep, &mine),
                "shard {}/{count}",
                i + 1
            );
        }
        let merged = root.join("merged");
        // Order of the directories on the command line does not matter.
        let mut reversed = dirs.clone();
        reversed.reverse();
        merge(&merged, &reversed).unwrap();
        assert_eq!(results(&merged), results(&whole), "{count} shards");
        // The merged directory is a complete sweep: resuming it computes nothing.
        let again = run(
            &sweep,
            &RunOptions {
                resume: true,
                ..options(&merged, 1)
            },
            |_| -> anyhow::Result<Vec<Vec<String>>> { unreachable!() },
        )
        .unwrap();
        assert_eq!(again.ran, 0);
        assert_eq!(results(&merged), results(&whole));
    }
}

#[test]
fn merge_refuses_duplicates_gaps_and_config_mismatch() {
    let sweep = sweep();
    let tmp = tempfile::tempdir().unwrap();
    let dirs = run_shards(&sweep, &tmp.path().join("three"), 3);

    // Gap: shard 2/3 missing; the message names the shard and lists its units.
    let err = merge(&tmp.path().join("m1"), &[dirs[0].clone(), dirs[2].clone()])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("shard 2/3") && err.contains("no directory"),
        "{err}"
    );
    assert!(
        err.contains("size=3/cond=frozen/trial=1") && err.contains("10 units"),
        "{err}"
    );

    // A finished whole-grid directory without its journal is not a shard: refused, saying why.
    let compacted = tmp.path().join("compacted");
    run(&sweep, &options(&compacted, 2), rows).unwrap();
    let err = merge(&tmp.path().join("m0"), &[dirs[0].clone(), compacted])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("compacted") && err.contains("complete.json") && err.contains("shard runs"),
        "{err}"
    );

    // Duplicates: an unsharded directory (journal kept) overlaps every shard.
    let whole = tmp.path().join("whole");
    let kept = RunOptions {
        keep_journal: true,
        ..options(&whole, 2)
    };
    run(&sweep, &kept, rows).unwrap();
    let err = merge(&tmp.path().join("m2"), &[dirs[0].clone(), whole.clone()])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("more than one directory") && err.contains("size=3/cond=frozen/trial=0"),
        "{err}"
    );
    let err = merge(&tmp.path().join("m3"), &[dirs[0].clone(), dirs[0].clone()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("given twice"), "{err}");

    // Config mismatch: both hashes are named.
    let other = sweep_with("seed = 2\n");
    let odd = tmp.path().join("odd");
    run(
        &other,
        &RunOptions {
            shard: Some(Shard::new(2, 3).unwrap()),
            ..options(&odd, 2)
        },
        rows,
    )
    .unwrap();
    let err = merge(
        &tmp.path().join("m4"),
        &[dirs[0].clone(), odd, dirs[2].clone()],
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(&sweep.config_hash()) && err.contains(&other.config_hash()),
        "{err}"
    );

    // Unfinished shard: the gap is attributed to the directory, with the way to fix it.
    let partial = tmp.path().join("partial");
    let shard = Some(Shard::new(2, 3).unwrap());
    let stop_at = AtomicUsize::new(0);
    let flaky = |unit: &Unit| {
        if stop_at.fetch_add(1, Ordering::SeqCst) == 4 {
            anyhow::bail!("interrupted");
        }
        rows(unit)
    };
    assert!(run(
        &sweep,
        &RunOptions {
            shard,
            ..options(&partial, 1)
        },
        flaky
    )
    .is_err());
    let err = merge(
        &tmp.path().join("m5"),
        &[dirs[0].clone(), partial.clone(), dirs[2].clone()],
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("partial") && err.contains("--resume") && err.contains("6 units"),
        "{err}"
    );

    // None of the refusals left a merged table behind.
    for m in ["m0", "m1", "m2", "m3", "m4", "m5"] {
        assert!(!tmp.path().join(m).join("results.csv").exists(), "{m}");
    }
}
