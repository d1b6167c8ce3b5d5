//! What compaction (docs/decisions.md D-SWEEP-10) costs and saves, on a synthetic grid with the
//! XOR table's columns: disk of the journal against the completion record, wall time of a run and
//! of a `--resume` that reads every row back from the table, and the writer's check that every
//! typed value is its `Display` text. Prints figures; asserts nothing about speed.
//!
//! `cargo run --release -p polarity-sweep --example compaction_cost [UNITS] [ROWS_PER_UNIT]`

use polarity_sweep::{
    run_streaming, BoxError, ColumnKind, ConfigFormat, Grid, RunOptions, Sweep, TableFormat, Unit,
};
use std::path::Path;
use std::time::Instant;

const HEADER: [&str; 14] = [
    "n_train",
    "hidden",
    "reset",
    "condition",
    "trial",
    "epoch",
    "train_loss",
    "train_acc",
    "val_loss",
    "val_acc",
    "resets_hidden",
    "resets_output",
    "flips_hidden",
    "flips_output",
];

fn rows(unit: &Unit, per_unit: usize) -> Result<Vec<Vec<String>>, BoxError> {
    let u: u64 = unit.parse("u")?;
    Ok((0..per_unit as u64)
        .map(|r| {
            // A pure function of the unit and row (the project's seed mixer).
            let h = polarity_core::seed::derive(u, &[r]);
            let unit_float = |shift: u32| ((h >> shift) & 0xFF_FFFF) as f32 / 16_777_216.0;
            vec![
                (40 + u % 5 * 8).to_string(),
                "9".to_string(),
                "zero".to_string(),
                if u.is_multiple_of(2) {
                    "frozen"
                } else {
                    "fluid"
                }
                .to_string(),
                (r / 100).to_string(),
                (r % 100).to_string(),
                unit_float(0).to_string(),
                (((h >> 8) % 41) as f32 / 40.0).to_string(),
                unit_float(20).to_string(),
                (((h >> 30) % 101) as f32 / 100.0).to_string(),
                ((h >> 40) % 7).to_string(),
                ((h >> 44) % 3).to_string(),
                ((h >> 48) % 5).to_string(),
                ((h >> 52) % 2).to_string(),
            ]
        })
        .collect())
}

fn bytes(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let units: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let per_unit: usize = args.next().map_or(Ok(5_000), |a| a.parse())?;
    let grid = Grid::new().axis("u", 0..units as u64);
    use ColumnKind::*;
    let kinds = vec![
        Int, Int, Text, Text, Int, Int, Float32, Float32, Float32, Float32, Int, Int, Int, Int,
    ];
    let tmp = std::env::temp_dir().join(format!("compaction-cost-{}", std::process::id()));
    println!(
        "{units} units x {per_unit} rows = {} rows, 14 columns (XOR-like)",
        units * per_unit
    );
    for format in [TableFormat::Parquet, TableFormat::Csv] {
        let sweep = Sweep::new(
            format!("units = {units}\nrows = {per_unit}\n"),
            ConfigFormat::Toml,
            HEADER.map(String::from).to_vec(),
            grid.units()?,
        )?
        .with_kinds(kinds.clone())?
        .with_format(format);
        let work = |unit: &Unit| rows(unit, per_unit);
        let mut kept_rows = 0usize;
        let mut count = |_: &str, rows: Vec<Vec<String>>| -> Result<(), BoxError> {
            kept_rows += rows.len();
            Ok(())
        };

        let kept = tmp.join(format!("{format}-kept"));
        let options = |out: &Path| RunOptions {
            out: out.to_path_buf(),
            ..RunOptions::default()
        };
        let started = Instant::now();
        run_streaming(
            &sweep,
            &RunOptions {
                keep_journal: true,
                ..options(&kept)
            },
            work,
            &mut count,
        )?;
        let kept_seconds = started.elapsed().as_secs_f64();

        let compacted = tmp.join(format!("{format}-compacted"));
        let started = Instant::now();
        run_streaming(&sweep, &options(&compacted), work, &mut count)?;
        let run_seconds = started.elapsed().as_secs_f64();
        assert!(!compacted.join("journal").exists());

        let started = Instant::now();
        run_streaming(
            &sweep,
            &RunOptions {
                resume: true,
                ..options(&compacted)
            },
            |_: &Unit| -> Result<Vec<Vec<String>>, BoxError> { Err("ran a unit".into()) },
            &mut count,
        )?;
        let resume_seconds = started.elapsed().as_secs_f64();
        assert_eq!(kept_rows, 3 * units * per_unit);

        let mb = |b: u64| b as f64 / 1e6;
        println!(
            "{format}: table {:.1} MB, journal {:.1} MB (deleted), complete.json {:.3} MB; \
             run {run_seconds:.2} s (journal kept: {kept_seconds:.2} s); resume from the table \
             {resume_seconds:.2} s",
            mb(bytes(&compacted.join(format.file_name()))),
            mb(bytes(&kept.join("journal"))),
            mb(bytes(&compacted.join("complete.json"))),
        );
    }

    // The writer's check: parse each typed field and compare its Display text with the field.
    let all: Vec<Vec<String>> = grid
        .units()?
        .iter()
        .map(|u| rows(u, per_unit))
        .collect::<Result<Vec<_>, _>>()?
        .concat();
    let started = Instant::now();
    let mut scratch = String::new();
    let mut canonical = 0usize;
    let mut typed = 0usize;
    for row in &all {
        for (field, kind) in row.iter().zip(&kinds) {
            use std::fmt::Write;
            scratch.clear();
            match kind {
                Int => write!(scratch, "{}", field.parse::<i64>()?)?,
                Float32 => write!(scratch, "{}", field.parse::<f32>()?)?,
                _ => continue,
            }
            typed += 1;
            canonical += usize::from(scratch == *field);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    // The parse alone, which the Parquet writer needs anyway: the difference is the check's cost.
    let started = Instant::now();
    let mut sum = 0f64;
    for row in &all {
        for (field, kind) in row.iter().zip(&kinds) {
            sum += match kind {
                Int => field.parse::<i64>()? as f64,
                Float32 => f64::from(field.parse::<f32>()?),
                _ => continue,
            };
        }
    }
    let parse_seconds = started.elapsed().as_secs_f64();
    println!(
        "check: {typed} typed fields parsed and re-rendered in {seconds:.2} s, parsed alone in \
         {parse_seconds:.2} s: the check adds {:.0} ns a field ({canonical} canonical; sum {sum:.1})",
        (seconds - parse_seconds) * 1e9 / typed as f64
    );
    std::fs::remove_dir_all(&tmp)?;
    Ok(())
}
