//! XOR data given as files instead of drawn: the official code's pickles ([`pickles`]) or a
//! plain CSV ([`csv`]), read, checked and summarised with a digest (docs/decisions.md
//! D-XOR-DATA-8).
//!
//! Samples keep their file order: the engine's per-epoch shuffle is applied to it exactly as
//! to drawn data, and every training set is a prefix of the largest.

pub mod csv;
pub mod pickles;

use crate::error::XorError;
use polarity_mlp::Dataset;
use std::fmt;
use std::path::{Path, PathBuf};

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GivenFormat {
    /// A folder of `num_dim=D%sample_size=N.pkl`, as the official generator writes them.
    OfficialPickles,
    /// One CSV file, `set,x1..xD,label`.
    Csv,
}

/// What was read and its digest, for the report and the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenSummary {
    pub format: GivenFormat,
    /// The folder or file given.
    pub path: PathBuf,
    /// For a CSV the file's sha256; for pickles the sha256 of their manifest (D-XOR-DATA-8).
    pub sha256: String,
    /// The files read, in digest order (file names, relative to `path` for a folder).
    pub files: Vec<String>,
}

impl fmt::Display for GivenSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format {
            GivenFormat::OfficialPickles => write!(
                f,
                "the official code's pickles in '{}' ({} files, {} to {}; manifest sha256 {})",
                self.path.display(),
                self.files.len(),
                self.files.first().map_or("-", String::as_str),
                self.files.last().map_or("-", String::as_str),
                self.sha256
            ),
            GivenFormat::Csv => write!(
                f,
                "CSV file '{}' (sha256 {})",
                self.path.display(),
                self.sha256
            ),
        }
    }
}

/// Data read from files and checked for internal consistency.
#[derive(Debug, Clone)]
pub struct GivenData {
    pub summary: GivenSummary,
    pub dims: usize,
    /// The largest training set; every other is a prefix of it.
    pub train: Dataset,
    /// The training sizes the files provide; `None`: any prefix of `train` (CSV).
    pub train_sizes: Option<Vec<usize>>,
    pub val: Dataset,
}

/// Reads a folder of official pickles, or a CSV file.
pub fn read_given(path: &Path) -> Result<GivenData, XorError> {
    let meta = std::fs::metadata(path).map_err(|source| XorError::DataIo {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        pickles::read_official_pickles(path)
    } else {
        csv::read_csv(path)
    }
}

impl GivenData {
    /// Checks the data against a grid: input dimensions, validation size, and a training set
    /// for every training size (for pickles: a file of exactly that size).
    pub fn check_grid(
        &self,
        dims: usize,
        val_size: usize,
        train_sizes: &[usize],
    ) -> Result<(), XorError> {
        let path = &self.summary.path;
        let mismatch = |field, found, expected| XorError::DataMismatch {
            path: path.clone(),
            field,
            found,
            expected,
        };
        if self.dims != dims {
            return Err(mismatch("dims", self.dims, dims));
        }
        if self.val.len() != val_size {
            return Err(mismatch("val_size", self.val.len(), val_size));
        }
        for &n in train_sizes {
            match &self.train_sizes {
                Some(sizes) if !sizes.contains(&n) => return Err(XorError::DataFile {
                    path: path.join(pickles::file_name(dims, n)),
                    problem: format!(
                        "training size {n} of the grid has no file (sizes with a file: {sizes:?})"
                    ),
                }),
                None if n > self.train.len() => return Err(XorError::DataFile {
                    path: path.clone(),
                    problem: format!(
                        "training size {n} of the grid needs {n} training rows, the file has {}",
                        self.train.len()
                    ),
                }),
                _ => {}
            }
        }
        Ok(())
    }
}

/// A label must be exactly 0 or 1.
pub(crate) fn check_label(value: f64) -> bool {
    value == 0.0 || value == 1.0
}
