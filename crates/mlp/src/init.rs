//! Keras-style initialisation (docs/decisions.md D-TRAIN-4).

use crate::MlpParams;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// TruncatedNormal(0, std) as Keras draws it: re-draw any sample beyond 2 standard deviations.
pub fn truncated_normal<R: Rng + ?Sized>(rng: &mut R, std: f32) -> f32 {
    loop {
        let z: f32 = StandardNormal.sample(rng);
        if z.abs() <= 2.0 {
            return z * std;
        }
    }
}

/// Keras GlorotUniform applied to a bias vector of length `len`: fan_in = fan_out = len,
/// so U(-sqrt(3/len), sqrt(3/len)).
pub fn glorot_uniform_bias<R: Rng + ?Sized>(rng: &mut R, len: usize) -> Vec<f32> {
    let limit = (3.0 / len as f64).sqrt() as f32;
    (0..len).map(|_| rng.random_range(-limit..limit)).collect()
}

/// A fresh network: kernels TruncatedNormal(0, kernel_std) (each layer drawn independently,
/// docs/decisions.md D-TRAIN-4), biases Glorot-uniform. Draw order: w1 row-major, b1, w2, b2.
pub fn init_params<R: Rng + ?Sized>(
    inputs: usize,
    hidden: usize,
    kernel_std: f32,
    rng: &mut R,
) -> MlpParams {
    let w1 = (0..inputs * hidden)
        .map(|_| truncated_normal(rng, kernel_std))
        .collect();
    let b1 = glorot_uniform_bias(rng, hidden);
    let w2 = (0..hidden)
        .map(|_| truncated_normal(rng, kernel_std))
        .collect();
    let b2 = glorot_uniform_bias(rng, 1)[0];
    MlpParams {
        inputs,
        hidden,
        w1,
        b1,
        w2,
        b2,
    }
}
