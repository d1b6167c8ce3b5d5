//! The non-inferiority bootstrap against a NumPy replay of the same resamples
//! (tests/fixtures/margin_bootstrap.json, written by scripts/make_margin_fixture.py;
//! docs/decisions.md D-STATS-9).

use polarity_analysis::claims::margin::{margin_outcome, Margin, MarginTest};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/margin_bootstrap.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

/// JSON null stands for NaN (a run that never reached the threshold).
fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

/// null in the fixture: a value that is not finite (an unreached median, an undefined bound).
fn matches(ours: f64, reference: &Value) -> bool {
    match reference.as_f64() {
        Some(r) => close(ours, r),
        None => !ours.is_finite(),
    }
}

#[test]
fn replayed_resamples_match_numpy() {
    let f = fixture();
    let cases = f["cases"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for (k, case) in cases.iter().enumerate() {
        let (a, b) = (floats(&case["a"]), floats(&case["b"]));
        let value = case["margin"].as_f64().unwrap();
        let margin = match case["kind"].as_str().unwrap() {
            "points" => Margin::Points { points: value },
            _ => Margin::Fraction { fraction: value },
        };
        let test = MarginTest {
            alpha: case["alpha"].as_f64().unwrap(),
            resamples: case["resamples"].as_u64().unwrap() as usize,
            seed: case["seed"].as_u64().unwrap(),
            min_trials: 10,
        };
        let o = margin_outcome(1, &a, &b, margin, &test);
        assert!(
            matches(o.estimate, &case["estimate"]),
            "case {k}: estimate {}",
            o.estimate
        );
        assert!(
            matches(o.upper, &case["upper"]),
            "case {k}: upper {}",
            o.upper
        );
        assert!(
            close(o.p_within, case["p_within"].as_f64().unwrap()),
            "case {k}: {}",
            o.p_within
        );
        assert!(
            close(o.p_beyond, case["p_beyond"].as_f64().unwrap()),
            "case {k}: {}",
            o.p_beyond
        );
        assert!(matches(o.se, &case["se"]), "case {k}: se {}", o.se);
    }
}
