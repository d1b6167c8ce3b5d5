//! The exact representability oracle: can a single-hidden-layer ReLU network whose units have
//! given relevant sign classes classify XOR with a positive margin (biases free, nuisance weights
//! zero)?
//!
//! Units of the same sign class and the same activation pattern merge into one (the sum of their
//! weight vectors has the same signs and the same pattern, and their ReLUs add up on the points),
//! so k units of a class are as good as a choice of k distinct patterns of that class, and a class
//! with at least as many units as it has patterns is *saturated*: all its patterns at once. A
//! positive answer is only given with a witness: a network with exactly the requested strict signs
//! whose margin is checked in rational arithmetic. A negative answer is the LP's (floating-point)
//! optimum margin being below [`MARGIN_TOLERANCE`]; the tests check that the centres' optima are
//! either 0 or far above that tolerance, and that every negative answer on the centres is one of
//! two provably impossible cases (no compatible class; one monotone direction missing for an
//! input), see the crate README.

use crate::classes::{ClassSet, SignClass, NUM_CLASSES};
use crate::error::TheoryError;
use crate::exact::Prob;
use crate::lp::{max_margin, Geometry, UnitSpec};
use crate::net::{Network, Unit};
use crate::region::Region;
use num_traits::{Signed, Zero};

/// LP optimum margins at or below this are read as "no positive margin". The normalised margins
/// that occur are either 0 or of order 0.01 and more (see the tests), far from it.
pub const MARGIN_TOLERANCE: f64 = 1e-6;

/// Which question the oracle answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Check {
    /// Correct on the four cell centres: exact.
    Centres,
    /// Correct on the 16 cell corners: a necessary condition for the whole cells.
    CellCorners,
    /// Correct on the whole cells by units that never cut a cell: a sufficient condition.
    UncutCells,
}

/// The oracle's answer.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Whether a network with a positive margin exists.
    pub representable: bool,
    /// The LP's optimum normalised margin (Σ|w1| + |w2| ≤ 1) for the configuration that decided it.
    pub margin: f64,
    /// A network with strict signs of exactly the requested classes, verified exactly.
    pub witness: Option<Network>,
}

/// An oracle for one [`Check`].
#[derive(Debug, Clone)]
pub struct Oracle {
    check: Check,
    geometry: Geometry,
    patterns: Vec<Vec<u32>>,
}

impl Oracle {
    /// The oracle for `check`.
    pub fn new(check: Check) -> Self {
        let geometry = match check {
            Check::Centres => Geometry::centres(),
            Check::CellCorners => Geometry::cell_corners(),
            Check::UncutCells => Geometry::uncut_cells(),
        };
        let patterns = SignClass::all().map(|c| geometry.patterns(c)).collect();
        Oracle {
            check,
            geometry,
            patterns,
        }
    }

    /// The question this oracle answers.
    pub fn check(&self) -> Check {
        self.check
    }

    /// Number of distinct activation patterns of `class`: more units than this never help.
    pub fn saturation(&self, class: SignClass) -> usize {
        self.patterns[class.index()].len()
    }

    /// Decides a fixed list of units (classes and activation patterns).
    pub fn decide_units(&self, units: &[UnitSpec]) -> Result<Verdict, TheoryError> {
        let optimum = max_margin(&self.geometry, units)?;
        if optimum.margin <= MARGIN_TOLERANCE {
            return Ok(Verdict {
                representable: false,
                margin: optimum.margin,
                witness: None,
            });
        }
        let witness = strict_witness(
            optimum.network,
            units,
            optimum.margin,
            &self.geometry.radius,
        );
        let verified = match self.check {
            Check::Centres | Check::CellCorners => witness.margin_on_points(&self.geometry.points),
            Check::UncutCells => witness.margin_on_cells(&Region::Cells.cells()),
        };
        if !verified.is_positive() {
            return Err(TheoryError::Unverified {
                margin: optimum.margin,
                units: format!("{units:?}"),
                verified: verified.to_string(),
            });
        }
        Ok(Verdict {
            representable: true,
            margin: optimum.margin,
            witness: Some(witness),
        })
    }

    /// Decides the case where every class of `set` is saturated (has enough units for all its
    /// activation patterns): the most a network with exactly these classes can do.
    pub fn decide_saturated(&self, set: ClassSet) -> Result<Verdict, TheoryError> {
        let units: Vec<UnitSpec> = set
            .classes()
            .flat_map(|class| {
                self.patterns[class.index()]
                    .iter()
                    .map(move |&pattern| UnitSpec { class, pattern })
            })
            .collect();
        self.decide_units(&units)
    }

    /// Decides a network with `counts[c]` units of class c, by trying every choice of
    /// min(count, saturation) distinct patterns per class (exponential: meant for small counts).
    pub fn decide_counts(&self, counts: &[usize; NUM_CLASSES]) -> Result<Verdict, TheoryError> {
        let choices: Vec<Vec<Vec<u32>>> = SignClass::all()
            .map(|c| {
                let patterns = &self.patterns[c.index()];
                combinations(patterns, counts[c.index()].min(patterns.len()))
            })
            .collect();
        let mut best = Verdict {
            representable: false,
            margin: 0.0,
            witness: None,
        };
        let mut index = [0usize; NUM_CLASSES];
        loop {
            let units: Vec<UnitSpec> = SignClass::all()
                .flat_map(|class| {
                    choices[class.index()][index[class.index()]]
                        .iter()
                        .map(move |&pattern| UnitSpec { class, pattern })
                })
                .collect();
            let verdict = self.decide_units(&units)?;
            if verdict.representable {
                return Ok(verdict);
            }
            best.margin = best.margin.max(verdict.margin);
            // Odometer over the per-class choices.
            let mut class = 0;
            loop {
                if class == NUM_CLASSES {
                    return Ok(best);
                }
                index[class] += 1;
                if index[class] < choices[class].len() {
                    break;
                }
                index[class] = 0;
                class += 1;
            }
        }
    }
}

/// All `k`-element subsets of `items` (one empty subset when k = 0).
fn combinations(items: &[u32], k: usize) -> Vec<Vec<u32>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    if items.len() < k {
        return Vec::new();
    }
    let mut with_first: Vec<Vec<u32>> = combinations(&items[1..], k - 1)
        .into_iter()
        .map(|mut rest| {
            rest.insert(0, items[0]);
            rest
        })
        .collect();
    with_first.extend(combinations(&items[1..], k));
    with_first
}

/// Makes every input weight strictly signed: a zero weight becomes ±ε in its class's direction.
/// With ε = t/(8·R·units), every pre-activation at a point with coordinates bounded by R moves by
/// at most 2εR, every logit by at most t/4, so the margin t stays above t/2 (checked exactly by
/// the caller anyway). The output weights are already ±1.
fn strict_witness(network: Network, specs: &[UnitSpec], margin: f64, radius: &Prob) -> Network {
    let count = Prob::from_integer((8 * specs.len().max(1)).into());
    let epsilon = Prob::from_float(margin).expect("finite margin") / (radius * count);
    let strict = |w: Prob, sign: i8| {
        if !w.is_zero() {
            w
        } else if sign > 0 {
            epsilon.clone()
        } else {
            -epsilon.clone()
        }
    };
    let units = network
        .units
        .into_iter()
        .zip(specs)
        .map(|(unit, spec)| Unit {
            w1: strict(unit.w1, spec.class.w1()),
            w2: strict(unit.w2, spec.class.w2()),
            ..unit
        })
        .collect();
    Network {
        units,
        out_bias: network.out_bias,
    }
}
