//! A LeNet-style CNN small enough to train on a CPU in minutes at 28x28 (Fashion-MNIST), for
//! transfer studies where AlexNet is too slow.
//!
//! ```text
//! conv1 c1@5x5 p2 ReLU -> maxpool 2/2 -> conv2 c2@5x5 valid ReLU -> maxpool 2/2
//! -> flatten -> fc1 f1 ReLU -> fc2 f2 ReLU -> out num_classes (logits)
//! ```
//!
//! Default widths: c1 = 6, c2 = 16, f1 = 120, f2 = 84 (LeNet-5); 28x28 input gives a 16x5x5
//! map (400 features). Parameter paths: `conv1.weight` `[c1, in, 5, 5]`, `conv2.weight`
//! `[c2, c1, 5, 5]`, `fc1.weight` `[c2*s*s, f1]`, `fc2.weight` `[f1, f2]`, `out.weight`
//! `[f2, classes]`, each with a `.bias`. Init: conv GlorotNormal, dense GlorotUniform
//! (Keras defaults), biases zero.

use crate::classifier::ImageClassifier;
use crate::init::KernelInit;
use crate::layers::{draw_layers, LayerInit};
use crate::Error;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use polarity_burn::{conv::conv2d_layer, set_param_values, NamedTensors};
use polarity_core::seed::PolarityRng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmallCnnConfig {
    pub input_size: usize,
    pub in_channels: usize,
    pub conv_channels: [usize; 2],
    pub fc_units: [usize; 2],
    pub num_classes: usize,
}

impl Default for SmallCnnConfig {
    fn default() -> Self {
        Self {
            input_size: 28,
            in_channels: 1,
            conv_channels: [6, 16],
            fc_units: [120, 84],
            num_classes: 10,
        }
    }
}

impl SmallCnnConfig {
    /// Side of the map entering fc1: pool(conv2(pool(input))).
    pub fn final_map(&self) -> Result<usize, Error> {
        let s = self.input_size / 2;
        match s.checked_sub(4) {
            Some(c2) if c2 / 2 > 0 => Ok(c2 / 2),
            _ => Err(Error::Invalid(format!(
                "small CNN input size {} is too small (minimum 12)",
                self.input_size
            ))),
        }
    }

    pub(crate) fn layers(&self) -> Result<Vec<LayerInit>, Error> {
        let [c1, c2] = self.conv_channels;
        let [f1, f2] = self.fc_units;
        let s = self.final_map()?;
        Ok(vec![
            LayerInit::conv("conv1", c1, self.in_channels, 5, KernelInit::GlorotNormal),
            LayerInit::conv("conv2", c2, c1, 5, KernelInit::GlorotNormal),
            LayerInit::linear("fc1", c2 * s * s, f1, KernelInit::GlorotUniform),
            LayerInit::linear("fc2", f1, f2, KernelInit::GlorotUniform),
            LayerInit::linear("out", f2, self.num_classes, KernelInit::GlorotUniform),
        ])
    }

    pub fn initial_values(&self, rng: &mut PolarityRng) -> Result<NamedTensors, Error> {
        Ok(draw_layers(&self.layers()?, rng))
    }

    pub fn init<B: Backend>(
        &self,
        device: &B::Device,
        rng: &mut PolarityRng,
    ) -> Result<SmallCnn<B>, Error> {
        let values = self.initial_values(rng)?;
        Ok(set_param_values(self.init_zeros(device)?, &values, device)?)
    }

    pub fn init_zeros<B: Backend>(&self, device: &B::Device) -> Result<SmallCnn<B>, Error> {
        let [c1, c2] = self.conv_channels;
        let [f1, f2] = self.fc_units;
        let s = self.final_map()?;
        let linear = |i: usize, o: usize| {
            LinearConfig::new(i, o)
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        Ok(SmallCnn {
            conv1: Conv2dConfig::new([self.in_channels, c1], [5, 5])
                .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
                .with_initializer(Initializer::Zeros)
                .init(device),
            conv2: Conv2dConfig::new([c1, c2], [5, 5])
                .with_initializer(Initializer::Zeros)
                .init(device),
            fc1: linear(c2 * s * s, f1),
            fc2: linear(f1, f2),
            out: linear(f2, self.num_classes),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            relu: Relu::new(),
        })
    }
}

/// The small CNN (see the module docs).
#[derive(Module, Debug)]
pub struct SmallCnn<B: Backend> {
    pub conv1: Conv2d<B>,
    pub conv2: Conv2d<B>,
    pub fc1: Linear<B>,
    pub fc2: Linear<B>,
    pub out: Linear<B>,
    pool: MaxPool2d,
    relu: Relu,
}

impl<B: Backend> ImageClassifier<B> for SmallCnn<B> {
    fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        let x = self
            .pool
            .forward(self.relu.forward(conv2d_layer(&self.conv1, x)));
        let x = self
            .pool
            .forward(self.relu.forward(conv2d_layer(&self.conv2, x)));
        let x: Tensor<B, 2> = x.flatten(1, 3);
        let x = self.relu.forward(self.fc1.forward(x));
        let x = self.relu.forward(self.fc2.forward(x));
        self.out.forward(x)
    }
}
