//! AlexNet as the paper trained it (`CV/AlexNet.py`, a Keras re-implementation of the Caffe
//! network; docs/decisions.md D-IMG-4):
//!
//! ```text
//! input 227x227x3
//! conv1 96@11x11 s4 valid ReLU -> maxpool 3/2
//! conv2 256@5x5 same ReLU      -> maxpool 3/2
//! conv3 384@3x3 same ReLU; conv4 384@3x3 same ReLU; conv5 256@3x3 same ReLU -> maxpool 3/2
//! flatten (9216) -> fc6 4096 ReLU -> dropout 0.5 -> fc7 4096 ReLU -> dropout 0.5
//! -> fc8 1000 ReLU (the ImageNet head, kept) -> dense 10 (new layer; logits)
//! ```
//!
//! No LRN and no groups. Init: conv kernels GlorotNormal, fc6-fc8 GlorotUniform, `dense`
//! TruncatedNormal(0, 0.25), biases zero (Keras).
//!
//! Parameter paths: `conv1.weight` `[96, 3, 11, 11]`, `conv1.bias`, ..., `conv5.weight`
//! `[256, 384, 3, 3]`, `fc6.weight` `[9216, 4096]`, `fc7.weight` `[4096, 4096]`,
//! `fc8.weight` `[4096, 1000]`, `dense.weight` `[1000, 10]` (Linear kernels `[in, out]`),
//! each with a `.bias`.
//!
//! Flatten order: burn flattens `[C, H, W]` (as PyTorch); Keras flattens `[H, W, C]`. The
//! Caffe/TF weight loader permutes fc6's rows accordingly (`polarity_weights::caffe`).

use crate::classifier::ImageClassifier;
use crate::init::KernelInit;
use crate::layers::{draw_layers, LayerInit};
use crate::Error;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Initializer, Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use polarity_burn::{conv::conv2d_layer, set_param_values, NamedTensors};
use polarity_core::seed::PolarityRng;
use serde::{Deserialize, Serialize};

/// Sizes of the paper's AlexNet. `Default` is the paper's network; smaller widths and inputs
/// keep the same layout for tests and CPU runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperAlexNetConfig {
    /// Input height = width (227 in the paper; at least 67 so conv5's map is not empty).
    pub input_size: usize,
    pub in_channels: usize,
    /// Filters of conv1..conv5 (96, 256, 384, 384, 256).
    pub conv_channels: [usize; 5],
    /// Units of fc6, fc7, fc8 (4096, 4096, 1000).
    pub fc_units: [usize; 3],
    pub num_classes: usize,
    pub dropout: f64,
    /// Groups of conv1..conv5: all 1 in the paper (grouped ImageNet kernels are expanded);
    /// Caffe's `[1, 2, 1, 2, 2]` with [`PaperAlexNetConfig::caffe_groups`].
    #[serde(default = "no_groups")]
    pub groups: [usize; 5],
}

fn no_groups() -> [usize; 5] {
    [1; 5]
}

impl Default for PaperAlexNetConfig {
    fn default() -> Self {
        Self {
            input_size: 227,
            in_channels: 3,
            conv_channels: [96, 256, 384, 384, 256],
            fc_units: [4096, 4096, 1000],
            num_classes: 10,
            dropout: 0.5,
            groups: no_groups(),
        }
    }
}

/// Spatial size after conv1 (11x11 s4 valid) and three 3/2 max-pools.
fn final_map(input: usize) -> Option<usize> {
    let pool = |s: usize| if s >= 3 { Some((s - 3) / 2 + 1) } else { None };
    let c1 = input.checked_sub(11)? / 4 + 1;
    pool(pool(pool(c1)?)?)
}

impl PaperAlexNetConfig {
    /// Flattened features entering fc6 (9216 at 227).
    pub fn flatten_dim(&self) -> Result<usize, Error> {
        match final_map(self.input_size) {
            Some(s) if s > 0 => Ok(self.conv_channels[4] * s * s),
            _ => Err(Error::Invalid(format!(
                "paper AlexNet input size {} leaves no spatial map after pool5 (minimum 67)",
                self.input_size
            ))),
        }
    }

    pub(crate) fn layers(&self) -> Result<Vec<LayerInit>, Error> {
        let c = self.conv_channels;
        let f = self.fc_units;
        let gn = KernelInit::GlorotNormal;
        let gu = KernelInit::GlorotUniform;
        let g = self.groups;
        Ok(vec![
            LayerInit::conv("conv1", c[0], self.in_channels / g[0], 11, gn),
            LayerInit::conv("conv2", c[1], c[0] / g[1], 5, gn),
            LayerInit::conv("conv3", c[2], c[1] / g[2], 3, gn),
            LayerInit::conv("conv4", c[3], c[2] / g[3], 3, gn),
            LayerInit::conv("conv5", c[4], c[3] / g[4], 3, gn),
            LayerInit::linear("fc6", self.flatten_dim()?, f[0], gu),
            LayerInit::linear("fc7", f[0], f[1], gu),
            LayerInit::linear("fc8", f[1], f[2], gu),
            LayerInit::linear(
                "dense",
                f[2],
                self.num_classes,
                KernelInit::TruncatedNormal { stddev: 0.25 },
            ),
        ])
    }

    /// The network with Caffe's 2-group conv2, conv4 and conv5 (for
    /// `GroupedLayers::Grouped` ImageNet weights).
    pub fn caffe_groups(mut self) -> Self {
        self.groups = polarity_weights::CAFFE_GROUPS;
        self
    }

    /// The Keras initial weights drawn from `rng` (kernels in layer order, biases zero).
    pub fn initial_values(&self, rng: &mut PolarityRng) -> Result<NamedTensors, Error> {
        Ok(draw_layers(&self.layers()?, rng))
    }

    /// The network with weights drawn from `rng`.
    pub fn init<B: Backend>(
        &self,
        device: &B::Device,
        rng: &mut PolarityRng,
    ) -> Result<PaperAlexNet<B>, Error> {
        let values = self.initial_values(rng)?;
        Ok(set_param_values(self.init_zeros(device)?, &values, device)?)
    }

    /// The network with all weights zero (a skeleton to load weights into).
    pub fn init_zeros<B: Backend>(&self, device: &B::Device) -> Result<PaperAlexNet<B>, Error> {
        let c = self.conv_channels;
        let f = self.fc_units;
        let g = self.groups;
        let inputs = [self.in_channels, c[0], c[1], c[2], c[3]];
        if let Some(k) = (0..5)
            .find(|&k| g[k] == 0 || !inputs[k].is_multiple_of(g[k]) || !c[k].is_multiple_of(g[k]))
        {
            return Err(Error::Invalid(format!(
                "conv{} groups {} must divide its {} inputs and {} outputs",
                k + 1,
                g[k],
                inputs[k],
                c[k]
            )));
        }
        let conv = |i: usize, o: usize, k: usize, stride: usize, pad: usize, groups: usize| {
            Conv2dConfig::new([i, o], [k, k])
                .with_stride([stride, stride])
                .with_groups(groups)
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        let linear = |i: usize, o: usize| {
            LinearConfig::new(i, o)
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        Ok(PaperAlexNet {
            conv1: conv(self.in_channels, c[0], 11, 4, 0, g[0]),
            conv2: conv(c[0], c[1], 5, 1, 2, g[1]),
            conv3: conv(c[1], c[2], 3, 1, 1, g[2]),
            conv4: conv(c[2], c[3], 3, 1, 1, g[3]),
            conv5: conv(c[3], c[4], 3, 1, 1, g[4]),
            fc6: linear(self.flatten_dim()?, f[0]),
            fc7: linear(f[0], f[1]),
            fc8: linear(f[1], f[2]),
            dense: linear(f[2], self.num_classes),
            pool: MaxPool2dConfig::new([3, 3]).with_strides([2, 2]).init(),
            dropout: DropoutConfig::new(self.dropout).init(),
            relu: Relu::new(),
        })
    }
}

/// The paper's AlexNet (see the module docs).
#[derive(Module, Debug)]
pub struct PaperAlexNet<B: Backend> {
    pub conv1: Conv2d<B>,
    pub conv2: Conv2d<B>,
    pub conv3: Conv2d<B>,
    pub conv4: Conv2d<B>,
    pub conv5: Conv2d<B>,
    pub fc6: Linear<B>,
    pub fc7: Linear<B>,
    pub fc8: Linear<B>,
    pub dense: Linear<B>,
    pool: MaxPool2d,
    dropout: Dropout,
    relu: Relu,
}

impl<B: Backend> ImageClassifier<B> for PaperAlexNet<B> {
    fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        let x = self
            .pool
            .forward(self.relu.forward(conv2d_layer(&self.conv1, x)));
        let x = self
            .pool
            .forward(self.relu.forward(conv2d_layer(&self.conv2, x)));
        let x = self.relu.forward(conv2d_layer(&self.conv3, x));
        let x = self.relu.forward(conv2d_layer(&self.conv4, x));
        let x = self
            .pool
            .forward(self.relu.forward(conv2d_layer(&self.conv5, x)));
        let x: Tensor<B, 2> = x.flatten(1, 3);
        let x = self.dropout.forward(self.relu.forward(self.fc6.forward(x)));
        let x = self.dropout.forward(self.relu.forward(self.fc7.forward(x)));
        let x = self.relu.forward(self.fc8.forward(x));
        self.dense.forward(x)
    }
}
