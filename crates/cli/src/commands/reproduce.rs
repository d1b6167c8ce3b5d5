//! `polarity reproduce ...`: one command per part of the paper.

use clap::Subcommand;

#[derive(Subcommand)]
pub enum ReproduceCommand {
    /// The XOR half of the paper (Fig 1, Fig 4, Supp B.1, flips) with figures, claims and a report.
    Xor(polarity_reproduce::cli::XorArgs),
    /// The image half (Fig 2, 3, Supp B.2-B.6) on Fashion-MNIST or CIFAR-10, presets paper|cpu|smoke.
    Images(Box<polarity_reproduce_images::cli::ImagesArgs>),
    /// Polarity transfer without ImageNet: pretrain on Fashion-MNIST classes 0-4, transfer to 5-9 (and back).
    Transfer(Box<polarity_reproduce_images::cli::TransferArgs>),
}

pub fn run(cmd: ReproduceCommand) -> anyhow::Result<()> {
    match cmd {
        ReproduceCommand::Xor(a) => polarity_reproduce::cli::run_xor(a),
        ReproduceCommand::Images(a) => polarity_reproduce_images::cli::run_images(*a),
        ReproduceCommand::Transfer(a) => polarity_reproduce_images::cli::run_transfer(*a),
    }
}
