//! Exhaustive enumeration of sign patterns, compared exactly with the closed forms.

use num_bigint::BigInt;
use polarity_theory::classes::{lemma_d1_condition, SignClass, NUM_CLASSES};
use polarity_theory::counting::theorem_d1;
use polarity_theory::exact::Prob;
use polarity_theory::oracle::{Check, Oracle};
use polarity_theory::truth::PresenceTable;
use std::collections::{BTreeSet, HashMap};

/// A unit's full sign pattern in d + 1 bits: bit i (i < d) = input weight i positive, bit d =
/// output positive. Inputs 0 and 1 are the relevant ones.
fn relevant_class(pattern: u32, dims: u32) -> SignClass {
    SignClass::new(
        pattern & 1 != 0,
        pattern & 2 != 0,
        pattern & (1 << dims) != 0,
    )
}

/// Counts, over all (2^(d+1))^n sequences of full patterns, those with at least 3 distinct
/// compatible full patterns (Theorem D.1's event) and those with at least 3 distinct compatible
/// relevant classes (Lemma D.1's condition).
fn enumerate(dims: u32, n: u32) -> (u64, u64, u64) {
    let letters = 1u64 << (dims + 1);
    let total = letters.pow(n);
    let (mut fine_hits, mut relevant_hits) = (0, 0);
    let mut word = vec![0u32; n as usize];
    for code in 0..total {
        let mut rest = code;
        for letter in word.iter_mut() {
            *letter = (rest % letters) as u32;
            rest /= letters;
        }
        let compatible: Vec<u32> = word
            .iter()
            .copied()
            .filter(|&p| relevant_class(p, dims).is_compatible())
            .collect();
        let fine: BTreeSet<u32> = compatible.iter().copied().collect();
        let relevant: BTreeSet<SignClass> = compatible
            .iter()
            .map(|&p| relevant_class(p, dims))
            .collect();
        fine_hits += u64::from(fine.len() >= 3);
        relevant_hits += u64::from(relevant.len() >= 3);
    }
    (fine_hits, relevant_hits, total)
}

fn frac(a: u64, b: u64) -> Prob {
    Prob::new(BigInt::from(a), BigInt::from(b))
}

#[test]
fn theorem_d1_and_lemma_d1_condition_match_enumeration() {
    let cases = [(2, 1..=6), (3, 1..=4), (4, 1..=3), (5, 1..=3)];
    for (dims, units) in cases {
        for n in units {
            let (fine, relevant, total) = enumerate(dims, n);
            assert_eq!(
                theorem_d1(n, dims).unwrap(),
                frac(fine, total),
                "Theorem D.1, d = {dims}, n = {n}"
            );
            assert_eq!(
                lemma_d1_condition(n),
                frac(relevant, total),
                "Lemma D.1, d = {dims}, n = {n}"
            );
        }
    }
}

#[test]
fn printed_theorem_exceeds_the_lemma_condition_beyond_two_dims() {
    // The gap the README explains: at d = 5, n = 3 some sequences have 3 distinct compatible fine
    // patterns that share relevant classes.
    let (fine, relevant, _) = enumerate(5, 3);
    assert!(fine > relevant, "{fine} vs {relevant}");
}

/// All multisets of `n` classes as count vectors.
fn count_vectors(n: usize) -> Vec<[usize; NUM_CLASSES]> {
    fn extend(prefix: &mut Vec<usize>, left: usize, out: &mut Vec<[usize; NUM_CLASSES]>) {
        if prefix.len() == NUM_CLASSES - 1 {
            let mut counts = [0; NUM_CLASSES];
            counts[..NUM_CLASSES - 1].copy_from_slice(prefix);
            counts[NUM_CLASSES - 1] = left;
            out.push(counts);
            return;
        }
        for k in 0..=left {
            prefix.push(k);
            extend(prefix, left - k, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    extend(&mut Vec::new(), n, &mut out);
    out
}

fn multinomial(counts: &[usize; NUM_CLASSES]) -> u64 {
    let factorial = |k: usize| (1..=k as u64).product::<u64>();
    factorial(counts.iter().sum()) / counts.iter().map(|&k| factorial(k)).product::<u64>()
}

#[test]
fn truth_matches_the_oracle_on_every_multiset_of_classes() {
    // Independent of the presence-table shortcut: decide every count vector with the oracle's
    // pattern search (so repeated classes really get several units) and weight it by its
    // multinomial probability.
    let oracle = Oracle::new(Check::Centres);
    let table = PresenceTable::centres().unwrap();
    let mut memo: HashMap<[usize; NUM_CLASSES], bool> = HashMap::new();
    for n in 1..=3usize {
        let mut hits = 0u64;
        for counts in count_vectors(n) {
            let ok = *memo
                .entry(counts)
                .or_insert_with(|| oracle.decide_counts(&counts).unwrap().representable);
            if ok {
                hits += multinomial(&counts);
            }
        }
        let total = (NUM_CLASSES as u64).pow(n as u32);
        assert_eq!(table.probability(n as u32), frac(hits, total), "n = {n}");
    }
}
