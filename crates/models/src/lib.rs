//! # polarity-models: the paper's image networks for burn
//!
//! The paper's AlexNet (Caffe/Keras layout), torchvision's AlexNet and a small LeNet-style CNN,
//! one file per architecture, each listing its parameter paths and shapes; Keras initialisers
//! drawn on the host from polarity seeds ([`init`]), so initial weights depend only on the
//! seed, not on the backend; one registry ([`NetworkKind`], [`NetworkConfig`]) that every
//! caller goes through instead of matching on the network; and pretrained weights for them
//! ([`pretrained`]: torchvision `.pth`/safetensors via burn-store, Caffe `bvlc_alexnet.npy`
//! via polarity-weights).
//!
//! Generic over the burn backend; this crate enables none.

pub mod alexnet_paper;
pub mod alexnet_torchvision;
mod classifier;
pub mod init;
mod layers;
pub mod pretrained;
mod registry;
pub mod shapes;
pub mod small_cnn;

pub use alexnet_paper::{PaperAlexNet, PaperAlexNetConfig};
pub use alexnet_torchvision::{TorchAlexNet, TorchAlexNetConfig, TORCHVISION_NAMES};
pub use classifier::{ImageClassifier, TrainableClassifier};
pub use init::KernelInit;
pub use registry::{NetworkConfig, NetworkJob, NetworkKind};
pub use shapes::{check_width_divisor, LayerShape, NetworkShape};
pub use small_cnn::{SmallCnn, SmallCnnConfig};

pub use polarity_weights::{GroupedLayers, PretrainedWeights};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A network configuration (or name) that cannot be built.
    #[error("invalid value: {0}")]
    Invalid(String),
    /// Weights that do not fit a network (from polarity-burn).
    #[error(transparent)]
    Burn(#[from] polarity_burn::Error),
    /// A weight file that cannot be read or does not match (from polarity-weights).
    #[error(transparent)]
    Weights(#[from] polarity_weights::Error),
}
