//! polarity-theory: exact theory for "Polarity is all you need" (App. D): the probability that a
//! single-hidden-layer ReLU network whose weight signs are drawn at random can represent XOR.
//!
//! Three curves, all exact rationals (see the crate README):
//! - [`counting::theorem_d1`]: Theorem D.1 as printed (fine sign patterns, depends on d);
//! - [`classes::lemma_d1_condition`]: the probability of Lemma D.1's sufficient condition itself;
//! - [`truth::PresenceTable::probability`]: the true probability, from the exact LP oracle in
//!   [`oracle`] on the four cell centres;
//! - optionally [`cells::CellTable`]: the same on the whole cells (exact lower = upper bounds).
//!
//! [`curves::xor_curves`] returns all three for n = 1..N (the data for Fig 4A's theory panel) and
//! [`report::render`] prints them; the `polarity theory xor` command (in the binary) does both.

pub mod bounds;
pub mod cells;
pub mod classes;
pub mod counting;
pub mod curves;
mod error;
pub mod exact;
pub mod lp;
pub mod net;
pub mod oracle;
pub mod region;
pub mod report;
pub mod truth;

pub use error::TheoryError;
