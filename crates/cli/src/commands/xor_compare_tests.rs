use super::*;
use polarity_core::ResetMethod;
use polarity_xor::Condition;
use std::io::Write as _;

fn cell(n: usize) -> XorCell {
    XorCell {
        n_train: n,
        hidden: 64,
        reset: ResetMethod::PosRand,
        condition: Condition::Fluid,
    }
}

fn options() -> CompareOptions {
    CompareOptions {
        threshold: 0.9,
        margin_epochs: 2.0,
        margin_reach: 0.15,
        margin_acc: 0.01,
        resamples: 2000,
        seed: 0,
    }
}

/// Values of `n` runs: epochs `base + i % spread`, all reached, accuracy 0.95.
fn values(n: usize, base: f64, spread: usize) -> RunValues {
    let epochs: Vec<f64> = (0..n).map(|i| base + (i % spread) as f64).collect();
    RunValues {
        epochs_censored: epochs.clone(),
        epochs_reached: epochs,
        reached: vec![1.0; n],
        acc_at_min_loss: vec![0.95; n],
    }
}

fn table_file(rows: &[&str]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "{}", XorRecord::header().join(",")).unwrap();
    for r in rows {
        writeln!(f, "{r}").unwrap();
    }
    f
}

#[test]
fn a_table_is_read_into_runs_and_scored_with_the_float32_rule_and_censoring() {
    // Trial 0 reaches 0.9 only as 0.901 at epoch 2 (0.9 exactly is 0.89999998 in float32 and
    // does not count); trial 1 never reaches it and counts as 3 epochs (the worst rank).
    let f = table_file(&[
        "60,64,posRand,fluid,0,0,0.7,0.5,0.6,0.5,0,0,0,0",
        "60,64,posRand,fluid,0,1,0.5,0.8,0.4,0.9,0,0,1,0",
        "60,64,posRand,fluid,0,2,0.3,0.9,0.5,0.901,0,0,0,0",
        "60,64,posRand,fluid,1,0,0.7,0.5,0.6,0.5,0,0,0,0",
        "60,64,posRand,fluid,1,1,0.7,0.5,0.3,0.7,0,0,0,0",
        "60,64,posRand,fluid,1,2,0.7,0.5,0.6,0.6,0,0,0,0",
    ]);
    let table = read_table(f.path()).unwrap();
    let runs = &table[&cell(60)];
    assert_eq!(runs.len(), 2);
    let v = run_values(runs, 0.9);
    assert_eq!(v.epochs_censored, vec![2.0, 3.0]);
    assert!(v.epochs_reached[0] == 2.0 && v.epochs_reached[1].is_nan());
    assert_eq!(v.reached, vec![1.0, 0.0]);
    // Accuracy at the first minimum of validation loss: epoch 1 in both runs.
    assert_eq!(v.acc_at_min_loss, vec![0.9, 0.7]);
}

#[test]
fn bad_tables_are_refused_naming_the_file_and_the_row() {
    let f = table_file(&[
        "60,64,posRand,fluid,0,0,0.7,0.5,0.6,0.5,0,0,0,0",
        "60,64,posRand,fluid,0,2,0.7,0.5,0.6,0.5,0,0,0,0",
    ]);
    let e = format!("{:#}", read_table(f.path()).unwrap_err());
    assert!(e.contains(&f.path().display().to_string()), "{e}");
    assert!(
        e.contains("data row 1") && e.contains("epoch 2 after 1 epochs"),
        "{e}"
    );

    let mut g = tempfile::NamedTempFile::new().unwrap();
    writeln!(g, "n_train,epoch,val_acc").unwrap();
    let e = format!("{:#}", read_table(g.path()).unwrap_err());
    assert!(e.contains("expected the XOR result columns"), "{e}");

    let h = table_file(&["60,64,posRand,fluid,0,0,0.7,0.5,0.6,high,0,0,0,0"]);
    let e = format!("{:#}", read_table(h.path()).unwrap_err());
    assert!(e.contains("data row 0"), "{e}");
}

#[test]
fn the_verdict_follows_the_intervals_and_the_test() {
    // 90 % interval inside the margin: agree, even when the test rejects (a real but small shift).
    assert_eq!(
        verdict(Some((0.5, 1.5)), Some((0.4, 1.6)), Some(0.01), 2.0),
        Agreement::Agree
    );
    assert_eq!(
        verdict(Some((1.0, 3.0)), Some((0.5, 3.5)), Some(0.01), 2.0),
        Agreement::Differ
    );
    assert_eq!(
        verdict(Some((-4.0, 3.0)), Some((-5.0, 4.0)), Some(0.4), 2.0),
        Agreement::Underpowered
    );
    // Without a test, the 95 % interval excluding 0 decides.
    assert_eq!(
        verdict(Some((0.2, 0.4)), Some((0.18, 0.45)), None, 0.15),
        Agreement::Differ
    );
    assert_eq!(verdict(None, None, Some(0.5), 2.0), Agreement::Underpowered);
}

#[test]
fn same_distributions_agree_shifted_ones_differ_and_few_wide_ones_are_underpowered() {
    let o = options();
    let same = compare_cell(cell(60), &values(40, 20.0, 3), &values(40, 20.0, 3), &o).unwrap();
    assert_eq!(same.epochs.estimate, 0.0);
    assert_eq!(same.epochs.verdict, Agreement::Agree, "{same:?}");
    assert_eq!(same.p_reach.verdict, Agreement::Agree);
    assert_eq!(same.acc_at_min_loss.verdict, Agreement::Agree);
    assert!((same.ratio - 1.0).abs() < 1e-12);

    let shifted = compare_cell(cell(60), &values(40, 20.0, 3), &values(40, 30.0, 3), &o).unwrap();
    assert_eq!(shifted.epochs.estimate, 10.0);
    let (lo, hi) = shifted.epochs.ci95.unwrap();
    assert!(lo >= 8.0 && hi <= 12.0, "{lo} {hi}");
    assert!(shifted.epochs.p_value.unwrap() < 1e-6);
    assert_eq!(shifted.epochs.verdict, Agreement::Differ);
    // Ratio of medians 31 / 21.
    assert!((shifted.ratio - 31.0 / 21.0).abs() < 1e-12);

    // 5 runs each, spread over 40 epochs: no interval can fit a 2-epoch margin.
    let spread = |shift: f64| {
        let mut v = values(5, 0.0, 1);
        v.epochs_censored = (0..5).map(|i| shift + 10.0 * i as f64).collect();
        v.epochs_reached = v.epochs_censored.clone();
        v
    };
    let wide = compare_cell(cell(60), &spread(0.0), &spread(2.0), &o).unwrap();
    assert_eq!(wide.epochs.verdict, Agreement::Underpowered, "{wide:?}");
}

#[test]
fn p_reach_differs_when_one_side_never_reaches() {
    let mut never = values(30, 20.0, 3);
    never.reached = vec![0.0; 30];
    never.epochs_censored = vec![100.0; 30];
    never.epochs_reached = vec![f64::NAN; 30];
    let c = compare_cell(cell(500), &values(30, 20.0, 3), &never, &options()).unwrap();
    assert_eq!(c.p_reach.estimate, -1.0);
    assert_eq!(c.p_reach.verdict, Agreement::Differ);
    // Censored runs sit at the worst rank: the median difference is 100 - 21.
    assert_eq!(c.epochs.estimate, 79.0);
    assert_eq!(c.epochs.verdict, Agreement::Differ);
    assert!(c.ratio.is_nan() && c.ratio_ci95.is_none());
}

#[test]
fn paired_runs_count_the_epochs_in_lockstep() {
    let a = RunCurves {
        val_acc: vec![0.5, 0.7, 0.9, 0.95, 0.96],
        val_loss: vec![0.7, 0.5, 0.3, 0.2, 0.1],
    };
    let mut b = a.clone();
    b.val_loss[1] += 2e-4; // within the tolerance
    b.val_acc[3] = 0.94; // 10 samples off: out of lockstep from epoch 3
    let p = compare_paired(cell(60), 0, &a, &b, 0.9);
    assert_eq!(p.lockstep_epochs, 3);
    assert_eq!(p.epochs, 5);
    assert!((p.max_loss_diff_10 - 2e-4).abs() < 1e-12);
    // 0.9 exactly does not reach 0.9 (float32 rule): both reach at epoch 3.
    assert_eq!(p.epochs_to_threshold, [Some(3), Some(3)]);
    let same = compare_paired(cell(60), 0, &a, &a, 0.9);
    assert_eq!(same.lockstep_epochs, 5);
}

#[test]
fn the_paired_table_goes_beside_the_cell_table() {
    assert_eq!(
        paired_csv_path(Path::new("out/engine.csv")),
        PathBuf::from("out/engine-paired.csv")
    );
    let a = RunCurves {
        val_acc: vec![0.5, 0.95],
        val_loss: vec![0.7, 0.2],
    };
    let rows = paired_csv_rows(&[compare_paired(cell(60), 3, &a, &a, 0.9)]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].len(), rows[1].len());
    assert_eq!(rows[1][4..10], ["3", "2", "2", "0", "1", "1"]);
}
