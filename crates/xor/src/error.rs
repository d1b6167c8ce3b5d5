//! Errors of the XOR task: a config that does not describe a valid grid (naming the field and
//! value), a condition or pairing name that does not exist, and failures while training a unit.

use polarity_core::PolarityError;
use polarity_mlp::EngineError;
use polarity_sweep::{GridError, SweepError};
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum XorError {
    /// A name that is not one of the known values (`what`: condition, pairing).
    #[error("unknown {what} '{value}' (expected {expected})")]
    UnknownName {
        what: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("reading config '{}'", path.display())]
    ReadConfig {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("parsing config '{}'", path.display())]
    ParseConfig {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("invalid config '{}'", path.display())]
    InvalidConfig {
        path: PathBuf,
        #[source]
        source: Box<XorError>,
    },
    #[error("field '{field}' is empty")]
    EmptyField { field: &'static str },
    #[error("field '{field}' lists {value} twice")]
    Duplicate { field: &'static str, value: String },
    #[error("field 'dims' = {0}: XOR needs at least 2 input dimensions")]
    Dims(usize),
    #[error("field 'hidden' contains {0}: hidden sizes must be at least 1")]
    ZeroHidden(usize),
    #[error(
        "training/validation size {0}: must be positive, and for drawn data a multiple of 4 \
         (balanced XOR cells)"
    )]
    ConfigSetSize(usize),
    #[error("field '{0}' must be at least 1")]
    Zero(&'static str),
    /// A data-set size that the generator cannot balance (`what`: training or validation size).
    #[error(
        "{what} {n}: must be a positive multiple of 4 so that the four XOR cells are balanced"
    )]
    SetSize { what: &'static str, n: usize },
    #[error("dims = {0}: XOR needs at least 2 dimensions")]
    DataDims(usize),
    #[error("reading XOR data '{}'", path.display())]
    DataIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A data file that is not what was expected: the file and what was wrong with it.
    #[error("XOR data file '{}': {problem}", path.display())]
    DataFile { path: PathBuf, problem: String },
    #[error(
        "XOR data '{}' has sha256 {found}, but the config records {expected}: the data changed \
         since the config was written"
    , path.display())]
    DataChecksum {
        path: PathBuf,
        expected: String,
        found: String,
    },
    /// The data does not fit the config (`field`: dims, val_size).
    #[error(
        "XOR data '{}' has {field} = {found}, but the config's '{field}' is {expected}"
    , path.display())]
    DataMismatch {
        path: PathBuf,
        field: &'static str,
        found: usize,
        expected: usize,
    },
    #[error("training size {n} is not in the data ({data}); available: {available}")]
    MissingTrainSize {
        data: String,
        n: usize,
        available: String,
    },
    #[error("training unit {unit}")]
    Training {
        unit: String,
        #[source]
        source: EngineError,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A plan refused before any work (docs/decisions.md D-PLAN-1).
    #[error(transparent)]
    Plan(#[from] polarity_core::PlanError),
    #[error(transparent)]
    Polarity(#[from] PolarityError),
    /// Boxed, as the next one, to keep every `Result` of this crate small.
    #[error(transparent)]
    Grid(Box<GridError>),
    #[error(transparent)]
    Sweep(Box<SweepError>),
}

impl From<GridError> for XorError {
    fn from(e: GridError) -> XorError {
        XorError::Grid(Box::new(e))
    }
}

impl From<SweepError> for XorError {
    fn from(e: SweepError) -> XorError {
        XorError::Sweep(Box::new(e))
    }
}
