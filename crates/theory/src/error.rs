//! Errors of the exact computations. None is expected in practice: each one says which check of
//! the method failed (an LP solver failure, a witness that does not survive exact verification, or
//! an assumption of the tables that does not hold), so a wrong curve can never be printed.

use crate::counting::CountingError;
use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TheoryError {
    #[error(transparent)]
    Counting(#[from] CountingError),
    /// Bounds refused before any computation (docs/decisions.md D-PLAN-3).
    #[error(transparent)]
    Bounds(#[from] polarity_core::PlanError),
    #[error("unknown format '{0}' (expected text, csv or json)")]
    UnknownFormat(String),
    /// The LP solver gave up (`message`: its reason).
    #[error("margin LP failed: {0}")]
    Lp(String),
    #[error("margin LP was interrupted")]
    LpInterrupted,
    /// The float LP found a margin that exact arithmetic does not confirm.
    #[error("LP margin {margin} for {units} did not survive exact verification ({verified})")]
    Unverified {
        margin: f64,
        units: String,
        verified: String,
    },
    /// The presence table assumes the answer depends only on which classes are present.
    #[error(
        "{check}: the presence set {set} is representable with enough units of each class but not \
         with one unit each, so the answer depends on unit counts"
    )]
    CountDependent { check: String, set: String },
    /// The whole-cell inner and outer bounds disagree.
    #[error("whole cells: the bounds do not meet for {set} with saturated classes")]
    CellBoundsApart { set: String },
    /// The whole-cell table handles sets that need extra units only for two classes.
    #[error(
        "whole cells: {set} needs more than one unit of some class; only two-class sets are handled"
    )]
    CellSetTooLarge { set: String },
}
