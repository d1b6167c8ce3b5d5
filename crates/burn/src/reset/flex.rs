//! The reset on burn's CPU backend (`Flex`, f32) as one pass over the weights, in place and in
//! parallel over fixed chunks.
//!
//! The generic path ([`super::reset_tensor`]) is eight tensor operations: a product, a compare,
//! two counts, a posRand draw for *every* entry from flex's one process generator, a second
//! product and a select, each a pass over the weights and most a fresh allocation. On the
//! paper's AlexNet (62 M weights) that was a serial tail of every step while the other threads
//! waited (bench/README.md). Here each chunk of [`CHUNK`] entries is checked and reset by
//! `polarity_core::ResetRule::reset_value` (the reference semantics), and posRand draws only for
//! the entries it resets, from a ChaCha stream of its own: `seed::rng(base, [chunk])`, where
//! `base` is one draw from the backend's generator per reset call. The chunks are fixed, so the
//! values do not depend on the thread count; posCon, zero and flip give the generic path's bits
//! (docs/decisions.md D-TRAIN-10).

use super::LayerState;
use crate::flex_cast::{f32s, from_primitive, primitive};
use burn::backend::Flex;
use burn::tensor::backend::Backend;
use burn::tensor::{DType, Distribution, Int, Tensor};
use polarity_core::reset::violates;
use polarity_core::{seed, ResetMethod, ResetRule};
use rayon::prelude::*;
use std::any::TypeId;

/// Entries per chunk: the unit of parallel work and of posRand's streams. Part of the random
/// stream's definition: changing it changes posRand's values.
pub(crate) const CHUNK: usize = 1 << 14;

/// Whether [`reset`] handles `w`: `B` is `Flex` and `w` is f32.
pub(super) fn applies<B: Backend, const D: usize>(w: &Tensor<B, D>) -> bool {
    TypeId::of::<B>() == TypeId::of::<Flex>() && w.dtype() == DType::F32
}

/// [`super::reset_tensor`] for `B` = `Flex` (checked by the caller with [`applies`]).
pub(super) fn reset<B: Backend, const D: usize>(
    w: Tensor<B, D>,
    layer: &mut LayerState<B>,
    rule: ResetRule,
) -> Tensor<B, D> {
    let signs = primitive::<B, Flex, 1>(layer.signs.clone());
    let signs = f32s(&signs);
    let base = match rule.method {
        ResetMethod::PosRand => base_seed(),
        _ => 0,
    };
    let mut w = primitive::<B, Flex, D>(w);
    if !w.is_contiguous() {
        w = w.to_contiguous();
    }
    let (start, end) = w.layout().contiguous_offsets().expect("made contiguous");
    let values = &mut w.storage_mut::<f32>()[start..end];
    let (resets, nans) = reset_slice(values, signs, rule, base);
    layer.host_resets += resets;
    layer.host_nans += nans;
    from_primitive::<Flex, B, D>(w)
}

/// One draw from the backend's generator (seeded by `Backend::seed`), so posRand's streams
/// follow the run's seed and differ from call to call.
fn base_seed() -> u64 {
    let draw = Tensor::<Flex, 1, Int>::random(
        [2],
        Distribution::Uniform(0.0, f64::from(i32::MAX)),
        &Default::default(),
    );
    let v: Vec<i64> = draw.into_data().iter::<i64>().collect();
    ((v[0] as u64) << 32) ^ (v[1] as u64)
}

/// Resets `w` against `signs` (one f32 sign per entry) in place; returns (resets, NaN entries).
/// posRand's values come from `seed::rng(base, [chunk index])`, drawn in index order within a
/// chunk and only for entries that are reset.
pub(crate) fn reset_slice(w: &mut [f32], signs: &[f32], rule: ResetRule, base: u64) -> (u64, u64) {
    assert_eq!(w.len(), signs.len(), "reset: weights and template lengths");
    w.par_chunks_mut(CHUNK)
        .zip(signs.par_chunks(CHUNK))
        .enumerate()
        .map(|(chunk, (w, signs))| {
            let mut rng = None;
            let (mut resets, mut nans) = (0u64, 0u64);
            for (w, &s) in w.iter_mut().zip(signs) {
                nans += u64::from(w.is_nan());
                // signs are -1, 0, +1 as f32
                let t = s as i8;
                if violates(*w, t) {
                    let rng = rng.get_or_insert_with(|| seed::rng(base, &[chunk as u64]));
                    *w = rule.reset_value(*w, t, rng);
                    resets += 1;
                }
            }
            (resets, nans)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polarity_core::PolarityError;

    /// Weights over a few chunks with every awkward value, and signs with zeros.
    fn fixture(n: usize) -> (Vec<f32>, Vec<f32>) {
        let mut rng = seed::rng(7, &[]);
        let special = [0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, 1e-40, -1e-40];
        let w = (0..n)
            .map(|i| match i % 97 {
                k @ 0..=5 => special[k],
                _ => rand::Rng::random_range(&mut rng, -1.0f32..1.0),
            })
            .collect();
        let signs = (0..n).map(|i| [1.0, -1.0, 0.0, 1.0, -1.0][i % 5]).collect();
        (w, signs)
    }

    fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(f)
    }

    /// Every method against the reference enforcement of polarity-core, run chunk by chunk with
    /// the chunk's stream: the same bits and counts, at one thread and at four.
    #[test]
    fn matches_the_reference_per_chunk_at_any_thread_count() {
        let n = 3 * CHUNK + 123;
        let (w0, signs) = fixture(n);
        let t: Vec<i8> = signs.iter().map(|&s| s as i8).collect();
        for method in ResetMethod::ALL {
            let rule = ResetRule::new(method, 0.3);
            let base = 0xDEAD_BEEF;
            let mut want = w0.clone();
            let mut want_resets = 0;
            for (chunk, (w, t)) in want.chunks_mut(CHUNK).zip(t.chunks(CHUNK)).enumerate() {
                want_resets += rule
                    .enforce(w, t, &mut seed::rng(base, &[chunk as u64]))
                    .unwrap();
            }
            for threads in [1, 4] {
                let mut got = w0.clone();
                let counts = in_pool(threads, || reset_slice(&mut got, &signs, rule, base));
                assert_eq!(
                    counts,
                    (want_resets as u64, 0),
                    "{method} at {threads} threads"
                );
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "{method} at {threads} threads");
            }
        }
    }

    /// posRand: reset entries get the template's sign and a magnitude below eps, spread over
    /// [0, eps); another base gives other values; untouched entries keep their bits.
    #[test]
    fn posrand_draws_follow_the_base_seed() {
        let (w0, signs) = fixture(2 * CHUNK);
        let rule = ResetRule::new(ResetMethod::PosRand, 0.25);
        let (mut a, mut b) = (w0.clone(), w0.clone());
        let (ra, _) = reset_slice(&mut a, &signs, rule, 1);
        let (rb, _) = reset_slice(&mut b, &signs, rule, 2);
        assert_eq!(ra, rb);
        assert!(ra > 1000, "{ra} resets");
        assert_ne!(a, b);
        let mut magnitudes = Vec::new();
        for ((v, o), s) in a.iter().zip(&w0).zip(&signs) {
            if violates(*o, *s as i8) {
                assert!(v * s >= 0.0 && v.abs() < 0.25, "{v} for sign {s}");
                magnitudes.push(f64::from(v.abs()) / 0.25);
            } else {
                assert_eq!(v.to_bits(), o.to_bits());
            }
        }
        let mean = magnitudes.iter().sum::<f64>() / magnitudes.len() as f64;
        // U[0, 1): sd of the mean below 0.3 / sqrt(1000)
        assert!((mean - 0.5).abs() < 0.05, "mean {mean}");
    }

    /// NaN entries are counted (the optimizer reports them by name) and left as they are.
    #[test]
    fn nans_are_counted_not_reset() {
        let mut w = vec![f32::NAN, -1.0, f32::NAN, 1.0];
        let signs = [1.0, 1.0, -1.0, -1.0];
        let counts = reset_slice(&mut w, &signs, ResetRule::new(ResetMethod::Zero, 0.0), 0);
        assert_eq!(counts, (2, 2));
        assert!(w[0].is_nan() && w[2].is_nan());
        assert_eq!(&w[1..2], &[0.0]);
        // the reference refuses the same slice
        let t = [1i8, 1, -1, -1];
        let mut w = vec![f32::NAN, -1.0, f32::NAN, 1.0];
        let e = ResetRule::new(ResetMethod::Zero, 0.0)
            .enforce(&mut w, &t, &mut seed::rng(0, &[]))
            .unwrap_err();
        assert!(matches!(e, PolarityError::NanWeight { index: 0, .. }));
    }
}
