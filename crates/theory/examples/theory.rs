//! Stand-in for the `polarity` binary's wiring, e.g.
//! `cargo run --release -p polarity-theory --example theory -- theory xor --dims 5 --cells`.

use clap::{Parser, Subcommand};
use polarity_theory::cli::{run, TheoryArgs};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Exact theory: probability that a random-polarity network can represent XOR.
    Theory(TheoryArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Theory(args) => run(args),
    }
}
