//! Same seed, same table, byte for byte, at any thread count; subsets of the grid reproduce the
//! full run's numbers; config errors name the field.

use polarity_sweep::RunOptions;
use polarity_xor::{Condition, XorConfig};

fn small() -> XorConfig {
    XorConfig {
        trials: 3,
        train_sizes: vec![8, 40],
        hidden: vec![3, 9],
        epochs: 4,
        val_size: 100,
        conditions: vec![
            Condition::FrozenSufficient,
            Condition::Fluid,
            Condition::FrozenRand,
        ],
        ..XorConfig::default()
    }
}

fn run(cfg: &XorConfig, threads: usize) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = cfg
        .run_sweep(&RunOptions {
            out: dir.path().join("r"),
            resume: false,
            shard: None,
            threads: Some(threads),
            progress: None,
            keep_journal: false,
            one_unit_at_a_time: false,
        })
        .unwrap();
    std::fs::read(out.results_csv).unwrap()
}

#[test]
fn same_table_at_any_thread_count() {
    let cfg = small();
    let one = run(&cfg, 1);
    assert_eq!(one, run(&cfg, 2));
    assert_eq!(one, run(&cfg, 4));
    let text = String::from_utf8(one).unwrap();
    let rows = text.lines().count() - 1;
    assert_eq!(
        rows,
        2 * 2 * 3 * 3 * 4,
        "sizes x hidden x conditions x trials x epochs"
    );
}

#[test]
fn a_subset_of_the_grid_gives_the_same_rows() {
    let full = String::from_utf8(run(&small(), 2)).unwrap();
    let subset = XorConfig {
        train_sizes: vec![40],
        hidden: vec![9],
        ..small()
    };
    let part = String::from_utf8(run(&subset, 1)).unwrap();
    let rows: Vec<&str> = part.lines().skip(1).collect();
    assert!(!rows.is_empty());
    for row in rows {
        assert!(
            full.lines().any(|l| l == row),
            "row missing from the full run: {row}"
        );
    }
}

#[test]
fn engine_threads_do_not_change_results() {
    let cfg = small();
    let data = cfg.data().unwrap();
    let unit = cfg.units()[1];
    let a = cfg.run_unit(&data, unit, 1, &|_| {}).unwrap();
    let b = cfg.run_unit(&data, unit, 3, &|_| {}).unwrap();
    assert_eq!(a, b);
}

/// The error and its sources joined by ": ", as the binary prints them.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        text = format!("{text}: {e}");
        next = e.source();
    }
    text
}

#[test]
fn config_errors_name_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("grid.toml");
    std::fs::write(&p, "trials = 3\nhiden = [4]\n").unwrap();
    let e = chain(&XorConfig::from_toml_file(&p).unwrap_err());
    assert!(e.contains("grid.toml") && e.contains("hiden"), "{e}");
    std::fs::write(&p, "train_sizes = [8, 50]\n").unwrap();
    let e = chain(&XorConfig::from_toml_file(&p).unwrap_err());
    assert!(e.contains("50") && e.contains("multiple of 4"), "{e}");
    // A saved config reads back identically.
    let cfg = small();
    std::fs::write(&p, cfg.to_toml()).unwrap();
    assert_eq!(XorConfig::from_toml_file(&p).unwrap(), cfg);
}
