//! The hot loops, compiled three times: for AVX-512, for AVX2+FMA and for the baseline target
//! (chosen at run time). All three run the same operations in the same order, so they give the
//! same bits (docs/decisions.md D-TRAIN-6).
//!
//! The loops are register-blocked (docs/decisions.md D-TRAIN-7): the forward pass takes
//! [`SAMPLE_BLOCK`] samples at a time, so every weight vector loaded feeds that many FMAs and the
//! samples' output sums stay in registers; the backward pass runs unit by unit over the whole
//! batch with the unit's gradient accumulators in registers. Every sum is still taken in the
//! order of the plain loops (over inputs, then units, for one sample; over samples in batch
//! order, for one gradient entry), which is what keeps the bits.

#[cfg(target_arch = "x86_64")]
use super::lanes::Ymm;
use super::{Pack, LANES, V};
use crate::data::Dataset;
use crate::TrainConfig;

/// Samples per forward block: 8 independent chains of FMAs per unit keep both FMA units busy
/// through their latency (measured faster than 4 and 2 on AVX2; bench/README.md). A multiple of
/// 2: losses are computed two samples at a time (two interleaved chains, measured faster than
/// one at a time and than the whole block at once).
pub(super) const SAMPLE_BLOCK: usize = 8;

/// Validation losses are summed in f32 over blocks of this many samples, in f64 across blocks.
const VAL_LOSS_BLOCK: usize = 256;

macro_rules! dispatch {
    ($name:ident, $avx:ident, $avx512:ident, ($($arg:ident : $ty:ty),*) -> $ret:ty) => {
        pub(super) fn $name($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    // SAFETY: the CPU supports the features the function was compiled for.
                    return unsafe { $avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    // SAFETY: the CPU supports the features the function was compiled for.
                    return unsafe { $avx($($arg),*) };
                }
            }
            imp::$name::<V>($($arg),*)
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $avx($($arg: $ty),*) -> $ret {
            imp::$name::<Ymm>($($arg),*)
        }
        /// The same 8-lane code with AVX-512's 32 registers (more room for register blocking).
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
        unsafe fn $avx512($($arg: $ty),*) -> $ret {
            imp::$name::<Ymm>($($arg),*)
        }
    };
}

dispatch!(batch_gradients, batch_gradients_avx2, batch_gradients_avx512,
    (pack: &mut Pack, data: &Dataset, batch: &[usize], loss_sum: &mut [f64; LANES], correct: &mut [u32; LANES]) -> ());
dispatch!(adam, adam_avx2, adam_avx512, (pack: &mut Pack, cfg: &TrainConfig, lr_t: f32) -> ());
dispatch!(evaluate, evaluate_avx2, evaluate_avx512, (pack: &Pack, data: &Dataset) -> ([f64; LANES], [u32; LANES]));

mod imp {
    use super::super::lanes::Lanes;
    use super::{Pack, LANES, SAMPLE_BLOCK, V, VAL_LOSS_BLOCK};
    use crate::data::Dataset;
    use crate::fastmath::{bce, bce_and_grad};
    use crate::TrainConfig;

    const SB: usize = SAMPLE_BLOCK;

    /// Forward pass of `SB` samples (rows of `x`, `d` inputs each), all lanes: the output logits.
    /// Unit by unit, each sample's pre-activation is `b1 + sum_i x_i w1_ij` (inputs in order)
    /// and its logit `b2 + sum_j relu(z_j) w2_j` (units in order). With `STORE` the activations
    /// go to `act[j * stride + s]` for the backward pass.
    #[inline(always)]
    fn forward_block<L: Lanes, const D: usize, const STORE: bool>(
        w: &[V],
        d: usize,
        h: usize,
        x: &[f32],
        act: &mut [V],
        stride: usize,
    ) -> [L; SB] {
        let d = if D == 0 { d } else { D };
        let x = &x[..SB * d];
        let (w1, rest) = w.split_at(d * h);
        let (b1, rest) = rest.split_at(h);
        let (w2, b2) = rest.split_at(h);
        let mut o = [L::load(&b2[0]); SB];
        for (j, (wj, (b1j, w2j))) in w1.chunks_exact(d).zip(b1.iter().zip(w2)).enumerate() {
            let wv: [L; D] = std::array::from_fn(|i| L::load(&wj[i]));
            let (b1j, w2j) = (L::load(b1j), L::load(w2j));
            // Input-major over the block, so neighbouring FMAs are independent (the CPU
            // overlaps the samples' chains); each sample's sum still runs over inputs in order.
            let mut acc = [b1j; SB];
            for i in 0..d {
                let wi = if D > 0 { wv[i] } else { L::load(&wj[i]) };
                for (s, acc_s) in acc.iter_mut().enumerate() {
                    *acc_s = L::splat(x[s * d + i]).mul_add(wi, *acc_s);
                }
            }
            for (s, (os, acc_s)) in o.iter_mut().zip(acc).enumerate() {
                let a = acc_s.relu();
                *os = a.mul_add(w2j, *os);
                if STORE {
                    act[j * stride + s] = a.to_array();
                }
            }
        }
        o
    }

    /// Counts correct classifications (logit > 0 means class 1; a NaN logit means class 0)
    /// without a branch: labels are random, so a branch on them is mispredicted half the time.
    #[inline(always)]
    fn count_correct(o: &V, y: f32, correct: &mut [u32; LANES]) {
        // Not `y <= 0.5`: a NaN label counts as class 0, as it always has.
        let says_zero = y.partial_cmp(&0.5) != Some(std::cmp::Ordering::Greater);
        for l in 0..LANES {
            correct[l] += u32::from((o[l] > 0.0) ^ says_zero);
        }
    }

    /// Monomorphises `$f::<L, D>` for common input sizes (D = 0: any size), so the loop over
    /// inputs unrolls and the unit's weights stay in registers.
    macro_rules! by_dims {
        ($d:expr, $f:ident::<$l:ident>($($a:expr),*)) => {
            match $d {
                2 => $f::<$l, 2>($($a),*),
                3 => $f::<$l, 3>($($a),*),
                4 => $f::<$l, 4>($($a),*),
                5 => $f::<$l, 5>($($a),*),
                6 => $f::<$l, 6>($($a),*),
                8 => $f::<$l, 8>($($a),*),
                10 => $f::<$l, 10>($($a),*),
                _ => $f::<$l, 0>($($a),*),
            }
        };
    }

    /// Copies the rows of `samples` into `out` (`[s][i]`), repeating the last row to fill the
    /// last sample block (padding samples are computed and ignored).
    fn gather_rows(data: &Dataset, samples: &[usize], out: &mut Vec<f32>) {
        out.clear();
        for &s in samples {
            out.extend_from_slice(data.row(s));
        }
        let last = samples[samples.len() - 1];
        for _ in samples.len()..samples.len().next_multiple_of(SB) {
            out.extend_from_slice(data.row(last));
        }
    }

    #[inline(always)]
    pub fn batch_gradients<L: Lanes>(
        pack: &mut Pack,
        data: &Dataset,
        batch: &[usize],
        loss_sum: &mut [f64; LANES],
        correct: &mut [u32; LANES],
    ) {
        by_dims!(
            pack.d,
            batch_gradients_d::<L>(pack, data, batch, loss_sum, correct)
        )
    }

    #[inline(always)]
    fn batch_gradients_d<L: Lanes, const D: usize>(
        pack: &mut Pack,
        data: &Dataset,
        batch: &[usize],
        loss_sum: &mut [f64; LANES],
        correct: &mut [u32; LANES],
    ) {
        let (d, h) = (if D == 0 { pack.d } else { D }, pack.h);
        let n = batch.len();
        let stride = n.next_multiple_of(SB);
        let scale = 1.0 / n as f32;
        let scratch = &mut pack.scratch;
        gather_rows(data, batch, &mut scratch.rows);
        scratch.act.resize(h * stride, [0.0; LANES]);
        scratch.d_out.resize(stride, [0.0; LANES]);

        // Forward, SB samples at a time (activations kept unit-major for the backward pass),
        // then the block's losses and logit gradients side by side; they are summed in batch
        // order (losses in f32 within a batch, in f64 across batches).
        let (gw1, rest) = pack.g.split_at_mut(d * h);
        let (gb1, rest) = rest.split_at_mut(h);
        let (gw2, gb2) = rest.split_at_mut(h);
        let mut batch_loss = L::splat(0.0);
        let mut gb2_acc = L::splat(0.0);
        let scale = L::splat(scale);
        for (b, block) in batch.chunks(SB).enumerate() {
            let o = forward_block::<L, D, true>(
                &pack.w,
                d,
                h,
                &scratch.rows[b * SB * d..],
                &mut scratch.act[b * SB..],
                stride,
            );
            let y: [f32; SB] = std::array::from_fn(|s| data.y[block[s.min(block.len() - 1)]]);
            let (mut loss, mut grad) = ([L::splat(0.0); SB], [L::splat(0.0); SB]);
            for k in (0..SB).step_by(2) {
                let pair = [y[k], y[k + 1]].map(L::splat);
                ([loss[k], loss[k + 1]], [grad[k], grad[k + 1]]) =
                    bce_and_grad([o[k], o[k + 1]], pair);
            }
            for s in 0..block.len() {
                let (loss, grad) = (loss[s], grad[s]);
                batch_loss = batch_loss.add(loss);
                let d_o = grad.mul(scale);
                gb2_acc = gb2_acc.add(d_o);
                scratch.d_out[b * SB + s] = d_o.to_array();
                count_correct(&o[s].to_array(), y[s], correct);
            }
        }
        gb2[0] = gb2_acc.to_array();
        let batch_loss = batch_loss.to_array();
        for l in 0..LANES {
            loss_sum[l] += f64::from(batch_loss[l]);
        }

        // Backward, unit by unit over the batch (samples in batch order for every entry).
        let w2 = &pack.w[d * h + h..d * h + 2 * h];
        let d_out = &scratch.d_out[..n];
        let rows = &scratch.rows[..n * d];
        for j in 0..h {
            let act_j = &scratch.act[j * stride..j * stride + n];
            let gw1j = &mut gw1[j * d..(j + 1) * d];
            let (gb1j, gw2j) = backward_unit::<L, D>(rows, d, act_j, d_out, &w2[j], gw1j);
            gb1[j] = gb1j;
            gw2[j] = gw2j;
        }
    }

    /// One hidden unit's gradients over the batch, accumulators in registers (for D > 0);
    /// writes the kernel gradients into `gw1j` and returns the bias and output-weight ones.
    #[inline(always)]
    fn backward_unit<L: Lanes, const D: usize>(
        rows: &[f32],
        d: usize,
        act_j: &[V],
        d_out: &[V],
        w2j: &V,
        gw1j: &mut [V],
    ) -> (V, V) {
        let d = if D == 0 { d } else { D };
        let w2j = L::load(w2j);
        let zero = L::splat(0.0);
        let mut gw = [zero; D];
        if D == 0 {
            gw1j.fill([0.0; LANES]);
        }
        let (mut gb1, mut gw2) = (zero, zero);
        for ((x, a), d_o) in rows.chunks_exact(d).zip(act_j).zip(d_out) {
            let (a, d_o) = (L::load(a), L::load(d_o));
            gw2 = d_o.mul_add(a, gw2);
            let dz = a.where_positive(d_o.mul(w2j));
            gb1 = gb1.add(dz);
            if D > 0 {
                for (gi, &xi) in gw.iter_mut().zip(x) {
                    *gi = dz.mul_add(L::splat(xi), *gi);
                }
            } else {
                for (gi, &xi) in gw1j.iter_mut().zip(x) {
                    *gi = dz.mul_add(L::splat(xi), L::load(gi)).to_array();
                }
            }
        }
        if D > 0 {
            for (out, gi) in gw1j.iter_mut().zip(gw) {
                *out = gi.to_array();
            }
        }
        (gb1.to_array(), gw2.to_array())
    }

    /// Keras Adam, epsilon-hat form, on every entry of every lane.
    #[inline(always)]
    pub fn adam<L: Lanes>(pack: &mut Pack, cfg: &TrainConfig, lr_t: f32) {
        let (c1, c2) = (L::splat(1.0 - cfg.beta1), L::splat(1.0 - cfg.beta2));
        let (lr_t, eps) = (L::splat(lr_t), L::splat(cfg.adam_eps));
        let entries = pack
            .w
            .iter_mut()
            .zip(&mut pack.m)
            .zip(&mut pack.v)
            .zip(&pack.g);
        for (((w, m), v), g) in entries {
            let g = L::load(g);
            // m += (g - m) c1; v += (g g - v) c2; w -= lr_t m / (sqrt(v) + eps).
            let m_new = L::load(m).add(g.sub(L::load(m)).mul(c1));
            let v_new = L::load(v).add(g.mul(g).sub(L::load(v)).mul(c2));
            let step = lr_t.mul(m_new).div(v_new.sqrt().add(eps));
            *w = L::load(w).sub(step).to_array();
            *m = m_new.to_array();
            *v = v_new.to_array();
        }
    }

    #[inline(always)]
    pub fn evaluate<L: Lanes>(pack: &Pack, data: &Dataset) -> ([f64; LANES], [u32; LANES]) {
        by_dims!(pack.d, evaluate_d::<L>(pack, data))
    }

    #[inline(always)]
    fn evaluate_d<L: Lanes, const D: usize>(
        pack: &Pack,
        data: &Dataset,
    ) -> ([f64; LANES], [u32; LANES]) {
        let (d, h) = (if D == 0 { pack.d } else { D }, pack.h);
        let mut loss = [0.0f64; LANES];
        let mut correct = [0u32; LANES];
        let n = data.len();
        // The validation rows are contiguous; only a last partial block is copied and padded.
        let full = n / SB * SB;
        let mut tail = Vec::new();
        if full < n {
            gather_rows(data, &(full..n).collect::<Vec<_>>(), &mut tail);
        }
        let mut block_loss = L::splat(0.0);
        for start in (0..n).step_by(SB) {
            let x = if start < full {
                &data.x[start * d..]
            } else {
                &tail[..]
            };
            let o = forward_block::<L, D, false>(&pack.w, d, h, x, &mut [], 0);
            let y: [f32; SB] = std::array::from_fn(|s| data.y[(start + s).min(n - 1)]);
            let mut losses = [L::splat(0.0); SB];
            for k in (0..SB).step_by(2) {
                [losses[k], losses[k + 1]] = bce([o[k], o[k + 1]], [y[k], y[k + 1]].map(L::splat));
            }
            for s in start..n.min(start + SB) {
                block_loss = block_loss.add(losses[s - start]);
                count_correct(&o[s - start].to_array(), y[s - start], &mut correct);
                if (s + 1) % VAL_LOSS_BLOCK == 0 || s + 1 == n {
                    let block = block_loss.to_array();
                    for l in 0..LANES {
                        loss[l] += f64::from(block[l]);
                    }
                    block_loss = L::splat(0.0);
                }
            }
        }
        (loss, correct)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Pack;
    use super::{imp, V};
    use crate::{init::init_params, Dataset, NetworkJob, TrainConfig};
    use polarity_core::seed;
    use rand::Rng;

    fn data(n: usize, d: usize, s: u64) -> Dataset {
        let mut rng = seed::rng(s, &[]);
        let x = (0..n * d).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        let y = (0..n).map(|_| f32::from(rng.random_bool(0.5))).collect();
        Dataset { inputs: d, x, y }
    }

    fn pack(d: usize, h: usize) -> Pack {
        let jobs: Vec<NetworkJob> = (0..8)
            .map(|k| NetworkJob {
                // Larger weights than the paper's init, so some logits saturate the loss.
                params: init_params(d, h, 2.0, &mut seed::rng(40 + k, &[])),
                template: None,
                reset_seed: k,
            })
            .collect();
        Pack::new(&jobs, &(0..8).collect::<Vec<_>>())
    }

    /// Asserts equal bits, naming the first entry and lane that differ.
    fn same_bits(a: &[V], b: &[V], what: &str) {
        let pairs = a.iter().flatten().zip(b.iter().flatten());
        if let Some((k, (x, y))) = pairs
            .enumerate()
            .find(|(_, (x, y))| x.to_bits() != y.to_bits())
        {
            panic!("{what}: entry {} lane {}: {x} vs {y}", k / 8, k % 8);
        }
    }

    /// The AVX path and the plain-array path of every kernel give the same bits (the property
    /// that makes results identical on every CPU, docs/decisions.md D-TRAIN-6).
    #[test]
    fn avx_and_array_kernels_agree_bit_for_bit() {
        if !(std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma"))
        {
            return;
        }
        let cfg = TrainConfig::default();
        // d = 5: a specialised kernel; d = 7: the any-size one.
        for (d, h) in [(5, 9), (7, 3)] {
            let (train, val) = (data(45, d, 1), data(203, d, 2));
            let (mut a, mut b) = (pack(d, h), pack(d, h));
            let batches: Vec<Vec<usize>> = (0..45)
                .collect::<Vec<_>>()
                .chunks(32)
                .map(<[usize]>::to_vec)
                .collect();
            for (step, batch) in batches.iter().cycle().take(6).enumerate() {
                let (mut la, mut ca) = ([0.0f64; 8], [0u32; 8]);
                let (mut lb, mut cb) = ([0.0f64; 8], [0u32; 8]);
                imp::batch_gradients::<V>(&mut a, &train, batch, &mut la, &mut ca);
                // SAFETY: the CPU has AVX2 and FMA (checked above).
                unsafe { super::batch_gradients_avx2(&mut b, &train, batch, &mut lb, &mut cb) };
                same_bits(&a.g, &b.g, &format!("d {d} step {step}: gradients"));
                assert_eq!(la.map(f64::to_bits), lb.map(f64::to_bits), "losses");
                assert_eq!(ca, cb, "accuracy counts");
                let lr_t = cfg.lr_t(step as u64 + 1);
                imp::adam::<V>(&mut a, &cfg, lr_t);
                // SAFETY: as above.
                unsafe { super::adam_avx2(&mut b, &cfg, lr_t) };
                same_bits(&a.w, &b.w, &format!("d {d} step {step}: weights"));
                same_bits(&a.v, &b.v, &format!("d {d} step {step}: second moments"));
                let ea = imp::evaluate::<V>(&a, &val);
                // SAFETY: as above.
                let eb = unsafe { super::evaluate_avx2(&b, &val) };
                assert_eq!(ea.0.map(f64::to_bits), eb.0.map(f64::to_bits), "val losses");
                assert_eq!(ea.1, eb.1, "val accuracy counts");
            }
        }
    }
}
