//! The statistics against NumPy / SciPy / statsmodels outputs recorded in tests/fixtures/scipy_stats.json
//! (written by scripts/make_stats_fixture.py; no Python needed here).

use polarity_analysis::stats::{
    bh_adjust, bh_reject, holm_adjust, holm_reject, mann_whitney_u, summarize,
    wilcoxon_signed_rank, TestMethod,
};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/scipy_stats.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

/// JSON null stands for NaN (missing value).
fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// Tight relative tolerance, with an absolute floor for SciPy's own `1 - cdf` rounding near zero.
fn close(ours: f64, reference: f64) -> bool {
    (ours - reference).abs() <= 1e-9 * reference.abs() + 1e-15
}

fn method(name: &str) -> TestMethod {
    match name {
        "exact" => TestMethod::Exact,
        "asymptotic" => TestMethod::Asymptotic,
        "permutation" => TestMethod::Permutation,
        other => panic!("unknown method {other}"),
    }
}

#[test]
fn fixture_records_the_reference_versions() {
    let f = fixture();
    for key in ["scipy", "numpy", "statsmodels"] {
        assert!(
            f[key].as_str().is_some_and(|v| !v.is_empty()),
            "fixture lacks the {key} version"
        );
    }
}

#[test]
fn summaries_match_numpy_nanmedian_and_nanpercentile() {
    let f = fixture();
    let cases = f["percentiles"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let s = summarize(&floats(&case["x"]));
        assert_eq!(s.n as u64, case["n"].as_u64().unwrap(), "{case}");
        assert_eq!(
            s.missing as u64,
            case["missing"].as_u64().unwrap(),
            "{case}"
        );
        for (ours, key) in [(s.median, "median"), (s.q25, "q25"), (s.q75, "q75")] {
            match (ours, case[key].as_f64()) {
                (None, None) => {}
                (Some(a), Some(b)) => assert!(close(a, b), "{key}: ours {a} numpy {b} for {case}"),
                (a, b) => panic!("{key}: ours {a:?} numpy {b:?} for {case}"),
            }
        }
    }
}

#[test]
fn mann_whitney_matches_scipy_auto() {
    let f = fixture();
    let cases = f["mannwhitneyu"].as_array().unwrap();
    let mut branches = std::collections::HashSet::new();
    for case in cases {
        let r = mann_whitney_u(&floats(&case["x"]), &floats(&case["y"])).unwrap();
        let (u, p) = (case["u"].as_f64().unwrap(), case["p"].as_f64().unwrap());
        assert_eq!(r.method, method(case["method"].as_str().unwrap()), "{case}");
        assert!(close(r.u, u), "U: ours {} scipy {u} for {case}", r.u);
        assert!(
            close(r.p_value, p),
            "p: ours {} scipy {p} for {case}",
            r.p_value
        );
        branches.insert(format!("{:?}", r.method));
    }
    assert_eq!(
        branches.len(),
        2,
        "the fixture must exercise both branches: {branches:?}"
    );
}

#[test]
fn wilcoxon_matches_scipy_defaults() {
    let f = fixture();
    let cases = f["wilcoxon"].as_array().unwrap();
    let mut branches = std::collections::HashSet::new();
    for case in cases {
        let r = wilcoxon_signed_rank(&floats(&case["x"]), &floats(&case["y"])).unwrap();
        assert_eq!(r.method, method(case["method"].as_str().unwrap()), "{case}");
        let stat = case["statistic"].as_f64().unwrap();
        assert!(
            close(r.statistic, stat),
            "statistic: ours {} scipy {stat} for {case}",
            r.statistic
        );
        match case["p"].as_f64() {
            Some(p) => assert!(
                close(r.p_value, p),
                "p: ours {} scipy {p} for {case}",
                r.p_value
            ),
            None => assert!(
                r.p_value.is_nan(),
                "scipy gives NaN, ours {} for {case}",
                r.p_value
            ),
        }
        branches.insert(format!("{:?}", r.method));
    }
    assert_eq!(
        branches.len(),
        3,
        "the fixture must exercise all three branches: {branches:?}"
    );
}

#[test]
fn corrections_match_statsmodels_multipletests() {
    let f = fixture();
    for case in f["multipletests"].as_array().unwrap() {
        let p = floats(&case["p"]);
        let alpha = case["alpha"].as_f64().unwrap();
        let bools = |key: &str| -> Vec<bool> {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_bool().unwrap())
                .collect()
        };
        for (ours, reference) in holm_adjust(&p).unwrap().iter().zip(floats(&case["holm"])) {
            assert!(
                close(*ours, reference),
                "holm: ours {ours} statsmodels {reference} for {case}"
            );
        }
        for (ours, reference) in bh_adjust(&p).unwrap().iter().zip(floats(&case["bh"])) {
            assert!(
                close(*ours, reference),
                "bh: ours {ours} statsmodels {reference} for {case}"
            );
        }
        assert_eq!(
            holm_reject(&p, alpha).unwrap(),
            bools("holm_reject"),
            "{case}"
        );
        assert_eq!(bh_reject(&p, alpha).unwrap(), bools("bh_reject"), "{case}");
    }
}
