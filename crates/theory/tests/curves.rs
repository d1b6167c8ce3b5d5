//! Properties of the three curves and their rendering.

use polarity_theory::curves::xor_curves;
use polarity_theory::report::{render, to_json, Format};

#[test]
fn curves_are_ordered_and_monotone() {
    let curves = xor_curves(30, 5, false).unwrap();
    assert_eq!(curves.rows.len(), 30);
    for pair in curves.rows.windows(2) {
        // More units can only help (each curve is the probability of a monotone event).
        assert!(pair[1].truth >= pair[0].truth);
        assert!(pair[1].lemma_d1 >= pair[0].lemma_d1);
        assert!(pair[1].theorem_d1 >= pair[0].theorem_d1);
    }
    for row in &curves.rows {
        // Lemma D.1's condition is sufficient, so the truth is at least its probability; and the
        // printed theorem counts a larger event than the lemma's condition.
        assert!(row.truth >= row.lemma_d1, "n = {}", row.units);
        assert!(row.theorem_d1 >= row.lemma_d1, "n = {}", row.units);
    }
    let first = curves.first_above();
    assert_eq!((first.theorem_d1, first.lemma_d1), (Some(14), Some(23)));
    let truth_first = first.truth.unwrap();
    assert!(truth_first < 14);
}

#[test]
fn every_format_carries_fractions_and_decimals() {
    let curves = xor_curves(30, 5, false).unwrap();
    let csv = render(&curves, Format::Csv);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 31);
    assert_eq!(
        lines[0],
        "units,dims,theorem_d1,theorem_d1_fraction,lemma_d1,lemma_d1_fraction,truth,truth_fraction"
    );
    assert!(lines[15].starts_with("15,5,0.994710,"), "{}", lines[15]);
    assert!(
        lines[15].contains(",0.926667,4075522697613/4398046511104,"),
        "{}",
        lines[15]
    );

    let json = to_json(&curves);
    assert_eq!(json["rows"].as_array().unwrap().len(), 30);
    assert_eq!(json["rows"][14]["theorem_d1"]["decimal"], "0.994710");
    assert_eq!(json["first_above_threshold"]["theorem_d1"], 14);
    assert!(json["first_above_threshold"].get("truth_cells").is_none());
    let parsed: serde_json::Value = serde_json::from_str(&render(&curves, Format::Json)).unwrap();
    assert_eq!(parsed, json);

    let text = render(&curves, Format::Text);
    assert!(text.contains("smallest n with P > 0.99: theorem_d1 14, lemma_d1 23, truth "));
}
