//! `polarity`: thin binary; each subcommand lives in `commands/` and calls library crates.

use clap::{Parser, Subcommand};

mod commands;

#[derive(Parser)]
#[command(name = "polarity", version, about = "Fixed-polarity training and polarity transfer (Wang et al., ICML 2023)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Exact theory: probability that a random-polarity network can represent XOR.
    Theory(commands::theory::TheoryArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Theory(args) => commands::theory::run(args),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
