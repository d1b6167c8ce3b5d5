//! The ratio-of-medians bootstrap against NumPy and SciPy (tests/fixtures/bootstrap_ratio.json,
//! written by scripts/make_bootstrap_fixture.py; docs/decisions.md D-STATS-5).

use polarity_analysis::stats::{bootstrap_ratios, ratio_of_medians_interval, BootstrapOptions};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/bootstrap_ratio.json"
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

#[test]
fn replayed_resamples_match_numpy_exactly() {
    let f = fixture();
    let cases = f["replay"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for (k, case) in cases.iter().enumerate() {
        let (a, b) = (floats(&case["a"]), floats(&case["b"]));
        let options = BootstrapOptions {
            resamples: case["resamples"].as_u64().unwrap() as usize,
            seed: case["seed"].as_u64().unwrap(),
            confidence: case["confidence"].as_f64().unwrap(),
        };
        let ours = ratio_of_medians_interval(&a, &b, &options).unwrap();
        let first = floats(&case["first_ratios"]);
        let replay = bootstrap_ratios(&a, &b, &options);
        for (x, y) in replay.iter().zip(&first) {
            assert!(
                (x.is_nan() && y.is_nan()) || close(*x, *y),
                "case {k}: {x} vs {y}"
            );
        }
        assert!(close(ours.estimate, case["estimate"].as_f64().unwrap()));
        assert_eq!(
            ours.undefined as u64,
            case["undefined"].as_u64().unwrap(),
            "case {k}"
        );
        match (&ours.interval, case["interval"].as_array()) {
            (Some((lo, hi)), Some(reference)) => {
                let (rlo, rhi) = (
                    reference[0].as_f64().unwrap(),
                    reference[1].as_f64().unwrap(),
                );
                assert!(
                    close(*lo, rlo) && close(*hi, rhi),
                    "case {k}: {lo} {hi} vs {rlo} {rhi}"
                );
            }
            (None, None) => {}
            (ours, reference) => panic!("case {k}: {ours:?} vs {reference:?}"),
        }
    }
}

#[test]
fn intervals_agree_with_scipy_bootstrap_within_monte_carlo_error() {
    let f = fixture();
    for (k, case) in f["scipy"].as_array().unwrap().iter().enumerate() {
        let (a, b) = (floats(&case["a"]), floats(&case["b"]));
        let options = BootstrapOptions {
            resamples: case["resamples"].as_u64().unwrap() as usize,
            seed: 0,
            confidence: 0.95,
        };
        let (lo, hi) = ratio_of_medians_interval(&a, &b, &options)
            .unwrap()
            .interval
            .unwrap();
        let reference = floats(&case["interval"]);
        // Different generators: agreement up to Monte Carlo error (script docstring).
        assert!(
            (lo - reference[0]).abs() < 0.02 && (hi - reference[1]).abs() < 0.02,
            "case {k}: ours {lo:.4}-{hi:.4}, SciPy {:.4}-{:.4}",
            reference[0],
            reference[1]
        );
    }
}
