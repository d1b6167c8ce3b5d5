//! `polarity data fetch` on local synthetic files (file:// URLs and a synthetic tarball).
mod common;

use common::*;
use polarity_images::fetch::{fetch, fetch_with_notes, FetchOptions};
use polarity_images::{DatasetKind, Validation};
use std::path::{Path, PathBuf};

fn options(dest_root: &Path, validation: Validation) -> FetchOptions {
    FetchOptions {
        dest_root: dest_root.to_path_buf(),
        url: None,
        archive: None,
        force: false,
        validation,
    }
}

fn curl_available() -> bool {
    let ok = std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok();
    if !ok {
        eprintln!("note: curl not installed; skipping the download test");
    }
    ok
}

#[test]
fn fashion_fetch_downloads_verifies_and_is_idempotent() {
    if !curl_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mirror = tmp.path().join("mirror");
    write_fashion(&mirror, 8, 4, 3, 3, true);
    let dest = tmp.path().join("cache");
    let url = format!("file://{}", mirror.display());

    // Canonical mode: the synthetic files fail the canonical .gz sha256 and are not installed.
    let mut opts = options(&dest, Validation::Canonical);
    opts.url = Some(url.clone());
    let e = fetch(DatasetKind::FashionMnist, &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("train-images-idx3-ubyte.gz: checksum mismatch: sha256 of the downloaded file"),
        "{e}"
    );
    assert!(
        e.contains("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
        "{e}"
    );
    assert!(!dest
        .join("fashion-mnist/train-images-idx3-ubyte.gz")
        .exists());

    opts.validation = Validation::StructureOnly;
    let out = fetch(DatasetKind::FashionMnist, &opts).unwrap();
    assert!(!out.already_present);
    assert_eq!(out.dir, dest.join("fashion-mnist"));
    for name in ["train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
        assert_eq!(
            std::fs::read(out.dir.join(name)).unwrap(),
            std::fs::read(mirror.join(name)).unwrap()
        );
    }
    let leftovers: Vec<PathBuf> = std::fs::read_dir(&out.dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let again = fetch(DatasetKind::FashionMnist, &opts).unwrap();
    assert!(again.already_present);
}

#[test]
fn failed_download_explains_the_alternatives() {
    if !curl_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut opts = options(&tmp.path().join("cache"), Validation::Canonical);
    opts.url = Some(format!("file://{}/no-such-mirror", tmp.path().display()));
    let e = fetch(DatasetKind::FashionMnist, &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("downloading file://") && e.contains("failed"),
        "{e}"
    );
    assert!(
        e.contains("apt-get download dataset-fashion-mnist && dpkg-deb -x"),
        "{e}"
    );
    assert!(e.contains("fetch-fashion-mnist-debian.sh"), "{e}");
}

fn write_tarball(path: &Path, files: &[(&str, Vec<u8>)]) {
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(gz);
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes.as_slice())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

#[test]
fn cifar_archive_is_md5_checked_extracted_and_installed() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("cifar-10-binary.tar.gz");
    let mut members: Vec<(&str, Vec<u8>)> = Vec::new();
    let names = [
        "cifar-10-batches-bin/data_batch_1.bin",
        "cifar-10-batches-bin/data_batch_2.bin",
        "cifar-10-batches-bin/data_batch_3.bin",
        "cifar-10-batches-bin/data_batch_4.bin",
        "cifar-10-batches-bin/data_batch_5.bin",
        "cifar-10-batches-bin/test_batch.bin",
    ];
    for (k, name) in names.iter().enumerate() {
        members.push((name, cifar_rows(2, k)));
    }
    members.push((
        "cifar-10-batches-bin/batches.meta.txt",
        b"airplane\n".to_vec(),
    ));
    members.push(("elsewhere/data_batch_1.bin", vec![1, 2, 3]));
    write_tarball(&archive, &members);
    let dest = tmp.path().join("cache");

    let mut opts = options(&dest, Validation::Canonical);
    opts.archive = Some(archive.clone());
    let e = fetch(DatasetKind::Cifar10, &opts).unwrap_err().to_string();
    assert!(
        e.contains("cifar-10-binary.tar.gz: checksum mismatch: md5 of the archive")
            && e.contains("c32a1d4ab5d03f1284b67883e8d87530"),
        "{e}"
    );
    assert!(!dest.join("cifar-10-batches-bin").exists());

    opts.validation = Validation::StructureOnly;
    let out = fetch(DatasetKind::Cifar10, &opts).unwrap();
    assert_eq!(out.dir, dest.join("cifar-10-batches-bin"));
    assert_eq!(
        std::fs::read(out.dir.join("data_batch_3.bin")).unwrap(),
        cifar_rows(2, 2)
    );
    assert_eq!(
        std::fs::read(out.dir.join("batches.meta.txt")).unwrap(),
        b"airplane\n"
    );
    assert_eq!(out.provenance.files.len(), 6);
    assert!(out
        .provenance
        .files
        .iter()
        .all(|f| f.path.starts_with(&out.dir)));
    assert!(archive.exists(), "a user-supplied archive is kept");
    let only_target: Vec<_> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        only_target,
        vec![std::ffi::OsString::from("cifar-10-batches-bin")],
        "no staging left"
    );
    assert!(fetch(DatasetKind::Cifar10, &opts).unwrap().already_present);

    // An archive without the binary batches (e.g. the python version) is rejected.
    let python = tmp.path().join("python.tar.gz");
    write_tarball(
        &python,
        &[("cifar-10-batches-py/data_batch_1", vec![0; 10])],
    );
    opts.archive = Some(python);
    opts.force = true;
    let e = fetch(DatasetKind::Cifar10, &opts).unwrap_err().to_string();
    assert!(
        e.contains("the archive lacks cifar-10-batches-bin/data_batch_1.bin"),
        "{e}"
    );
    assert!(
        dest.join("cifar-10-batches-bin/data_batch_1.bin").exists(),
        "a failed fetch keeps the old copy"
    );

    // A download is announced through the caller's note (the library prints nothing).
    opts.archive = None;
    opts.url = Some(format!("file://{}", archive.display()));
    let notes = std::cell::RefCell::new(Vec::new());
    let out = fetch_with_notes(DatasetKind::Cifar10, &opts, &|note| {
        notes.borrow_mut().push(note.to_string())
    })
    .unwrap();
    assert!(!out.already_present);
    assert_eq!(
        notes.into_inner(),
        vec![format!(
            "downloading file://{} (about 170 MB) ...",
            archive.display()
        )]
    );
}

#[test]
fn dataset_names_round_trip() {
    for kind in DatasetKind::ALL {
        assert_eq!(kind.name().parse::<DatasetKind>().unwrap(), kind);
        assert_eq!(kind.to_string(), kind.name());
    }
    let e = "mnist".parse::<DatasetKind>().unwrap_err().to_string();
    assert!(
        e.contains("'mnist'") && e.contains("fashion-mnist or cifar10"),
        "{e}"
    );
}
