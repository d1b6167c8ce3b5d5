//! `polarity reproduce transfer|images` as a stand-alone program (the same code the `polarity`
//! binary calls), e.g.
//! `cargo run --release -p polarity-reproduce-images --example reproduce_images -- transfer --preset smoke`.

use clap::{Parser, Subcommand};
use polarity_reproduce_images::cli;

#[derive(Parser)]
#[command(
    name = "reproduce_images",
    about = "The paper's image experiments and a polarity-transfer study"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Polarity transfer from a source network trained here (Fashion-MNIST classes 0-4 <-> 5-9).
    Transfer(cli::TransferArgs),
    /// The paper's image grid (Fig 2, 3, Supp B.2-B.6) on Fashion-MNIST or CIFAR-10.
    Images(cli::ImagesArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Transfer(a) => cli::run_transfer(a),
        Command::Images(a) => cli::run_images(a),
    }
}
