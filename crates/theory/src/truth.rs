//! The true probability that a random-polarity network with n hidden units can represent XOR on
//! the cell centres, from the exact oracle.
//!
//! The oracle's answer is monotone in the unit counts of each class (more units can only add
//! activation patterns), it is at least the answer with one unit per present class and at most the
//! answer with every present class saturated. [`PresenceTable::centres`] computes both for all 256
//! presence sets and requires them to be equal: then the answer depends only on which classes are
//! present, for every count vector, and the probability is a finite sum of exact presence
//! probabilities.

use crate::classes::{probability_of, ClassSet, NUM_CLASSES};
use crate::error::TheoryError;
use crate::exact::Prob;
use crate::oracle::{Check, Oracle};

/// The oracle's answer for every presence set, proven count-independent.
#[derive(Debug, Clone)]
pub struct PresenceTable {
    check: Check,
    representable: Vec<bool>,
}

impl PresenceTable {
    /// Computes the table for `check`, failing if one unit per class and saturated classes ever
    /// disagree (the answer would then depend on the counts, not only on presence).
    pub fn compute(check: Check) -> Result<Self, TheoryError> {
        let oracle = Oracle::new(check);
        let saturated = ClassSet::all()
            .map(|set| Ok(oracle.decide_saturated(set)?.representable))
            .collect::<Result<Vec<bool>, TheoryError>>()?;
        let one_each = one_unit_each(&oracle, &saturated)?;
        if let Some(set) = ClassSet::all().find(|s| saturated[index(*s)] != one_each[index(*s)]) {
            return Err(TheoryError::CountDependent {
                check: format!("{check:?}"),
                set: set.to_string(),
            });
        }
        Ok(PresenceTable {
            check,
            representable: saturated,
        })
    }

    /// The table for the four cell centres.
    pub fn centres() -> Result<Self, TheoryError> {
        Self::compute(Check::Centres)
    }

    /// The question the table answers.
    pub fn check(&self) -> Check {
        self.check
    }

    /// Whether a network whose units show exactly the classes of `set` can represent XOR.
    pub fn representable(&self, set: ClassSet) -> bool {
        self.representable[index(set)]
    }

    /// The minimal representable presence sets (every proper subset fails).
    pub fn minimal_sets(&self) -> Vec<ClassSet> {
        ClassSet::all()
            .filter(|&s| {
                self.representable(s) && s.classes().all(|c| !self.representable(s.without(c)))
            })
            .collect()
    }

    /// Exact probability that `n` units with uniform independent classes can represent XOR.
    pub fn probability(&self, n: u32) -> Prob {
        probability_of(n, |s| self.representable(s))
    }
}

fn index(set: ClassSet) -> usize {
    usize::from(set.mask())
}

/// The answer with exactly one unit of each present class, for all sets. Uses monotonicity to
/// avoid most searches: a set is representable if one of its one-smaller subsets is, and not
/// representable if it fails even when saturated; only the rest are searched.
fn one_unit_each(oracle: &Oracle, saturated: &[bool]) -> Result<Vec<bool>, TheoryError> {
    let mut by_size: Vec<ClassSet> = ClassSet::all().collect();
    by_size.sort_by_key(|s| s.len());
    let mut table = vec![false; saturated.len()];
    for set in by_size {
        let answer = if set.classes().any(|c| table[index(set.without(c))]) {
            true
        } else if !saturated[index(set)] {
            false
        } else {
            let mut counts = [0usize; NUM_CLASSES];
            for class in set.classes() {
                counts[class.index()] = 1;
            }
            oracle.decide_counts(&counts)?.representable
        };
        table[index(set)] = answer;
    }
    Ok(table)
}
