//! The one registry of networks: which networks exist, their default configurations, their
//! kernels, initial weights and pretrained weights, and the one place where a configuration
//! becomes a concrete burn module ([`NetworkConfig::run_with`]).

use crate::classifier::TrainableClassifier;
use crate::layers::{draw_layers, LayerInit};
use crate::{
    Error, PaperAlexNet, PaperAlexNetConfig, SmallCnn, SmallCnnConfig, TorchAlexNet,
    TorchAlexNetConfig,
};
use burn::tensor::backend::AutodiffBackend;
use polarity_burn::set_param_values;
use polarity_core::seed::{self, PolarityRng};
use polarity_core::{NamedTensors, TensorSpec};
use polarity_weights::{GroupedLayers, PretrainedWeights};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Which network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkKind {
    /// The paper's AlexNet (Caffe/Keras layout, 227 input).
    PaperAlexnet,
    /// torchvision's AlexNet (224 input).
    TorchAlexnet,
    /// A LeNet-style CNN (28 input), fast on a CPU.
    SmallCnn,
}

impl NetworkKind {
    pub const ALL: [NetworkKind; 3] = [Self::PaperAlexnet, Self::TorchAlexnet, Self::SmallCnn];

    /// The name used in tables and on the command line, e.g. `paper-alexnet`.
    pub fn name(self) -> &'static str {
        match self {
            Self::PaperAlexnet => "paper-alexnet",
            Self::TorchAlexnet => "torch-alexnet",
            Self::SmallCnn => "small-cnn",
        }
    }

    /// Channels of the network's input for images with `data_channels` channels: the AlexNets
    /// are ImageNet networks and take RGB (grey images are replicated), the small CNN takes
    /// the images as they are.
    pub fn input_channels(self, data_channels: usize) -> usize {
        match self {
            Self::PaperAlexnet | Self::TorchAlexnet => 3,
            Self::SmallCnn => data_channels,
        }
    }
}

impl fmt::Display for NetworkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NetworkKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|k| k.name()).collect();
                Error::Invalid(format!(
                    "unknown network '{s}'; expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// A network's full configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NetworkConfig {
    PaperAlexnet(PaperAlexNetConfig),
    TorchAlexnet(TorchAlexNetConfig),
    SmallCnn(SmallCnnConfig),
}

/// Work to do with a network whose concrete type the registry picks: implement it once,
/// generically, and [`NetworkConfig::run_with`] calls it with the right module type.
pub trait NetworkJob<B: AutodiffBackend> {
    type Output;
    fn run<M: TrainableClassifier<B>>(self, model: M) -> Self::Output;
}

impl NetworkConfig {
    /// The default configuration of `kind` for `in_channels` inputs at side `input_size`
    /// (`None`: the network's own default; torchvision's AlexNet adapts to any side, see
    /// [`NetworkConfig::input_side`]), with every width divided by `width_divisor`.
    pub fn new(
        kind: NetworkKind,
        in_channels: usize,
        input_size: Option<usize>,
        width_divisor: usize,
    ) -> Self {
        let d = width_divisor.max(1);
        let div = |x: usize| (x / d).max(1);
        match kind {
            NetworkKind::PaperAlexnet => {
                let mut c = PaperAlexNetConfig::default();
                c.in_channels = in_channels;
                c.input_size = input_size.unwrap_or(c.input_size);
                c.conv_channels = c.conv_channels.map(div);
                c.fc_units = c.fc_units.map(div);
                Self::PaperAlexnet(c)
            }
            NetworkKind::TorchAlexnet => {
                let mut c = TorchAlexNetConfig::default();
                c.in_channels = in_channels;
                c.conv_channels = c.conv_channels.map(div);
                c.fc_units = c.fc_units.map(div);
                Self::TorchAlexnet(c)
            }
            NetworkKind::SmallCnn => {
                let mut c = SmallCnnConfig::default();
                c.in_channels = in_channels;
                c.input_size = input_size.unwrap_or(c.input_size);
                c.conv_channels = c.conv_channels.map(div);
                c.fc_units = c.fc_units.map(div);
                Self::SmallCnn(c)
            }
        }
    }

    pub fn kind(&self) -> NetworkKind {
        match self {
            Self::PaperAlexnet(_) => NetworkKind::PaperAlexnet,
            Self::TorchAlexnet(_) => NetworkKind::TorchAlexnet,
            Self::SmallCnn(_) => NetworkKind::SmallCnn,
        }
    }

    /// Channels of the input images.
    pub fn in_channels(&self) -> usize {
        match self {
            Self::PaperAlexnet(c) => c.in_channels,
            Self::TorchAlexnet(c) => c.in_channels,
            Self::SmallCnn(c) => c.in_channels,
        }
    }

    /// Side of the input images. The paper's AlexNet and the small CNN are built for one side
    /// (their fc6/fc1 size depends on it); torchvision's AlexNet pools adaptively, so it takes
    /// `requested` (224 by default, at least [`TorchAlexNetConfig::MIN_INPUT`]).
    pub fn input_side(&self, requested: Option<usize>) -> usize {
        match self {
            Self::PaperAlexnet(c) => c.input_size,
            Self::TorchAlexnet(_) => requested.unwrap_or(224),
            Self::SmallCnn(c) => c.input_size,
        }
    }

    /// Checks that an input of side `side` fits the network.
    pub fn check_input_side(&self, side: usize) -> Result<(), Error> {
        match self {
            Self::TorchAlexnet(_) if side < TorchAlexNetConfig::MIN_INPUT => {
                Err(Error::Invalid(format!(
                    "input size {side} is below torchvision AlexNet's minimum of {}",
                    TorchAlexNetConfig::MIN_INPUT
                )))
            }
            _ => Ok(()),
        }
    }

    /// Sets the number of classes (outputs of the last layer).
    pub fn set_num_classes(&mut self, classes: usize) {
        match self {
            Self::PaperAlexnet(c) => c.num_classes = classes,
            Self::TorchAlexnet(c) => c.num_classes = classes,
            Self::SmallCnn(c) => c.num_classes = classes,
        }
    }

    /// The network with Caffe's grouped conv2/conv4/conv5 (the paper's AlexNet only; other
    /// networks are returned as they are).
    pub fn with_caffe_groups(self) -> Self {
        match self {
            Self::PaperAlexnet(c) => Self::PaperAlexnet(c.caffe_groups()),
            other => other,
        }
    }

    fn layers(&self) -> Result<Vec<LayerInit>, Error> {
        match self {
            Self::PaperAlexnet(c) => c.layers(),
            Self::TorchAlexnet(c) => Ok(c.layers()),
            Self::SmallCnn(c) => c.layers(),
        }
    }

    /// Kernel (rank >= 2) parameters in the network's order (the order of the per-kernel
    /// columns of the result tables), without building the network.
    pub fn kernel_specs(&self) -> Result<Vec<TensorSpec>, Error> {
        Ok(self
            .layers()?
            .into_iter()
            .map(|l| TensorSpec::new(format!("{}.weight", l.name), l.shape))
            .collect())
    }

    /// Initial weights drawn from `rng` (kernels in layer order, biases zero).
    pub fn initial_values_from(&self, rng: &mut PolarityRng) -> Result<NamedTensors, Error> {
        Ok(draw_layers(&self.layers()?, rng))
    }

    /// The random initial weights of `trial` (the same for every condition of the trial).
    pub fn initial_values(
        &self,
        experiment_seed: u64,
        trial: usize,
    ) -> Result<NamedTensors, Error> {
        let mut rng = seed::rng(experiment_seed, &[seed::label("image-init"), trial as u64]);
        self.initial_values_from(&mut rng)
    }

    /// Reads pretrained weights for this network: `bvlc_alexnet.npy` for the paper's AlexNet,
    /// torchvision `.pth`/safetensors for torchvision's. The small CNN has none.
    pub fn load_pretrained(
        &self,
        path: &Path,
        grouped: GroupedLayers,
    ) -> Result<PretrainedWeights, Error> {
        match self {
            Self::PaperAlexnet(c) => crate::pretrained::load_caffe_alexnet(path, c, grouped),
            Self::TorchAlexnet(c) => crate::pretrained::load_torchvision_alexnet(path, c),
            Self::SmallCnn(_) => Err(Error::Invalid(
                "the small CNN has no pretrained weights; use it with the RAND-Polarity conditions"
                    .into(),
            )),
        }
    }

    /// Builds the network on `device` holding `weights` (every parameter, burn's layout; e.g.
    /// a condition's start) and runs `job` with it.
    pub fn run_with<B: AutodiffBackend, J: NetworkJob<B>>(
        &self,
        weights: &NamedTensors,
        device: &B::Device,
        job: J,
    ) -> Result<J::Output, Error> {
        Ok(match self {
            Self::PaperAlexnet(c) => {
                let m: PaperAlexNet<B> = set_param_values(c.init_zeros(device)?, weights, device)?;
                job.run(m)
            }
            Self::TorchAlexnet(c) => {
                let m: TorchAlexNet<B> = set_param_values(c.init_zeros(device), weights, device)?;
                job.run(m)
            }
            Self::SmallCnn(c) => {
                let m: SmallCnn<B> = set_param_values(c.init_zeros(device)?, weights, device)?;
                job.run(m)
            }
        })
    }
}
