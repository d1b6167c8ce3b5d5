//! # polarity-mlp: the training engine for small MLPs
//!
//! A single-hidden-layer ReLU network with one sigmoid output and binary cross-entropy, trained
//! with Keras-style Adam and, for frozen networks, Freeze-SGD after every optimiser step
//! (docs/decisions.md D-RESET-1, D-TRAIN-1 to D-TRAIN-3).
//!
//! Two implementations of the same training:
//! - [`reference`]: one network, obvious loops. Read this first.
//! - [`batched`]: many networks at once, 8 per SIMD pack (network index innermost), packs
//!   spread over threads. Tests hold it against the reference.
//!
//! Both draw nothing themselves except posRand resets, from each network's own generator, in a
//! fixed entry order, so a network's results do not depend on which pack or thread it ran in.

pub mod batched;
pub mod config;
pub mod data;
pub mod fastmath;
pub mod init;
pub mod params;
pub mod peak;
pub mod record;
pub mod reference;

pub use config::TrainConfig;
pub use data::Dataset;
pub use params::{MlpParams, MlpTemplate, NetworkJob};
pub use record::EpochRecord;

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("network {network}: {source}")]
    Polarity {
        network: usize,
        #[source]
        source: polarity_core::PolarityError,
    },
    #[error("invalid training input: {0}")]
    Invalid(String),
}
