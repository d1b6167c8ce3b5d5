//! Pretrained weights: torchvision `.pth` (zip and legacy `torch.save` formats) and
//! safetensors through burn-store, and the Caffe `bvlc_alexnet.npy` the paper used. Every
//! loader returns [`PretrainedWeights`]: tensors keyed by this crate's parameter paths in burn's
//! layout, plus the file's sha256 (recorded in run provenance) and, where a checksum is
//! published, whether the file matched it.

pub mod caffe;
pub mod npy;
pub mod torch;

pub use caffe::{load_caffe_alexnet, GroupedLayers};
pub use torch::{load_torchvision_alexnet, read_tensor_file, KNOWN_CHECKSUMS};

use crate::paths::NamedTensors;
use polarity_core::{PolarityTemplate, TensorSpec};
use sha2::{Digest, Sha256};

/// Weights read from a file, mapped to a network's parameter paths.
#[derive(Debug, Clone, PartialEq)]
pub struct PretrainedWeights {
    pub tensors: NamedTensors,
    /// The file path.
    pub source: String,
    /// `torch-pth`, `safetensors` or `caffe-npy`.
    pub format: String,
    /// SHA-256 (hex) of the whole file.
    pub sha256: String,
    /// `Some(true)` when the file matched a published checksum, `None` when none is known.
    pub checksum_verified: Option<bool>,
    /// Tensors in the file that were not used (e.g. the 1000-way ImageNet classifier).
    pub unused: Vec<String>,
}

impl PretrainedWeights {
    /// The template of these weights' kernels (rank >= 2): `sign(w)`, exact zeros free.
    /// Biases are not included (the paper transfers kernel polarity only).
    pub fn kernel_template(&self) -> PolarityTemplate {
        let kernels: Vec<(TensorSpec, &[f32])> = self
            .tensors
            .0
            .iter()
            .filter(|(_, (shape, _))| shape.len() >= 2)
            .map(|(name, (shape, values))| {
                (
                    TensorSpec::new(name.clone(), shape.clone()),
                    values.as_slice(),
                )
            })
            .collect();
        let mut t =
            PolarityTemplate::from_weights(&kernels, &format!("{} ({})", self.source, self.format));
        // Name the file by its hash too, so a template can be traced to the exact download.
        t.provenance.source = format!("weights:{} sha256={}", self.source, self.sha256);
        t
    }
}

pub(crate) fn file_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
