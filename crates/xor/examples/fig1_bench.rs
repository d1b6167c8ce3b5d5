//! Quick engine timing without the CLI: `cargo run --release -p polarity-xor --example fig1_bench -- [trials] [threads]`.
fn main() -> Result<(), polarity_xor::XorError> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let cfg = polarity_xor::bench::fig1_config(*args.first().unwrap_or(&50));
    let r = polarity_xor::bench::run(&cfg, *args.get(1).unwrap_or(&1))?;
    println!(
        "{} networks in {:.2} s: {:.1} networks/s, {:.1} GFLOP, {:.2} GFLOP/s",
        r.networks,
        r.seconds,
        r.networks as f64 / r.seconds,
        r.gflop,
        r.gflop / r.seconds
    );
    Ok(())
}
