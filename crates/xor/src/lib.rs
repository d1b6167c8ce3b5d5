//! # polarity-xor: the XOR-nD simulation of the paper (Sec. 2, Fig. 1 and 4)
//!
//! - [`data`]: the official generator's distribution, nested training sets, fixed validation set.
//! - [`condition`]: Frozen sufficient-Polarity, Frozen RAND-Polarity, Fluid (and Fluid
//!   sufficient-Polarity), with their templates, pairing and initial alignment.
//! - [`source`], [`given`]: where the data comes from: a draw of the generator, or the official
//!   code's pickles / a CSV, read and checked.
//! - [`experiment`]: the grid config (TOML), its units, and the result table rows.
//! - [`export`]: the networks' exact starts and batch orders, for training them elsewhere.

pub mod bench;
pub mod condition;
pub mod data;
mod error;
pub mod experiment;
pub mod export;
pub mod given;
pub mod plan;
pub mod record;
pub mod source;

pub use condition::{Condition, Pairing};
pub use data::{DataOrigin, XorData};
pub use error::XorError;
pub use experiment::{XorConfig, XorUnit};
pub use given::{GivenData, GivenFormat, GivenSummary};
/// The in-memory data set [`XorData`] hands out.
pub use polarity_mlp::Dataset;
pub use record::{XorCell, XorRecord};
pub use source::DataSource;
