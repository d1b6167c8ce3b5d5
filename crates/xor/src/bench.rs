//! The engine benchmark (`polarity bench xor`): trains the Fig-1 grid shape and reports
//! networks/s, wall time and GFLOP/s, with the FLOP count derived from the shapes.

use crate::condition::{Condition, Pairing};
use crate::data::XorData;
use crate::error::XorError;
use crate::XorConfig;
use std::time::Instant;

/// FLOPs of training one network for one epoch (multiply and add counted separately).
/// Per training sample: forward `2(dh + h)`, backward `2h` (output grad) `+ h` (hidden delta)
/// `+ h` (bias grad) `+ 2dh` (kernel grad). Per step: Adam on every parameter, counted as 10.
/// Per validation sample: forward `2(dh + h)`.
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
    n_train as f64 * per_sample + steps * params * 10.0 + n_val as f64 * 2.0 * (d * h + h)
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
