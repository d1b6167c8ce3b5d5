//! Where an experiment's data comes from: drawn by the generator (draw 0 is the default data of
//! the experiment seed, draw k > 0 an independent draw) or read from files, the official code's
//! pickles or a CSV (docs/decisions.md D-XOR-DATA-7, D-XOR-DATA-8).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// The `[data]` table of an XOR config.
///
/// ```toml
/// [data]
/// kind = "drawn"
/// draw = 0
/// ```
/// or
/// ```toml
/// [data]
/// kind = "files"
/// path = "data/"                  # a folder of num_dim=D%sample_size=N.pkl, or a .csv file
/// sha256 = "..."                  # filled in by the first run; checked on every later one
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DataSource {
    /// Drawn by polarity's generator from the experiment seed and the draw index only.
    Drawn {
        #[serde(default)]
        draw: u64,
    },
    /// Read from `path`: a folder of the official code's pickles, or a CSV file.
    Files {
        path: PathBuf,
        /// The data's digest (D-XOR-DATA-8); `None` until the first read records it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
    },
}

impl Default for DataSource {
    fn default() -> Self {
        DataSource::Drawn { draw: 0 }
    }
}

impl DataSource {
    /// Files at `path`, digest not yet known.
    pub fn files(path: impl Into<PathBuf>) -> Self {
        DataSource::Files {
            path: path.into(),
            sha256: None,
        }
    }
}

impl fmt::Display for DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataSource::Drawn { draw } => write!(f, "drawn by the generator (draw {draw})"),
            DataSource::Files { path, sha256 } => {
                write!(f, "read from '{}'", path.display())?;
                if let Some(s) = sha256 {
                    write!(f, " (sha256 {s})")?;
                }
                Ok(())
            }
        }
    }
}
