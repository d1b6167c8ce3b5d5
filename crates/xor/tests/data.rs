//! The XOR-nD generator against the official generator's distribution (docs/decisions.md
//! D-XOR-DATA-1).

use polarity_xor::data::{XorData, PAPER_TRAIN_SIZES};

#[test]
fn cells_labels_and_balance() {
    let data = XorData::new(3, 5, 1000).unwrap();
    let train = data.train(4000).unwrap();
    let mut cells = [0usize; 4];
    for s in 0..train.len() {
        let x = train.row(s);
        for &c in &x[..2] {
            // low in [-1, 0), high in [0.05, 1.05): a 0.05 gap above zero
            assert!(
                (-1.0..0.0).contains(&c) || (0.05..1.05).contains(&c),
                "coordinate {c}"
            );
        }
        let label = if (x[0] > 0.0) == (x[1] > 0.0) {
            1.0
        } else {
            0.0
        };
        assert_eq!(train.y[s], label, "same-sign quadrants are labelled 1");
        cells[usize::from(x[0] > 0.0) * 2 + usize::from(x[1] > 0.0)] += 1;
    }
    assert_eq!(cells, [1000; 4]);
    // Validation: 1000 samples, 250 per cell, also balanced labels.
    assert_eq!(data.val.len(), 1000);
    assert_eq!(data.val.y.iter().filter(|&&y| y == 1.0).count(), 500);
}

#[test]
fn moments_match_the_generator() {
    let data = XorData::new(11, 5, 4).unwrap();
    let t = data.train(20_000).unwrap();
    let n = t.len() as f64;
    let col = |d: usize, filter: &dyn Fn(f32) -> bool| -> Vec<f64> {
        (0..t.len())
            .map(|s| t.row(s)[d])
            .filter(|v| filter(*v))
            .map(f64::from)
            .collect()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
    };
    for d in 0..2 {
        let low = col(d, &|v| v < 0.0);
        let high = col(d, &|v| v > 0.0);
        // U(-1, 0): mean -0.5, var 1/12; U(0.05, 1.05): mean 0.55. 6 standard errors.
        let se = (1.0f64 / 12.0 / low.len() as f64).sqrt() * 6.0;
        assert!(
            (mean(&low) + 0.5).abs() < se,
            "dim {d} low mean {}",
            mean(&low)
        );
        assert!(
            (mean(&high) - 0.55).abs() < se,
            "dim {d} high mean {}",
            mean(&high)
        );
        assert!((var(&low) - 1.0 / 12.0).abs() < 0.005);
    }
    for d in 2..5 {
        let v = col(d, &|_| true);
        // N(1, 1): mean within 6 standard errors, variance within 6 of its standard errors.
        assert!(
            (mean(&v) - 1.0).abs() < 6.0 / n.sqrt(),
            "dim {d} mean {}",
            mean(&v)
        );
        assert!(
            (var(&v) - 1.0).abs() < 6.0 * (2.0 / n).sqrt(),
            "dim {d} var {}",
            var(&v)
        );
    }
}

#[test]
fn training_sets_are_nested_and_independent_of_the_size_list() {
    let data = XorData::new(5, 5, 1000).unwrap();
    let big = data.train(500).unwrap();
    for &n in &PAPER_TRAIN_SIZES {
        let small = data.train(n).unwrap();
        assert_eq!(small, big.prefix(n), "size {n} is a prefix of 500");
    }
    // The validation set does not overlap the training pool's stream.
    assert_ne!(data.val.prefix(8), big.prefix(8));
    // Another seed gives other data.
    assert_ne!(
        XorData::new(6, 5, 1000).unwrap().train(8).unwrap(),
        big.prefix(8)
    );
}

#[test]
fn bad_sizes_are_clear_errors() {
    let data = XorData::new(0, 5, 1000).unwrap();
    let e = data.train(50).unwrap_err().to_string();
    assert!(e.contains("50") && e.contains("multiple of 4"), "{e}");
    assert!(XorData::new(0, 1, 1000)
        .unwrap_err()
        .to_string()
        .contains("at least 2"));
}
