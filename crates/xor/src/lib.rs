//! # polarity-xor: the XOR-nD simulation of the paper (Sec. 2, Fig. 1 and 4)
//!
//! - [`data`]: the official generator's distribution, nested training sets, fixed validation set.
//! - [`condition`]: Frozen sufficient-Polarity, Frozen RAND-Polarity, Fluid (and Fluid
//!   sufficient-Polarity), with their templates, pairing and initial alignment.
//! - [`experiment`]: the grid config (TOML), its units, and the result table rows.

pub mod bench;
pub mod condition;
pub mod data;
mod error;
pub mod experiment;
pub mod plan;
pub mod record;

pub use condition::{Condition, Pairing};
pub use error::XorError;
pub use experiment::{XorConfig, XorUnit};
pub use record::{XorCell, XorRecord};
