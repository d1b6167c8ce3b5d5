//! Where training batches come from: anything that gives preprocessed images for indices.

use crate::Error;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use polarity_images::{Batch, DatasetKind, ImageSet, Preprocess};
use polarity_models::NetworkConfig;

/// Preprocessed images on demand: `[N, C, H, W]` values and class labels for given indices.
pub trait ImageBatches {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Images at `indices` (in that order) as row-major `[indices.len(), C, H, W]`, and labels.
    fn batch(&self, indices: &[usize]) -> Result<Batch, Error>;
}

/// Training or validation images with their preprocessing.
pub struct PreparedImages {
    pub set: ImageSet,
    pub preprocess: Preprocess,
}

impl ImageBatches for PreparedImages {
    fn len(&self) -> usize {
        self.set.len()
    }
    fn batch(&self, indices: &[usize]) -> Result<Batch, Error> {
        Ok(self.preprocess.batch(&self.set, indices)?)
    }
}

/// The paper's preprocessing of `dataset` for `network` at input side `side`: normalisation,
/// resizing, and grey images replicated to RGB for the networks that take RGB.
pub fn preprocess_for(dataset: DatasetKind, network: &NetworkConfig, side: usize) -> Preprocess {
    Preprocess {
        normalization: dataset.paper_normalization(),
        size: Some((side, side)),
        grey_to_rgb: dataset == DatasetKind::FashionMnist && network.in_channels() == 3,
    }
}

/// A batch as device tensors.
pub(crate) fn tensors<B: Backend>(
    batch: Batch,
    device: &B::Device,
) -> (Tensor<B, 4>, Tensor<B, 1, Int>) {
    let n = batch.labels.len();
    (
        Tensor::from_data(TensorData::new(batch.images, batch.shape), device),
        Tensor::from_data(TensorData::new(batch.labels, [n]), device),
    )
}
