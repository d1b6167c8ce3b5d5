//! Adam exactly as Keras computes it, so burn runs match the paper's TensorFlow code and the
//! foundation's reference engine step for step.
//!
//! Keras: `lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)`, `w -= lr_t * m / (sqrt(v) + eps)` with
//! `eps = 1e-7`. burn's `Adam` adds `eps * sqrt(1 - b2^t)` to `sqrt(v)` instead (PyTorch's
//! placement, default eps 1e-5), which no constant eps can reproduce, hence this optimizer.

use burn::module::AutodiffModule;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{LearningRate, SimpleOptimizer};
use burn::record::Record;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::Tensor;

/// Keras-style Adam (see the module docs). Build an optimizer with [`KerasAdam::init`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KerasAdam {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
}

impl Default for KerasAdam {
    /// Keras defaults: beta_1 0.9, beta_2 0.999, epsilon 1e-7.
    fn default() -> Self {
        Self {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
        }
    }
}

/// Per-parameter state: step count and the two moment estimates.
#[derive(Record, Clone)]
pub struct KerasAdamState<B: Backend, const D: usize> {
    pub time: usize,
    pub moment_1: Tensor<B, D>,
    pub moment_2: Tensor<B, D>,
}

impl KerasAdam {
    /// An optimizer for module `M` on backend `B` (use as any burn `Optimizer`).
    pub fn init<B: AutodiffBackend, M: AutodiffModule<B>>(self) -> OptimizerAdaptor<Self, M, B> {
        OptimizerAdaptor::from(self)
    }
}

impl<B: Backend> SimpleOptimizer<B> for KerasAdam {
    type State<const D: usize> = KerasAdamState<B, D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<B, D>,
        grad: Tensor<B, D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<B, D>, Option<Self::State<D>>) {
        let (b1, b2) = (self.beta_1, self.beta_2);
        let state = match state {
            Some(s) => KerasAdamState {
                time: s.time + 1,
                moment_1: s
                    .moment_1
                    .mul_scalar(b1)
                    .add(grad.clone().mul_scalar(1.0 - b1)),
                moment_2: s
                    .moment_2
                    .mul_scalar(b2)
                    .add(grad.square().mul_scalar(1.0 - b2)),
            },
            None => KerasAdamState {
                time: 1,
                moment_1: grad.clone().mul_scalar(1.0 - b1),
                moment_2: grad.square().mul_scalar(1.0 - b2),
            },
        };
        // The scalar factor in f64, as TF computes it from float32 powers; the difference is
        // far below the tests' tolerance.
        let t = state.time as i32;
        let lr_t = lr * (1.0 - f64::from(b2).powi(t)).sqrt() / (1.0 - f64::from(b1).powi(t));
        let update = state
            .moment_1
            .clone()
            .div(state.moment_2.clone().sqrt().add_scalar(self.epsilon))
            .mul_scalar(lr_t);
        (tensor.sub(update), Some(state))
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &B::Device) -> Self::State<D> {
        state.moment_1 = state.moment_1.to_device(device);
        state.moment_2 = state.moment_2.to_device(device);
        state
    }
}
