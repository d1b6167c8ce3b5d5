//! A finished whole-grid run keeps its table and a completion record, not its journal
//! (docs/decisions.md D-SWEEP-10): what the record holds, how a compacted directory resumes, and
//! the refusals.

use polarity_sweep::{
    merge, run_streaming, BoxError, ColumnKind, ConfigFormat, Grid, RunOptions, Shard, Sweep,
    TableFormat, Unit,
};
use sha2::{Digest, Sha256};
use std::path::Path;

type Row = Vec<String>;
/// What `on_unit` was handed: (unit id, rows), in call order.
type Handed = Vec<(String, Vec<Row>)>;

const HEADER: [&str; 7] = ["unit", "k", "big", "f32", "f64", "ok", "note"];

fn sweep(format: TableFormat) -> Sweep {
    let grid = Grid::new().axis("g", 0..4).axis("trial", 0..3);
    use ColumnKind::*;
    Sweep::new(
        "seed = 7\n".to_string(),
        ConfigFormat::Toml,
        HEADER.map(String::from).to_vec(),
        grid.units().unwrap(),
    )
    .unwrap()
    .with_kinds(vec![Text, Int, Int, Float32, Float64, Bool, Text])
    .unwrap()
    .with_format(format)
}

/// Values a reader could render differently from the recorded text: tiny, non-dyadic, NaN,
/// infinities, signed zero, subnormals, extremes, and text with separators and quotes.
fn awkward_f32() -> [f32; 10] {
    [
        1e-7,
        0.1,
        f32::NAN,
        f32::INFINITY,
        -0.0,
        f32::MIN_POSITIVE / 4.0,
        f32::MAX,
        16_777_217.0,
        1.0,
        -2.5e-38,
    ]
}
fn awkward_f64() -> [f64; 10] {
    [
        1e-7,
        0.1,
        f64::NAN,
        f64::NEG_INFINITY,
        5e-324,
        1e300,
        0.1 + 0.2,
        -0.0,
        9_007_199_254_740_993.0,
        2.0,
    ]
}
fn awkward_int() -> [i64; 5] {
    [i64::MAX, i64::MIN, 0, -1, 9_007_199_254_740_993]
}
const NOTES: [&str; 6] = [
    "",
    "a,b",
    "say \"hi\"",
    "line\nbreak\r\nx",
    "ünï ✓",
    " pad ",
];

/// Rows as a task writes them (`Display` of each value); 0 to 3 rows per unit.
fn rows(unit: &Unit) -> Result<Vec<Row>, BoxError> {
    let g: usize = unit.parse("g")?;
    let trial: usize = unit.parse("trial")?;
    let count = (g + 2 * trial) % 4;
    Ok((0..count)
        .map(|r| {
            let i = g * 3 + trial + r;
            vec![
                unit.id().to_string(),
                (i as i64 - 5).to_string(),
                awkward_int()[i % 5].to_string(),
                awkward_f32()[i % 10].to_string(),
                awkward_f64()[(i * 3) % 10].to_string(),
                i.is_multiple_of(2).to_string(),
                NOTES[i % 6].to_string(),
            ]
        })
        .collect())
}

fn options(out: &Path) -> RunOptions {
    RunOptions {
        out: out.to_path_buf(),
        threads: Some(2),
        ..RunOptions::default()
    }
}

/// Runs (or resumes) with `work`, returning what `on_unit` was handed.
fn run_recording<F>(sweep: &Sweep, options: &RunOptions, work: F) -> Result<Handed, String>
where
    F: Fn(&Unit) -> Result<Vec<Row>, BoxError> + Sync,
{
    let mut handed = Vec::new();
    run_streaming(sweep, options, work, |unit, rows| {
        handed.push((unit.to_string(), rows));
        Ok(())
    })
    .map_err(|e| chain(&e))?;
    Ok(handed)
}

fn never(_: &Unit) -> Result<Vec<Row>, BoxError> {
    panic!("a finished directory must run nothing")
}

fn resume(out: &Path) -> RunOptions {
    RunOptions {
        resume: true,
        ..options(out)
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(inner) = next {
        text += &format!(": {inner}");
        next = inner.source();
    }
    text
}

/// The checksum the record must hold, written independently of the crate: the first 8 bytes of
/// SHA-256 over the row count, then per row its field count and per field its length (u64 LE)
/// and bytes.
fn reference_checksum(rows: &[Row]) -> String {
    let mut bytes = Vec::new();
    bytes.extend((rows.len() as u64).to_le_bytes());
    for row in rows {
        bytes.extend((row.len() as u64).to_le_bytes());
        for field in row {
            bytes.extend((field.len() as u64).to_le_bytes());
            bytes.extend(field.as_bytes());
        }
    }
    let digest = Sha256::digest(&bytes);
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn record(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("complete.json")).unwrap()).unwrap()
}

#[test]
fn a_finished_run_leaves_its_table_and_a_valid_record_not_the_journal() {
    for format in [TableFormat::Csv, TableFormat::Parquet] {
        let sweep = sweep(format);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let handed = run_recording(&sweep, &options(&out), rows).unwrap();
        assert!(!out.join("journal").exists(), "{format}");
        let table = std::fs::read(out.join(format.file_name())).unwrap();
        let record = record(&out);
        assert_eq!(record["table"], format.file_name());
        assert_eq!(record["table_bytes"], table.len() as u64);
        let sha: String = Sha256::digest(&table)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(record["table_sha256"], sha);
        let units = record["units"].as_array().unwrap();
        assert_eq!(units.len(), sweep.units.len());
        for ((digest, unit), (id, got)) in units.iter().zip(&sweep.units).zip(&handed) {
            let expected = rows(unit).unwrap();
            assert_eq!(digest["unit"], unit.id());
            assert_eq!((id.as_str(), got), (unit.id(), &expected));
            assert_eq!(digest["rows"], expected.len() as u64);
            assert_eq!(digest["checksum"], reference_checksum(&expected), "{unit}");
        }
    }
}

#[test]
fn resume_of_a_compacted_directory_hands_over_the_original_strings() {
    for format in [TableFormat::Csv, TableFormat::Parquet] {
        let sweep = sweep(format);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let original = run_recording(&sweep, &options(&out), rows).unwrap();
        // The awkward values are all there (NaN, 1e-7 as f32, i64 extremes, quoted text).
        let fields: Vec<&str> = original
            .iter()
            .flat_map(|(_, rows)| rows.iter().flatten().map(String::as_str))
            .collect();
        for needle in [
            "NaN",
            "0.0000001",
            "0.1",
            "-9223372036854775808",
            "line\nbreak\r\nx",
        ] {
            assert!(fields.contains(&needle), "{format}: {needle} not exercised");
        }
        let table = std::fs::read(out.join(format.file_name())).unwrap();
        assert!(!out.join("journal").exists());

        // A fresh run is refused (the directory holds a sweep) and creates no journal.
        let err = run_recording(&sweep, &options(&out), never).unwrap_err();
        assert!(err.contains("--resume"), "{err}");
        assert!(!out.join("journal").exists());

        let again = run_recording(&sweep, &resume(&out), never).unwrap();
        assert_eq!(again, original, "{format}");
        // Nothing was rewritten, and the directory stays compacted.
        assert_eq!(std::fs::read(out.join(format.file_name())).unwrap(), table);
        assert!(!out.join("journal").exists());
    }
}

#[test]
fn a_changed_table_is_refused_naming_the_file() {
    for format in [TableFormat::Csv, TableFormat::Parquet] {
        let sweep = sweep(format);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        run_recording(&sweep, &options(&out), rows).unwrap();
        let path = out.join(format.file_name());
        let good = std::fs::read(&path).unwrap();

        // One byte changed (same size): the SHA-256 catches it before any row is handed over.
        let mut bad = good.clone();
        let middle = bad.len() / 2;
        bad[middle] ^= 0x01;
        std::fs::write(&path, &bad).unwrap();
        let err = run_recording(&sweep, &resume(&out), never).unwrap_err();
        assert!(
            err.contains(&path.display().to_string())
                && err.contains("sha256")
                && err.contains("complete.json"),
            "{err}"
        );
        // One byte cut: the size is named.
        std::fs::write(&path, &good[..good.len() - 1]).unwrap();
        let err = run_recording(&sweep, &resume(&out), never).unwrap_err();
        assert!(err.contains(&format!("{} bytes", good.len() - 1)), "{err}");
        // Missing.
        std::fs::remove_file(&path).unwrap();
        let err = run_recording(&sweep, &resume(&out), never).unwrap_err();
        assert!(err.contains(&path.display().to_string()), "{err}");
        // The refusals left the directory as they found it: no journal appeared.
        assert!(!out.join("journal").exists());
        std::fs::write(&path, &good).unwrap();
        assert!(run_recording(&sweep, &resume(&out), never).is_ok());
    }
}

#[test]
fn rows_that_read_back_differently_from_the_record_are_refused_naming_the_unit() {
    for format in [TableFormat::Csv, TableFormat::Parquet] {
        let sweep = sweep(format);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        run_recording(&sweep, &options(&out), rows).unwrap();
        // A record whose checksum for one unit disagrees with the (intact) table, as a reader
        // that rendered a value differently would produce.
        let mut record = record(&out);
        let victim = record["units"][4]["unit"].as_str().unwrap().to_string();
        record["units"][4]["checksum"] = "0000000000000000".into();
        std::fs::write(out.join("complete.json"), record.to_string()).unwrap();
        let err = run_recording(&sweep, &resume(&out), never).unwrap_err();
        assert!(
            err.contains(&victim) && err.contains("checksum") && err.contains("complete.json"),
            "{err}"
        );
    }
}

#[test]
fn a_crash_between_record_and_deletion_resumes_and_ends_compacted() {
    for format in [TableFormat::Csv, TableFormat::Parquet] {
        let sweep = sweep(format);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        // keep_journal leaves exactly what a crash after the record leaves: both.
        let kept = RunOptions {
            keep_journal: true,
            ..options(&out)
        };
        let original = run_recording(&sweep, &kept, rows).unwrap();
        assert!(out.join("complete.json").exists());
        let journal = polarity_sweep::journal::read(&out.join("journal")).unwrap();
        assert_eq!(
            journal.records.len(),
            sweep.units.len(),
            "keep_journal kept it"
        );
        let table = std::fs::read(out.join(format.file_name())).unwrap();

        let again = run_recording(&sweep, &resume(&out), never).unwrap();
        assert_eq!(again, original);
        assert!(
            !out.join("journal").exists(),
            "{format}: journal not deleted"
        );
        assert_eq!(std::fs::read(out.join(format.file_name())).unwrap(), table);
    }
}

#[test]
fn an_old_directory_without_a_record_resumes_from_its_journal() {
    let sweep = sweep(TableFormat::Parquet);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let kept = RunOptions {
        keep_journal: true,
        ..options(&out)
    };
    let original = run_recording(&sweep, &kept, rows).unwrap();
    let table = std::fs::read(out.join("results.parquet")).unwrap();
    let record = std::fs::read(out.join("complete.json")).unwrap();
    // As written before completion records existed: journal and table only.
    std::fs::remove_file(out.join("complete.json")).unwrap();
    std::fs::remove_file(out.join("results.parquet")).unwrap();
    let again = run_recording(&sweep, &resume(&out), never).unwrap();
    assert_eq!(again, original);
    assert_eq!(std::fs::read(out.join("results.parquet")).unwrap(), table);
    assert_eq!(std::fs::read(out.join("complete.json")).unwrap(), record);
    assert!(!out.join("journal").exists());
}

#[test]
fn a_table_that_cannot_give_back_the_strings_keeps_the_journal() {
    let sweep = sweep(TableFormat::Parquet);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // "1.0" parses as an f64 but its Display is "1": Parquet cannot give the text back.
    let not_display = |unit: &Unit| -> Result<Vec<Row>, BoxError> {
        let mut rows = rows(unit)?;
        for row in &mut rows {
            row[4] = "1.0".to_string();
        }
        Ok(rows)
    };
    let original = run_recording(&sweep, &options(&out), not_display).unwrap();
    assert!(original.iter().any(|(_, rows)| !rows.is_empty()));
    assert!(!out.join("complete.json").exists());
    assert!(out.join("journal").exists());
    // It resumes from the journal, with the original strings.
    let again = run_recording(&sweep, &resume(&out), never).unwrap();
    assert_eq!(again, original);
    assert!(out.join("journal").exists());
}

#[test]
fn shards_keep_their_journals_and_merge_writes_a_compacted_directory() {
    for format in [TableFormat::Csv, TableFormat::Parquet] {
        let sweep = sweep(format);
        let tmp = tempfile::tempdir().unwrap();
        let whole = tmp.path().join("whole");
        let original = run_recording(&sweep, &options(&whole), rows).unwrap();
        let shards: Vec<_> = (1..=3)
            .map(|i| {
                let dir = tmp.path().join(format!("shard{i}"));
                let shard = RunOptions {
                    shard: Some(Shard::new(i, 3).unwrap()),
                    ..options(&dir)
                };
                run_recording(&sweep, &shard, rows).unwrap();
                assert!(dir.join("journal").exists(), "shard {i}/3 kept its journal");
                assert!(!dir.join("complete.json").exists());
                dir
            })
            .collect();
        let merged = tmp.path().join("merged");
        merge(&merged, &shards).unwrap();
        let table = format.file_name();
        assert_eq!(
            std::fs::read(merged.join(table)).unwrap(),
            std::fs::read(whole.join(table)).unwrap()
        );
        assert!(!merged.join("journal").exists());
        assert_eq!(
            std::fs::read(merged.join("complete.json")).unwrap(),
            std::fs::read(whole.join("complete.json")).unwrap()
        );
        let again = run_recording(&sweep, &resume(&merged), never).unwrap();
        assert_eq!(again, original);
    }
}

#[test]
fn a_journal_without_a_manifest_is_still_refused_and_left_alone() {
    let sweep = sweep(TableFormat::Parquet);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let frame = polarity_sweep::journal::encode(&polarity_sweep::journal::Record {
        unit: sweep.units[0].id().to_string(),
        rows: rows(&sweep.units[0]).unwrap(),
    })
    .unwrap();
    std::fs::write(out.join("journal"), &frame).unwrap();
    for options in [options(&out), resume(&out)] {
        let err = run_recording(&sweep, &options, never).unwrap_err();
        assert!(err.contains("journal but no sweep.json"), "{err}");
        assert_eq!(std::fs::read(out.join("journal")).unwrap(), frame);
        assert!(!out.join("sweep.json").exists() && !out.join("complete.json").exists());
    }
}

#[test]
fn a_parquet_table_of_several_row_groups_reads_back_across_their_boundary() {
    // 3 units of 100,000 rows: the row group boundary (262,144 rows) falls inside the third unit.
    let per_unit = 100_000usize;
    assert!(2 * per_unit < polarity_sweep::table::ROW_GROUP_ROWS);
    assert!(3 * per_unit > polarity_sweep::table::ROW_GROUP_ROWS);
    use ColumnKind::*;
    let sweep = Sweep::new(
        "rows = 100000\n".to_string(),
        ConfigFormat::Toml,
        ["i", "x", "note"].map(String::from).to_vec(),
        Grid::new().axis("u", 0..3).units().unwrap(),
    )
    .unwrap()
    .with_kinds(vec![Int, Float32, Text])
    .unwrap()
    .with_format(TableFormat::Parquet);
    let work = |unit: &Unit| -> Result<Vec<Row>, BoxError> {
        let u: usize = unit.parse("u")?;
        Ok((0..per_unit)
            .map(|r| {
                let i = u * per_unit + r;
                vec![
                    i.to_string(),
                    (i as f32 / 7.0).to_string(),
                    format!("n{}", i % 13),
                ]
            })
            .collect())
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let original = run_recording(&sweep, &options(&out), work).unwrap();
    assert!(!out.join("journal").exists());
    let again = run_recording(&sweep, &resume(&out), never).unwrap();
    assert_eq!(again.len(), 3);
    assert!(again == original, "rows differ after the read-back");
}
