//! The binary end to end: a small grid, byte-identical tables at any thread count, clear errors.

use std::process::Command;

fn polarity(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_polarity"))
        .args(args)
        .output()
        .unwrap()
}

const GRID: &[&str] = &[
    "xor",
    "train",
    "--hidden",
    "4,6",
    "--train-sizes",
    "8,20",
    "--trials",
    "2",
    "--epochs",
    "3",
    "--val-size",
    "40",
];

#[test]
fn xor_train_is_byte_identical_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut tables = Vec::new();
    for threads in ["1", "3"] {
        let out = dir.path().join(format!("t{threads}"));
        let mut args = GRID.to_vec();
        args.extend([
            "--format",
            "csv",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        let o = polarity(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        tables.push(std::fs::read(out.join("results.csv")).unwrap());
        let config = std::fs::read_to_string(out.join("config.toml")).unwrap();
        assert!(
            config.contains("pairing = \"identical\""),
            "resolved config saved: {config}"
        );
    }
    assert_eq!(tables[0], tables[1]);
    let text = String::from_utf8(tables.remove(0)).unwrap();
    assert!(text.starts_with("n_train,hidden,reset,condition,trial,epoch,train_loss"));
    assert_eq!(text.lines().count(), 1 + 2 * 2 * 3 * 2 * 3);
}

#[test]
fn bad_input_is_a_clear_error_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o = polarity(&[
        "xor",
        "train",
        "--train-sizes",
        "8,50",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("50") && err.contains("multiple of 4"), "{err}");

    let cfg = dir.path().join("grid.toml");
    std::fs::write(&cfg, "trials = \"many\"\n").unwrap();
    let o = polarity(&[
        "xor",
        "train",
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("grid.toml") && err.contains("trials"), "{err}");

    // Zero data draws would judge nothing: refused before any work, naming the option.
    let o = polarity(&[
        "reproduce",
        "xor",
        "--quick",
        "--data-draws",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--data-draws") && err.contains('0'), "{err}");

    let o = polarity(&[
        "xor",
        "train",
        "--conditions",
        "frozen-magic",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("frozen-magic"));
}
