//! The template tools behind `polarity template diff|random`: diff against brute-force counting,
//! the random and shuffled controls against their defining properties, and old files.

use polarity_core::{LinearLayout, PolarityError, PolarityTemplate, TensorSpec, TensorTemplate};
use proptest::prelude::*;

fn template(tensors: &[(&str, Vec<usize>, Vec<i8>)]) -> PolarityTemplate {
    let mut t = PolarityTemplate::random(&[], 0);
    t.tensors = tensors
        .iter()
        .map(|(n, shape, signs)| {
            TensorTemplate::new(TensorSpec::new(*n, shape.clone()), signs.clone()).unwrap()
        })
        .collect();
    t
}

fn signs(n: usize) -> impl Strategy<Value = Vec<i8>> {
    proptest::collection::vec(-1i8..=1, n)
}

proptest! {
    /// Counts by products of signs: s_a * s_b is 1 where both are constrained and agree, -1 where
    /// both are constrained and disagree, 0 where either is free.
    #[test]
    fn diff_counts_match_brute_force((a, b) in (1usize..40).prop_flat_map(|n| (signs(n), signs(n)))) {
        let n = a.len();
        let ta = template(&[("k", vec![n], a.clone())]);
        let tb = template(&[("k", vec![n], b.clone())]);
        let d = ta.diff(&tb, "a", "b").unwrap();
        let products: Vec<i8> = a.iter().zip(&b).map(|(x, y)| x * y).collect();
        let agree = products.iter().filter(|&&p| p == 1).count();
        let disagree = products.iter().filter(|&&p| p == -1).count();
        let one_free = a.iter().zip(&b).filter(|(x, y)| (**x == 0) != (**y == 0)).count();
        let k = &d.tensors[0];
        prop_assert_eq!(k.entries, n);
        prop_assert_eq!(k.agree, agree);
        prop_assert_eq!(k.both_constrained, agree + disagree);
        // A flip: both constrained with opposite signs, or exactly one of the two free.
        prop_assert_eq!(k.flips, disagree + one_free);
        prop_assert_eq!(k.flip_ratio(), (disagree + one_free) as f64 / n as f64);
        // Symmetric, and a template never differs from itself.
        prop_assert_eq!(&tb.diff(&ta, "b", "a").unwrap().tensors[0], k);
        prop_assert_eq!(ta.diff(&ta, "a", "a").unwrap().tensors[0].flips, 0);
    }
}

#[test]
fn diff_totals_sum_the_tensors_and_share_is_undefined_without_common_constraints() {
    let a = template(&[
        ("x", vec![2, 2], vec![1, -1, 0, 1]),
        ("y", vec![2], vec![0, 0]),
    ]);
    let b = template(&[
        ("y", vec![2], vec![1, -1]),
        ("x", vec![2, 2], vec![1, 1, 0, -1]),
    ]);
    let d = a.diff(&b, "a", "b").unwrap();
    let names: Vec<&str> = d.tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["x", "y"]);
    assert_eq!(d.tensors[0].agree_share(), Some(1.0 / 3.0));
    assert_eq!(d.tensors[0].flip_ratio(), 0.5);
    assert_eq!(d.tensors[1].agree_share(), None);
    assert_eq!(d.tensors[1].flip_ratio(), 1.0);
    let total = d.total();
    assert_eq!(
        (
            total.entries,
            total.flips,
            total.both_constrained,
            total.agree
        ),
        (6, 4, 3, 1)
    );
}

#[test]
fn diff_lists_every_reason_two_templates_are_not_comparable() {
    let mut a = template(&[
        ("x", vec![2, 2], vec![1; 4]),
        ("only_a", vec![1], vec![1]),
        ("s", vec![2, 3], vec![1; 6]),
    ]);
    let mut b = template(&[
        ("x", vec![2, 2], vec![1; 4]),
        ("s", vec![3, 2], vec![1; 6]),
        ("only_b", vec![1], vec![1]),
    ]);
    a.provenance.layout = Some(LinearLayout::Burn);
    b.provenance.layout = Some(LinearLayout::PyTorch);
    let e = a.diff(&b, "A.ptpl", "B.ptpl").unwrap_err();
    assert!(matches!(e, PolarityError::NotComparable { .. }));
    let e = e.to_string();
    for needle in [
        "'only_a' is only in 'A.ptpl'",
        "'only_b' is only in 'B.ptpl'",
        "'s': shape [2, 3] in 'A.ptpl', [3, 2] in 'B.ptpl'",
        "Linear layouts differ: burn [in, out] in 'A.ptpl', pytorch [out, in] in 'B.ptpl'",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in {e}");
    }
    // An unrecorded layout (an old file) is compared as it is.
    b.provenance.layout = None;
    let b = template(&[("x", vec![2, 2], vec![1; 4])]);
    let a = template(&[("x", vec![2, 2], vec![-1; 4])]);
    assert_eq!(a.diff(&b, "a", "b").unwrap().tensors[0].flips, 4);
}

/// A template with free entries, as a grouped Caffe layer has.
fn with_zeros() -> PolarityTemplate {
    let big: Vec<i8> = (0..10_000)
        .map(|i| match i % 5 {
            0 => 0,
            1 | 2 => 1,
            _ => -1,
        })
        .collect();
    template(&[
        ("big.weight", vec![100, 100], big),
        ("small.weight", vec![3, 2], vec![1, 1, 1, -1, 0, 0]),
    ])
}

fn count(signs: &[i8], v: i8) -> usize {
    signs.iter().filter(|&&s| s == v).count()
}

#[test]
fn shuffle_keeps_each_tensors_signs_and_free_entries_and_is_seeded() {
    let t = with_zeros();
    let s = t.shuffled(5);
    for (orig, shuf) in t.tensors.iter().zip(&s.tensors) {
        assert_eq!(orig.spec, shuf.spec);
        for v in [-1, 0, 1] {
            assert_eq!(
                count(orig.signs(), v),
                count(shuf.signs(), v),
                "{}",
                orig.name()
            );
        }
        for (x, y) in orig.signs().iter().zip(shuf.signs()) {
            assert_eq!(*x == 0, *y == 0, "free entries stay in place");
        }
    }
    assert_ne!(s.tensors[0].signs(), t.tensors[0].signs());
    assert_eq!(s, t.shuffled(5));
    assert_ne!(s.tensors[0].signs(), t.shuffled(6).tensors[0].signs());
    // Seeded by name: the same tensor in another template, at another position, gets the same
    // permutation.
    let alone = template(&[("big.weight", vec![100, 100], t.tensors[0].signs().to_vec())]);
    assert_eq!(alone.shuffled(5).tensors[0].signs(), s.tensors[0].signs());
}

#[test]
fn shuffle_moves_each_sign_to_a_uniform_position() {
    // 4 constrained entries [1, -1, -1, -1]: over many seeds the +1 lands on each position
    // about 1/4 of the time (binomial, 5 standard deviations).
    let t = template(&[("w", vec![5], vec![1, 0, -1, -1, -1])]);
    let seeds = 4000;
    let mut hits = [0usize; 5];
    for seed in 0..seeds {
        let s = t.shuffled(seed);
        hits[s.tensors[0].signs().iter().position(|&x| x == 1).unwrap()] += 1;
    }
    assert_eq!(hits[1], 0);
    let (n, p) = (seeds as f64, 0.25);
    let bound = 5.0 * (n * p * (1.0 - p)).sqrt();
    for h in [hits[0], hits[2], hits[3], hits[4]] {
        assert!((h as f64 - n * p).abs() < bound, "{hits:?}");
    }
}

#[test]
fn random_like_is_balanced_keeps_free_entries_and_is_seeded() {
    let t = with_zeros();
    let r = t.random_like(11);
    let (orig, rand) = (t.tensors[0].signs(), r.tensors[0].signs());
    let constrained = count(orig, 1) + count(orig, -1);
    assert_eq!(constrained, 8000);
    for (x, y) in orig.iter().zip(rand) {
        assert_eq!(*x == 0, *y == 0, "free entries stay free");
    }
    // Bernoulli(1/2) per constrained entry: +1 count and agreement with the original both
    // Binomial(8000, 1/2); 5 standard deviations = 5 * sqrt(2000) = 224.
    let pos = count(rand, 1) as f64;
    let agree = orig
        .iter()
        .zip(rand)
        .filter(|(x, y)| **x != 0 && x == y)
        .count() as f64;
    for v in [pos, agree] {
        assert!((v - 4000.0).abs() < 224.0, "{v}");
    }
    assert_eq!(r, t.random_like(11));
    assert_ne!(r.tensors[0].signs(), t.random_like(12).tensors[0].signs());
    assert_ne!(r.tensors[0].signs(), t.shuffled(11).tensors[0].signs());
    let alone = template(&[("small.weight", vec![3, 2], vec![1, 1, 1, -1, 0, 0])]);
    assert_eq!(alone.random_like(11).tensors[0], r.tensors[1]);
}

#[test]
fn controls_record_what_they_were_made_like() {
    let mut t = with_zeros();
    t.provenance.layout = Some(LinearLayout::PyTorch);
    for (c, purpose) in [
        (t.random_like(3), "template-random-like(seed=3)"),
        (t.shuffled(3), "template-shuffle(seed=3)"),
    ] {
        assert!(
            c.provenance.source.starts_with(purpose),
            "{:?}",
            c.provenance
        );
        assert!(c.provenance.source.contains(&t.provenance.source));
        // The hash of the template file it was made like.
        assert_eq!(
            c.provenance.source_sha256,
            polarity_core_sha256(&t.to_bytes())
        );
        assert_eq!(c.provenance.layout, Some(LinearLayout::PyTorch));
    }
}

fn polarity_core_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_file_written_before_the_layout_was_recorded_still_loads() {
    // Written by the code at commit 6622d74 (before D-TEMPLATE-1), never rewritten.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/format_v1_before_layout.ptpl"
    );
    let bytes = std::fs::read(path).unwrap();
    let t = PolarityTemplate::from_bytes(&bytes, path).unwrap();
    assert_eq!(t.provenance.layout, None);
    assert_eq!(t.provenance.source, "weights:format-v1 fixture");
    assert_eq!(
        t.tensor("fc.weight").unwrap().signs(),
        &[1, -1, 0, 1, -1, 1, 0, -1, 1]
    );
    assert_eq!(t.tensor("conv.weight").unwrap().signs(), &[-1, 1]);
    // Writing it again gives the same bytes: files without a layout are unchanged by this
    // version, so older readers still read what it writes for them.
    assert_eq!(t.to_bytes(), bytes);
}
