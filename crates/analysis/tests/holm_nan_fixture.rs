//! Holm with NaN p-values kept in the family, against statsmodels and SciPy
//! (tests/fixtures/holm_nan.json, written by scripts/make_holm_nan_fixture.py; docs/decisions.md
//! D-STATS-8).

use polarity_analysis::results::cell::mwu_p;
use polarity_analysis::stats::{holm_adjust_nan_in_family, holm_reject_nan_in_family};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/holm_nan.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

/// JSON null stands for NaN.
fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn bools(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_bool().unwrap())
        .collect()
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

/// statsmodels' reject flags, except that an untested (NaN) comparison is never significant here.
fn expected_reject(p: &[f64], statsmodels: &[bool]) -> Vec<bool> {
    p.iter()
        .zip(statsmodels)
        .map(|(p, r)| !p.is_nan() && *r)
        .collect()
}

fn check(p: &[f64], adjusted: &[f64], reject: &[bool], case: usize) {
    let ours = holm_adjust_nan_in_family(p).unwrap();
    for (k, (a, e)) in ours.iter().zip(adjusted).enumerate() {
        assert!(
            same(*a, *e),
            "case {case}, entry {k}: {a} vs statsmodels {e} (p {p:?})"
        );
    }
    assert_eq!(
        holm_reject_nan_in_family(p, 0.05).unwrap(),
        expected_reject(p, reject),
        "case {case}: p {p:?}"
    );
}

#[test]
fn holm_keeping_nan_in_the_family_matches_statsmodels() {
    let f = fixture();
    let cases = f["holm"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut nan_rejected_by_statsmodels = 0;
    for (k, case) in cases.iter().enumerate() {
        let p = floats(&case["p"]);
        let reject = bools(&case["reject"]);
        nan_rejected_by_statsmodels += p
            .iter()
            .zip(&reject)
            .filter(|(p, r)| p.is_nan() && **r)
            .count();
        check(&p, &floats(&case["adjusted"]), &reject, k);
    }
    // The one place we differ from statsmodels is exercised by the fixture.
    assert!(nan_rejected_by_statsmodels > 0);
}

#[test]
fn fig3_families_from_per_trial_values_match_scipy_and_statsmodels() {
    let f = fixture();
    let cases = f["fig3"].as_array().unwrap();
    assert!(cases
        .iter()
        .any(|c| floats(&c["p"]).iter().any(|p| p.is_nan())));
    for (k, case) in cases.iter().enumerate() {
        let base = floats(&case["baseline"]);
        let p: Vec<f64> = case["others"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| mwu_p(&base, &floats(o)))
            .collect();
        for (ours, scipy) in p.iter().zip(floats(&case["p"])) {
            assert!(
                same(*ours, scipy),
                "case {k}: MWU p {ours} vs SciPy {scipy}"
            );
        }
        check(&p, &floats(&case["adjusted"]), &bools(&case["reject"]), k);
    }
}
