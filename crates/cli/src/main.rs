//! `polarity`: a thin binary; each subcommand's options live in `commands/` and the work in the
//! library crates.

use clap::{Parser, Subcommand};

mod allocator;
mod backend;
mod commands;
mod plan_check;
mod progress;
mod sweep_args;

#[derive(Parser)]
#[command(
    name = "polarity",
    version,
    about = "Fixed-polarity training and polarity transfer (Wang et al., ICML 2023)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The XOR-nD simulation: train grids of small networks.
    #[command(subcommand)]
    Xor(commands::xor::XorCommand),
    /// Benchmarks that print figures (networks/s, GFLOP/s).
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
    /// Reproduce the paper: runs, figures, claims table and report.
    #[command(subcommand)]
    Reproduce(commands::reproduce::ReproduceCommand),
    /// Exact theory: probability that a random-polarity network can represent XOR.
    Theory(commands::theory::TheoryArgs),
    /// Make, compare and inspect polarity template files.
    #[command(subcommand)]
    Template(commands::template::TemplateCommand),
    /// Combine the output directories of a sharded sweep into one table.
    Merge(commands::merge::MergeArgs),
    /// Image classification with fixed polarity (burn): train conditions, benchmark a step.
    Images(commands::images::ImagesArgs),
    /// Fetch and check the image datasets.
    Data(commands::data::DataArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Xor(cmd) => commands::xor::run(cmd),
        Command::Bench(cmd) => commands::bench::run(cmd),
        Command::Reproduce(cmd) => commands::reproduce::run(cmd),
        Command::Theory(args) => commands::theory::run(args),
        Command::Template(cmd) => commands::template::run(cmd),
        Command::Merge(args) => commands::merge::run(args),
        Command::Data(args) => commands::data::run(args),
        Command::Images(args) => commands::images::run(args),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every option of every subcommand has a one-line help text.
    #[test]
    fn every_option_is_documented() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                match arg.get_help() {
                    Some(h) if !h.to_string().trim().is_empty() => {}
                    _ => missing.push(format!("{path} --{id}")),
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() {
                    missing.push(format!("{path} {} (no about)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let cmd = Cli::command();
        cmd.clone().debug_assert();
        let mut missing = Vec::new();
        walk(&cmd, "polarity", &mut missing);
        assert!(missing.is_empty(), "undocumented: {missing:?}");
    }
}
