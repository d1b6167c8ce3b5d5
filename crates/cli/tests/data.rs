//! `polarity data` end to end: clear errors for a wrong archive and a wrong folder, and a check of
//! the real Fashion-MNIST where it is installed.

use polarity_images::idx::{encode, IMAGES_MAGIC, LABELS_MAGIC};
use std::path::Path;
use std::process::{Command, Output};

fn polarity(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polarity"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The four Fashion-MNIST files, raw, with `n_train` and `n_test` 28x28 images (not the canonical counts).
fn write_small_fashion(dir: &Path, n_train: u32, n_test: u32) {
    std::fs::create_dir_all(dir).unwrap();
    for (prefix, n) in [("train", n_train), ("t10k", n_test)] {
        let images = encode(IMAGES_MAGIC, &[n, 28, 28], &vec![7; n as usize * 28 * 28]);
        let labels = encode(LABELS_MAGIC, &[n], &vec![1; n as usize]);
        std::fs::write(dir.join(format!("{prefix}-images-idx3-ubyte")), images).unwrap();
        std::fs::write(dir.join(format!("{prefix}-labels-idx1-ubyte")), labels).unwrap();
    }
}

#[test]
fn unknown_datasets_are_refused_with_the_possible_values() {
    let o = polarity(&["data", "fetch", "mnist"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("fashion-mnist, cifar10"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fetch_with_a_wrong_archive_and_check_of_a_wrong_folder_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("not-cifar.tar.gz");
    std::fs::write(&archive, b"hello").unwrap();
    let dest = tmp.path().join("dest");
    let (a, d) = (archive.to_str().unwrap(), dest.to_str().unwrap());
    let o = polarity(&["data", "fetch", "cifar10", "--archive", a, "--dest", d]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("md5 of the archive"), "{}", stderr(&o));

    let synthetic = tmp.path().join("fm");
    write_small_fashion(&synthetic, 3, 2);
    let s = synthetic.to_str().unwrap();
    let o = polarity(&["data", "check", "fashion-mnist", "--data-dir", s]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("the canonical file has 60000"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_accepts_the_real_fashion_mnist_when_installed() {
    let paths = polarity_images::SearchPaths::from_process_env(None);
    if paths
        .locate(polarity_images::DatasetKind::FashionMnist)
        .is_err()
    {
        eprintln!("note: real Fashion-MNIST not installed; skipping (crates/images/tests/real_fashion_mnist.rs covers the requirement)");
        return;
    }
    let o = polarity(&["data", "check", "fashion-mnist"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("60000 train + 10000 test"));
}
