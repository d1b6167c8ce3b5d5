//! A fake sweep for the kill-and-resume test: units sleep a little and emit deterministic rows.
//! Not a user tool; it exercises the runner through a real process that can be SIGKILLed.
//!
//! Its few flags are read by hand so the library needs no argument parser. Later flags override
//! earlier ones, so tests can append to a default command line.

use polarity_sweep::{
    process_env, resolve_shard, BoxError, ColumnKind, ConfigFormat, Grid, RunOptions, Shard, Sweep,
    TableFormat, Unit,
};
use std::path::PathBuf;

struct FakeArgs {
    out: Option<PathBuf>,
    resume: bool,
    keep_journal: bool,
    shard: Option<Shard>,
    threads: Option<usize>,
    /// Values of the outer axis "k".
    groups: usize,
    /// Values of the inner axis "trial".
    trials: usize,
    /// Milliseconds each unit sleeps (not part of the config: it does not change the results).
    sleep_ms: u64,
    /// Free text stored in the config, to make configs differ.
    tag: String,
    /// The final table's format (`--format csv|parquet`).
    format: TableFormat,
}

impl FakeArgs {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<FakeArgs, BoxError> {
        let mut parsed = FakeArgs {
            out: None,
            resume: false,
            keep_journal: false,
            shard: None,
            threads: None,
            groups: 10,
            trials: 4,
            sleep_ms: 5,
            tag: "fake".to_string(),
            format: TableFormat::Csv,
        };
        while let Some(flag) = args.next() {
            if flag == "--resume" {
                parsed.resume = true;
                continue;
            }
            if flag == "--keep-journal" {
                parsed.keep_journal = true;
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--out" => parsed.out = Some(value.into()),
                "--shard" => parsed.shard = Some(value.parse()?),
                "--threads" => parsed.threads = Some(value.parse()?),
                "--groups" => parsed.groups = value.parse()?,
                "--trials" => parsed.trials = value.parse()?,
                "--sleep-ms" => parsed.sleep_ms = value.parse()?,
                "--tag" => parsed.tag = value,
                "--format" => parsed.format = value.parse()?,
                _ => return Err(format!("unknown flag {flag}").into()),
            }
        }
        Ok(parsed)
    }
}

/// SplitMix64: a fixed, well-known mixer so rows are a pure function of the coordinates.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn rows(unit: &Unit, sleep_ms: u64) -> Result<Vec<Vec<String>>, BoxError> {
    std::thread::sleep(std::time::Duration::from_millis(sleep_ms));
    let k: u64 = unit.parse("k")?;
    let trial: u64 = unit.parse("trial")?;
    // 0, 1 or 2 rows, so units without rows are exercised too.
    let count = (k * 7 + trial) % 3;
    Ok((0..count)
        .map(|r| {
            let h = mix(k << 32 | trial << 8 | r);
            vec![
                unit.id().to_string(),
                k.to_string(),
                trial.to_string(),
                r.to_string(),
                format!("{}", (h >> 11) as f64 / (1u64 << 53) as f64),
                format!("note, \"quoted\" {}", h % 100),
            ]
        })
        .collect())
}

fn main() {
    if let Err(e) = FakeArgs::parse(std::env::args().skip(1)).and_then(run) {
        // The whole chain, as the `polarity` binary prints it.
        let mut message = e.to_string();
        let mut source = e.source();
        while let Some(inner) = source {
            message += &format!(": {inner}");
            source = inner.source();
        }
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run(args: FakeArgs) -> Result<(), BoxError> {
    let grid = Grid::new()
        .axis("k", 0..args.groups)
        .axis("trial", 0..args.trials);
    let config = format!(
        "groups = {}\ntrials = {}\ntag = {:?}\n",
        args.groups, args.trials, args.tag
    );
    let header = ["unit", "k", "trial", "row", "value", "note"]
        .map(String::from)
        .to_vec();
    use ColumnKind::{Float64, Int, Text};
    let sweep = Sweep::new(config, ConfigFormat::Toml, header, grid.units()?)?
        .with_kinds(vec![Text, Int, Int, Int, Float64, Text])?
        .with_format(args.format);
    let options = RunOptions {
        out: args.out.ok_or("--out is required")?,
        resume: args.resume,
        shard: resolve_shard(args.shard, None, &process_env())?,
        threads: args.threads,
        progress: None,
        keep_journal: args.keep_journal,
        one_unit_at_a_time: false,
    };
    let outcome = polarity_sweep::run(&sweep, &options, |unit| rows(unit, args.sleep_ms))?;
    println!("ran={} skipped={}", outcome.ran, outcome.skipped);
    Ok(())
}
