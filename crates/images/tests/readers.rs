//! The Fashion-MNIST and CIFAR-10 readers on synthetic files written in the exact formats.
mod common;

use common::*;
use polarity_images::idx::{encode, IMAGES_MAGIC, LABELS_MAGIC};
use polarity_images::{load_from_dir, DatasetKind, Validation};
use std::path::Path;

const FMNIST: DatasetKind = DatasetKind::FashionMnist;
const CIFAR: DatasetKind = DatasetKind::Cifar10;

fn err_of(kind: DatasetKind, dir: &Path, v: Validation) -> String {
    load_from_dir(kind, dir, v).unwrap_err().to_string()
}

#[test]
fn fashion_gz_and_raw_read_the_same_images() {
    let tmp = tempfile::tempdir().unwrap();
    let (gz, raw) = (tmp.path().join("gz"), tmp.path().join("raw"));
    write_fashion(&gz, 12, 5, 4, 3, true);
    write_fashion(&raw, 12, 5, 4, 3, false);
    let a = load_from_dir(FMNIST, &gz, Validation::StructureOnly).unwrap();
    let b = load_from_dir(FMNIST, &raw, Validation::StructureOnly).unwrap();
    assert_eq!(a.train, b.train);
    assert_eq!(a.test, b.test);
    assert_eq!((a.train.len(), a.test.len()), (12, 5));
    assert_eq!(
        (a.train.channels(), a.train.height(), a.train.width()),
        (1, 4, 3)
    );
    // Image 3 pixel p = (21 + p) mod 256; label 3.
    assert_eq!(a.train.image(3), &(21..33).collect::<Vec<u8>>()[..]);
    assert_eq!(a.train.labels()[3], 3);
    assert_eq!(a.test.labels(), &[0, 1, 2, 3, 4]);
    // Provenance: the gz file's content digest equals the raw file's digest.
    assert!(a
        .provenance
        .files
        .iter()
        .all(|f| f.gzip && f.verified_against.is_none()));
    for (fa, fb) in a.provenance.files.iter().zip(&b.provenance.files) {
        assert_eq!(fa.content_sha256, fb.content_sha256);
        assert_eq!(fa.content_sha256, fb.file_sha256);
        assert_ne!(fa.file_sha256, fa.content_sha256);
    }
}

#[test]
fn fashion_missing_file_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    write_fashion(tmp.path(), 4, 2, 2, 2, true);
    std::fs::remove_file(tmp.path().join("t10k-labels-idx1-ubyte.gz")).unwrap();
    let e = err_of(FMNIST, tmp.path(), Validation::StructureOnly);
    assert!(
        e.contains("missing file")
            && e.contains("t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz"),
        "{e}"
    );
}

#[test]
fn fashion_truncated_raw_and_gz_files_are_errors_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_fashion(dir, 6, 2, 4, 4, false);
    let full = idx_images(6, 4, 4);
    std::fs::write(dir.join("train-images-idx3-ubyte"), &full[..full.len() - 1]).unwrap();
    let e = err_of(FMNIST, dir, Validation::StructureOnly);
    assert!(
        e.contains("train-images-idx3-ubyte: truncated")
            && e.contains("needs 96 data bytes")
            && e.contains("found 95"),
        "{e}"
    );

    // A gzip stream cut short.
    std::fs::remove_file(dir.join("train-images-idx3-ubyte")).unwrap();
    let gz = gzip(&full);
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), &gz[..gz.len() / 2]).unwrap();
    let e = err_of(FMNIST, dir, Validation::StructureOnly);
    assert!(
        e.contains("train-images-idx3-ubyte.gz: truncated") && e.contains("gzip"),
        "{e}"
    );

    // A header cut short.
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), gzip(&full[..10])).unwrap();
    let e = err_of(FMNIST, dir, Validation::StructureOnly);
    assert!(
        e.contains("truncated") && e.contains("too short for the IDX header"),
        "{e}"
    );
}

#[test]
fn fashion_wrong_magic_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    write_fashion(tmp.path(), 4, 2, 2, 2, true);
    // A label file where the images should be.
    std::fs::write(
        tmp.path().join("train-images-idx3-ubyte.gz"),
        gzip(&idx_labels(4)),
    )
    .unwrap();
    let e = err_of(FMNIST, tmp.path(), Validation::StructureOnly);
    assert!(
        e.contains(
            "train-images-idx3-ubyte.gz: wrong magic number 0x00000801, expected 0x00000803"
        ),
        "{e}"
    );
}

#[test]
fn fashion_wrong_counts_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_fashion(dir, 6, 2, 2, 2, true);
    // Labels and images disagree.
    std::fs::write(dir.join("train-labels-idx1-ubyte.gz"), gzip(&idx_labels(5))).unwrap();
    let e = err_of(FMNIST, dir, Validation::StructureOnly);
    assert!(
        e.contains("train-labels-idx1-ubyte.gz: wrong count: 5 labels") && e.contains("6 images"),
        "{e}"
    );
    // Header count smaller than the data that follows.
    let mut labels = encode(LABELS_MAGIC, &[5], &synthetic_labels(6));
    std::fs::write(dir.join("train-labels-idx1-ubyte.gz"), gzip(&labels)).unwrap();
    let e = err_of(FMNIST, dir, Validation::StructureOnly);
    assert!(e.contains("wrong count") && e.contains("1 more"), "{e}");
    // Canonical mode: the synthetic 6 images are not the canonical 60000.
    labels = idx_labels(6);
    std::fs::write(dir.join("train-labels-idx1-ubyte.gz"), gzip(&labels)).unwrap();
    let e = err_of(FMNIST, dir, Validation::Canonical);
    assert!(e.contains("train-images-idx3-ubyte.gz: wrong count: the header says 6 items, the canonical file has 60000"), "{e}");
}

#[test]
fn fashion_label_out_of_range_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    write_fashion(tmp.path(), 4, 2, 2, 2, false);
    let labels = encode(LABELS_MAGIC, &[2], &[3, 12]);
    std::fs::write(tmp.path().join("t10k-labels-idx1-ubyte"), labels).unwrap();
    let e = err_of(FMNIST, tmp.path(), Validation::StructureOnly);
    assert!(
        e.contains("t10k-labels-idx1-ubyte: label 12 at index 1"),
        "{e}"
    );
}

#[test]
fn fashion_checksum_mismatch_is_an_error_with_both_digests() {
    // Canonical header (60000 x 28 x 28) with all-zero pixels: passes every structural check,
    // so the content sha256 is what rejects it.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_fashion(dir, 4, 2, 2, 2, true);
    let zeros = encode(IMAGES_MAGIC, &[60_000, 28, 28], &vec![0u8; 60_000 * 784]);
    let actual = polarity_images_sha256(&zeros);
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), gzip(&zeros)).unwrap();
    let e = err_of(FMNIST, dir, Validation::Canonical);
    assert!(
        e.contains(
            "train-images-idx3-ubyte.gz: checksum mismatch: sha256 of the decompressed content"
        ),
        "{e}"
    );
    assert!(e.contains(&actual), "{e}");
    assert!(
        e.contains("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        "{e}"
    );
    // The same file passes when checksums are explicitly skipped (structure only).
    let ds = load_from_dir(FMNIST, dir, Validation::StructureOnly);
    assert!(
        ds.unwrap_err().to_string().contains("wrong count"),
        "labels (4) still disagree with images (60000)"
    );
}

/// sha256 computed independently of the crate's reader (via the sha2 crate directly).
fn polarity_images_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn cifar_rows_are_read_plane_ordered() {
    let tmp = tempfile::tempdir().unwrap();
    write_cifar(tmp.path(), 3);
    let ds = load_from_dir(CIFAR, tmp.path(), Validation::StructureOnly).unwrap();
    assert_eq!((ds.train.len(), ds.test.len()), (15, 3));
    assert_eq!(
        (ds.train.channels(), ds.train.height(), ds.train.width()),
        (3, 32, 32)
    );
    // Train image 4 = row 1 of data_batch_2 (first label 1): label 2; G plane pixel 0 = 1 + 3.
    assert_eq!(ds.train.labels()[4], 2);
    let img = ds.train.image(4);
    assert_eq!((img[0], img[1024], img[2048], img[2049]), (1, 4, 7, 8));
    assert_eq!(ds.test.labels(), &[5, 6, 7]);
    assert_eq!(ds.provenance.files.len(), 6);
    let raw = std::fs::read(tmp.path().join("test_batch.bin")).unwrap();
    assert_eq!(
        ds.provenance.files[5].file_sha256,
        polarity_images_sha256(&raw)
    );
}

#[test]
fn cifar_truncated_missing_and_bad_labels_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_cifar(dir, 2);
    let rows = cifar_rows(2, 0);
    std::fs::write(dir.join("data_batch_3.bin"), &rows[..3073 + 5]).unwrap();
    let e = err_of(CIFAR, dir, Validation::StructureOnly);
    assert!(
        e.contains("data_batch_3.bin: truncated") && e.contains("1 rows + 5 bytes"),
        "{e}"
    );

    std::fs::remove_file(dir.join("data_batch_3.bin")).unwrap();
    let e = err_of(CIFAR, dir, Validation::StructureOnly);
    assert!(e.contains("data_batch_3.bin: missing file"), "{e}");

    let mut bad = cifar_rows(2, 0);
    bad[3073] = 10;
    std::fs::write(dir.join("data_batch_3.bin"), bad).unwrap();
    let e = err_of(CIFAR, dir, Validation::StructureOnly);
    assert!(e.contains("data_batch_3.bin: label 10 in row 1"), "{e}");
}

#[test]
fn cifar_canonical_checks_count_and_sentinel_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_cifar(dir, 2);
    let e = err_of(CIFAR, dir, Validation::Canonical);
    assert!(
        e.contains("data_batch_1.bin: wrong count: 2 rows, the canonical file has 10000"),
        "{e}"
    );
    // Right size, wrong first labels (0 1 2 ... instead of 6 9 9 4 1 1 2 7 8 3).
    std::fs::write(dir.join("data_batch_1.bin"), cifar_rows(10_000, 0)).unwrap();
    let e = err_of(CIFAR, dir, Validation::Canonical);
    assert!(
        e.contains("data_batch_1.bin: first ten labels are [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]")
            && e.contains("[6, 9, 9, 4, 1, 1, 2, 7, 8, 3]"),
        "{e}"
    );
}
