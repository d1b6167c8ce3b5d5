//! The whole-cell oracle: witnesses checked exactly on the closed squares, the outer bound, and
//! (in the slow test) the full table against the centres.

use polarity_theory::cells::{CellAnswer, CellTable};
use polarity_theory::classes::{ClassSet, SignClass, NUM_CLASSES};
use polarity_theory::curves::xor_curves;
use polarity_theory::oracle::{Check, Oracle};
use polarity_theory::region::Region;
use polarity_theory::truth::PresenceTable;

fn counts(pairs: &[(SignClass, usize)]) -> [usize; NUM_CLASSES] {
    let mut counts = [0; NUM_CLASSES];
    for &(class, k) in pairs {
        counts[class.index()] = k;
    }
    counts
}

#[test]
fn lemma_d1_triples_solve_the_whole_cells_with_one_unit_each() {
    let inner = Oracle::new(Check::UncutCells);
    let compatible: Vec<SignClass> = SignClass::all().filter(|c| c.is_compatible()).collect();
    for skip in 0..4 {
        let chosen: Vec<(SignClass, usize)> = (0..4)
            .filter(|&i| i != skip)
            .map(|i| (compatible[i], 1))
            .collect();
        let verdict = inner.decide_counts(&counts(&chosen)).unwrap();
        assert!(verdict.representable, "{chosen:?}");
        let witness = verdict.witness.unwrap();
        assert!(witness.margin_on_cells(&Region::Cells.cells()) > Default::default());
        assert!(witness.units.iter().all(|u| u.sign_class().is_some()));
    }
}

#[test]
fn same_input_signs_with_both_output_signs_need_two_units_on_cells() {
    // (+,+,+) with (+,+,−): one unit each solves the centres but not the whole cells; a second
    // (+,+,−) unit solves the cells, and a single (+,+,−) unit fails on the corners even when
    // (+,+,+) has a unit for every activation pattern.
    let up = SignClass::new(true, true, true);
    let down = SignClass::new(true, true, false);
    let centres = PresenceTable::centres().unwrap();
    assert!(centres.representable(ClassSet::of(&[up, down])));

    let inner = Oracle::new(Check::UncutCells);
    let outer = Oracle::new(Check::CellCorners);
    assert!(
        !outer
            .decide_counts(&counts(&[(up, 1), (down, 1)]))
            .unwrap()
            .representable
    );
    let two = inner.decide_counts(&counts(&[(up, 1), (down, 2)])).unwrap();
    assert!(two.representable);
    assert!(two.witness.unwrap().margin_on_cells(&Region::Cells.cells()) > Default::default());
    let saturated_up = counts(&[(up, outer.saturation(up)), (down, 1)]);
    assert!(!outer.decide_counts(&saturated_up).unwrap().representable);
}

/// About 10 s in a release build, longer in a dev build: run with
/// `cargo test -p polarity-theory --release -- --ignored`.
#[test]
#[ignore = "slow: solves the whole-cell table (tens of LPs with hundreds of units)"]
fn whole_cell_table_is_exact_and_below_the_centres() {
    let table = CellTable::compute().unwrap();
    let centres = PresenceTable::centres().unwrap();
    for set in ClassSet::all() {
        let cell_ok = !matches!(table.answer(set), CellAnswer::Never);
        assert!(!cell_ok || centres.representable(set), "{set}");
        // The cells add exactly one provable requirement to the centres' rule: both output signs.
        // With only positive output weights the logit is convex, so {logit < 0} is convex and
        // contains the midpoint (−0.475, −0.475) of (−1, 0.05) ∈ LH and (0.05, −1) ∈ HL, which
        // lies in LL; with only negative ones, symmetrically, {logit > 0} reaches into HL.
        let both_signs = set.classes().any(|c| c.out() > 0) && set.classes().any(|c| c.out() < 0);
        assert_eq!(cell_ok, centres.representable(set) && both_signs, "{set}");
        if set.compatible_count() >= 3 {
            assert_eq!(table.answer(set), &CellAnswer::Always, "{set}");
        }
        if let CellAnswer::MoreUnits {
            sufficient,
            necessary,
        } = table.answer(set)
        {
            assert_eq!(sufficient, necessary, "{set}: open case");
        }
    }
    let curves = xor_curves(30, 5, true).unwrap();
    for row in &curves.rows {
        let (lower, upper) = row.truth_cells.clone().unwrap();
        assert_eq!(lower, upper, "n = {}", row.units);
        assert!(
            lower <= row.truth && lower >= row.lemma_d1,
            "n = {}",
            row.units
        );
    }
}
