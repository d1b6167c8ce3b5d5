//! The typed Parquet table: every value read back (with the parquet crate's row reader) equals
//! the row the unit returned; its bytes do not depend on threads, sharding and merging; the
//! streaming callback sees every unit in canonical order; merge refuses mixed formats.

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use polarity_sweep::{
    merge, run_streaming, ColumnKind, ConfigFormat, Grid, RunOptions, Shard, Sweep, TableFormat,
    Unit,
};
use std::path::Path;

fn sweep(format: TableFormat) -> Sweep {
    let grid = Grid::new().axis("size", [3, 10, 30]).axis("trial", 0..7);
    let header = ["unit", "size", "trial", "loss", "acc", "ok"]
        .map(String::from)
        .to_vec();
    use ColumnKind::*;
    Sweep::new(
        "seed = 1\n".into(),
        ConfigFormat::Toml,
        header,
        grid.units().unwrap(),
    )
    .unwrap()
    .with_kinds(vec![Text, Int, Int, Float32, Float64, Bool])
    .unwrap()
    .with_format(format)
}

/// Rows as a task writes them: f32 through `Display` (shortest round-trip text), awkward text.
fn rows(unit: &Unit) -> anyhow::Result<Vec<Vec<String>>> {
    let size: u64 = unit.parse("size")?;
    let trial: u64 = unit.parse("trial")?;
    Ok((0..(size + trial) % 4)
        .map(|r| {
            let x = (size * 31 + trial * 7 + r) as f32;
            vec![
                format!("{}, \"q\"", unit.id()),
                size.to_string(),
                (trial as i64 - 3).to_string(),
                (1.0 / (x + 0.1)).to_string(),
                (x as f64 / 3.0).to_string(),
                (r % 2 == 0).to_string(),
            ]
        })
        .collect())
}

fn options(out: &Path, threads: usize, shard: Option<Shard>) -> RunOptions {
    RunOptions {
        out: out.to_path_buf(),
        resume: false,
        shard,
        threads: Some(threads),
        progress: None,
        keep_journal: false,
        one_unit_at_a_time: false,
    }
}

/// Every row of a Parquet file, each field rendered as the tasks write it (`Display`).
fn read_back(path: &Path) -> Vec<Vec<String>> {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(_, field)| match field {
                    Field::Str(s) => s.clone(),
                    Field::Long(v) => v.to_string(),
                    Field::Float(v) => v.to_string(),
                    Field::Double(v) => v.to_string(),
                    Field::Bool(v) => v.to_string(),
                    other => panic!("unexpected field {other:?}"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn parquet_holds_every_value_and_its_bytes_do_not_depend_on_threads_or_shards() {
    let sweep = sweep(TableFormat::Parquet);
    let expected: Vec<Vec<String>> = sweep.units.iter().flat_map(|u| rows(u).unwrap()).collect();
    let tmp = tempfile::tempdir().unwrap();
    let mut reference: Option<Vec<u8>> = None;
    for threads in [1, 3] {
        let out = tmp.path().join(format!("t{threads}"));
        let mut seen = Vec::new();
        let outcome = run_streaming(
            &sweep,
            &options(&out, threads, None),
            rows,
            |id, unit_rows| {
                seen.push((id.to_string(), unit_rows));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(outcome.results_csv, out.join("results.parquet"));
        assert!(!out.join("results.csv").exists());
        // The callback got every unit, in canonical order, with its rows.
        let ids: Vec<&str> = seen.iter().map(|(id, _)| id.as_str()).collect();
        let canonical: Vec<&str> = sweep.units.iter().map(|u| u.id()).collect();
        assert_eq!(ids, canonical);
        assert_eq!(
            seen.into_iter().flat_map(|(_, r)| r).collect::<Vec<_>>(),
            expected
        );
        assert_eq!(
            read_back(&outcome.results_csv),
            expected,
            "threads={threads}"
        );
        let bytes = std::fs::read(&outcome.results_csv).unwrap();
        match &reference {
            None => reference = Some(bytes),
            Some(r) => assert!(*r == bytes, "threads={threads}: different bytes"),
        }
    }

    // Three shards merged: the same bytes as the unsharded run.
    let shards: Vec<_> = (1..=3)
        .map(|i| {
            let dir = tmp.path().join(format!("s{i}"));
            let shard = Some(Shard { index: i, count: 3 });
            run_streaming(&sweep, &options(&dir, 2, shard), rows, |_, _| Ok(())).unwrap();
            dir
        })
        .collect();
    let merged = tmp.path().join("merged");
    let outcome = merge(&merged, &shards).unwrap();
    assert_eq!(outcome.results_csv, merged.join("results.parquet"));
    assert!(std::fs::read(&outcome.results_csv).unwrap() == reference.unwrap());
    assert_eq!(outcome.rows, expected.len());
}

#[test]
fn a_value_that_is_not_its_column_type_is_named() {
    let sweep = sweep(TableFormat::Parquet);
    let tmp = tempfile::tempdir().unwrap();
    let bad = |unit: &Unit| {
        let mut r = rows(unit)?;
        for row in &mut r {
            row[1] = "sixty".into();
        }
        Ok::<_, anyhow::Error>(r)
    };
    let e = run_streaming(&sweep, &options(tmp.path(), 1, None), bad, |_, _| Ok(()))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("'size'") && e.contains("sixty") && e.contains("64-bit integer"),
        "{e}"
    );
    assert!(!tmp.path().join("results.parquet").exists());
}

#[test]
fn resume_and_merge_refuse_a_different_format() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_dir = tmp.path().join("csv");
    let shard = |i| Some(Shard { index: i, count: 2 });
    run_streaming(
        &sweep(TableFormat::Csv),
        &options(&csv_dir, 1, shard(1)),
        rows,
        |_, _| Ok(()),
    )
    .unwrap();
    let resumed = run_streaming(
        &sweep(TableFormat::Parquet),
        &RunOptions {
            resume: true,
            ..options(&csv_dir, 1, shard(1))
        },
        rows,
        |_, _| Ok(()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        resumed.contains("csv") && resumed.contains("parquet") && resumed.contains("--format"),
        "{resumed}"
    );
    let parquet_dir = tmp.path().join("parquet");
    run_streaming(
        &sweep(TableFormat::Parquet),
        &options(&parquet_dir, 1, shard(2)),
        rows,
        |_, _| Ok(()),
    )
    .unwrap();
    let e = merge(&tmp.path().join("m"), &[csv_dir, parquet_dir])
        .unwrap_err()
        .to_string();
    assert!(e.contains("different table formats"), "{e}");
}
