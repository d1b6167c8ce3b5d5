//! `polarity theory ...`: the exact theory curves (polarity-theory), printed to stdout.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};
use polarity_theory::bounds::{MAX_DIMS, MAX_UNITS};
use polarity_theory::curves::xor_curves;
use polarity_theory::report::{render, Format};

/// Exact theory: probability that a random-polarity network can represent XOR.
#[derive(Debug, Args)]
pub struct TheoryArgs {
    #[command(subcommand)]
    pub command: TheoryCommand,
}

/// Theory subcommands.
#[derive(Debug, Subcommand)]
pub enum TheoryCommand {
    /// Print Theorem D.1 as printed, Lemma D.1's condition and the oracle's truth for n = 1..N.
    Xor(XorArgs),
}

/// Options of `polarity theory xor`.
#[derive(Debug, Args)]
pub struct XorArgs {
    /// Largest number of hidden units n (rows n = 1..=N).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_UNITS)))]
    pub max_units: u32,
    /// Input dimension d for Theorem D.1 (2 relevant inputs + d − 2 nuisance inputs).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(2..=i64::from(MAX_DIMS)))]
    pub dims: u32,
    /// Output format: text table, CSV or JSON (exact fraction and decimal for every entry).
    #[arg(long, default_value_t = Format::Text, value_parser = format_parser())]
    pub format: Format,
    /// Also compute the truth on the whole cells, not only their centres (slower: about 10 s).
    #[arg(long)]
    pub cells: bool,
}

/// `text`, `csv` or `json`, the library's names.
fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.map(Format::name))
        .map(|name| name.parse::<Format>().expect("one of the possible values"))
}

/// Runs a theory subcommand, printing to stdout.
pub fn run(args: TheoryArgs) -> anyhow::Result<()> {
    match args.command {
        TheoryCommand::Xor(xor) => {
            let curves = xor_curves(xor.max_units, xor.dims, xor.cells)?;
            print!("{}", render(&curves, xor.format));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        theory: TheoryArgs,
    }

    #[test]
    fn arguments_parse_and_validate() {
        Wrapper::command().debug_assert();
        let parsed = Wrapper::try_parse_from([
            "polarity",
            "xor",
            "--max-units",
            "12",
            "--dims",
            "3",
            "--format",
            "csv",
            "--cells",
        ])
        .unwrap();
        let TheoryCommand::Xor(xor) = parsed.theory.command;
        assert_eq!(
            (xor.max_units, xor.dims, xor.format, xor.cells),
            (12, 3, Format::Csv, true)
        );
        let defaults = Wrapper::try_parse_from(["polarity", "xor"]).unwrap();
        let TheoryCommand::Xor(xor) = defaults.theory.command;
        assert_eq!(
            (xor.max_units, xor.dims, xor.format, xor.cells),
            (30, 5, Format::Text, false)
        );
        let error = Wrapper::try_parse_from(["polarity", "xor", "--dims", "1"]).unwrap_err();
        assert!(error.to_string().contains("--dims"), "{error}");
        let error = Wrapper::try_parse_from(["polarity", "xor", "--format", "xml"]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("[possible values: text, csv, json]"),
            "{error}"
        );
    }
}
