//! Writers for synthetic data files in the exact on-disk formats.
#![allow(dead_code)]
use flate2::write::GzEncoder;
use polarity_images::idx::{encode, IMAGES_MAGIC, LABELS_MAGIC};
use std::io::Write;
use std::path::Path;

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Pixel `p` of image `i` is `(7 i + p) mod 256`; label of image `i` is `i mod 10`.
pub fn synthetic_images(n: usize, h: usize, w: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| (0..h * w).map(move |p| ((7 * i + p) % 256) as u8))
        .collect()
}

pub fn synthetic_labels(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 10) as u8).collect()
}

pub fn idx_images(n: usize, h: usize, w: usize) -> Vec<u8> {
    encode(
        IMAGES_MAGIC,
        &[n as u32, h as u32, w as u32],
        &synthetic_images(n, h, w),
    )
}

pub fn idx_labels(n: usize) -> Vec<u8> {
    encode(LABELS_MAGIC, &[n as u32], &synthetic_labels(n))
}

/// Writes the four Fashion-MNIST files (train `n_train`, test `n_test` images of h x w),
/// gzip-wrapped or raw.
pub fn write_fashion(dir: &Path, n_train: usize, n_test: usize, h: usize, w: usize, gz: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let files = [
        ("train-images-idx3-ubyte", idx_images(n_train, h, w)),
        ("train-labels-idx1-ubyte", idx_labels(n_train)),
        ("t10k-images-idx3-ubyte", idx_images(n_test, h, w)),
        ("t10k-labels-idx1-ubyte", idx_labels(n_test)),
    ];
    for (stem, bytes) in files {
        if gz {
            std::fs::write(dir.join(format!("{stem}.gz")), gzip(&bytes)).unwrap();
        } else {
            std::fs::write(dir.join(stem), bytes).unwrap();
        }
    }
}

/// `rows` CIFAR binary rows: label `(first_label + r) mod 10`, then R, G, B planes where the
/// pixel at plane `c`, position `p` of row `r` is `(r + 3 c + p) mod 256`.
pub fn cifar_rows(rows: usize, first_label: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows * 3073);
    for r in 0..rows {
        out.push(((first_label + r) % 10) as u8);
        for c in 0..3 {
            out.extend((0..1024).map(|p| ((r + 3 * c + p) % 256) as u8));
        }
    }
    out
}

pub const CIFAR_FILES: [&str; 6] = [
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
    "test_batch.bin",
];

pub fn write_cifar(dir: &Path, rows_per_file: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for (k, name) in CIFAR_FILES.iter().enumerate() {
        std::fs::write(dir.join(name), cifar_rows(rows_per_file, k)).unwrap();
    }
}
