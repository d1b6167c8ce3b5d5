//! What every network here is: a burn module mapping images to class logits.

use burn::module::{AutodiffModule, Module};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::Tensor;

/// A network mapping images `[N, C, H, W]` to class logits `[N, classes]`.
pub trait ImageClassifier<B: Backend>: Module<B> {
    fn forward(&self, images: Tensor<B, 4>) -> Tensor<B, 2>;
}

/// An [`ImageClassifier`] that can be trained: an autodiff module whose inference copy (for
/// validation passes) is a classifier too. Every network here is one on every backend.
pub trait TrainableClassifier<B: AutodiffBackend>:
    ImageClassifier<B> + AutodiffModule<B, InnerModule: ImageClassifier<B::InnerBackend>> + Clone
{
}

impl<B, M> TrainableClassifier<B> for M
where
    B: AutodiffBackend,
    M: ImageClassifier<B> + AutodiffModule<B> + Clone,
    M::InnerModule: ImageClassifier<B::InnerBackend>,
{
}
