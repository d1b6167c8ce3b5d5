//! Shared helpers for the engine's tests.
#![allow(dead_code)]

use polarity_core::{seed, PolarityTemplate, ResetMethod, ResetRule};
use polarity_mlp::init::init_params;
use polarity_mlp::{Dataset, MlpTemplate, NetworkJob, TrainConfig};
use rand::Rng;

/// XOR-like data with noise dims, from a seed (independent of the XOR crate).
pub fn dataset(n: usize, dims: usize, seed_: u64) -> Dataset {
    let mut rng = seed::rng(seed_, &[]);
    let mut x = Vec::new();
    let mut y = Vec::new();
    for _ in 0..n {
        let row: Vec<f32> = (0..dims).map(|_| rng.random_range(-1.0..1.0)).collect();
        y.push(if (row[0] > 0.0) == (row[1] > 0.0) {
            1.0
        } else {
            0.0
        });
        x.extend(row);
    }
    Dataset { inputs: dims, x, y }
}

/// A network job; `frozen` gives it a random template and aligns it by flipping.
pub fn job(dims: usize, hidden: usize, k: u64, frozen: bool) -> NetworkJob {
    let mut rng = seed::rng(1234, &[k]);
    let mut params = init_params(dims, hidden, 0.25, &mut rng);
    let template = frozen.then(|| {
        let specs = polarity_mlp::MlpParams::specs(dims, hidden);
        let t = PolarityTemplate::random(&[specs[0].clone(), specs[2].clone()], 99 + k);
        let t = MlpTemplate::from_polarity(&t, dims, hidden).unwrap();
        params
            .align(&t, ResetRule::new(ResetMethod::Flip, 1e-3), &mut rng)
            .unwrap();
        t
    });
    NetworkJob {
        params,
        template,
        reset_seed: 777 + k,
    }
}

pub fn config(method: ResetMethod, epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        reset: ResetRule::new(method, 1e-3),
        ..TrainConfig::default()
    }
}
