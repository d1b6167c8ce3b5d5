//! `polarity bench xor`: the engine benchmark on the Fig-1 grid shape.

use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Train the Fig-1 (or Fig-4) grid shape (11 sizes, sufficient and RAND templates, frozen and
    /// fluid: 4 networks per trial) and print networks/s, wall time and GFLOP/s.
    Xor(XorBenchArgs),
}

#[derive(Args)]
pub struct XorBenchArgs {
    /// Grid shape: fig1 (h = 64: 2,200 networks at 50 trials) or fig4 (h = 2..30, 32: 66,000 networks).
    #[arg(long, default_value = "fig1", value_parser = ["fig1", "fig4"])]
    grid: String,
    /// Trials per condition and size (the paper: 50).
    #[arg(long, default_value_t = 50)]
    trials: usize,
    /// Worker threads for the engine.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// The CPU's clock in GHz, for the fraction of peak (default: read from /proc/cpuinfo).
    #[arg(long)]
    ghz: Option<f64>,
}

fn cpu_ghz() -> Option<f64> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("cpu MHz"))?;
    line.split(':')
        .nth(1)?
        .trim()
        .parse::<f64>()
        .ok()
        .map(|mhz| mhz / 1000.0)
}

fn has(feature: &str) -> bool {
    std::fs::read_to_string("/proc/cpuinfo")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("flags") && l.split_whitespace().any(|f| f == feature))
        })
        .unwrap_or(false)
}

pub fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Xor(args) => {
            let cfg = if args.grid == "fig4" {
                polarity_xor::bench::fig4_config(args.trials)
            } else {
                polarity_xor::bench::fig1_config(args.trials)
            };
            let cpu_start = cpu_seconds();
            let r = polarity_xor::bench::run(&cfg, args.threads)?;
            let cpu = cpu_seconds() - cpu_start;
            println!("networks        {}", r.networks);
            println!("wall time       {:.2} s", r.seconds);
            println!("process CPU     {:.2} s", cpu);
            println!("networks/s      {:.1}", r.networks as f64 / r.seconds);
            println!(
                "work            {:.1} GFLOP (derived from the shapes)",
                r.gflop
            );
            println!("GFLOP/s (wall)  {:.2}", r.gflop / r.seconds);
            println!("GFLOP/s (CPU)   {:.2}", r.gflop / cpu.max(1e-9));
            if let Some(ghz) = args.ghz.or_else(cpu_ghz) {
                // One core: two FMA units, each 8 (AVX2) or 16 (AVX-512) f32 lanes, 2 FLOP per FMA.
                for (name, lanes, ok) in [
                    ("AVX2", 8.0, has("avx2")),
                    ("AVX-512", 16.0, has("avx512f")),
                ] {
                    if ok {
                        let peak = ghz * 2.0 * lanes * 2.0;
                        println!(
                            "{name:<8} FMA peak of one core at {ghz:.2} GHz: {peak:.1} GFLOP/s; reached {:.1} % (wall), {:.1} % (CPU)",
                            100.0 * r.gflop / r.seconds / peak,
                            100.0 * r.gflop / cpu.max(1e-9) / peak
                        );
                    }
                }
            }
            Ok(())
        }
    }
}

/// User + system CPU seconds of this process (from /proc/self/stat; 0 where unavailable).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields after the command name: utime is the 12th, stime the 13th (0-based 11, 12); 100 Hz.
    (ticks(11) + ticks(12)) / 100.0
}
