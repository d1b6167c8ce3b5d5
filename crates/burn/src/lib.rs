//! # polarity-burn: fixed weight polarity for any burn model
//!
//! Freeze-SGD (Wang et al., ICML 2023, Algorithm 1) for [burn](https://burn.dev) 0.21: after
//! every optimizer step, each weight whose sign disagrees with a fixed *polarity template*
//! is reset (posRand, posCon, zero or flip; see [`ResetRule`]). Add it to an existing burn
//! model and training loop by wrapping the optimizer:
//!
//! ```no_run
//! use burn::backend::{Autodiff, Flex};
//! use burn::nn::{Linear, LinearConfig};
//! use burn::optim::{AdamConfig, GradientsParams, Optimizer};
//! use burn::tensor::Tensor;
//! use polarity_burn::{kernel_template, FreezeConfig, FreezeOptimizer, ResetMethod, ResetRule};
//!
//! type B = Autodiff<Flex>;
//! let device = Default::default();
//! let mut model: Linear<B> = LinearConfig::new(4, 2).init(&device);
//!
//! // 1. a template: here the signs of the model's own initial kernels (biases stay free)
//! let template = kernel_template::<B, _>(&model, "own init");
//! // 2. wrap the optimizer you already use
//! let rule = ResetRule::new(ResetMethod::PosRand, 1e-3);
//! let mut optim = FreezeOptimizer::new(
//!     AdamConfig::new().init(), &model, &template, FreezeConfig::new(rule), &device,
//! ).expect("template matches the model");
//!
//! // 3. the training loop is unchanged
//! for _ in 0..10 {
//!     let loss = model.forward(Tensor::<B, 2>::ones([8, 4], &device)).powi_scalar(2).mean();
//!     let grads = GradientsParams::from_grads(loss.backward(), &model);
//!     model = optim.step(1e-3, model, grads);
//! }
//! // per-layer counts of reset weights since the last call
//! for layer in optim.take_reset_counts().unwrap() {
//!     println!("{}: {} resets", layer.name, layer.resets);
//! }
//! ```
//!
//! Templates are keyed by parameter path, the dotted field names burn's `Module` derive gives
//! (`fc6.weight`, `features.0.weight`; list them with [`param_specs`]), in burn's layouts:
//! Linear `[in, out]` (as Keras and polarity's MLP templates), Conv2d `[out, in, kh, kw]`.
//! Weights from PyTorch (`[out, in]` Linear weights) carry their layout ([`LaidOut`],
//! [`WeightLayout`]) and are converted with the module's structure, so a square layer is not
//! silently transposed.
//!
//! Also here: [`KerasAdam`] (Adam with Keras' epsilon placement, as in the paper's code),
//! [`enforce_template`] (apply a template once, e.g. to align initial weights), templates from
//! burn-store snapshots ([`snapshot_template`]) and parameter access by path
//! ([`param_values`], [`set_param_values`]), and [`conv::conv2d_layer`], `Conv2d::forward` with
//! faster gradients on burn's CPU backend. Everything is generic over the backend; this crate
//! picks none (choose one in your binary, e.g. burn's `flex` + `autodiff` features). Its default
//! `flex` feature compiles burn's CPU backend (for [`conv`]'s fast path) with its SIMD kernels and
//! threads.

pub mod conv;
#[cfg(feature = "flex")]
mod flex_cast;
pub mod freeze;
pub mod keras_adam;
pub mod layout;
pub mod paths;
mod reset;
pub mod template;

pub use freeze::{enforce_template, FreezeConfig, FreezeOptimizer};
pub use keras_adam::{KerasAdam, KerasAdamState};
pub use layout::{LaidOut, WeightLayout};
pub use paths::{
    linear_weights, named_values, param_ids, param_specs, param_values, set_param_values, Selection,
};
pub use reset::LayerResets;
pub use template::{kernel_template, snapshot_template, snapshot_tensors};

/// The polarity-core types this crate's API uses.
pub use polarity_core::{
    InitAlignment, NamedTensors, PolarityError, PolarityTemplate, Provenance, ResetMethod,
    ResetRule, TensorSpec,
};

/// Errors of this crate, each naming what was wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The template itself is invalid or does not fit the model (from polarity-core).
    #[error(transparent)]
    Polarity(#[from] PolarityError),
    /// Tensors or a template that do not match the model's parameters (every mismatch listed).
    #[error("the given tensors do not match the model:\n{0}")]
    Mismatch(String),
    /// A constrained parameter held NaN entries.
    #[error("{0}")]
    Nan(String),
    /// An invalid option value.
    #[error("invalid value: {0}")]
    Invalid(String),
    /// A burn-store snapshot whose data could not be read.
    #[error("tensor '{name}' could not be read: {message}")]
    Snapshot { name: String, message: String },
}
