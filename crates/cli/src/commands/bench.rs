//! `polarity bench xor` (the engine on the Fig-1 or Fig-4 grid shape) and `polarity bench peak`
//! (this machine's f32 FMA peak, measured). `bench xor` measures the peak in the same run, so
//! its GFLOP/s come with their share of what this machine delivers (docs/decisions.md D-TRAIN-8).

use clap::{Args, Subcommand};
use polarity_xor::bench::peak::{self, Peak};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Train the Fig-1 (or Fig-4) grid shape (11 sizes, sufficient and RAND templates, frozen and
    /// fluid: 4 networks per trial) and print networks/s, wall time, GFLOP/s and the share of
    /// this machine's FMA peak (measured in the same run).
    Xor(XorBenchArgs),
    /// Measure this machine's f32 FMA peak on one thread and on all threads.
    Peak(PeakArgs),
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
}

#[derive(Args)]
pub struct PeakArgs {
    /// Threads for the all-thread figure (default: the number of CPUs the system reports).
    #[arg(long)]
    threads: Option<usize>,
    /// Repetitions of each measurement (the best is reported).
    #[arg(long, default_value_t = 5)]
    repeats: usize,
}

fn all_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// One-thread and all-thread peaks, best of `repeats`.
fn peaks(threads: usize, repeats: usize) -> (Peak, Peak) {
    (peak::measure(1, repeats), peak::measure(threads, repeats))
}

fn print_peaks(one: &Peak, all: &Peak) {
    println!(
        "FMA peak ({}), 1 thread       {:.1} GFLOP/s",
        one.isa.name(),
        one.gflops
    );
    println!(
        "FMA peak ({}), {} threads{}   {:.1} GFLOP/s",
        all.isa.name(),
        all.threads,
        if all.threads < 10 { " " } else { "" },
        all.gflops
    );
}

pub fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Peak(args) => {
            if args.repeats == 0 {
                anyhow::bail!("--repeats must be at least 1");
            }
            let threads = args.threads.unwrap_or_else(all_threads);
            if threads == 0 {
                anyhow::bail!("--threads must be at least 1");
            }
            let (one, all) = peaks(threads, args.repeats);
            print_peaks(&one, &all);
            Ok(())
        }
        BenchCommand::Xor(args) => {
            if args.threads == 0 {
                anyhow::bail!("--threads must be at least 1");
            }
            let cfg = if args.grid == "fig4" {
                polarity_xor::bench::fig4_config(args.trials)
            } else {
                polarity_xor::bench::fig1_config(args.trials)
            };
            // Peaks before and after the run; the higher is the machine's (other jobs on a
            // shared machine lower both the engine's figure and the peak taken beside it).
            let (one_before, all_before) = peaks(all_threads(), 3);
            let cpu_start = cpu_seconds();
            let r = polarity_xor::bench::run(&cfg, args.threads)?;
            let cpu = cpu_seconds() - cpu_start;
            let (one_after, all_after) = peaks(all_threads(), 3);
            let best = |a: Peak, b: Peak| if a.gflops >= b.gflops { a } else { b };
            let (one, all) = (best(one_before, one_after), best(all_before, all_after));
            let (wall_rate, cpu_rate) = (r.gflop / r.seconds, r.gflop / cpu.max(1e-9));
            println!("networks        {}", r.networks);
            println!("wall time       {:.2} s", r.seconds);
            println!("process CPU     {:.2} s", cpu);
            println!("networks/s      {:.1}", r.networks as f64 / r.seconds);
            println!(
                "work            {:.1} GFLOP (derived from the shapes)",
                r.gflop
            );
            println!("GFLOP/s (wall)  {wall_rate:.2}");
            println!("GFLOP/s (CPU)   {cpu_rate:.2}");
            print_peaks(&one, &all);
            println!(
                "share of the 1-thread peak: {:.1} % (wall), {:.1} % (CPU); of the {}-thread peak: {:.1} % (wall)",
                100.0 * wall_rate / one.gflops,
                100.0 * cpu_rate / one.gflops,
                all.threads,
                100.0 * wall_rate / all.gflops
            );
            println!(
                "peaks before / after the run: 1 thread {:.1} / {:.1}, {} threads {:.1} / {:.1} GFLOP/s",
                one_before.gflops, one_after.gflops, all.threads, all_before.gflops, all_after.gflops
            );
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
