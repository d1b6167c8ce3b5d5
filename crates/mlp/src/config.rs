use polarity_core::ResetRule;
use serde::{Deserialize, Serialize};

/// Training hyper-parameters. Defaults are the paper's XOR settings (docs/decisions.md D-TRAIN-2,
/// D-TRAIN-3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    /// Keras' epsilon-hat: `w -= lr_t * m / (sqrt(v) + adam_eps)`.
    pub adam_eps: f32,
    /// How frozen networks put violating weights back after every step.
    pub reset: ResetRule,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 100,
            batch_size: 32,
            lr: 0.03,
            beta1: 0.9,
            beta2: 0.999,
            adam_eps: 1e-7,
            reset: ResetRule::default(),
        }
    }
}

impl TrainConfig {
    pub fn validate(&self) -> Result<(), crate::EngineError> {
        let bad = |m: &str| Err(crate::EngineError::Invalid(m.to_string()));
        if self.batch_size == 0 {
            return bad("batch_size must be at least 1");
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return bad("lr must be a positive finite number");
        }
        if !(0.0..1.0).contains(&self.beta1) || !(0.0..1.0).contains(&self.beta2) {
            return bad("beta1 and beta2 must be in [0, 1)");
        }
        if !(self.reset.eps > 0.0 && self.reset.eps.is_finite()) {
            return bad("reset eps must be a positive finite number");
        }
        Ok(())
    }

    /// Keras' bias-corrected step size at step `t` (1-based).
    pub fn lr_t(&self, t: u64) -> f32 {
        let t = t as i32;
        let b1 = f64::from(self.beta1).powi(t);
        let b2 = f64::from(self.beta2).powi(t);
        (f64::from(self.lr) * (1.0 - b2).sqrt() / (1.0 - b1)) as f32
    }
}
