//! The printed Theorem D.1 against the reference table (docs/decisions.md D-THEORY-4), computed
//! independently there in Python with exact fractions.

use num_bigint::BigInt;
use polarity_theory::counting::theorem_d1;
use polarity_theory::exact::{rounded_units, Prob};

/// (n, P(n) at d = 2, P(n) at d = 5), as printed in docs/decisions.md D-THEORY-4, in millionths.
const SPEC: [(u32, u32, u32); 30] = [
    (1, 0, 0),
    (2, 0, 0),
    (3, 46875, 113525),
    (4, 134766, 289135),
    (5, 245361, 470260),
    (6, 362091, 625962),
    (7, 473682, 746443),
    (8, 573868, 833469),
    (9, 660048, 893344),
    (10, 731949, 933075),
    (11, 790599, 958710),
    (12, 837631, 974886),
    (13, 874854, 984908),
    (14, 904011, 991024),
    (15, 926667, 994710),
    (16, 944155, 996907),
    (17, 957586, 998204),
    (18, 967856, 998964),
    (19, 975683, 999405),
    (20, 981632, 999660),
    (21, 986142, 999807),
    (22, 989555, 999891),
    (23, 992134, 999938),
    (24, 994080, 999965),
    (25, 995548, 999981),
    (26, 996653, 999989),
    (27, 997485, 999994),
    (28, 998111, 999997),
    (29, 998581, 999998),
    (30, 998935, 999999),
];

#[test]
fn all_sixty_entries_match_to_six_places() {
    for (n, d2, d5) in SPEC {
        assert_eq!(
            rounded_units(&theorem_d1(n, 2).unwrap(), 6),
            BigInt::from(d2),
            "n = {n}, d = 2"
        );
        assert_eq!(
            rounded_units(&theorem_d1(n, 5).unwrap(), 6),
            BigInt::from(d5),
            "n = {n}, d = 5"
        );
    }
}

#[test]
fn exact_fraction_at_fifteen_units_two_dims() {
    let expected = Prob::new(
        BigInt::from(4_075_522_697_613u64),
        BigInt::from(4_398_046_511_104u64),
    );
    assert_eq!(theorem_d1(15, 2).unwrap(), expected);
}

#[test]
fn first_n_above_ninety_nine_percent_as_in_the_spec() {
    let level = Prob::new(BigInt::from(99), BigInt::from(100));
    let first = |d| (1..=30).find(|&n| theorem_d1(n, d).unwrap() > level);
    assert_eq!(first(5), Some(14));
    assert_eq!(first(2), Some(23));
}
