//! The runner's errors. Each names the directory, file, unit or value concerned and what was
//! expected; where an operating-system or parser error lies underneath, it is the `source`, so
//! printing the error with its sources reads "writing DIR/results.csv: No space left".

use crate::complete::COMPLETE_FILE;
use crate::outdir::MANIFEST_FILE;
use std::path::PathBuf;
use thiserror::Error;

/// What the caller's unit closure may fail with: any error, boxed, so callers keep their own types.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A unit or grid that cannot be built, or a unit coordinate that cannot be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum GridError {
    #[error("empty unit {kind}")]
    EmptyPart { kind: &'static str },
    #[error(
        "unit {kind} {text:?} contains {found:?}; names and values may not contain '/', '=', ',', '\"' or control characters"
    )]
    BadPart {
        kind: &'static str,
        text: String,
        found: char,
    },
    /// A bad value, with the coordinate it belongs to.
    #[error("coordinate {name:?}")]
    Coordinate {
        name: String,
        #[source]
        source: Box<GridError>,
    },
    #[error("a unit needs at least one coordinate")]
    NoCoordinates,
    #[error("unit coordinate {name:?} appears twice")]
    DuplicateCoordinate { name: String },
    #[error("unit {unit} has no coordinate {name:?}")]
    MissingCoordinate { unit: String, name: String },
    #[error("unit {unit}: coordinate {name}={raw:?} is not a valid {type_name}: {message}")]
    BadValue {
        unit: String,
        name: String,
        raw: String,
        type_name: &'static str,
        message: String,
    },
    #[error("{file}: not a valid grid")]
    Toml {
        file: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("{file}: invalid grid")]
    Invalid {
        file: String,
        #[source]
        source: Box<GridError>,
    },
    #[error("a grid needs at least one axis")]
    NoAxes,
    #[error("axis {name:?} has no values")]
    EmptyAxis { name: String },
    #[error("axis {name:?} is declared twice")]
    DuplicateAxis { name: String },
    #[error("axis {name:?} lists value {value:?} twice")]
    DuplicateValue { name: String, value: String },
}

/// A shard that cannot be parsed or resolved from the flags and the environment. One flat message
/// each (no source chain): an argument parser shows only the outermost layer of an error.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct ShardError(pub(crate) String);

/// Everything [`crate::run`], [`crate::merge()`] and [`crate::Sweep::new`] can fail with.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SweepError {
    /// A file-system operation; `context` says which and on what path.
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A manifest or journal payload that cannot be (de)serialised.
    #[error("{context}")]
    Json {
        context: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("atomic write needs a file name in a parent directory, got {}", .0.display())]
    NotAFilePath(PathBuf),
    /// Boxed to keep every `Result` of this crate small.
    #[error(transparent)]
    Grid(Box<GridError>),
    #[error(transparent)]
    Shard(#[from] ShardError),
    #[error("a sweep needs a non-empty CSV header")]
    EmptyHeader,
    #[error("{kinds} column kinds given for a header of {columns} columns")]
    KindsMismatch { kinds: usize, columns: usize },
    #[error("a sweep needs at least one unit")]
    NoUnits,
    #[error("unit {0} appears twice in the grid")]
    DuplicateUnit(String),
    #[error("journal {} is locked: another sweep process is writing to this directory", .0.display())]
    Locked(PathBuf),
    #[error(
        "{} already holds a sweep ({MANIFEST_FILE}); pass --resume to continue it, or choose another --out",
        .0.display()
    )]
    AlreadyHoldsSweep(PathBuf),
    #[error(
        "{} was made with a different config (sha256 {found}) than this run's (sha256 {wanted}); use a new --out \
         directory, or rerun with the config saved in {}",
        dir.display(),
        saved_config.display()
    )]
    DifferentConfig {
        dir: PathBuf,
        found: String,
        wanted: String,
        saved_config: PathBuf,
    },
    #[error(
        "{} has the same config hash but a different CSV header or unit list; the program building the \
         grid changed (the grid must be a function of the config alone)",
        .0.display()
    )]
    DifferentGrid(PathBuf),
    /// `found` and `wanted` are "the whole grid" or "shard I/N".
    #[error("{} holds {found}, but this run is {wanted}", dir.display())]
    DifferentShard {
        dir: PathBuf,
        found: String,
        wanted: String,
    },
    #[error(
        "{} holds a sweep whose table is {found}, but this run asks for {wanted}; pass --format {found} \
         to resume it, or choose another --out",
        dir.display()
    )]
    DifferentFormat {
        dir: PathBuf,
        found: crate::TableFormat,
        wanted: crate::TableFormat,
    },
    /// A manifest, journal or config in a directory that is not what the runner wrote.
    #[error("{0}")]
    Corrupt(String),
    #[error("starting the worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// The caller's closure failed for this unit.
    #[error("unit {unit}")]
    UnitFailed {
        unit: String,
        #[source]
        source: BoxError,
    },
    #[error(
        "unit {unit} returned a row with {fields} fields but the header has {expected} ({header})"
    )]
    RowWidth {
        unit: String,
        fields: usize,
        expected: usize,
        header: String,
    },
    #[error("unit {unit}: {bytes} bytes of rows do not fit one journal frame")]
    FrameTooLarge { unit: String, bytes: usize },
    #[error("rendering the results table: {0}")]
    Render(String),
    /// Shard directories that cannot be merged; the message lists the units and directories.
    #[error("{0}")]
    Merge(String),
    /// The table of a finished directory is not the one its completion record describes.
    #[error(
        "{} is not the table this run wrote: found {found}, expected {expected} (recorded in \
         {COMPLETE_FILE}); {what_to_do}",
        table.display()
    )]
    TableMismatch {
        table: PathBuf,
        found: String,
        expected: String,
        what_to_do: String,
    },
    /// A table that cannot be read back, or whose rows differ from its completion record.
    #[error("reading {} back: {message}", table.display())]
    TableRead { table: PathBuf, message: String },
}

impl From<GridError> for SweepError {
    fn from(e: GridError) -> SweepError {
        SweepError::Grid(Box::new(e))
    }
}

/// `.io_context(|| format!("reading {}", path.display()))` on an `io::Result`: says what was being
/// done, the message built only on failure.
pub(crate) trait IoContext<T> {
    fn io_context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn io_context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| SweepError::Io {
            context: context(),
            source,
        })
    }
}

pub type Result<T, E = SweepError> = std::result::Result<T, E>;

/// The error and its sources joined by ": ", as the binary prints them (for tests).
#[cfg(test)]
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        text += ": ";
        text += &e.to_string();
        next = e.source();
    }
    text
}
