use std::path::{Path, PathBuf};
use thiserror::Error;

/// Everything that can go wrong while finding, reading, checking or preprocessing image data.
/// Every file error names the file, what was found and what was expected.
#[derive(Debug, Error)]
pub enum DataError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: missing file (looked for {expected})", path.display())]
    Missing { path: PathBuf, expected: String },
    #[error("{}: truncated: {detail}", path.display())]
    Truncated { path: PathBuf, detail: String },
    #[error("{}: wrong magic number 0x{found:08x}, expected 0x{expected:08x} ({what})", path.display())]
    BadMagic {
        path: PathBuf,
        found: u32,
        expected: u32,
        what: &'static str,
    },
    #[error("{}: wrong count: {detail}", path.display())]
    Count { path: PathBuf, detail: String },
    #[error("{}: checksum mismatch: {algorithm} of the {what} is {actual}, expected {expected}{hint}", path.display())]
    Checksum {
        path: PathBuf,
        algorithm: &'static str,
        what: &'static str,
        actual: String,
        expected: String,
        hint: &'static str,
    },
    #[error("{}: {detail}", path.display())]
    Format { path: PathBuf, detail: String },
    #[error("{0}")]
    NotFound(String),
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Fetch(String),
}

impl DataError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DataError::Invalid {
            field,
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, DataError>;
