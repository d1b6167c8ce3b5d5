//! # polarity-burn: fixed weight polarity for any burn model
//!
//! Freeze-SGD (Wang et al., ICML 2023, Algorithm 1) for [burn](https://burn.dev) 0.21: after
//! every optimizer step, each weight whose sign disagrees with a fixed *polarity template*
//! is reset (posRand, posCon, zero or flip; see `polarity_core::ResetRule`). Add it to an
//! existing burn model and training loop by wrapping the optimizer:
//!
//! ```no_run
//! use burn::backend::{Autodiff, Flex};
//! use burn::nn::{Linear, LinearConfig};
//! use burn::optim::{AdamConfig, GradientsParams, Optimizer};
//! use burn::tensor::Tensor;
//! use polarity_burn::{kernel_template, FreezeConfig, FreezeOptimizer};
//! use polarity_core::{ResetMethod, ResetRule};
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
//!
//! Also here: [`KerasAdam`] (Adam with Keras' epsilon placement, as in the paper's code),
//! the paper's and torchvision's AlexNet and a small CNN ([`models`]), loaders for torchvision
//! `.pth`, safetensors and the Caffe `bvlc_alexnet.npy` ([`weights`]), the paper's six image
//! conditions ([`conditions`]) and a training runner ([`train`], [`cli`]).
//!
//! Backends: `Autodiff<Flex>` (CPU, default) and, with the `cuda` cargo feature,
//! `Autodiff<Cuda>`; all code is generic over `B: AutodiffBackend`.

pub mod cli;
pub mod conditions;
pub mod freeze;
pub mod init;
pub mod keras_adam;
pub mod models;
pub mod paths;
pub mod run;
pub mod train;
pub mod weights;

pub use freeze::{enforce_template, kernel_template, FreezeConfig, FreezeOptimizer, LayerResets};
pub use keras_adam::{KerasAdam, KerasAdamState};
pub use paths::{param_ids, param_specs, param_values, set_param_values, NamedTensors, Selection};

/// Errors of this crate, each naming what was wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Polarity(#[from] polarity_core::PolarityError),
    #[error("the given tensors do not match the model:\n{0}")]
    Mismatch(String),
    #[error("{0}")]
    Nan(String),
    #[error("invalid value: {0}")]
    Invalid(String),
    #[error("weight file '{path}': {message}")]
    WeightFile { path: String, message: String },
    #[error("I/O error on '{path}': {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
