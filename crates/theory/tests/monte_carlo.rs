//! Seeded Monte Carlo estimates against the exact curves, for sizes too large to enumerate.
//!
//! Each estimate is a mean of N independent Bernoulli draws; the test accepts it when it lies
//! within 5 standard errors sqrt(p(1−p)/N) of the exact p (a two-sided 1 − 6e-7 interval), with
//! N = 20 000 draws from a fixed seed.

use polarity_core::seed;
use polarity_theory::classes::{lemma_d1_condition, ClassSet, SignClass};
use polarity_theory::counting::theorem_d1;
use polarity_theory::exact::{to_f64, Prob};
use polarity_theory::truth::PresenceTable;
use rand::Rng;
use std::collections::BTreeSet;

const DRAWS: u32 = 20_000;
const SEED: u64 = 20_230_330;

fn assert_within_interval(hits: u32, exact: &Prob, what: &str) {
    let p = to_f64(exact);
    let estimate = f64::from(hits) / f64::from(DRAWS);
    let half_width = 5.0 * (p * (1.0 - p) / f64::from(DRAWS)).sqrt();
    assert!(
        (estimate - p).abs() <= half_width,
        "{what}: estimate {estimate} outside exact {p} ± {half_width}"
    );
}

#[test]
fn fine_and_relevant_patterns_agree_with_the_closed_forms() {
    for (dims, n) in [(5u32, 5u32), (5, 15), (2, 15), (3, 10)] {
        let mut rng = seed::rng(
            SEED,
            &[seed::label("theory-mc"), u64::from(dims), u64::from(n)],
        );
        let (mut fine_hits, mut relevant_hits) = (0, 0);
        for _ in 0..DRAWS {
            let mut fine = BTreeSet::new();
            let mut relevant = BTreeSet::new();
            for _ in 0..n {
                // One fair coin per weight: d input weights and the output weight.
                let pattern: u64 = rng.random_range(0..1u64 << (dims + 1));
                let class =
                    SignClass::new(pattern & 1 != 0, pattern & 2 != 0, pattern >> dims & 1 != 0);
                if class.is_compatible() {
                    fine.insert(pattern);
                    relevant.insert(class);
                }
            }
            fine_hits += u32::from(fine.len() >= 3);
            relevant_hits += u32::from(relevant.len() >= 3);
        }
        let what = format!("d = {dims}, n = {n}");
        assert_within_interval(
            fine_hits,
            &theorem_d1(n, dims).unwrap(),
            &format!("Theorem D.1 {what}"),
        );
        assert_within_interval(
            relevant_hits,
            &lemma_d1_condition(n),
            &format!("Lemma D.1 {what}"),
        );
    }
}

#[test]
fn oracle_truth_agrees_with_sampled_networks() {
    let table = PresenceTable::centres().unwrap();
    for n in [4u32, 6, 9] {
        let mut rng = seed::rng(SEED, &[seed::label("theory-mc-truth"), u64::from(n)]);
        let mut hits = 0;
        for _ in 0..DRAWS {
            let units: Vec<SignClass> = (0..n)
                .map(|_| SignClass::new(rng.random(), rng.random(), rng.random()))
                .collect();
            hits += u32::from(table.representable(ClassSet::of(&units)));
        }
        assert_within_interval(hits, &table.probability(n), &format!("truth n = {n}"));
    }
}
