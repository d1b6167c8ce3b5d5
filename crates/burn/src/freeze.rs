//! `FreezeOptimizer`: Freeze-SGD (paper Algorithm 1) as a wrapper around any burn optimizer.
//!
//! After every step of the inner optimizer, each constrained parameter `w` with template `t`
//! is put back where `w * t < 0`, with the same semantics as `polarity_core::ResetRule`:
//! posCon `t * eps`, posRand `t * U[0, eps)`, zero `0`, flip `-w`; template zeros are free.
//! The reset runs as tensor operations on the parameter's own device (GPU included) and the
//! parameter keeps its `ParamId`, so the inner optimizer's state (Adam moments) stays attached
//! and is never touched.

use crate::paths::{param_specs, PathStack, Selection};
use crate::Error;
use burn::module::{AutodiffModule, Module, ModuleMapper, Param};
use burn::optim::{GradientsParams, LearningRate, MultiGradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Distribution, Int, Tensor, TensorData};
use polarity_core::{PolarityTemplate, ResetMethod, ResetRule};
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// One constrained parameter: its signs on the device, and the reset/NaN counts accumulated
/// on the device since they were last read (read back only when asked, so a GPU step does not
/// wait for the host).
#[derive(Clone, Debug)]
struct LayerState<B: Backend> {
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

/// Options of [`FreezeOptimizer`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FreezeConfig {
    /// How violating weights are put back, and `eps` for posCon/posRand.
    pub rule: ResetRule,
    /// Allow templates on rank-1 parameters (biases). Off by default: the paper constrains
    /// kernels only, and a bias in a template is more likely a mistake than a choice.
    pub allow_biases: bool,
}

impl FreezeConfig {
    pub fn new(rule: ResetRule) -> Self {
        Self {
            rule,
            ..Self::default()
        }
    }
    pub fn with_biases(mut self, allow: bool) -> Self {
        self.allow_biases = allow;
        self
    }
}

/// The shared template store: device tensors of signs by parameter path.
#[derive(Clone, Debug)]
struct Templates<B: Backend> {
    layers: BTreeMap<String, LayerState<B>>,
    constrained: BTreeMap<String, usize>,
}

impl<B: Backend> Templates<B> {
    fn build<BM: Backend, M: Module<BM>>(
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

    fn take_counts(&mut self) -> Result<Vec<LayerResets>, Error> {
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

/// Enforces `signs` on `w` with `rule`; returns the new tensor and the violation mask.
/// Pure tensor ops, so it runs on whichever device `w` lives on.
fn reset_tensor<B: Backend, const D: usize>(
    w: Tensor<B, D>,
    layer: &mut LayerState<B>,
    rule: ResetRule,
) -> Tensor<B, D> {
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

/// Maps an autodiff module, resetting constrained parameters on the inner backend and keeping
/// each parameter a leaf with its `ParamId`.
struct AutodiffResetMapper<'a, B: AutodiffBackend> {
    stack: PathStack,
    templates: &'a mut Templates<B::InnerBackend>,
    rule: ResetRule,
}

impl<B: AutodiffBackend> ModuleMapper<B> for AutodiffResetMapper<'_, B> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.stack.enter(name);
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.stack.exit();
    }
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        let Some(layer) = self.templates.layers.get_mut(&self.stack.path()) else {
            return param;
        };
        let (id, tensor, mapper) = param.consume();
        let require_grad = tensor.is_require_grad();
        let inner = reset_tensor(tensor.inner(), layer, self.rule);
        let mut tensor = Tensor::from_inner(inner);
        if require_grad {
            tensor = tensor.require_grad();
        }
        Param::from_mapped_value(id, tensor, mapper)
    }
}

/// Maps a module on a plain (non-autodiff) backend.
struct ResetMapper<'a, B: Backend> {
    stack: PathStack,
    templates: &'a mut Templates<B>,
    rule: ResetRule,
}

impl<B: Backend> ModuleMapper<B> for ResetMapper<'_, B> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.stack.enter(name);
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.stack.exit();
    }
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        let Some(layer) = self.templates.layers.get_mut(&self.stack.path()) else {
            return param;
        };
        let (id, tensor, mapper) = param.consume();
        let require_grad = tensor.is_require_grad();
        let mut tensor = reset_tensor(tensor, layer, self.rule);
        if require_grad {
            tensor = tensor.require_grad();
        }
        Param::from_mapped_value(id, tensor, mapper)
    }
}

/// Enforces `template` once on a module of any backend (no optimizer), e.g. to match a
/// network's initial weights to its template before training ([`polarity_core::InitAlignment`]:
/// the paper's image code flips, keeping magnitudes). Returns the module and the per-layer
/// reset counts.
pub fn enforce_template<B: Backend, M: Module<B>>(
    module: M,
    template: &PolarityTemplate,
    config: &FreezeConfig,
    device: &B::Device,
) -> Result<(M, Vec<LayerResets>), Error> {
    let mut templates = Templates::<B>::build::<B, M>(&module, template, config, device)?;
    let mut mapper = ResetMapper {
        stack: PathStack::default(),
        templates: &mut templates,
        rule: config.rule,
    };
    let module = module.map(&mut mapper);
    let counts = templates.take_counts()?;
    Ok((module, counts))
}

/// Wraps a burn optimizer so that every step is followed by the polarity reset (Freeze-SGD).
///
/// ```no_run
/// # use burn::backend::{Autodiff, Flex};
/// # use burn::nn::{Linear, LinearConfig};
/// # use burn::optim::{AdamConfig, GradientsParams, Optimizer};
/// # use polarity_burn::{FreezeConfig, FreezeOptimizer, kernel_template};
/// # use polarity_core::{ResetMethod, ResetRule};
/// type B = Autodiff<Flex>;
/// let device = Default::default();
/// let model: Linear<B> = LinearConfig::new(4, 2).init(&device);
/// // Fix the signs of the model's own initial kernels (RAND-Polarity).
/// let template = kernel_template::<B, _>(&model, "init");
/// let config = FreezeConfig::new(ResetRule::new(ResetMethod::PosRand, 1e-3));
/// let mut optim = FreezeOptimizer::new(AdamConfig::new().init(), &model, &template, config, &device)
///     .unwrap();
/// # let loss = model.forward(burn::tensor::Tensor::<B, 2>::ones([1, 4], &device)).sum();
/// let grads = GradientsParams::from_grads(loss.backward(), &model);
/// let model = optim.step(1e-3, model, grads); // Adam step, then the sign reset
/// ```
#[derive(Clone)]
pub struct FreezeOptimizer<O, B: AutodiffBackend> {
    inner: O,
    templates: Templates<B::InnerBackend>,
    rule: ResetRule,
    _backend: PhantomData<B>,
}

impl<O, B: AutodiffBackend> FreezeOptimizer<O, B> {
    /// Wraps `inner`. `template` is keyed by parameter path (see [`crate::param_specs`]); every
    /// template tensor must name a parameter of `model` with the same shape (all mismatches are
    /// listed in the error), and only rank >= 2 parameters unless `config.allow_biases`.
    /// Parameters without a template entry are unconstrained.
    ///
    /// posRand draws from the backend's random generator; seed it with `B::seed(device, seed)`
    /// for reproducible runs.
    pub fn new<M: Module<B>>(
        inner: O,
        model: &M,
        template: &PolarityTemplate,
        config: FreezeConfig,
        device: &B::Device,
    ) -> Result<Self, Error> {
        let inner_device = device.clone();
        let templates =
            Templates::<B::InnerBackend>::build::<B, M>(model, template, &config, &inner_device)?;
        Ok(Self {
            inner,
            templates,
            rule: config.rule,
            _backend: PhantomData,
        })
    }

    /// The wrapped optimizer.
    pub fn inner(&self) -> &O {
        &self.inner
    }

    /// The reset rule applied after each step.
    pub fn rule(&self) -> ResetRule {
        self.rule
    }

    /// Paths of the constrained parameters.
    pub fn constrained_params(&self) -> impl Iterator<Item = &str> {
        self.templates.layers.keys().map(String::as_str)
    }

    /// Applies the template to `module` now with `rule` (e.g. `ResetMethod::Flip` to align a
    /// network's initial weights, as the paper's image code does). Counts add to the same
    /// per-layer totals as the steps' resets.
    pub fn enforce_with<M: AutodiffModule<B>>(&mut self, module: M, rule: ResetRule) -> M {
        let mut mapper = AutodiffResetMapper::<B> {
            stack: PathStack::default(),
            templates: &mut self.templates,
            rule,
        };
        module.map(&mut mapper)
    }

    /// Per constrained parameter, the entries reset since the last call (summed over steps),
    /// then starts counting afresh. This reads the counters back from the device. A NaN in a
    /// constrained parameter since the last call is an error naming the parameter.
    pub fn take_reset_counts(&mut self) -> Result<Vec<LayerResets>, Error> {
        self.templates.take_counts()
    }
}

impl<O, M, B> Optimizer<M, B> for FreezeOptimizer<O, B>
where
    B: AutodiffBackend,
    M: AutodiffModule<B>,
    O: Optimizer<M, B>,
{
    type Record = O::Record;

    fn step(&mut self, lr: LearningRate, module: M, grads: GradientsParams) -> M {
        let module = self.inner.step(lr, module, grads);
        let rule = self.rule;
        self.enforce_with(module, rule)
    }

    fn step_multi(&mut self, lr: LearningRate, module: M, grads: MultiGradientsParams) -> M {
        let module = self.inner.step_multi(lr, module, grads);
        let rule = self.rule;
        self.enforce_with(module, rule)
    }

    fn to_record(&self) -> Self::Record {
        self.inner.to_record()
    }

    fn load_record(mut self, record: Self::Record) -> Self {
        self.inner = self.inner.load_record(record);
        self
    }
}

/// RAND-Polarity from a model's own kernels: the signs of every rank >= 2 parameter (biases
/// free). `source` names what the weights are (saved in the template's provenance).
pub fn kernel_template<B: Backend, M: Module<B>>(model: &M, source: &str) -> PolarityTemplate {
    let values = crate::paths::param_values::<B, M>(model, Selection::Kernels);
    let refs: Vec<(polarity_core::TensorSpec, &[f32])> = values
        .iter()
        .map(|(s, v)| (s.clone(), v.as_slice()))
        .collect();
    PolarityTemplate::from_weights(&refs, source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::Flex;
    use polarity_core::TensorSpec;

    #[derive(Module, Debug)]
    struct One<B: Backend> {
        w: Param<Tensor<B, 1>>,
    }

    /// Counts moved to the host before the device sums could overflow add up to the same
    /// totals as counts kept on the device.
    #[test]
    fn counts_survive_flushing() {
        let device = Default::default();
        let signs = [1.0f32, -1.0, 1.0, 0.0];
        let template =
            PolarityTemplate::from_weights(&[(TensorSpec::new("w", vec![4]), &signs[..])], "t");
        let config = FreezeConfig::new(ResetRule::new(ResetMethod::Zero, 0.0)).with_biases(true);
        let one = One::<Flex> {
            w: Param::from_tensor(Tensor::from_floats([0.5, 0.5, 0.5, 0.5], &device)),
        };
        let totals = |limit: usize| {
            let mut t =
                Templates::<Flex>::build::<Flex, _>(&one, &template, &config, &device).unwrap();
            let layer = t.layers.values_mut().next().unwrap();
            layer.count_limit = limit;
            for _ in 0..5 {
                // the same violating tensor every step: entry 1 violates (0.5 vs -1)
                let _ = reset_tensor(
                    Tensor::<Flex, 1>::from_floats([0.5, 0.5, -0.5, -0.5], &device),
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
