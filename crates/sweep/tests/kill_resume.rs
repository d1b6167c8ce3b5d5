//! Resume after a real SIGKILL: the final table must be byte-identical to an uninterrupted run.

use polarity_sweep::journal;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FAKE: &str = env!("CARGO_BIN_EXE_sweep-fake-units");
// 30 x 4 = 120 units of 25 ms on 2 threads: about 1.5 s, far longer than it takes to see 5 frames.
const GRID: [&str; 6] = ["--groups", "30", "--trials", "4", "--sleep-ms", "25"];
const UNITS: usize = 120;

fn fake(out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(FAKE);
    cmd.arg("--out")
        .arg(out)
        .args(GRID)
        .args(["--threads", "2"])
        .args(extra);
    // Keep the shard choice explicit whatever the environment running the tests says.
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "JOB_COMPLETION_INDEX",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn run_to_end(out: &Path, extra: &[&str]) -> String {
    let output = fake(out, extra).output().unwrap();
    assert!(
        output.status.success(),
        "fake sweep failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn journal_units(out: &Path) -> usize {
    journal::read(&out.join("journal")).unwrap().records.len()
}

/// Starts the fake sweep and SIGKILLs it once the journal holds at least `min_units` more units
/// than `before`. Returns how many units the journal held after the kill.
fn kill_after(out: &Path, extra: &[&str], before: usize, min_units: usize) -> usize {
    let mut child: Child = fake(out, extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let give_up = Instant::now() + Duration::from_secs(120);
    while journal_units(out) < before + min_units {
        assert!(
            child.try_wait().unwrap().is_none(),
            "fake sweep exited before it could be killed"
        );
        assert!(Instant::now() < give_up, "fake sweep made no progress");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "fake sweep finished before the kill; make its units slower"
    );
    let units = journal_units(out);
    assert!(units < UNITS, "the kill came too late to test anything");
    assert!(
        !out.join("results.csv").exists(),
        "results.csv must only appear when the run completes"
    );
    units
}

#[test]
fn resume_after_sigkill_gives_the_uninterrupted_bytes() {
    kill_twice_and_resume("csv", "results.csv");
}

#[test]
fn resume_after_sigkill_gives_the_uninterrupted_parquet_bytes() {
    kill_twice_and_resume("parquet", "results.parquet");
}

fn kill_twice_and_resume(format: &str, table: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let reference = tmp.path().join("reference");
    let stdout = run_to_end(&reference, &["--format", format]);
    assert_eq!(stdout.trim(), format!("ran={UNITS} skipped=0"));
    let expected = std::fs::read(reference.join(table)).unwrap();

    let killed = tmp.path().join("killed");
    let first = kill_after(&killed, &["--format", format], 0, 5);
    assert!(
        !killed.join(table).exists(),
        "{table} must only appear when the run completes"
    );
    // Kill the resumed run too, so resuming a resumed directory is covered.
    let second = kill_after(&killed, &["--format", format, "--resume"], first, 5);
    assert!(second > first);
    // The last resume keeps its journal, so that it can be checked.
    let stdout = run_to_end(&killed, &["--format", format, "--resume", "--keep-journal"]);
    let skipped: usize = stdout
        .trim()
        .rsplit("skipped=")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        skipped >= second,
        "resume recomputed finished units: {stdout}"
    );
    assert_eq!(std::fs::read(killed.join(table)).unwrap(), expected);
    assert_eq!(
        journal_units(&killed),
        UNITS,
        "every unit journaled exactly once"
    );
    assert_eq!(
        journal::read(&killed.join("journal")).unwrap().torn_bytes,
        0
    );
    // The uninterrupted run compacted: table and completion record, no journal. Resuming the
    // killed directory without --keep-journal compacts it to the same state, table unchanged.
    assert!(!reference.join("journal").exists());
    let stdout = run_to_end(&killed, &["--format", format, "--resume"]);
    assert_eq!(stdout.trim(), format!("ran=0 skipped={UNITS}"));
    assert!(!killed.join("journal").exists());
    assert_eq!(std::fs::read(killed.join(table)).unwrap(), expected);
    assert_eq!(
        std::fs::read(killed.join("complete.json")).unwrap(),
        std::fs::read(reference.join("complete.json")).unwrap()
    );
}

#[test]
fn fake_sweep_refuses_a_used_directory_and_a_changed_config() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_to_end(&out, &["--groups", "2"]);
    let again = fake(&out, &["--groups", "2"]).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    let changed = fake(&out, &["--groups", "2", "--tag", "other", "--resume"])
        .output()
        .unwrap();
    assert!(!changed.status.success());
    let stderr = String::from_utf8_lossy(&changed.stderr);
    let saved = std::fs::read_to_string(out.join("config.sha256")).unwrap();
    let saved_hash = saved.split_whitespace().next().unwrap();
    assert!(
        stderr.contains(saved_hash) && stderr.contains("different config"),
        "{stderr}"
    );
}
