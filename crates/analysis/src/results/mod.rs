//! One results pipeline for every task: typed epoch records (serde) <-> CSV rows with the header
//! derived from the type (`polarity_sweep::record`, re-exported here), records grouped into per-network curves keyed by grid cell
//! ([`curves`]), and per-cell metrics and comparisons ([`cell`]). Claims are judged over these
//! by the shared rules in [`crate::claims::rules`].

pub mod cell;
pub mod curves;

pub use cell::{Comparison, Metric};
pub use curves::{Curve, Curves, EpochPoint};
pub use polarity_sweep::record::{header_of, parse_rows, row_of, RecordError};

/// Errors of reading result records (the same type as the writer's).
pub type ResultsError = RecordError;
