//! Feature-map sizes, parameters and FLOPs of a network at an input side, computed with checked
//! arithmetic before anything is built (docs/decisions.md D-PLAN-3): a side that collapses a map
//! to zero or overflows is refused naming `--input-size`, a width that divides to zero naming
//! `--width-divisor`.

use crate::{NetworkConfig, PaperAlexNetConfig, SmallCnnConfig, TorchAlexNetConfig};
use polarity_core::plan::{out_of_range, PlanError};

/// One layer's output per image and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerShape {
    pub name: &'static str,
    /// Output channels (units for a linear layer).
    pub channels: u64,
    /// Output side (1 for a linear layer).
    pub side: u64,
    /// Kernel and bias entries.
    pub parameters: u64,
    /// Multiply-adds per image, counted as 2 FLOPs.
    pub forward_flops: u64,
}

impl LayerShape {
    /// Activation entries per image.
    pub fn activations(&self) -> Option<u64> {
        self.channels.checked_mul(self.side)?.checked_mul(self.side)
    }
}

/// A network's layers at one input side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkShape {
    pub input_channels: u64,
    pub input_side: u64,
    pub layers: Vec<LayerShape>,
}

impl NetworkShape {
    pub fn parameters(&self) -> Option<u64> {
        self.layers
            .iter()
            .try_fold(0u64, |a, l| a.checked_add(l.parameters))
    }
    /// Input plus every layer's output, per image.
    pub fn activations_per_image(&self) -> Option<u64> {
        let input = self
            .input_channels
            .checked_mul(self.input_side)?
            .checked_mul(self.input_side)?;
        self.layers
            .iter()
            .try_fold(input, |a, l| a.checked_add(l.activations()?))
    }
    pub fn forward_flops_per_image(&self) -> Option<u64> {
        self.layers
            .iter()
            .try_fold(0u64, |a, l| a.checked_add(l.forward_flops))
    }
}

/// Builds the layer list with checked arithmetic; every failure names `--input-size`.
struct Builder {
    side: u64,
    channels: u64,
    input: u64,
    layers: Vec<LayerShape>,
}

fn overflow(input: u64) -> PlanError {
    out_of_range(
        "input-size",
        input,
        "the network's sizes at this side overflow 64 bits",
    )
}

impl Builder {
    fn new(channels: usize, side: usize) -> Self {
        Self {
            side: side as u64,
            channels: channels as u64,
            input: side as u64,
            layers: Vec::new(),
        }
    }

    fn collapse(&self, name: &str, minimum: &str) -> PlanError {
        out_of_range(
            "input-size",
            self.input,
            format!("the map before {name} collapses to zero; this network needs {minimum}"),
        )
    }

    fn conv(
        &mut self,
        name: &'static str,
        out: usize,
        k: u64,
        stride: u64,
        pad: u64,
        minimum: &str,
    ) -> Result<(), PlanError> {
        let padded = self
            .side
            .checked_add(2 * pad)
            .ok_or_else(|| overflow(self.input))?;
        let side = padded
            .checked_sub(k)
            .ok_or_else(|| self.collapse(name, minimum))?
            / stride
            + 1;
        let out = out as u64;
        let kernel = (|| out.checked_mul(self.channels)?.checked_mul(k * k))()
            .ok_or_else(|| overflow(self.input))?;
        let flops = (|| {
            2u64.checked_mul(kernel)?
                .checked_mul(side)?
                .checked_mul(side)
        })()
        .ok_or_else(|| overflow(self.input))?;
        self.layers.push(LayerShape {
            name,
            channels: out,
            side,
            parameters: kernel
                .checked_add(out)
                .ok_or_else(|| overflow(self.input))?,
            forward_flops: flops,
        });
        self.side = side;
        self.channels = out;
        Ok(())
    }

    /// Max pool `k`/`stride`, valid: an output layer without parameters.
    fn pool(
        &mut self,
        name: &'static str,
        k: u64,
        stride: u64,
        minimum: &str,
    ) -> Result<(), PlanError> {
        let side = self
            .side
            .checked_sub(k)
            .ok_or_else(|| self.collapse(name, minimum))?
            / stride
            + 1;
        self.layers.push(LayerShape {
            name,
            channels: self.channels,
            side,
            parameters: 0,
            forward_flops: 0,
        });
        self.side = side;
        Ok(())
    }

    /// Adaptive average pool to `side` x `side`.
    fn adaptive(&mut self, name: &'static str, side: usize) {
        self.side = side as u64;
        self.layers.push(LayerShape {
            name,
            channels: self.channels,
            side: self.side,
            parameters: 0,
            forward_flops: 0,
        });
    }

    fn linear(&mut self, name: &'static str, out: usize) -> Result<(), PlanError> {
        let inputs = (|| self.channels.checked_mul(self.side)?.checked_mul(self.side))()
            .ok_or_else(|| overflow(self.input))?;
        let out = out as u64;
        let kernel = inputs
            .checked_mul(out)
            .ok_or_else(|| overflow(self.input))?;
        self.layers.push(LayerShape {
            name,
            channels: out,
            side: 1,
            parameters: kernel
                .checked_add(out)
                .ok_or_else(|| overflow(self.input))?,
            forward_flops: kernel.checked_mul(2).ok_or_else(|| overflow(self.input))?,
        });
        self.channels = out;
        self.side = 1;
        Ok(())
    }

    fn done(self, in_channels: usize) -> NetworkShape {
        NetworkShape {
            input_channels: in_channels as u64,
            input_side: self.input,
            layers: self.layers,
        }
    }
}

fn paper(c: &PaperAlexNetConfig) -> Result<NetworkShape, PlanError> {
    let m = "an input side of at least 67";
    let ch = c.conv_channels;
    let mut b = Builder::new(c.in_channels, c.input_size);
    b.conv("conv1", ch[0], 11, 4, 0, m)?;
    b.pool("pool1", 3, 2, m)?;
    b.conv("conv2", ch[1], 5, 1, 2, m)?;
    b.pool("pool2", 3, 2, m)?;
    b.conv("conv3", ch[2], 3, 1, 1, m)?;
    b.conv("conv4", ch[3], 3, 1, 1, m)?;
    b.conv("conv5", ch[4], 3, 1, 1, m)?;
    b.pool("pool5", 3, 2, m)?;
    b.linear("fc6", c.fc_units[0])?;
    b.linear("fc7", c.fc_units[1])?;
    b.linear("fc8", c.fc_units[2])?;
    b.linear("dense", c.num_classes)?;
    Ok(b.done(c.in_channels))
}

fn torch(c: &TorchAlexNetConfig, side: usize) -> Result<NetworkShape, PlanError> {
    let m = "an input side of at least 63";
    let ch = c.conv_channels;
    let mut b = Builder::new(c.in_channels, side);
    b.conv("conv1", ch[0], 11, 4, 2, m)?;
    b.pool("pool1", 3, 2, m)?;
    b.conv("conv2", ch[1], 5, 1, 2, m)?;
    b.pool("pool2", 3, 2, m)?;
    b.conv("conv3", ch[2], 3, 1, 1, m)?;
    b.conv("conv4", ch[3], 3, 1, 1, m)?;
    b.conv("conv5", ch[4], 3, 1, 1, m)?;
    b.pool("pool5", 3, 2, m)?;
    b.adaptive("avgpool", c.pool_size);
    b.linear("fc6", c.fc_units[0])?;
    b.linear("fc7", c.fc_units[1])?;
    b.linear("fc8", c.num_classes)?;
    Ok(b.done(c.in_channels))
}

fn small(c: &SmallCnnConfig) -> Result<NetworkShape, PlanError> {
    let m = "an input side of at least 12";
    let ch = c.conv_channels;
    let mut b = Builder::new(c.in_channels, c.input_size);
    b.conv("conv1", ch[0], 5, 1, 2, m)?;
    b.pool("pool1", 2, 2, m)?;
    b.conv("conv2", ch[1], 5, 1, 0, m)?;
    b.pool("pool2", 2, 2, m)?;
    b.linear("fc1", c.fc_units[0])?;
    b.linear("fc2", c.fc_units[1])?;
    b.linear("out", c.num_classes)?;
    Ok(b.done(c.in_channels))
}

impl NetworkConfig {
    /// The network's layers at input side `side` (the paper's AlexNet and the small CNN use
    /// their configured side; see [`NetworkConfig::input_side`]).
    pub fn shape(&self, side: usize) -> Result<NetworkShape, PlanError> {
        match self {
            Self::PaperAlexnet(c) => paper(c),
            Self::TorchAlexnet(c) => torch(c, side),
            Self::SmallCnn(c) => small(c),
        }
    }
}

/// Refuses a width divisor that is zero or that would divide a layer of `kind` below one unit.
pub fn check_width_divisor(kind: crate::NetworkKind, divisor: usize) -> Result<(), PlanError> {
    let narrowest = match kind {
        crate::NetworkKind::PaperAlexnet => 96,
        crate::NetworkKind::TorchAlexnet => 64,
        crate::NetworkKind::SmallCnn => 6,
    };
    if divisor == 0 || divisor > narrowest {
        return Err(out_of_range(
            "width-divisor",
            divisor,
            format!(
                "expected 1 to {narrowest}: {kind}'s narrowest layer has {narrowest} units, a larger divisor leaves it empty"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NetworkKind;

    /// The shapes agree with the layer list the networks are built from (an independent count:
    /// `kernel_specs`, from the architecture files).
    #[test]
    fn parameters_match_the_kernel_specs_of_every_network() {
        for kind in NetworkKind::ALL {
            for divisor in [1, 4] {
                let cfg = NetworkConfig::new(kind, 3, None, divisor);
                let side = cfg.input_side(None);
                let shape = cfg.shape(side).unwrap();
                let specs = cfg.kernel_specs().unwrap();
                let kernels: u64 = specs
                    .iter()
                    .map(|s| s.shape.iter().product::<usize>() as u64)
                    .sum();
                let biases: u64 = specs
                    .iter()
                    .map(|s| s.shape[if s.shape.len() == 2 { 1 } else { 0 }] as u64)
                    .sum();
                assert_eq!(
                    shape.parameters(),
                    Some(kernels + biases),
                    "{kind} / {divisor}"
                );
            }
        }
    }

    #[test]
    fn paper_alexnet_at_227_has_the_papers_maps() {
        let shape = NetworkConfig::new(NetworkKind::PaperAlexnet, 3, None, 1)
            .shape(227)
            .unwrap();
        let sides: Vec<(&str, u64)> = shape.layers.iter().map(|l| (l.name, l.side)).collect();
        assert_eq!(
            &sides[..8],
            &[
                ("conv1", 55),
                ("pool1", 27),
                ("conv2", 27),
                ("pool2", 13),
                ("conv3", 13),
                ("conv4", 13),
                ("conv5", 13),
                ("pool5", 6)
            ]
        );
        // 9216 features into fc6 (the module docs).
        assert_eq!(shape.layers[8].parameters, 9216 * 4096 + 4096);
        // Forward multiply-adds by hand, out_channels x in_channels x k^2 x out_side^2 per conv
        // and in x out per dense layer: 2.27 GFLOP per image (docs/decisions.md D-PLAN-4).
        let macs: u64 = 96 * 3 * 121 * 55 * 55
            + 256 * 96 * 25 * 27 * 27
            + 384 * 256 * 9 * 13 * 13
            + 384 * 384 * 9 * 13 * 13
            + 256 * 384 * 9 * 13 * 13
            + 9216 * 4096
            + 4096 * 4096
            + 4096 * 1000
            + 1000 * 10;
        assert_eq!(shape.forward_flops_per_image(), Some(2 * macs));
        assert_eq!(2 * macs, 2_270_532_192);
    }

    #[test]
    fn sides_that_collapse_or_overflow_are_refused_with_the_option() {
        for (kind, side) in [
            (NetworkKind::PaperAlexnet, 66),
            (NetworkKind::TorchAlexnet, 62),
            (NetworkKind::SmallCnn, 11),
        ] {
            let cfg = NetworkConfig::new(kind, 3, Some(side), 1);
            let err = cfg.shape(side).unwrap_err().to_string();
            assert!(err.starts_with(&format!("--input-size {side}:")), "{err}");
            let ok = NetworkConfig::new(kind, 3, Some(side + 1), 1);
            assert!(ok.shape(side + 1).is_ok(), "{kind} at {}", side + 1);
        }
        let huge = usize::MAX - 3;
        let cfg = NetworkConfig::new(NetworkKind::PaperAlexnet, 3, Some(huge), 1);
        let err = cfg.shape(huge).unwrap_err().to_string();
        assert!(
            err.contains("--input-size") && err.contains("overflow"),
            "{err}"
        );
    }

    #[test]
    fn width_divisors_beyond_the_narrowest_layer_are_refused() {
        assert!(check_width_divisor(NetworkKind::SmallCnn, 6).is_ok());
        let err = check_width_divisor(NetworkKind::SmallCnn, 7)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("--width-divisor 7"), "{err}");
        assert!(check_width_divisor(NetworkKind::PaperAlexnet, 0).is_err());
    }
}
