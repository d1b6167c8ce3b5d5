//! CIFAR-10, binary version (`cifar-10-batches-bin`): six files of 3073-byte rows (one label byte,
//! then the 1024-byte R, G and B planes of a 32x32 image). No per-file checksum of the binary
//! version is published, so canonical validation checks sizes, the sentinel labels, the class
//! balance, and records each file's sha256 in the provenance (docs/decisions.md D-DATA-2).
use crate::dataset::{Dataset, DatasetKind, FileProvenance, Provenance, Validation};
use crate::error::{DataError, Result};
use crate::image_set::ImageSet;
use crate::raw_file;
use std::path::Path;

pub const TRAIN_FILES: [&str; 5] = [
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
];
pub const TEST_FILE: &str = "test_batch.bin";
pub const SIDE: usize = 32;
pub const ROW_BYTES: usize = 1 + 3 * SIDE * SIDE;
pub const ROWS_PER_FILE: usize = 10_000;

/// First ten labels of `data_batch_1.bin` (docs/decisions.md D-DATA-2) and of `test_batch.bin`
/// (D-DATA-2, D-DATA-3).
pub const SENTINEL_TRAIN_LABELS: [u8; 10] = [6, 9, 9, 4, 1, 1, 2, 7, 8, 3];
pub const SENTINEL_TEST_LABELS: [u8; 10] = [3, 8, 8, 0, 6, 6, 1, 6, 3, 1];

/// Loads both splits from a `cifar-10-batches-bin` folder.
pub fn load(dir: &Path, validation: Validation) -> Result<Dataset> {
    let mut files = Vec::new();
    let train = load_split(dir, &TRAIN_FILES, validation, &mut files)?;
    let test = load_split(dir, &[TEST_FILE], validation, &mut files)?;
    if validation == Validation::Canonical {
        check_balance(&train, 5_000, &dir.join("data_batch_{1..5}.bin"))?;
        check_balance(&test, 1_000, &dir.join(TEST_FILE))?;
    }
    Ok(Dataset {
        kind: DatasetKind::Cifar10,
        train,
        test,
        provenance: Provenance {
            dataset: DatasetKind::Cifar10,
            directory: dir.to_path_buf(),
            validation,
            files,
        },
    })
}

fn load_split(
    dir: &Path,
    names: &[&str],
    validation: Validation,
    provenance: &mut Vec<FileProvenance>,
) -> Result<ImageSet> {
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for name in names {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(DataError::Missing {
                path,
                expected: format!("{name} (CIFAR-10 binary version)"),
            });
        }
        let file = raw_file::read(&path)?;
        let content = &file.content;
        let rows = content.len() / ROW_BYTES;
        let rest = content.len() % ROW_BYTES;
        if rest != 0 || rows == 0 {
            return Err(DataError::Truncated {
                path,
                detail: format!(
                    "{} bytes is not a whole, non-zero number of {ROW_BYTES}-byte rows ({rows} rows + {rest} bytes)",
                    content.len()
                ),
            });
        }
        if validation == Validation::Canonical && rows != ROWS_PER_FILE {
            return Err(DataError::Count {
                path,
                detail: format!(
                    "{rows} rows, the canonical file has {ROWS_PER_FILE} ({} bytes)",
                    ROWS_PER_FILE * ROW_BYTES
                ),
            });
        }
        let start = labels.len();
        for (r, row) in content.chunks_exact(ROW_BYTES).enumerate() {
            if row[0] >= 10 {
                return Err(DataError::Format {
                    path,
                    detail: format!("label {} in row {r}; CIFAR-10 labels are 0-9", row[0]),
                });
            }
            labels.push(row[0]);
            pixels.extend_from_slice(&row[1..]);
        }
        if validation == Validation::Canonical {
            let sentinel = match *name {
                "data_batch_1.bin" => Some(&SENTINEL_TRAIN_LABELS),
                TEST_FILE => Some(&SENTINEL_TEST_LABELS),
                _ => None,
            };
            if let Some(expected) = sentinel {
                let found = &labels[start..start + 10];
                if found != expected {
                    return Err(DataError::Format {
                        path,
                        detail: format!(
                            "first ten labels are {found:?}, the canonical file starts with {expected:?}"
                        ),
                    });
                }
            }
        }
        provenance.push(file.provenance);
    }
    ImageSet::new(3, SIDE, SIDE, 10, pixels, labels)
}

fn check_balance(set: &ImageSet, per_class: usize, path: &Path) -> Result<()> {
    let counts = set.class_counts();
    if counts.iter().any(|&c| c != per_class) {
        return Err(DataError::Count {
            path: path.to_path_buf(),
            detail: format!(
                "class counts {counts:?}, the canonical split has {per_class} per class"
            ),
        });
    }
    Ok(())
}
