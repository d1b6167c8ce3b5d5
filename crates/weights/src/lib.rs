//! # polarity-weights: pretrained weights without a deep-learning framework
//!
//! Readers for the weight files the paper's image experiments use, in plain Rust: `.npy` files
//! (numeric arrays, and object arrays holding a pickle, read by a small pickle machine that
//! runs no code from the file), and the Caffe `bvlc_alexnet.npy` the paper used, converted to
//! the paper AlexNet's parameter names and burn's layouts ([`caffe`]). Every loader returns
//! [`PretrainedWeights`]: tensors keyed by parameter path, plus the file's sha256 (recorded in
//! run provenance) and, where a checksum is published, whether the file matched it.
//!
//! torchvision `.pth`/safetensors files are read with burn-store in polarity-models.

mod array;
pub mod caffe;
pub mod checksum;
pub mod format;
pub mod npy;
pub mod pickle;
mod pretrained;
pub mod torch_legacy;

pub use array::NpArray;
pub use caffe::{
    load_caffe_alexnet, load_caffe_alexnet_as_stored, CaffeAlexNet, GroupedLayers, CAFFE_GROUPS,
};
pub use checksum::{file_sha256, verify_published, KNOWN_CHECKSUMS};
pub use format::{detect_file_format, WeightFileFormat};
pub use npy::read_npy;
pub use pickle::{read_pickle, PyValue};
pub use polarity_core::NamedTensors;
pub use pretrained::PretrainedWeights;

/// A file that is not in the format expected, with what was wrong and where (e.g. the pickle
/// opcode and its byte offset).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

/// Errors of the loaders, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("weight file '{path}': {message}")]
    WeightFile { path: String, message: String },
    #[error("I/O error on '{path}': {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
