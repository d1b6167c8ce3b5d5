//! Test helpers shared by the burn tests that train the XOR MLP: the network as a burn module
//! and Keras' binary cross-entropy on logits.

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;

#[derive(Module, Debug)]
pub struct Mlp<B: Backend> {
    pub hidden: Linear<B>,
    pub output: Linear<B>,
}

impl<B: Backend> Mlp<B> {
    pub fn new(inputs: usize, hidden: usize, device: &B::Device) -> Self {
        let lin = |i, o| {
            LinearConfig::new(i, o)
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        Self {
            hidden: lin(inputs, hidden),
            output: lin(hidden, 1),
        }
    }
    pub fn logits(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        self.output
            .forward(burn::tensor::activation::relu(self.hidden.forward(x)))
    }
}

/// Mean BCE of logits against labels, in the stable form Keras uses for a sigmoid output.
pub fn bce<B: Backend>(o: Tensor<B, 2>, y: Tensor<B, 2>) -> Tensor<B, 1> {
    let softplus_neg_abs = o.clone().abs().neg().exp().log1p();
    (o.clone().clamp_min(0.0) - o * y + softplus_neg_abs).mean()
}
