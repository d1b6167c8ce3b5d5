//! The streaming reduction (each unit reduced as the runner writes the table, rows dropped) gives
//! exactly what the in-memory path gives (the whole table read back, grouped, reduced), and the
//! figures' flip curves equal those computed from the full per-network curves as before
//! (docs/decisions.md D-STATS-10).

use polarity_analysis::stats;
use polarity_core::ResetMethod;
use polarity_reproduce::xor::claims::{xor_claims, TheoryPoints};
use polarity_reproduce::xor::figures::{self, Metric, CONDITIONS};
use polarity_reproduce::xor::table::Runs;
use polarity_sweep::{RunOptions, TableFormat};
use polarity_xor::{Condition, Pairing, XorConfig, XorRecord};
use std::collections::BTreeMap;

fn grid() -> XorConfig {
    XorConfig {
        trials: 4,
        hidden: vec![3, 64],
        train_sizes: vec![20, 60, 72],
        epochs: 25,
        conditions: CONDITIONS.to_vec(),
        reset_methods: vec![ResetMethod::PosRand, ResetMethod::Flip],
        pairing: Pairing::Independent,
        ..XorConfig::default()
    }
}

fn options(out: &std::path::Path) -> RunOptions {
    RunOptions {
        out: out.to_path_buf(),
        resume: false,
        shard: None,
        threads: Some(2),
        progress: None,
        keep_journal: false,
        one_unit_at_a_time: false,
    }
}

fn theory() -> TheoryPoints {
    TheoryPoints {
        units: vec![3, 64],
        theorem_d1: vec![0.5, 1.0],
        truth: vec![0.6, 1.0],
        sufficient: vec![0.7, 1.0],
        fluid_min_units: Some(2),
    }
}

/// Flip-ratio medians and quartiles per epoch of one cell, straight from the table's rows, as the
/// flips figure computed them from whole curves before the reduction.
fn flip_curve_from_rows(
    rows: &[Vec<String>],
    dims: usize,
    n: usize,
    hidden: usize,
    layer: usize,
) -> Vec<(f64, f64, f64)> {
    let header = XorRecord::header();
    let records: Vec<XorRecord<f64>> = polarity_sweep::record::parse_rows(&header, rows).unwrap();
    let mut by_epoch: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    let entries = if layer == 0 { dims * hidden } else { hidden } as f64;
    for r in records.iter().filter(|r| {
        r.n_train == n
            && r.hidden == hidden
            && r.reset == ResetMethod::PosRand
            && r.condition == Condition::Fluid
    }) {
        let flips = if layer == 0 {
            r.flips_hidden
        } else {
            r.flips_output
        };
        by_epoch
            .entry(r.epoch)
            .or_default()
            .push(f64::from(flips) / entries);
    }
    by_epoch
        .values()
        .take(50)
        .map(|v| {
            let s = stats::summarize(v);
            (
                s.median.unwrap_or(f64::NAN),
                s.q25.unwrap_or(f64::NAN),
                s.q75.unwrap_or(f64::NAN),
            )
        })
        .collect()
}

#[test]
fn streaming_reduction_equals_the_in_memory_path() {
    let cfg = grid();
    let tmp = tempfile::tempdir().unwrap();
    // In memory: the whole table, then grouped and reduced at once.
    let outcome = cfg.run_sweep(&options(&tmp.path().join("csv"))).unwrap();
    assert_eq!(
        outcome.rows.len(),
        3 * 2 * 2 * 3 * 4 * 25,
        "every network's every epoch"
    );
    let in_memory = Runs::from_rows(&outcome.rows, cfg.dims).unwrap();

    // Streaming, into a Parquet table: units reduced one at a time as the runner hands them over.
    let mut streamed = Runs::new(cfg.dims);
    let mut units = 0;
    cfg.run_sweep_streaming(
        &options(&tmp.path().join("parquet")),
        TableFormat::Parquet,
        |_, rows| {
            units += 1;
            streamed.add_unit(&rows).map_err(Into::into)
        },
    )
    .unwrap();
    assert_eq!(units, 3 * 2 * 2);
    assert!(tmp.path().join("parquet/results.parquet").exists());

    // Everything kept is the same (Debug, so NaN equals NaN), and so is everything built on it.
    assert_eq!(format!("{streamed:?}"), format!("{in_memory:?}"));
    assert_eq!(streamed.cells().count(), 3 * 2 * 2 * 3);
    let claims = |r: &Runs| format!("{:?}", xor_claims(r, r, &theory()));
    assert_eq!(claims(&streamed), claims(&in_memory));
    let sizes = [20, 60, 72];
    for metric in [Metric::Epochs, Metric::Error, Metric::Reach90] {
        for h in [3, 64] {
            let panel = |r: &Runs| {
                format!(
                    "{:?}",
                    figures::line_panel(r, "t", h, &sizes, metric, &CONDITIONS)
                )
            };
            assert_eq!(panel(&streamed), panel(&in_memory));
        }
    }
    assert_eq!(
        format!("{:?}", figures::fig4d(&streamed, &[3, 64], &sizes)),
        format!("{:?}", figures::fig4d(&in_memory, &[3, 64], &sizes))
    );

    // The flips figure from the kept per-epoch quantiles equals the one from whole curves.
    let fig = figures::flips(&streamed, 64, &sizes);
    for (layer, panel) in fig.panels.iter().enumerate() {
        let polarity_analysis::figures::Panel::Line(line) = panel else {
            panic!("the flips figure has line panels")
        };
        assert_eq!(line.series.len(), sizes.len());
        for (series, &n) in line.series.iter().zip(&sizes) {
            let expected = flip_curve_from_rows(&outcome.rows, cfg.dims, n, 64, layer);
            assert_eq!(series.x.len(), expected.len());
            let got: Vec<(f64, f64, f64)> = (0..series.x.len())
                .map(|e| (series.median[e], series.q25[e], series.q75[e]))
                .collect();
            assert_eq!(
                format!("{got:?}"),
                format!("{expected:?}"),
                "n = {n}, layer {layer}"
            );
        }
    }
    // Fluid nets do flip signs, so the comparison above is not one of zeros.
    assert!(fig.panels.iter().any(|p| matches!(p,
        polarity_analysis::figures::Panel::Line(l) if l.series.iter().any(|s| s.q75.iter().any(|&q| q > 0.0)))));
}

#[test]
fn a_cell_split_over_two_units_is_refused() {
    let cfg = XorConfig {
        trials: 2,
        hidden: vec![3],
        train_sizes: vec![20],
        epochs: 3,
        ..grid()
    };
    let tmp = tempfile::tempdir().unwrap();
    let rows = cfg.run_sweep(&options(tmp.path())).unwrap().rows;
    let mut runs = Runs::new(cfg.dims);
    // Trial 0 of the first cell (3 epochs), then the rest: the first cell comes back.
    runs.add_unit(&rows[..3]).unwrap();
    let e = runs.add_unit(&rows[3..]).unwrap_err().to_string();
    assert!(e.contains("more than one unit"), "{e}");
}
