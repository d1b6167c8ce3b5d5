//! Initial weights drawn on the host, layer by layer: every network is built with zero weights
//! and then filled from these draws, so its initial weights depend only on the seed, not on
//! the backend or device.

use crate::init::{fans, KernelInit};
use polarity_core::seed::PolarityRng;
use polarity_core::NamedTensors;

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
            [i, o] => fans(*i, *o, 1),
            [o, i, kh, kw] => fans(*i, *o, kh * kw),
            s => panic!("unsupported kernel shape {s:?}"),
        }
    }
    /// Outputs of the layer: the length of its bias.
    pub(crate) fn outputs(&self) -> usize {
        if self.shape.len() == 2 {
            self.shape[1]
        } else {
            self.shape[0]
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
        let outputs = l.outputs();
        out.insert(
            format!("{}.bias", l.name),
            vec![outputs],
            vec![0.0; outputs],
        );
    }
    out
}
