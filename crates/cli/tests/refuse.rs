//! Plans that cannot fit are refused up front (docs/decisions.md D-PLAN-1 to D-PLAN-4): for
//! every command that takes sizes or counts, a table of typos (an extra zero, 1e9 hidden units,
//! a 100000-pixel input, absurd trials/epochs/batches, sizes beyond the data, width divisors,
//! theory bounds) each exits non-zero naming the option and its value, writes nothing, and runs
//! under an address-space limit of 1 GB, so an attempted huge allocation would fail the test
//! differently (an abort, not the refusal). The largest plans that fit still pass the check.

use std::path::Path;
use std::process::{Command, Output};

/// Address-space limit of every child, in KiB (`ulimit -v`).
const ADDRESS_SPACE_KIB: &str = "1000000";

/// Runs the binary under the address-space limit with a fixed memory limit, so the table does
/// not depend on this machine's free memory.
fn polarity(args: &[&str], memory_limit: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {ADDRESS_SPACE_KIB}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_polarity"))
        .args(args)
        .env("POLARITY_MEMORY_LIMIT", memory_limit)
        .env("POLARITY_DATA", "/nonexistent-polarity-data")
        .output()
        .unwrap()
}

/// (arguments, text the error must contain: the option and its value as typed).
const REFUSED: &[(&str, &str)] = &[
    // xor train
    ("xor train --hidden 1000000000", "--hidden 1000000000"),
    ("xor train --hidden 64,640000000", "--hidden 640000000"),
    ("xor train --dims 100000000000", "--dims 100000000000"),
    (
        "xor train --train-sizes 8,40000000000",
        "--train-sizes 40000000000",
    ),
    ("xor train --epochs 1000000000", "--epochs 1000000000"),
    ("xor train --trials 100000000", "--trials 100000000"),
    (
        "xor train --trials 18446744073709551615 --epochs 18446744073709551615",
        "--trials 18446744073709551615",
    ),
    ("xor train --threads 100000", "--threads 100000"),
    ("xor train --quick --hidden 10000000", "--hidden 10000000"),
    // images train (refused before the data is looked for)
    ("images train --input-size 100000", "--input-size 100000"),
    (
        "images train --network torch-alexnet --input-size 100000",
        "--input-size 100000",
    ),
    (
        "images train --network small-cnn --input-size 8",
        "--input-size 8",
    ),
    (
        "images train --input-size 18446744073709551615",
        "--input-size 18446744073709551615",
    ),
    ("images train --n-train 600000", "--n-train 600000"),
    (
        "images train --dataset cifar10 --n-train 50001",
        "--n-train 50001",
    ),
    ("images train --val-size 100000", "--val-size 100000"),
    (
        "images train --n-train 60000 --batch-size 100000000",
        "--batch-size 60000",
    ),
    ("images train --width-divisor 1000", "--width-divisor 1000"),
    (
        "images train --network small-cnn --width-divisor 0",
        "--width-divisor 0",
    ),
    (
        "images train --epochs 100000000000000",
        "--epochs 100000000000000",
    ),
    // images bench and gpu-check
    (
        "images bench --batch-size 100000000",
        "--batch-size 100000000",
    ),
    (
        "images bench --network torch-alexnet --input-size 100000",
        "--input-size 100000",
    ),
    (
        "images gpu-check --batch 1000000 --device flex",
        "--batch 1000000",
    ),
    // reproduce
    ("reproduce xor --threads 100000", "--threads 100000"),
    (
        "reproduce xor --data-draws 100000000000",
        "--data-draws 99999999999",
    ),
    (
        "reproduce xor --data /nonexistent --data-draws 3",
        "--data-draws 3",
    ),
    ("reproduce images --sizes 100,600000", "--sizes 600000"),
    (
        "reproduce images --epochs 1000000000",
        "--epochs 1000000000",
    ),
    (
        "reproduce images --trials 100000000000 --epochs 10000000",
        "--trials 100000000000",
    ),
    ("reproduce transfer --sizes 50,30001", "--sizes 30001"),
    (
        "reproduce transfer --trials 1000000000000 --steps 600000000",
        "--trials 1000000000000",
    ),
    // theory (clap ranges from the library's bounds)
    ("theory xor --max-units 100000", "--max-units"),
    ("theory xor --dims 1000", "--dims"),
];

#[test]
fn every_refused_plan_names_its_option_writes_nothing_and_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (k, (args, expected)) in REFUSED.iter().enumerate() {
        let out = dir.path().join(format!("out{k}"));
        let mut argv: Vec<&str> = args.split(' ').collect();
        let out_str = out.to_str().unwrap();
        if !args.starts_with("theory") && !args.starts_with("images bench") {
            argv.extend(["--out", out_str]);
        }
        let o = polarity(&argv, "16G");
        let stderr = String::from_utf8_lossy(&o.stderr);
        let ok = !o.status.success()
            && o.status.code().is_some() // not killed by a signal (an aborted allocation)
            && stderr.contains(expected)
            && !stderr.contains("memory allocation")
            && !stderr.contains("panicked")
            && !Path::new(&out).exists();
        if !ok {
            failures.push(format!("`polarity {args}`: {:?}\n{stderr}", o.status));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

#[test]
fn the_limit_comes_from_the_variable_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let args = ["xor", "train", "--dry-run", "--out", out.to_str().unwrap()];
    // The paper grid needs about 126 MiB: it fits 1 GiB, not 64 MiB.
    let fits = polarity(&args, "1G");
    assert!(
        fits.status.success(),
        "{}",
        String::from_utf8_lossy(&fits.stderr)
    );
    let text = String::from_utf8_lossy(&fits.stderr);
    assert!(text.contains("plan: 1650 networks"), "{text}");
    let refused = polarity(&args, "64M");
    let text = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{text}");
    assert!(text.contains("POLARITY_MEMORY_LIMIT=64M"), "{text}");
    // Since the streaming runner (docs/decisions.md D-SWEEP-7) the largest term is the Parquet row
    // group being buffered, not the rows of a unit.
    assert!(text.contains("Parquet row group"), "{text}");
    let bad = polarity(&args, "plenty");
    let text = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && text.contains("POLARITY_MEMORY_LIMIT='plenty'"),
        "{text}"
    );
    assert!(!out.exists());
}

#[test]
fn the_largest_plans_that_fit_pass_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let o = out.to_str().unwrap();
    let dry_runs: &[&[&str]] = &[
        // The paper's Fig-1 grid and a Fig-4-sized hidden list.
        &["xor", "train", "--dry-run", "--out", o],
        &[
            "xor",
            "train",
            "--dry-run",
            "--hidden",
            "2,4,8,16,32,64,128,256,512,1024",
            "--out",
            o,
        ],
        // The whole training split, the paper's AlexNet and batch.
        &[
            "images",
            "train",
            "--dry-run",
            "--n-train",
            "60000",
            "--out",
            o,
        ],
        &[
            "images",
            "train",
            "--dry-run",
            "--dataset",
            "cifar10",
            "--n-train",
            "50000",
            "--val-size",
            "10000",
            "--out",
            o,
        ],
        // The smallest inputs and the largest width divisors each network accepts.
        &[
            "images",
            "train",
            "--dry-run",
            "--network",
            "small-cnn",
            "--input-size",
            "12",
            "--width-divisor",
            "6",
            "--out",
            o,
        ],
        &[
            "images",
            "train",
            "--dry-run",
            "--network",
            "torch-alexnet",
            "--input-size",
            "63",
            "--width-divisor",
            "64",
            "--out",
            o,
        ],
        &[
            "images",
            "train",
            "--dry-run",
            "--network",
            "paper-alexnet",
            "--input-size",
            "67",
            "--width-divisor",
            "96",
            "--out",
            o,
        ],
    ];
    for args in dry_runs {
        let r = polarity(args, "16G");
        let text = String::from_utf8_lossy(&r.stderr);
        assert!(r.status.success(), "{args:?}: {text}");
        assert!(text.contains("the plan fits"), "{args:?}: {text}");
    }
    assert!(!out.exists(), "a dry run writes nothing");
    // A small grid really runs under the same address-space limit.
    let run = polarity(
        &[
            "xor",
            "train",
            "--hidden",
            "4",
            "--train-sizes",
            "8",
            "--trials",
            "2",
            "--epochs",
            "2",
            "--val-size",
            "20",
            "--threads",
            "1",
            "--out",
            o,
        ],
        "16G",
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.join("results.parquet").exists());
    // The theory's largest bound passes (computing it takes a minute; a smaller one runs).
    let theory = polarity(
        &["theory", "xor", "--max-units", "12", "--format", "csv"],
        "16G",
    );
    assert!(
        theory.status.success(),
        "{}",
        String::from_utf8_lossy(&theory.stderr)
    );
}

#[test]
fn merge_refuses_a_folder_that_is_not_a_sweep_before_reading_its_journal() {
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("shard-1");
    std::fs::create_dir(&shard).unwrap();
    // A sparse 1 TiB journal and no sweep.json: refused before the journal is read (merge now
    // streams frame by frame, so the journal's size alone no longer limits memory: D-SWEEP-7).
    std::fs::File::create(shard.join("journal"))
        .unwrap()
        .set_len(1 << 40)
        .unwrap();
    let out = dir.path().join("merged");
    let o = polarity(
        &[
            "merge",
            "--out",
            out.to_str().unwrap(),
            shard.to_str().unwrap(),
        ],
        "16G",
    );
    let text = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("shard-1 has no sweep.json"), "{text}");
    assert!(!out.exists());
}
