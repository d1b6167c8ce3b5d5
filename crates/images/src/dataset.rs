//! What a loaded dataset is: its kind, its two splits, and where its bytes came from.
use crate::error::DataError;
use crate::image_set::ImageSet;
use crate::preprocess::Normalization;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// The datasets of the paper's image experiments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    /// Fashion-MNIST (Zalando): 28x28 grey, 60 000 train + 10 000 test.
    FashionMnist,
    /// CIFAR-10 (binary version): 32x32 RGB, 50 000 train + 10 000 test.
    Cifar10,
}

impl DatasetKind {
    pub const ALL: [DatasetKind; 2] = [DatasetKind::FashionMnist, DatasetKind::Cifar10];

    /// The name used on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::FashionMnist => "fashion-mnist",
            DatasetKind::Cifar10 => "cifar10",
        }
    }

    /// One line on what the dataset is (the command line's help for each name).
    pub fn description(self) -> &'static str {
        match self {
            DatasetKind::FashionMnist => {
                "Fashion-MNIST (Zalando): 28x28 grey, 60 000 train + 10 000 test"
            }
            DatasetKind::Cifar10 => {
                "CIFAR-10 (binary version): 32x32 RGB, 50 000 train + 10 000 test"
            }
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            DatasetKind::FashionMnist => "Fashion-MNIST",
            DatasetKind::Cifar10 => "CIFAR-10",
        }
    }

    pub fn class_names(self) -> [&'static str; 10] {
        match self {
            DatasetKind::FashionMnist => [
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ],
            DatasetKind::Cifar10 => [
                "airplane",
                "automobile",
                "bird",
                "cat",
                "deer",
                "dog",
                "frog",
                "horse",
                "ship",
                "truck",
            ],
        }
    }

    /// The paper's normalisation constants (docs/decisions.md D-IMG-3).
    pub fn paper_normalization(self) -> Normalization {
        match self {
            DatasetKind::FashionMnist => Normalization::FASHION_MNIST,
            DatasetKind::Cifar10 => Normalization::cifar10(),
        }
    }
}

impl fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DatasetKind {
    type Err = DataError;
    fn from_str(s: &str) -> Result<DatasetKind, DataError> {
        DatasetKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                DataError::invalid(
                    "dataset",
                    format!("unknown dataset '{s}' (expected fashion-mnist or cifar10)"),
                )
            })
    }
}

/// How strictly files are checked when read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validation {
    /// The real dataset: canonical counts and shapes, the content checksums of docs/decisions.md
    /// D-DATA-1 and D-DATA-2, and (CIFAR-10) the sentinel labels and class balance. Use this for
    /// every experiment.
    Canonical,
    /// Structure only (magic numbers, sizes, counts agreeing between files, labels in range);
    /// checksums and canonical counts are NOT checked. Only for small synthetic test files.
    StructureOnly,
}

/// One file that was read, with the digests that identify it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileProvenance {
    pub path: PathBuf,
    /// Size of the file on disk.
    pub file_bytes: u64,
    /// sha256 of the file as stored (gzip-wrapped or raw).
    pub file_sha256: String,
    pub gzip: bool,
    /// Size of the decompressed content (equal to `file_bytes` for raw files).
    pub content_bytes: u64,
    /// sha256 of the decompressed content.
    pub content_sha256: String,
    /// The reference sha256 the content was checked against, if any (None for CIFAR-10, which has
    /// no published per-file sha256, and for structure-only reads).
    pub verified_against: Option<String>,
}

/// Where a dataset's bytes came from, for run records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub dataset: DatasetKind,
    pub directory: PathBuf,
    pub validation: Validation,
    pub files: Vec<FileProvenance>,
}

/// A dataset with both splits in file order (IDX / CIFAR batch order; see the README on TFDS order).
#[derive(Clone, Debug)]
pub struct Dataset {
    pub kind: DatasetKind,
    pub train: ImageSet,
    pub test: ImageSet,
    pub provenance: Provenance,
}
