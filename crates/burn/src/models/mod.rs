//! Image classifiers: the paper's AlexNet (Caffe/Keras layout), torchvision's AlexNet and a
//! small LeNet-style CNN. One file per architecture; parameter paths are listed in each.
//!
//! Every network is built with zero weights and then filled from host-side draws
//! ([`crate::init`]) seeded from a polarity seed, so the initial weights depend only on the
//! seed, not on the backend or device.

pub mod alexnet_paper;
pub mod alexnet_torchvision;
pub mod small_cnn;

pub use alexnet_paper::{PaperAlexNet, PaperAlexNetConfig};
pub use alexnet_torchvision::{TorchAlexNet, TorchAlexNetConfig};
pub use small_cnn::{SmallCnn, SmallCnnConfig};

use crate::init::KernelInit;
use crate::paths::NamedTensors;
use burn::module::{AutodiffModule, Module};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use polarity_core::seed::PolarityRng;

/// A network mapping images `[N, C, H, W]` to class logits `[N, classes]`.
pub trait ImageClassifier<B: Backend>: Module<B> {
    fn forward(&self, images: Tensor<B, 4>) -> Tensor<B, 2>;
}

/// How a layer's kernel and bias are initialised (biases are always zeros in these networks).
#[derive(Debug, Clone)]
pub(crate) struct LayerInit {
    pub name: &'static str,
    /// burn layout: Linear `[in, out]`, Conv2d `[out, in, kh, kw]`.
    pub shape: Vec<usize>,
    pub init: KernelInit,
}

impl LayerInit {
    pub(crate) fn linear(
        name: &'static str,
        inputs: usize,
        outputs: usize,
        init: KernelInit,
    ) -> Self {
        Self {
            name,
            shape: vec![inputs, outputs],
            init,
        }
    }
    pub(crate) fn conv(
        name: &'static str,
        out: usize,
        inp: usize,
        k: usize,
        init: KernelInit,
    ) -> Self {
        Self {
            name,
            shape: vec![out, inp, k, k],
            init,
        }
    }
    fn fans(&self) -> (usize, usize) {
        match self.shape.as_slice() {
            [i, o] => crate::init::fans(*i, *o, 1),
            [o, i, kh, kw] => crate::init::fans(*i, *o, kh * kw),
            s => panic!("unsupported kernel shape {s:?}"),
        }
    }
}

/// Kernels drawn in layer order from `rng`, biases zero; keyed `<layer>.weight` / `<layer>.bias`.
pub(crate) fn draw_layers(layers: &[LayerInit], rng: &mut PolarityRng) -> NamedTensors {
    let mut out = NamedTensors::default();
    for l in layers {
        let (fan_in, fan_out) = l.fans();
        let n: usize = l.shape.iter().product();
        out.insert(
            format!("{}.weight", l.name),
            l.shape.clone(),
            l.init.sample(n, fan_in, fan_out, rng),
        );
        let outputs = if l.shape.len() == 2 {
            l.shape[1]
        } else {
            l.shape[0]
        };
        out.insert(
            format!("{}.bias", l.name),
            vec![outputs],
            vec![0.0; outputs],
        );
    }
    out
}

/// Marker to keep the trait object-safe bounds in one place for autodiff training.
pub trait TrainableClassifier<B: burn::tensor::backend::AutodiffBackend>:
    ImageClassifier<B> + AutodiffModule<B> + Clone
{
}

impl<B, M> TrainableClassifier<B> for M
where
    B: burn::tensor::backend::AutodiffBackend,
    M: ImageClassifier<B> + AutodiffModule<B> + Clone,
{
}
