//! The `polarity images` subcommands as a stand-alone program (the same code the `polarity`
//! binary calls), e.g.:
//!
//! `cargo run --release -p polarity-burn --example images -- bench --network paper-alexnet`

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "images",
    about = "Train and benchmark image networks with fixed polarity"
)]
struct Cli {
    #[command(flatten)]
    args: polarity_burn::cli::ImagesArgs,
}

fn main() -> anyhow::Result<()> {
    polarity_burn::cli::run(Cli::parse().args)
}
