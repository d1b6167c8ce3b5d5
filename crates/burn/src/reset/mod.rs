//! The reset of Freeze-SGD on the device: a template's signs as device tensors, the reset of
//! one parameter as tensor operations, and reset/NaN counters summed on the device.
//!
//! Semantics as `polarity_core::ResetRule`: `w` violates its template `t` iff `w * t < 0`;
//! template zeros are free; posCon `t * eps`, posRand `t * U[0, eps)`, zero `0`, flip `-w`.
//! On burn's CPU backend the reset is one parallel pass instead ([`flex`], D-TRAIN-10).

#[cfg(feature = "flex")]
pub(crate) mod flex;

use crate::freeze::FreezeConfig;
use crate::paths::{param_specs, Selection};
use crate::Error;
use burn::module::Module;
use burn::tensor::backend::Backend;
use burn::tensor::{Distribution, Int, Tensor, TensorData};
use polarity_core::{PolarityTemplate, ResetMethod, ResetRule};
use std::collections::BTreeMap;

/// One constrained parameter: its signs on the device, and the reset/NaN counts accumulated
/// on the device since they were last read (read back only when asked, so a GPU step does not
/// wait for the host).
#[derive(Clone, Debug)]
pub(crate) struct LayerState<B: Backend> {
    signs: Tensor<B, 1>,
    numel: usize,
    resets: Option<Tensor<B, 1, Int>>,
    nans: Option<Tensor<B, 1, Int>>,
    /// Steps summed in `resets`/`nans` so far. Device integers may be 32-bit (CUDA), so the
    /// sums are moved to the host totals before they could overflow.
    pending_steps: usize,
    host_resets: u64,
    host_nans: u64,
    /// Largest sum the device counters may reach (`i32::MAX`; smaller in tests).
    count_limit: usize,
}

impl<B: Backend> LayerState<B> {
    /// Moves the device sums to the host totals (one read-back per counter).
    fn flush(&mut self) {
        if let Some(r) = self.resets.take() {
            self.host_resets += scalar_i64(r).max(0) as u64;
        }
        if let Some(n) = self.nans.take() {
            self.host_nans += scalar_i64(n).max(0) as u64;
        }
        self.pending_steps = 0;
    }
}

/// Resets counted for one parameter since the counts were last read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerResets {
    /// The parameter's path, e.g. `features.0.weight`.
    pub name: String,
    /// Number of constrained entries (non-zero template signs).
    pub constrained: usize,
    /// Total entries in the tensor.
    pub numel: usize,
    /// Entries reset since the last read, summed over steps.
    pub resets: u64,
}

/// The template store: device tensors of signs by parameter path.
#[derive(Clone, Debug)]
pub(crate) struct Templates<B: Backend> {
    pub(crate) layers: BTreeMap<String, LayerState<B>>,
    constrained: BTreeMap<String, usize>,
}

impl<B: Backend> Templates<B> {
    /// Checks `template` against `model` (names, shapes, biases, eps) and puts its signs on
    /// `device`. `BM` is the model's backend, which may differ from `B` (autodiff vs inner).
    pub(crate) fn build<BM: Backend, M: Module<BM>>(
        model: &M,
        template: &PolarityTemplate,
        config: &FreezeConfig,
        device: &B::Device,
    ) -> Result<Self, Error> {
        let specs = param_specs::<BM, M>(model, Selection::All);
        template.check_against(&specs)?;
        if !config.allow_biases {
            let rank1: Vec<String> = template
                .tensors
                .iter()
                .filter(|t| t.spec.shape.len() < 2)
                .map(|t| format!("'{}' {:?}", t.spec.name, t.spec.shape))
                .collect();
            if !rank1.is_empty() {
                return Err(Error::Mismatch(format!(
                    "  the template constrains rank-1 parameters (biases?): {}; \
                     kernels only unless FreezeConfig::with_biases(true)",
                    rank1.join(", ")
                )));
            }
        }
        if config.rule.eps.is_nan() || config.rule.eps < 0.0 {
            return Err(Error::Invalid(format!(
                "reset eps must be >= 0, got {}",
                config.rule.eps
            )));
        }
        let mut layers = BTreeMap::new();
        let mut constrained = BTreeMap::new();
        for t in &template.tensors {
            let signs: Vec<f32> = t.signs().iter().map(|&s| f32::from(s)).collect();
            let numel = signs.len();
            constrained.insert(
                t.spec.name.clone(),
                t.signs().iter().filter(|s| **s != 0).count(),
            );
            layers.insert(
                t.spec.name.clone(),
                LayerState {
                    signs: Tensor::from_data(TensorData::new(signs, [numel]), device),
                    numel,
                    resets: None,
                    nans: None,
                    pending_steps: 0,
                    host_resets: 0,
                    host_nans: 0,
                    count_limit: i32::MAX as usize,
                },
            );
        }
        Ok(Self {
            layers,
            constrained,
        })
    }

    /// Per layer, the resets since the last call; an error if a constrained parameter held NaN.
    pub(crate) fn take_counts(&mut self) -> Result<Vec<LayerResets>, Error> {
        let mut out = Vec::with_capacity(self.layers.len());
        for (name, layer) in &mut self.layers {
            layer.flush();
            let (resets, nans) = (layer.host_resets, layer.host_nans);
            layer.host_resets = 0;
            layer.host_nans = 0;
            if nans > 0 {
                return Err(Error::Nan(format!(
                    "parameter '{name}' had {nans} NaN entries at reset time; \
                     a NaN weight has no sign to check against the template"
                )));
            }
            out.push(LayerResets {
                name: name.clone(),
                constrained: self.constrained[name],
                numel: layer.numel,
                resets,
            });
        }
        Ok(out)
    }
}

fn scalar_i64<B: Backend>(t: Tensor<B, 1, Int>) -> i64 {
    t.into_data().iter::<i64>().next().unwrap_or(0)
}

/// Enforces the layer's signs on `w` with `rule` and adds the violations to its counters.
/// Pure tensor ops, so it runs on whichever device `w` lives on. `w` must not be part of an
/// autodiff graph (the callers pass inner or untracked tensors).
pub(crate) fn reset_tensor<B: Backend, const D: usize>(
    w: Tensor<B, D>,
    layer: &mut LayerState<B>,
    rule: ResetRule,
) -> Tensor<B, D> {
    #[cfg(feature = "flex")]
    if flex::applies(&w) {
        return flex::reset(w, layer, rule);
    }
    let shape = w.shape();
    let t: Tensor<B, D> = layer.signs.clone().reshape(shape.clone());
    let violating = w.clone().mul(t.clone()).lower_elem(0.0);
    if (layer.pending_steps + 1).saturating_mul(layer.numel) > layer.count_limit {
        layer.flush();
    }
    layer.pending_steps += 1;
    let count = violating.clone().int().sum();
    let nans = w.clone().is_nan().int().sum();
    layer.resets = Some(match layer.resets.take() {
        Some(acc) => acc.add(count),
        None => count,
    });
    layer.nans = Some(match layer.nans.take() {
        Some(acc) => acc.add(nans),
        None => nans,
    });
    match rule.method {
        ResetMethod::PosCon => w.mask_where(violating, t.mul_scalar(rule.eps)),
        ResetMethod::PosRand => {
            let u = Tensor::<B, D>::random(
                shape,
                Distribution::Uniform(0.0, f64::from(rule.eps)),
                &w.device(),
            );
            w.mask_where(violating, t.mul(u))
        }
        ResetMethod::Zero => w.mask_fill(violating, 0.0),
        ResetMethod::Flip => {
            let flipped = w.clone().neg();
            w.mask_where(violating, flipped)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::Flex;
    use burn::module::Param;
    use polarity_core::TensorSpec;

    #[derive(Module, Debug)]
    struct One<B: Backend> {
        w: Param<Tensor<B, 1>>,
    }

    /// The generic path's backend here (flex itself takes the one-pass path, which counts on
    /// the host).
    type G = burn::backend::Autodiff<Flex>;

    /// Counts moved to the host before the device sums could overflow add up to the same
    /// totals as counts kept on the device.
    #[test]
    fn counts_survive_flushing() {
        let device = Default::default();
        let signs = [1.0f32, -1.0, 1.0, 0.0];
        let template =
            PolarityTemplate::from_weights(&[(TensorSpec::new("w", vec![4]), &signs[..])], "t");
        let config = FreezeConfig::new(ResetRule::new(ResetMethod::Zero, 0.0)).with_biases(true);
        let one = One::<G> {
            w: Param::from_tensor(Tensor::from_floats([0.5, 0.5, 0.5, 0.5], &device)),
        };
        let totals = |limit: usize| {
            let mut t = Templates::<G>::build::<G, _>(&one, &template, &config, &device).unwrap();
            let layer = t.layers.values_mut().next().unwrap();
            layer.count_limit = limit;
            for _ in 0..5 {
                // the same violating tensor every step: entry 1 violates (0.5 vs -1)
                let _ = reset_tensor(
                    Tensor::<G, 1>::from_floats([0.5, 0.5, -0.5, -0.5], &device),
                    layer,
                    config.rule,
                );
            }
            t.take_counts().unwrap()[0].resets
        };
        // entries 1 and 2 violate: 2 per step, 5 steps
        assert_eq!(totals(usize::MAX), 10);
        assert_eq!(totals(4), 10, "flushed every step");
        assert_eq!(totals(9), 10, "flushed every second step");
    }
}
