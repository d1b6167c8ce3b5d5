//! Relevant sign classes of a hidden unit and the probabilities of which classes are present.
//!
//! With nuisance inputs ignored, a hidden unit j is described by the signs of its weights from the
//! two relevant inputs and of its output weight: (sign w1j, sign w2j, sign vj), 8 classes. Under the
//! paper's model (every sign an independent fair coin) each unit's class is uniform over the 8,
//! whatever the input dimension d.
//!
//! Labels follow docs/decisions.md D-XOR-DATA-2: same-sign quadrants are class 1, so a unit is
//! *XOR-compatible* iff sign(vj) = sign(w1j)·sign(w2j) (Lemma D.1's set B).

use crate::exact::{pow, Prob};
use num_bigint::BigInt;
use num_traits::Zero;
use serde::Serialize;
use std::fmt;

/// The number of relevant sign classes.
pub const NUM_CLASSES: usize = 8;

/// One relevant sign class, encoded in 3 bits: bit 0 set iff w1 > 0, bit 1 iff w2 > 0, bit 2 iff
/// the output weight v > 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SignClass(u8);

impl SignClass {
    /// The class with the given signs (`true` = positive).
    pub fn new(w1_positive: bool, w2_positive: bool, out_positive: bool) -> Self {
        SignClass(
            u8::from(w1_positive) | (u8::from(w2_positive) << 1) | (u8::from(out_positive) << 2),
        )
    }

    /// The class with index `0..8` (the bit encoding above).
    pub fn from_index(index: usize) -> Self {
        assert!(
            index < NUM_CLASSES,
            "sign class index {index} is not in 0..8"
        );
        SignClass(index as u8)
    }

    /// All 8 classes in index order.
    pub fn all() -> impl Iterator<Item = SignClass> {
        (0..NUM_CLASSES).map(SignClass::from_index)
    }

    /// The index `0..8`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// Sign of the first relevant input weight: +1 or −1.
    pub fn w1(self) -> i8 {
        if self.0 & 1 != 0 {
            1
        } else {
            -1
        }
    }

    /// Sign of the second relevant input weight: +1 or −1.
    pub fn w2(self) -> i8 {
        if self.0 & 2 != 0 {
            1
        } else {
            -1
        }
    }

    /// Sign of the output weight: +1 or −1.
    pub fn out(self) -> i8 {
        if self.0 & 4 != 0 {
            1
        } else {
            -1
        }
    }

    /// Lemma D.1's compatibility: sign(v) = sign(w1)·sign(w2).
    pub fn is_compatible(self) -> bool {
        self.out() == self.w1() * self.w2()
    }
}

impl fmt::Display for SignClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |v: i8| if v > 0 { '+' } else { '-' };
        write!(f, "({}{}{})", s(self.w1()), s(self.w2()), s(self.out()))
    }
}

/// A set of sign classes (which classes occur at least once among the hidden units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct ClassSet(u8);

impl ClassSet {
    /// The set with the given bit mask (bit i = class index i).
    pub fn from_mask(mask: u8) -> Self {
        ClassSet(mask)
    }

    /// All 256 subsets in mask order.
    pub fn all() -> impl Iterator<Item = ClassSet> {
        (0..=u8::MAX).map(ClassSet)
    }

    /// The set of classes occurring in `units`.
    pub fn of(units: &[SignClass]) -> Self {
        ClassSet(units.iter().fold(0, |mask, c| mask | (1 << c.0)))
    }

    /// The bit mask.
    pub fn mask(self) -> u8 {
        self.0
    }

    /// Whether `class` is in the set.
    pub fn contains(self, class: SignClass) -> bool {
        self.0 & (1 << class.0) != 0
    }

    /// Number of classes in the set.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The classes in the set, in index order.
    pub fn classes(self) -> impl Iterator<Item = SignClass> {
        SignClass::all().filter(move |&c| self.contains(c))
    }

    /// Whether every class of `self` is in `other`.
    pub fn is_subset_of(self, other: ClassSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// All subsets of `self` (including the empty set and `self`).
    pub fn subsets(self) -> impl Iterator<Item = ClassSet> {
        ClassSet::all().filter(move |t| t.is_subset_of(self))
    }

    /// The set without `class`.
    pub fn without(self, class: SignClass) -> Self {
        ClassSet(self.0 & !(1 << class.0))
    }

    /// Number of XOR-compatible classes in the set.
    pub fn compatible_count(self) -> u32 {
        self.classes().filter(|c| c.is_compatible()).count() as u32
    }
}

impl fmt::Display for ClassSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{")?;
        for (i, c) in self.classes().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            write!(f, "{c}")?;
        }
        write!(f, "}}")
    }
}

/// Probability that `n` units with independent uniform classes show exactly the classes of `set`
/// (each at least once, no other), by inclusion–exclusion over the classes that are missing:
/// Σ_{T ⊆ S} (−1)^{|S|−|T|} (|T|/8)^n.
pub fn presence_probability(set: ClassSet, n: u32) -> Prob {
    let mut numer = BigInt::zero();
    for subset in set.subsets() {
        let term = pow(&BigInt::from(subset.len()), n);
        if (set.len() - subset.len()).is_multiple_of(2) {
            numer += term;
        } else {
            numer -= term;
        }
    }
    Prob::new(numer, pow(&BigInt::from(NUM_CLASSES), n))
}

/// Probability of an event that depends only on which classes are present: the sum of
/// [`presence_probability`] over the sets where `event` holds.
pub fn probability_of(n: u32, event: impl Fn(ClassSet) -> bool) -> Prob {
    ClassSet::all()
        .filter(|&s| event(s))
        .map(|s| presence_probability(s, n))
        .sum()
}

/// Lemma D.1's sufficient condition: at least 3 distinct XOR-compatible classes are present.
pub fn satisfies_lemma_d1(set: ClassSet) -> bool {
    set.compatible_count() >= 3
}

/// Probability that `n` random-polarity units satisfy Lemma D.1's condition (independent of the
/// input dimension, since nuisance-weight signs do not enter the condition).
pub fn lemma_d1_condition(n: u32) -> Prob {
    probability_of(n, satisfies_lemma_d1)
}

/// The symmetries of the XOR problem as maps on classes: swapping the two inputs, and reflecting
/// one input about the middle of the gap (−1/2 ↔ 11/20, [−1, 0] ↔ [1/20, 21/20]), which swaps the
/// labels and so negates the logit, mapping (s1, s2, v) to (−s1, s2, −v). Together they generate
/// the 8 symmetries of the square; every question in this crate (centres and whole cells) is
/// invariant under them.
pub fn symmetry_images(set: ClassSet) -> Vec<ClassSet> {
    let swap = |c: SignClass| SignClass::new(c.w2() > 0, c.w1() > 0, c.out() > 0);
    let reflect = |c: SignClass| SignClass::new(c.w1() < 0, c.w2() > 0, c.out() < 0);
    let apply = |s: ClassSet, map: &dyn Fn(SignClass) -> SignClass| {
        ClassSet::of(&s.classes().map(map).collect::<Vec<_>>())
    };
    let mut images = vec![set];
    let mut next = 0;
    while next < images.len() {
        let current = images[next];
        for image in [apply(current, &swap), apply(current, &reflect)] {
            if !images.contains(&image) {
                images.push(image);
            }
        }
        next += 1;
    }
    images
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counting::lemma_d2;
    use num_traits::One;

    #[test]
    fn four_classes_are_compatible() {
        let compatible: Vec<String> = SignClass::all()
            .filter(|c| c.is_compatible())
            .map(|c| c.to_string())
            .collect();
        assert_eq!(compatible, ["(+--)", "(-+-)", "(--+)", "(+++)"]);
    }

    #[test]
    fn presence_probabilities_sum_to_one() {
        for n in 0..12 {
            let total: Prob = ClassSet::all().map(|s| presence_probability(s, n)).sum();
            assert_eq!(total, Prob::one(), "n = {n}");
        }
        // One unit: each singleton has probability 1/8.
        let single = presence_probability(ClassSet::from_mask(0b100), 1);
        assert_eq!(single, Prob::new(1.into(), 8.into()));
        assert!(presence_probability(ClassSet::from_mask(0b11), 1).is_zero());
    }

    #[test]
    fn symmetries_form_the_square_group() {
        let all = ClassSet::from_mask(0xff);
        assert_eq!(symmetry_images(all), vec![all]);
        // A single class has an orbit of 4 within its compatibility type.
        for class in SignClass::all() {
            let orbit = symmetry_images(ClassSet::of(&[class]));
            assert_eq!(orbit.len(), 4);
            assert!(orbit.iter().all(|s| s
                .classes()
                .all(|c| c.is_compatible() == class.is_compatible())));
        }
    }

    #[test]
    fn lemma_d1_condition_equals_lemma_d2() {
        // Two independent derivations: presence inclusion–exclusion vs the paper's Q formula.
        for n in 0..25 {
            assert_eq!(lemma_d1_condition(n), lemma_d2(n), "n = {n}");
        }
    }
}
