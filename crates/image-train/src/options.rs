//! The options of a training run.

use polarity_burn::{KerasAdam, ResetRule};
use serde::{Deserialize, Serialize};

/// Hyper-parameters of one run. Defaults are the paper's (docs/decisions.md D-IMG-5) except
/// `epochs`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub adam: KerasAdamOptions,
    pub reset: ResetRule,
    /// Seed of the batch order: the same for every condition and trial (paper: fixed shuffle).
    pub shuffle_seed: u64,
    /// Seed of the backend generator (dropout masks, posRand draws).
    pub backend_seed: u64,
    /// Batch size for validation passes (memory only; results do not depend on it).
    pub eval_batch_size: usize,
}

/// Adam's constants (Keras defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KerasAdamOptions {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        let k = KerasAdam::default();
        Self {
            epochs: 100,
            batch_size: 1000,
            lr: 1e-3,
            adam: KerasAdamOptions {
                beta_1: k.beta_1,
                beta_2: k.beta_2,
                epsilon: k.epsilon,
            },
            reset: ResetRule::default(),
            shuffle_seed: 0,
            backend_seed: 0,
            eval_batch_size: 500,
        }
    }
}

impl KerasAdamOptions {
    /// The optimizer with these constants.
    pub fn optimizer(&self) -> KerasAdam {
        KerasAdam {
            beta_1: self.beta_1,
            beta_2: self.beta_2,
            epsilon: self.epsilon,
        }
    }
}
