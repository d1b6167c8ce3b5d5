//! The `data` subcommand as the `polarity` binary will see it.
mod common;

use clap::{CommandFactory, Parser, Subcommand};
use polarity_images::cli::{run, DataArgs};

#[derive(Parser)]
struct Top {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    Data(DataArgs),
}

fn run_line(line: &[&str]) -> anyhow::Result<()> {
    let Cmd::Data(args) = Top::try_parse_from(line)?.command;
    run(args)
}

#[test]
fn clap_definition_is_valid_and_rejects_unknown_datasets() {
    Top::command().debug_assert();
    assert!(Top::try_parse_from(["p", "data", "fetch", "mnist"]).is_err());
    assert!(Top::try_parse_from(["p", "data", "fetch", "fashion-mnist"]).is_ok());
    assert!(Top::try_parse_from([
        "p",
        "data",
        "check",
        "cifar10",
        "--data-dir",
        "/x",
        "--json"
    ])
    .is_ok());
}

#[test]
fn fetch_with_a_wrong_archive_and_check_of_a_wrong_folder_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("not-cifar.tar.gz");
    std::fs::write(&archive, common::gzip(b"hello")).unwrap();
    let dest = tmp.path().join("dest");
    let (a, d) = (archive.to_str().unwrap(), dest.to_str().unwrap());
    let e = run_line(&["p", "data", "fetch", "cifar10", "--archive", a, "--dest", d]).unwrap_err();
    assert!(format!("{e:#}").contains("md5 of the archive"), "{e:#}");

    let synthetic = tmp.path().join("fm");
    common::write_fashion(&synthetic, 3, 2, 28, 28, true);
    let s = synthetic.to_str().unwrap();
    let e = run_line(&["p", "data", "check", "fashion-mnist", "--data-dir", s]).unwrap_err();
    assert!(
        format!("{e:#}").contains("the canonical file has 60000"),
        "{e:#}"
    );
}

#[test]
fn check_accepts_the_real_fashion_mnist_when_installed() {
    let paths = polarity_images::SearchPaths::from_process_env(None);
    if paths
        .locate(polarity_images::DatasetKind::FashionMnist)
        .is_err()
    {
        eprintln!("note: real Fashion-MNIST not installed; skipping (tests/real_fashion_mnist.rs covers the requirement)");
        return;
    }
    run_line(&["p", "data", "check", "fashion-mnist"]).unwrap();
}
