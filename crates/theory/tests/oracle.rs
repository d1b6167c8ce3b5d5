//! Validation of the exact oracle on the cell centres: Lemma D.1's constructions must succeed,
//! provably impossible patterns must fail, the answers must respect the problem's symmetries, and
//! sign-constrained gradient training must never beat the oracle.

use polarity_core::seed;
use polarity_theory::classes::{ClassSet, SignClass, NUM_CLASSES};
use polarity_theory::oracle::{Check, Oracle};
use polarity_theory::region::Region;
use polarity_theory::truth::PresenceTable;
use rand::Rng;

mod common;
use common::{train, CENTRES};

fn table() -> PresenceTable {
    PresenceTable::centres().unwrap()
}

#[test]
fn lemma_d1_constructions_succeed_with_one_unit_each_and_exact_witnesses() {
    let oracle = Oracle::new(Check::Centres);
    let compatible: Vec<SignClass> = SignClass::all().filter(|c| c.is_compatible()).collect();
    for skip in 0..4 {
        let chosen: Vec<SignClass> = (0..4)
            .filter(|&i| i != skip)
            .map(|i| compatible[i])
            .collect();
        let mut counts = [0usize; NUM_CLASSES];
        for class in &chosen {
            counts[class.index()] = 1;
        }
        let verdict = oracle.decide_counts(&counts).unwrap();
        assert!(verdict.representable, "Lemma D.1 triple {chosen:?}");
        let witness = verdict.witness.unwrap();
        // The witness has exactly the requested strict signs and classifies the centres.
        let mut classes: Vec<SignClass> = witness
            .units
            .iter()
            .map(|u| u.sign_class().expect("strict signs"))
            .collect();
        classes.sort();
        assert_eq!(classes, chosen);
        assert!(
            witness.margin_on_points(&Region::Centres.points())
                > polarity_theory::exact::Prob::default()
        );
    }
}

/// Every unit's logit contribution is monotone in x1 in direction sign(w1)·sign(v) (and likewise
/// for x2), and XOR needs the logit to rise along x1 in one row and fall in the other; so both
/// directions must occur for each input. And the cross difference f(LL) + f(HH) − f(LH) − f(HL),
/// which must be positive, gets a non-negative share only from compatible units (convexity of
/// ReLU). Either failure makes the set impossible.
fn provably_impossible(set: ClassSet) -> bool {
    let directions = |pick: fn(SignClass) -> i8| -> (bool, bool) {
        let any = |sign: i8| set.classes().any(|c| pick(c) * c.out() == sign);
        (any(1), any(-1))
    };
    let covers = |(up, down): (bool, bool)| up && down;
    set.compatible_count() == 0
        || !covers(directions(SignClass::w1))
        || !covers(directions(SignClass::w2))
}

#[test]
fn oracle_rejects_exactly_the_provably_impossible_sets() {
    let table = table();
    let mut impossible = 0;
    for set in ClassSet::all() {
        // On the centres the two arguments are also sufficient: every LP "no" is one of these
        // provable cases, so no negative answer rests on floating point alone.
        assert_eq!(table.representable(set), !provably_impossible(set), "{set}");
        impossible += u32::from(provably_impossible(set));
        if set.compatible_count() >= 3 {
            assert!(table.representable(set), "{set} satisfies Lemma D.1");
        }
    }
    assert!(impossible > 0);
    assert!(!table.representable(ClassSet::default()));
    for class in SignClass::all() {
        assert!(
            !table.representable(ClassSet::of(&[class])),
            "single class {class}"
        );
    }
}

#[test]
fn answers_respect_the_symmetries_of_the_centres() {
    // Swapping the inputs maps the problem to itself; so does reflecting x1 about the gap's middle
    // (−1/2 ↔ 11/20), which swaps the labels and hence negates the logit: class (s1, s2, v) maps
    // to (−s1, s2, −v).
    let swap = |c: SignClass| SignClass::new(c.w2() > 0, c.w1() > 0, c.out() > 0);
    let reflect = |c: SignClass| SignClass::new(c.w1() < 0, c.w2() > 0, c.out() < 0);
    let table = table();
    for set in ClassSet::all() {
        for map in [&swap as &dyn Fn(SignClass) -> SignClass, &reflect] {
            let image: Vec<SignClass> = set.classes().map(map).collect();
            assert_eq!(
                table.representable(set),
                table.representable(ClassSet::of(&image)),
                "{set}"
            );
        }
    }
}

#[test]
fn gradient_training_never_beats_the_oracle() {
    let table = table();
    let (mut trained, mut feasible, mut trained_feasible) = (0, 0, 0);
    for n in 2..=5u64 {
        let mut rng = seed::rng(7, &[seed::label("theory-oracle-training"), n]);
        for _ in 0..40 {
            let classes: Vec<SignClass> = (0..n)
                .map(|_| SignClass::from_index(rng.random_range(0..NUM_CLASSES)))
                .collect();
            let representable = table.representable(ClassSet::of(&classes));
            let success = (0..3).any(|_| train(&classes, &CENTRES, 3000, 0.8, &mut rng));
            assert!(
                !success || representable,
                "training solved {classes:?}, which the oracle calls impossible"
            );
            trained += u32::from(success);
            feasible += u32::from(representable);
            trained_feasible += u32::from(success && representable);
        }
    }
    // Training is a heuristic lower bound; it should still find most representable patterns.
    assert!(feasible > 0 && trained > 0);
    assert!(
        f64::from(trained_feasible) >= 0.8 * f64::from(feasible),
        "training solved only {trained_feasible} of {feasible} representable patterns"
    );
    eprintln!("training solved {trained_feasible} of {feasible} representable patterns");
}

#[test]
fn lp_margins_are_far_from_the_decision_tolerance() {
    // The negative answers rest on the floating-point LP optimum being below MARGIN_TOLERANCE;
    // they are only trustworthy if optima are clearly zero or clearly positive.
    let oracle = Oracle::new(Check::Centres);
    for set in ClassSet::all() {
        let margin = oracle.decide_saturated(set).unwrap().margin;
        assert!(
            !(1e-12..=1e-2).contains(&margin),
            "{set}: LP margin {margin} is too close to the tolerance"
        );
    }
}
