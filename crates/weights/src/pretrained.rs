//! What a loader returns: tensors mapped to a network's parameter paths, with provenance.

use polarity_core::{NamedTensors, PolarityTemplate};

/// Weights read from a file, mapped to a network's parameter paths (burn's layouts).
#[derive(Debug, Clone, PartialEq)]
pub struct PretrainedWeights {
    pub tensors: NamedTensors,
    /// The file path.
    pub source: String,
    /// `torch-pth`, `safetensors`, `caffe-npy`, ...
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
        let mut t = self
            .tensors
            .kernel_template(&format!("{} ({})", self.source, self.format));
        // Name the file by its hash too, so a template can be traced to the exact download.
        t.provenance.source = format!("weights:{} sha256={}", self.source, self.sha256);
        t
    }
}
