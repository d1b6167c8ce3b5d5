//! Representability on the whole cells (the official data's closed unit squares), squeezed between
//! two LP bounds that meet for every presence set when classes have enough units.
//!
//! - Outer bound ([`Check::CellCorners`]): a network correct on the whole cells is correct on their
//!   16 corners, so infeasibility on the corners (every activation pattern of the 4×4 corner grid
//!   allowed) proves infeasibility on the cells.
//! - Inner bound ([`Check::UncutCells`]): networks whose units never cut a cell are affine on each
//!   cell, so their corners decide the whole cell; every witness is also re-checked exactly on the
//!   whole cells ([`crate::net::Network::margin_on_cells`]).
//!
//! For every presence set the two bounds are required to agree when each present class is
//! saturated (an error otherwise). With one unit per class the inner bound reaches the saturated
//! answer except for four two-class sets {X, Y} (same input signs, both output signs): there a
//! second unit of one class is proven sufficient (inner bound), and for some classes one unit is
//! proven insufficient even with the other class saturated (outer bound); what stays open is
//! carried as a gap between [`CellTable::lower`] and [`CellTable::upper`]. Symmetric presence sets
//! share answers ([`symmetry_images`]), so only one set per orbit is solved.

use crate::classes::{presence_probability, symmetry_images, ClassSet, SignClass, NUM_CLASSES};
use crate::error::TheoryError;
use crate::exact::Prob;
use crate::oracle::{Check, Oracle};
use num_traits::Zero;

/// Whether a network with a given presence set represents XOR on the whole cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellAnswer {
    /// Not with any number of units.
    Never,
    /// Yes, with one unit of each present class already.
    Always,
    /// A two-class set that works only with more units: two units of any class in `sufficient`
    /// are proven enough; with a single unit of any class in `necessary` it is proven impossible.
    MoreUnits {
        sufficient: Vec<SignClass>,
        necessary: Vec<SignClass>,
    },
}

/// The whole-cell answer for all 256 presence sets.
#[derive(Debug, Clone)]
pub struct CellTable {
    answers: Vec<CellAnswer>,
}

impl CellTable {
    /// Computes the table (tens of LPs with hundreds of units each: seconds in a release build).
    pub fn compute() -> Result<Self, TheoryError> {
        let inner = Oracle::new(Check::UncutCells);
        let outer = Oracle::new(Check::CellCorners);
        let mut by_size: Vec<ClassSet> = ClassSet::all().collect();
        by_size.sort_by_key(|s| s.len());
        let mut saturated: Vec<Option<bool>> = vec![None; 256];
        let mut one_each: Vec<Option<bool>> = vec![None; 256];
        for set in by_size {
            if saturated[idx(set)].is_some() {
                continue; // filled in from a symmetric set
            }
            // Saturated: monotone in the set, then inner bound, then outer bound.
            let subset_works = set
                .classes()
                .any(|c| saturated[idx(set.without(c))] == Some(true));
            let sat = if subset_works || inner.decide_saturated(set)?.representable {
                true
            } else {
                if outer.decide_saturated(set)?.representable {
                    return Err(TheoryError::CellBoundsApart {
                        set: set.to_string(),
                    });
                }
                false
            };
            // One unit each: monotone, impossible if saturated fails, else searched (inner bound).
            let one = if set
                .classes()
                .any(|c| one_each[idx(set.without(c))] == Some(true))
            {
                true
            } else if !sat {
                false
            } else {
                inner.decide_counts(&counts_of(set, |_| 1))?.representable
            };
            for image in symmetry_images(set) {
                saturated[idx(image)] = Some(sat);
                one_each[idx(image)] = Some(one);
            }
        }
        let answers = ClassSet::all()
            .map(|set| {
                let (sat, one) = (saturated[idx(set)].unwrap(), one_each[idx(set)].unwrap());
                match (sat, one) {
                    (false, _) => Ok(CellAnswer::Never),
                    (true, true) => Ok(CellAnswer::Always),
                    (true, false) => more_units(&inner, &outer, set),
                }
            })
            .collect::<Result<Vec<_>, TheoryError>>()?;
        Ok(CellTable { answers })
    }

    /// The answer for a presence set.
    pub fn answer(&self, set: ClassSet) -> &CellAnswer {
        &self.answers[idx(set)]
    }

    /// Whether a network with these unit counts per class represents XOR on the whole cells;
    /// `None` where the bounds leave it open (never, for the table as computed).
    pub fn representable(&self, counts: &[usize; NUM_CLASSES]) -> Option<bool> {
        let present: Vec<SignClass> = SignClass::all().filter(|c| counts[c.index()] > 0).collect();
        match self.answer(ClassSet::of(&present)) {
            CellAnswer::Never => Some(false),
            CellAnswer::Always => Some(true),
            CellAnswer::MoreUnits {
                sufficient,
                necessary,
            } => {
                if sufficient.iter().any(|c| counts[c.index()] >= 2) {
                    Some(true)
                } else if necessary.iter().any(|c| counts[c.index()] == 1) {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }

    /// Exact lower bound on the probability that `n` random-polarity units represent XOR on the
    /// whole cells (equal to [`CellTable::upper`] except on the open two-class cases).
    pub fn lower(&self, n: u32) -> Prob {
        self.sum(n, |set, sufficient, _| {
            // Fails only if every sufficient class has a single unit.
            presence_probability(set, n) - singles(set, sufficient, n, true)
        })
    }

    /// Exact upper bound on the probability that `n` random-polarity units represent XOR on the
    /// whole cells.
    pub fn upper(&self, n: u32) -> Prob {
        self.sum(n, |set, _, necessary| {
            // Fails whenever some necessary class has a single unit.
            presence_probability(set, n) - singles(set, necessary, n, false)
        })
    }

    fn sum(&self, n: u32, more: impl Fn(ClassSet, &[SignClass], &[SignClass]) -> Prob) -> Prob {
        ClassSet::all()
            .map(|set| match self.answer(set) {
                CellAnswer::Never => Prob::zero(),
                CellAnswer::Always => presence_probability(set, n),
                CellAnswer::MoreUnits {
                    sufficient,
                    necessary,
                } => more(set, sufficient, necessary),
            })
            .sum()
    }
}

fn idx(set: ClassSet) -> usize {
    usize::from(set.mask())
}

fn counts_of(set: ClassSet, count: impl Fn(SignClass) -> usize) -> [usize; NUM_CLASSES] {
    let mut counts = [0; NUM_CLASSES];
    for class in set.classes() {
        counts[class.index()] = count(class);
    }
    counts
}

/// A two-class set that works with saturated classes but not with one unit each: which classes'
/// second unit is enough (inner bound), and which classes' single unit is useless even with the
/// other class saturated (outer bound).
fn more_units(inner: &Oracle, outer: &Oracle, set: ClassSet) -> Result<CellAnswer, TheoryError> {
    if set.len() != 2 {
        return Err(TheoryError::CellSetTooLarge {
            set: set.to_string(),
        });
    }
    let (mut sufficient, mut necessary) = (Vec::new(), Vec::new());
    for class in set.classes() {
        let twice = counts_of(set, |c| if c == class { 2 } else { 1 });
        if inner.decide_counts(&twice)?.representable {
            sufficient.push(class);
        }
        let single = counts_of(set, |c| if c == class { 1 } else { outer.saturation(c) });
        if !outer.decide_counts(&single)?.representable {
            necessary.push(class);
        }
    }
    Ok(CellAnswer::MoreUnits {
        sufficient,
        necessary,
    })
}

/// For a two-class `set`: the probability that the presence set is exactly `set` and every class
/// of `classes` has a single unit (`all` = true) or some class of `classes` has a single unit
/// (`all` = false).
fn singles(set: ClassSet, classes: &[SignClass], n: u32, all: bool) -> Prob {
    // Exactly one unit of c: n positions times 1/8, the other n − 1 units show exactly set − c.
    let one = |c: SignClass| {
        if n == 0 {
            return Prob::zero();
        }
        Prob::from_integer(n.into()) / Prob::from_integer(8.into())
            * presence_probability(set.without(c), n - 1)
    };
    // Both classes of the pair once each: n = 2, two orders out of 64.
    let both = if n == 2 {
        Prob::new(2.into(), 64.into())
    } else {
        Prob::zero()
    };
    match (classes, all) {
        ([], true) => presence_probability(set, n),
        ([], false) => Prob::zero(),
        ([c], _) => one(*c),
        ([_, _], true) => both,
        ([a, b], false) => one(*a) + one(*b) - both,
        _ => unreachable!("two-class sets only"),
    }
}
