//! The three curves of Fig 4A's theory panel, as exact data: Theorem D.1 as printed (at a given
//! input dimension d), the probability of Lemma D.1's condition, and the oracle's truth.

use crate::cells::CellTable;
use crate::classes::lemma_d1_condition;
use crate::counting::theorem_d1;
use crate::error::TheoryError;
use crate::exact::Prob;
use crate::truth::PresenceTable;
use num_bigint::BigInt;
use serde::Serialize;

/// The level the paper's ">99 %" statement refers to.
pub fn threshold() -> Prob {
    Prob::new(BigInt::from(99), BigInt::from(100))
}

/// One row: the three probabilities for n hidden units.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveRow {
    /// Number of hidden units.
    pub units: u32,
    /// Theorem D.1 as printed, at the curves' input dimension.
    pub theorem_d1: Prob,
    /// Lemma D.1's condition: at least 3 distinct XOR-compatible relevant classes.
    pub lemma_d1: Prob,
    /// The oracle: the network can represent XOR on the cell centres with a positive margin.
    pub truth: Prob,
    /// Optional: the same on the whole cells, as exact (lower, upper) bounds (equal in practice).
    pub truth_cells: Option<(Prob, Prob)>,
}

/// The smallest n at which each curve exceeds the threshold (`None` if not within the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FirstAbove {
    pub theorem_d1: Option<u32>,
    pub lemma_d1: Option<u32>,
    pub truth: Option<u32>,
    /// For the whole-cell curve: the first n whose lower bound exceeds the threshold.
    pub truth_cells: Option<u32>,
}

/// The three curves for n = 1..=max_units.
#[derive(Debug, Clone, PartialEq)]
pub struct XorCurves {
    /// Input dimension used for Theorem D.1 (the other two curves do not depend on it).
    pub dims: u32,
    pub rows: Vec<CurveRow>,
}

impl XorCurves {
    /// The smallest n with each probability strictly above [`threshold`].
    pub fn first_above(&self) -> FirstAbove {
        let first = |pick: fn(&CurveRow) -> &Prob| {
            let level = threshold();
            self.rows.iter().find(|r| *pick(r) > level).map(|r| r.units)
        };
        FirstAbove {
            theorem_d1: first(|r| &r.theorem_d1),
            lemma_d1: first(|r| &r.lemma_d1),
            truth: first(|r| &r.truth),
            truth_cells: self
                .rows
                .iter()
                .find(|r| {
                    r.truth_cells
                        .as_ref()
                        .is_some_and(|(lower, _)| *lower > threshold())
                })
                .map(|r| r.units),
        }
    }
}

/// Computes the three curves for n = 1..=max_units at input dimension `dims`; with `cells`, also
/// the whole-cell truth (slower: tens of larger LPs).
pub fn xor_curves(max_units: u32, dims: u32, cells: bool) -> Result<XorCurves, TheoryError> {
    crate::bounds::check(max_units, dims)?;
    let table = PresenceTable::centres()?;
    let cell_table = if cells {
        Some(CellTable::compute()?)
    } else {
        None
    };
    let rows = (1..=max_units)
        .map(|n| {
            Ok(CurveRow {
                units: n,
                theorem_d1: theorem_d1(n, dims)?,
                lemma_d1: lemma_d1_condition(n),
                truth: table.probability(n),
                truth_cells: cell_table.as_ref().map(|t| (t.lower(n), t.upper(n))),
            })
        })
        .collect::<Result<Vec<_>, TheoryError>>()?;
    Ok(XorCurves { dims, rows })
}
