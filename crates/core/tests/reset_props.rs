//! Property tests of enforcement: after it, no constrained weight violates its template, for every
//! method and arbitrary inputs (including +0.0, -0.0 and subnormals); the count returned is exact;
//! NaN is an error.

use polarity_core::reset::violates;
use polarity_core::{seed, ResetMethod, ResetRule};
use proptest::prelude::*;

fn weight() -> impl Strategy<Value = f32> {
    prop_oneof![
        Just(0.0f32),
        Just(-0.0f32),
        Just(f32::MIN_POSITIVE / 4.0), // subnormal
        Just(-f32::MIN_POSITIVE / 8.0),
        Just(f32::MAX),
        Just(f32::MIN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        (-1e3f32..1e3),
        any::<f32>().prop_filter("not NaN", |x| !x.is_nan()),
    ]
}

fn method() -> impl Strategy<Value = ResetMethod> {
    prop::sample::select(ResetMethod::ALL.to_vec())
}

proptest! {
    #[test]
    fn no_violation_remains_and_count_is_exact(
        pairs in prop::collection::vec((weight(), -1i8..=1), 0..200),
        m in method(),
        eps in prop_oneof![Just(1e-3f32), 1e-30f32..1.0],
        s in any::<u64>(),
    ) {
        let (mut w, t): (Vec<f32>, Vec<i8>) = pairs.into_iter().unzip();
        let before = w.clone();
        let expected = w.iter().zip(&t).filter(|(w, t)| violates(**w, **t)).count();
        let rule = ResetRule::new(m, eps);
        let n = rule.enforce(&mut w, &t, &mut seed::rng(s, &[])).unwrap();
        prop_assert_eq!(n, expected);
        for i in 0..w.len() {
            prop_assert!(!violates(w[i], t[i]), "{} left {} against {}", m, w[i], t[i]);
            if !violates(before[i], t[i]) {
                // Untouched entries keep their exact bits (so -0.0 stays -0.0).
                prop_assert_eq!(w[i].to_bits(), before[i].to_bits());
            } else {
                match m {
                    ResetMethod::PosCon => prop_assert_eq!(w[i], f32::from(t[i]) * eps),
                    ResetMethod::PosRand => prop_assert!(w[i] * f32::from(t[i]) >= 0.0 && w[i].abs() < eps),
                    ResetMethod::Zero => prop_assert_eq!(w[i], 0.0),
                    ResetMethod::Flip => prop_assert_eq!(w[i], -before[i]),
                }
            }
        }
    }

    #[test]
    fn nan_is_an_error(
        mut w in prop::collection::vec(-1.0f32..1.0, 1..50),
        at in any::<prop::sample::Index>(),
        m in method(),
    ) {
        let i = at.index(w.len());
        w[i] = f32::NAN;
        let t = vec![1i8; w.len()];
        let e = ResetRule::new(m, 1e-3).enforce(&mut w, &t, &mut seed::rng(0, &[])).unwrap_err();
        let msg = e.to_string();
        let needle = format!("weight {}", i);
        prop_assert!(msg.contains("NaN") && msg.contains(&needle), "{}", msg);
    }
}

#[test]
fn zero_template_and_zero_weights_are_never_violations() {
    for w in [0.0f32, -0.0, 1.0, -1.0, f32::MIN_POSITIVE / 2.0] {
        assert!(!violates(w, 0));
    }
    assert!(!violates(-0.0, 1) && !violates(0.0, -1));
    assert!(
        violates(-f32::MIN_POSITIVE / 2.0, 1),
        "a negative subnormal violates +1"
    );
}

#[test]
fn posrand_draws_are_reproducible_from_the_seed() {
    let t = vec![1i8; 64];
    let run = |s| {
        let mut w = vec![-1.0f32; 64];
        ResetRule::new(ResetMethod::PosRand, 1e-3)
            .enforce(&mut w, &t, &mut seed::rng(s, &[1]))
            .unwrap();
        w
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
    // U[0, eps): the mean of many draws is near eps/2.
    let mean = run(9).iter().sum::<f32>() / 64.0;
    assert!((mean - 5e-4).abs() < 1.5e-4, "{mean}");
}

#[test]
fn method_names_parse_both_spellings() {
    for m in ResetMethod::ALL {
        assert_eq!(m.name().parse::<ResetMethod>().unwrap(), m);
    }
    assert_eq!(
        "pos-rand".parse::<ResetMethod>().unwrap(),
        ResetMethod::PosRand
    );
    let e = "posrnd".parse::<ResetMethod>().unwrap_err().to_string();
    assert!(e.contains("posrnd") && e.contains("posCon"), "{e}");
}
