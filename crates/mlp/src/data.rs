//! A labelled dataset in memory and the shared batch order.

use polarity_core::seed;
use rand::seq::SliceRandom;

/// Row-major inputs `[n, inputs]` and binary labels (0.0 or 1.0).
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub inputs: usize,
    pub x: Vec<f32>,
    pub y: Vec<f32>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.y.len()
    }
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.inputs..(i + 1) * self.inputs]
    }
    /// The first `n` samples (training sets are nested).
    pub fn prefix(&self, n: usize) -> Dataset {
        Dataset {
            inputs: self.inputs,
            x: self.x[..n * self.inputs].to_vec(),
            y: self.y[..n].to_vec(),
        }
    }
}

/// The sample order of `epoch`: a fresh permutation every epoch, the same for every network
/// trained on this data (Keras `shuffle(n, seed=0)` semantics: fixed sequence, reshuffled each epoch).
pub fn epoch_order(n: usize, shuffle_seed: u64, epoch: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = seed::rng(shuffle_seed, &[seed::label("epoch-order"), epoch as u64]);
    order.shuffle(&mut rng);
    order
}
