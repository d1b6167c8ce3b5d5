//! Invariants of the statistics on random inputs (the fixture pins exact values; these pin structure).

use polarity_analysis::stats::{
    bh_adjust, holm_adjust, holm_reject, mann_whitney_u, summarize, wilcoxon_signed_rank,
};
use proptest::prelude::*;

/// Small integers make ties likely, so both branches of every `auto` rule are exercised.
fn sample(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((0i32..12).prop_map(f64::from), 1..max_len)
}

proptest! {
    #[test]
    fn mann_whitney_is_symmetric(x in sample(25), y in sample(25)) {
        let xy = mann_whitney_u(&x, &y).unwrap();
        let yx = mann_whitney_u(&y, &x).unwrap();
        prop_assert!((xy.p_value - yx.p_value).abs() < 1e-12);
        prop_assert!((xy.u + yx.u - (x.len() * y.len()) as f64).abs() < 1e-9);
        prop_assert!(xy.p_value > 0.0 && xy.p_value <= 1.0);
    }

    #[test]
    fn wilcoxon_is_symmetric_in_the_pair_order(pairs in prop::collection::vec((0i32..8, 0i32..8), 1..60)) {
        let x: Vec<f64> = pairs.iter().map(|p| f64::from(p.0)).collect();
        let y: Vec<f64> = pairs.iter().map(|p| f64::from(p.1)).collect();
        let xy = wilcoxon_signed_rank(&x, &y).unwrap();
        let yx = wilcoxon_signed_rank(&y, &x).unwrap();
        prop_assert_eq!(xy.method, yx.method);
        prop_assert_eq!(xy.statistic, yx.statistic);
        if xy.p_value.is_nan() {
            prop_assert!(yx.p_value.is_nan());
            prop_assert_eq!(xy.n_zero, xy.n_pairs);
        } else {
            prop_assert!((xy.p_value - yx.p_value).abs() < 1e-12);
            prop_assert!(xy.p_value > 0.0 && xy.p_value <= 1.0);
        }
    }

    #[test]
    fn quartiles_are_ordered_and_within_the_data(x in prop::collection::vec(prop_oneof![Just(f64::NAN), -1e3..1e3f64], 0..40)) {
        let s = summarize(&x);
        prop_assert_eq!(s.n + s.missing, x.len());
        if let (Some(lo), Some(m), Some(hi)) = (s.q25, s.median, s.q75) {
            let present: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
            let min = present.iter().copied().fold(f64::INFINITY, f64::min);
            let max = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(min <= lo && lo <= m && m <= hi && hi <= max);
        } else {
            prop_assert_eq!(s.n, 0);
        }
    }

    #[test]
    fn adjustments_dominate_raw_p_and_keep_its_order(p in prop::collection::vec(0.0..=1.0f64, 1..20)) {
        let holm = holm_adjust(&p).unwrap();
        let bh = bh_adjust(&p).unwrap();
        let reject = holm_reject(&p, 0.05).unwrap();
        for i in 0..p.len() {
            prop_assert!(holm[i] >= p[i] && holm[i] <= 1.0);
            prop_assert!(bh[i] >= p[i] && bh[i] <= holm[i] + 1e-15);
            // A Holm rejection at alpha is exactly an adjusted p-value <= alpha.
            prop_assert_eq!(reject[i], holm[i] <= 0.05);
            for j in 0..p.len() {
                if p[i] < p[j] {
                    prop_assert!(holm[i] <= holm[j] && bh[i] <= bh[j]);
                }
            }
        }
    }
}
