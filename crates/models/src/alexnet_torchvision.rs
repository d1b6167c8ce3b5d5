//! AlexNet in torchvision's layout (`torchvision.models.alexnet`, the "one weird trick"
//! variant): 224 input, 64-192-384-256-256 filters, an adaptive 6x6 average pool, and a
//! classifier whose last layer has `num_classes` outputs (10 here instead of 1000).
//!
//! ```text
//! conv1 64@11x11 s4 p2 ReLU -> maxpool 3/2 -> conv2 192@5x5 p2 ReLU -> maxpool 3/2
//! -> conv3 384@3x3 p1 ReLU -> conv4 256@3x3 p1 ReLU -> conv5 256@3x3 p1 ReLU -> maxpool 3/2
//! -> adaptive avg pool 6x6 -> flatten 9216 -> dropout 0.5 -> fc6 4096 ReLU -> dropout 0.5
//! -> fc7 4096 ReLU -> fc8 num_classes (logits)
//! ```
//!
//! Parameter paths and their torchvision names (Linear kernels are stored `[in, out]` here,
//! `[out, in]` in PyTorch; the `.pth`/safetensors loaders transpose):
//!
//! | here | torchvision | shape here |
//! | --- | --- | --- |
//! | `conv1` | `features.0` | `[64, 3, 11, 11]` |
//! | `conv2` | `features.3` | `[192, 64, 5, 5]` |
//! | `conv3` | `features.6` | `[384, 192, 3, 3]` |
//! | `conv4` | `features.8` | `[256, 384, 3, 3]` |
//! | `conv5` | `features.10` | `[256, 256, 3, 3]` |
//! | `fc6` | `classifier.1` | `[9216, 4096]` |
//! | `fc7` | `classifier.4` | `[4096, 4096]` |
//! | `fc8` | `classifier.6` | `[4096, num_classes]` (new; not loaded when classes differ) |
//!
//! Init (drawn on the host): PyTorch's defaults would be Kaiming-uniform; for comparability
//! with the paper network the same Keras rules are used: conv GlorotNormal, fc6/fc7
//! GlorotUniform, fc8 TruncatedNormal(0, 0.25), biases zero.

use crate::classifier::ImageClassifier;
use crate::init::KernelInit;
use crate::layers::{draw_layers, LayerInit};
use crate::Error;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Initializer, Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use polarity_burn::{conv::conv2d_layer, set_param_values, NamedTensors};
use polarity_core::seed::PolarityRng;
use serde::{Deserialize, Serialize};

/// The torchvision name of each layer of [`TorchAlexNet`].
pub const TORCHVISION_NAMES: [(&str, &str); 8] = [
    ("conv1", "features.0"),
    ("conv2", "features.3"),
    ("conv3", "features.6"),
    ("conv4", "features.8"),
    ("conv5", "features.10"),
    ("fc6", "classifier.1"),
    ("fc7", "classifier.4"),
    ("fc8", "classifier.6"),
];

/// Sizes of torchvision's AlexNet; `Default` is torchvision's with 10 classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TorchAlexNetConfig {
    pub in_channels: usize,
    /// Filters of conv1..conv5 (64, 192, 384, 256, 256).
    pub conv_channels: [usize; 5],
    /// Units of fc6, fc7 (4096, 4096).
    pub fc_units: [usize; 2],
    /// Side of the adaptive average pool (6).
    pub pool_size: usize,
    pub num_classes: usize,
    pub dropout: f64,
}

impl Default for TorchAlexNetConfig {
    fn default() -> Self {
        Self {
            in_channels: 3,
            conv_channels: [64, 192, 384, 256, 256],
            fc_units: [4096, 4096],
            pool_size: 6,
            num_classes: 10,
            dropout: 0.5,
        }
    }
}

impl TorchAlexNetConfig {
    /// The smallest input that leaves a non-empty map before the adaptive pool (63).
    pub const MIN_INPUT: usize = 63;

    pub(crate) fn layers(&self) -> Vec<LayerInit> {
        let c = self.conv_channels;
        let f = self.fc_units;
        let gn = KernelInit::GlorotNormal;
        let gu = KernelInit::GlorotUniform;
        let flat = c[4] * self.pool_size * self.pool_size;
        vec![
            LayerInit::conv("conv1", c[0], self.in_channels, 11, gn),
            LayerInit::conv("conv2", c[1], c[0], 5, gn),
            LayerInit::conv("conv3", c[2], c[1], 3, gn),
            LayerInit::conv("conv4", c[3], c[2], 3, gn),
            LayerInit::conv("conv5", c[4], c[3], 3, gn),
            LayerInit::linear("fc6", flat, f[0], gu),
            LayerInit::linear("fc7", f[0], f[1], gu),
            LayerInit::linear(
                "fc8",
                f[1],
                self.num_classes,
                KernelInit::TruncatedNormal { stddev: 0.25 },
            ),
        ]
    }

    pub fn initial_values(&self, rng: &mut PolarityRng) -> NamedTensors {
        draw_layers(&self.layers(), rng)
    }

    pub fn init<B: Backend>(
        &self,
        device: &B::Device,
        rng: &mut PolarityRng,
    ) -> Result<TorchAlexNet<B>, Error> {
        Ok(set_param_values(
            self.init_zeros(device),
            &self.initial_values(rng),
            device,
        )?)
    }

    pub fn init_zeros<B: Backend>(&self, device: &B::Device) -> TorchAlexNet<B> {
        let c = self.conv_channels;
        let f = self.fc_units;
        let conv = |i: usize, o: usize, k: usize, stride: usize, pad: usize| {
            Conv2dConfig::new([i, o], [k, k])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        let linear = |i: usize, o: usize| {
            LinearConfig::new(i, o)
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        TorchAlexNet {
            conv1: conv(self.in_channels, c[0], 11, 4, 2),
            conv2: conv(c[0], c[1], 5, 1, 2),
            conv3: conv(c[1], c[2], 3, 1, 1),
            conv4: conv(c[2], c[3], 3, 1, 1),
            conv5: conv(c[3], c[4], 3, 1, 1),
            fc6: linear(c[4] * self.pool_size * self.pool_size, f[0]),
            fc7: linear(f[0], f[1]),
            fc8: linear(f[1], self.num_classes),
            pool: MaxPool2dConfig::new([3, 3]).with_strides([2, 2]).init(),
            avgpool: AdaptiveAvgPool2dConfig::new([self.pool_size, self.pool_size]).init(),
            dropout: DropoutConfig::new(self.dropout).init(),
            relu: Relu::new(),
        }
    }
}

/// torchvision's AlexNet (see the module docs).
#[derive(Module, Debug)]
pub struct TorchAlexNet<B: Backend> {
    pub conv1: Conv2d<B>,
    pub conv2: Conv2d<B>,
    pub conv3: Conv2d<B>,
    pub conv4: Conv2d<B>,
    pub conv5: Conv2d<B>,
    pub fc6: Linear<B>,
    pub fc7: Linear<B>,
    pub fc8: Linear<B>,
    pool: MaxPool2d,
    avgpool: AdaptiveAvgPool2d,
    dropout: Dropout,
    relu: Relu,
}

impl<B: Backend> ImageClassifier<B> for TorchAlexNet<B> {
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
        let x = self.avgpool.forward(x);
        let x: Tensor<B, 2> = x.flatten(1, 3);
        let x = self.relu.forward(self.fc6.forward(self.dropout.forward(x)));
        let x = self.relu.forward(self.fc7.forward(self.dropout.forward(x)));
        self.fc8.forward(x)
    }
}
