//! Template constructors, the file format and shape checks.

use polarity_core::template::{MLP_HIDDEN, MLP_OUTPUT};
use polarity_core::{Excitatory, PolarityTemplate, TensorSpec};

fn specs() -> Vec<TensorSpec> {
    vec![
        TensorSpec::new("a.weight", vec![3, 4]),
        TensorSpec::new("b.weight", vec![4, 2, 2]),
    ]
}

#[test]
fn from_weights_is_np_sign() {
    let w = [0.5f32, -0.0, 0.0, -2.0, 1e-40, -1e-40];
    let t = PolarityTemplate::from_weights(&[(TensorSpec::new("w", vec![6]), &w[..])], "test");
    assert_eq!(t.tensor("w").unwrap().signs(), &[1, 0, 0, -1, 1, -1]);
    assert!(t.provenance.source.contains("test"));
    assert_eq!(t.provenance.source_sha256.len(), 64);
}

#[test]
fn random_is_balanced_and_seeded() {
    let t = PolarityTemplate::random(&[TensorSpec::new("w", vec![100, 100])], 3);
    let pos = t.tensors[0].signs().iter().filter(|&&s| s == 1).count();
    // Binomial(10000, 0.5): 5 standard deviations = 250.
    assert!((pos as i64 - 5000).abs() < 250, "{pos}");
    assert!(t.tensors[0].signs().iter().all(|&s| s == 1 || s == -1));
    assert_eq!(
        t,
        PolarityTemplate::random(&[TensorSpec::new("w", vec![100, 100])], 3)
    );
    assert_ne!(
        t,
        PolarityTemplate::random(&[TensorSpec::new("w", vec![100, 100])], 4)
    );
}

#[test]
fn xor_sufficient_rule() {
    // inputs = 3, hidden = 4, row-major [in, hidden]
    let w1 = [
        1.0f32, -1.0, 1.0, -1.0, /* x2 */ 1.0, 1.0, -1.0, -1.0, /* nuisance */ 5.0, 5.0,
        5.0, 5.0,
    ];
    let t = PolarityTemplate::xor_sufficient(&w1, 3, 4);
    assert_eq!(t.tensor(MLP_OUTPUT).unwrap().signs(), &[1, -1, -1, 1]);
    assert_eq!(t.tensor(MLP_HIDDEN).unwrap().signs()[..4], [1, -1, 1, -1]);
}

#[test]
fn dale_gives_each_presynaptic_unit_one_sign() {
    let spec = TensorSpec::new("conv.weight", vec![6, 10, 3, 3]); // [out, in, kh, kw]
    let t = PolarityTemplate::dale(
        &[(spec, 1)],
        Excitatory::Fraction {
            fraction: 0.8,
            seed: 1,
        },
    )
    .unwrap();
    let s = t.tensors[0].signs();
    let mut excitatory = 0;
    for unit in 0..10 {
        let signs: Vec<i8> = (0..6)
            .flat_map(|o| (0..9).map(move |k| (o * 10 + unit) * 9 + k))
            .map(|i| s[i])
            .collect();
        assert!(
            signs.iter().all(|&x| x == signs[0]),
            "unit {unit} mixes signs"
        );
        excitatory += usize::from(signs[0] == 1);
    }
    assert_eq!(excitatory, 8);
    let bad = PolarityTemplate::dale(
        &[(TensorSpec::new("w", vec![2, 2]), 0)],
        Excitatory::Fraction {
            fraction: 1.5,
            seed: 0,
        },
    );
    assert!(bad.unwrap_err().to_string().contains("1.5"));
}

#[test]
fn file_round_trip_and_corruption() {
    let t = PolarityTemplate::random(&specs(), 9);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.plty");
    t.save(&p).unwrap();
    let back = PolarityTemplate::load(&p).unwrap();
    assert_eq!(back, t);
    // Compact: 2 bits per sign plus a small header.
    let len = std::fs::metadata(&p).unwrap().len() as usize;
    assert!(len < 12 * 4 / 4 + 16 / 4 + 400, "{len} bytes");
    let bytes = std::fs::read(&p).unwrap();
    for (name, broken) in [
        ("truncated", bytes[..bytes.len() - 5].to_vec()),
        ("flipped", {
            let mut b = bytes.clone();
            b[20] ^= 1;
            b
        }),
        ("magic", {
            let mut b = bytes.clone();
            b[0] = b'X';
            b
        }),
    ] {
        std::fs::write(&p, &broken).unwrap();
        let e = PolarityTemplate::load(&p).unwrap_err().to_string();
        assert!(e.contains("t.plty"), "{name}: {e}");
    }
}

#[test]
fn shape_mismatches_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.plty");
    PolarityTemplate::random(&specs(), 1).save(&p).unwrap();
    let model = vec![
        TensorSpec::new("a.weight", vec![3, 5]),
        TensorSpec::new("c.weight", vec![1]),
    ];
    let e = PolarityTemplate::load_for(&p, &model)
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.plty"), "{e}");
    assert!(
        e.contains("'a.weight': template shape [3, 4], model shape [3, 5]"),
        "{e}"
    );
    assert!(
        e.contains("'b.weight'") && e.contains("no such parameter"),
        "{e}"
    );
    assert!(PolarityTemplate::load_for(&p, &specs()).is_ok());
}
