//! The engine benchmark (`polarity bench xor`): trains the Fig-1 grid shape and reports
//! networks/s, wall time and GFLOP/s, with the FLOP count derived from the shapes.

use crate::condition::{Condition, Pairing};
use crate::data::XorData;
use crate::error::XorError;
use crate::XorConfig;
use std::time::Instant;

/// The machine's FMA peak, measured beside the benchmark (re-exported for the binary;
/// docs/decisions.md D-TRAIN-8).
pub use polarity_mlp::peak;

/// Adam's FLOPs per parameter and step: `m += (g - m) c1` 3, `v += (g g - v) c2` 4,
/// `w -= lr_t m / (sqrt(v) + eps)` 5 (a square root and a division count 1 each).
pub const ADAM_FLOP_PER_PARAM: f64 = 12.0;

/// FLOPs of training one network for one epoch (multiply and add counted separately, an FMA 2).
/// Per training sample: forward `2dh + 2h` (hidden pre-activations, output logit), backward
/// `2h` (output-kernel gradient) `+ h` (hidden delta) `+ h` (hidden-bias gradient) `+ 2dh`
/// (hidden-kernel gradient). Per step: Adam on every parameter ([`ADAM_FLOP_PER_PARAM`]).
/// Per validation sample: forward `2dh + 2h`. Not counted: ReLU and loss evaluations (max,
/// exp, log1p: not multiply-add work).
pub fn flops_per_epoch(
    dims: usize,
    hidden: usize,
    n_train: usize,
    batch: usize,
    n_val: usize,
) -> f64 {
    let (d, h) = (dims as f64, hidden as f64);
    let per_sample = 2.0 * (d * h + h) + 4.0 * h + 2.0 * d * h;
    let steps = n_train.div_ceil(batch) as f64;
    let params = d * h + 2.0 * h + 1.0;
    n_train as f64 * per_sample
        + steps * params * ADAM_FLOP_PER_PARAM
        + n_val as f64 * 2.0 * (d * h + h)
}

pub struct BenchReport {
    pub networks: usize,
    pub seconds: f64,
    pub gflop: f64,
}

/// The Fig-1 shape: h = 64, the 11 sizes, `trials` trials, sufficient and RAND templates, frozen
/// and fluid (4 networks per trial: 2,200 at 50 trials).
pub fn fig1_config(trials: usize) -> XorConfig {
    XorConfig {
        trials,
        conditions: vec![
            Condition::FrozenSufficient,
            Condition::FluidSufficient,
            Condition::FrozenRand,
            Condition::Fluid,
        ],
        pairing: Pairing::Independent,
        ..XorConfig::default()
    }
}

/// The Fig-4 shape: hidden 2..29, 30, 32 x the 11 sizes x `trials`, the same 4 networks per trial.
pub fn fig4_config(trials: usize) -> XorConfig {
    XorConfig {
        hidden: (2..=30).chain([32]).collect(),
        ..fig1_config(trials)
    }
}

pub fn run(cfg: &XorConfig, threads: usize) -> Result<BenchReport, XorError> {
    let data: XorData = cfg.data()?;
    let start = Instant::now();
    let mut gflop = 0.0;
    let mut networks = 0;
    for unit in cfg.units() {
        let rows = cfg.run_unit(&data, unit, threads, &|_| {})?;
        let nets = rows.len() / cfg.epochs;
        networks += nets;
        gflop += nets as f64
            * cfg.epochs as f64
            * flops_per_epoch(
                cfg.dims,
                unit.hidden,
                unit.n_train,
                cfg.batch_size,
                cfg.val_size,
            )
            / 1e9;
    }
    Ok(BenchReport {
        networks,
        seconds: start.elapsed().as_secs_f64(),
        gflop,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operation counter for one epoch written as the training loops themselves
    /// (`polarity_mlp::reference::train`): every multiply, add, subtract, square root and
    /// division counted where the loops do it, ReLU and loss excluded.
    fn counted_epoch(d: usize, h: usize, n_train: usize, batch: usize, n_val: usize) -> u64 {
        let mut ops = 0u64;
        let forward = |ops: &mut u64| {
            for _unit in 0..h {
                *ops += 2 * d as u64; // z_j += x_i w_ij
            }
            *ops += 2 * h as u64; // o += relu(z_j) w2_j
        };
        let mut left = n_train;
        while left > 0 {
            let in_batch = left.min(batch);
            left -= in_batch;
            for _sample in 0..in_batch {
                forward(&mut ops);
                for _unit in 0..h {
                    ops += 2; // g_w2 += d_o relu(z)
                    ops += 1; // dz = d_o w2
                    ops += 1; // g_b1 += dz
                    ops += 2 * d as u64; // g_w1 += dz x_i
                }
            }
            let params = d * h + h + h + 1;
            ops += params as u64 * (3 + 4 + 5); // Adam: m, v, w
        }
        for _sample in 0..n_val {
            forward(&mut ops);
        }
        ops
    }

    #[test]
    fn flop_count_matches_the_counted_loops() {
        for (d, h, n, b, v) in [
            (5, 64, 500, 32, 1000),
            (5, 2, 8, 32, 1000),
            (3, 7, 45, 10, 13),
        ] {
            assert_eq!(
                flops_per_epoch(d, h, n, b, v),
                counted_epoch(d, h, n, b, v) as f64,
                "d {d} h {h} n {n} batch {b} val {v}"
            );
        }
    }

    #[test]
    fn fig1_grid_work_is_as_documented() {
        // 2,200 networks, 207.5 GFLOP with Adam at 10 FLOP per parameter before the recount.
        let cfg = fig1_config(50);
        let units = cfg.units();
        assert_eq!(units.len(), 11);
        let gflop: f64 = units
            .iter()
            .map(|u| {
                200.0
                    * 100.0
                    * flops_per_epoch(cfg.dims, u.hidden, u.n_train, cfg.batch_size, cfg.val_size)
                    / 1e9
            })
            .sum();
        assert!((gflop - 208.2).abs() < 0.05, "{gflop}");
    }
}
