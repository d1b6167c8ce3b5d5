//! A fake sweep for the kill-and-resume test: units sleep a little and emit deterministic rows.
//! Not a user tool; it exercises the runner through a real process that can be SIGKILLed.

use clap::Parser;
use polarity_sweep::cli::SweepArgs;
use polarity_sweep::{ConfigFormat, Grid, Sweep, Unit};

// Later flags override earlier ones, so tests can append to a default command line.
#[derive(Parser)]
#[command(args_override_self = true)]
struct FakeArgs {
    #[command(flatten)]
    sweep: SweepArgs,
    /// Values of the outer axis "k".
    #[arg(long, default_value_t = 10)]
    groups: usize,
    /// Values of the inner axis "trial".
    #[arg(long, default_value_t = 4)]
    trials: usize,
    /// Milliseconds each unit sleeps (not part of the config: it does not change the results).
    #[arg(long, default_value_t = 5)]
    sleep_ms: u64,
    /// Free text stored in the config, to make configs differ.
    #[arg(long, default_value = "fake")]
    tag: String,
}

/// SplitMix64: a fixed, well-known mixer so rows are a pure function of the coordinates.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn rows(unit: &Unit, sleep_ms: u64) -> anyhow::Result<Vec<Vec<String>>> {
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
    if let Err(e) = run(FakeArgs::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(args: FakeArgs) -> anyhow::Result<()> {
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
    let sweep = Sweep::new(config, ConfigFormat::Toml, header, grid.units()?)?;
    let outcome = polarity_sweep::run(&sweep, &args.sweep.options()?, |unit| {
        rows(unit, args.sleep_ms)
    })?;
    println!("ran={} skipped={}", outcome.ran, outcome.skipped);
    Ok(())
}
