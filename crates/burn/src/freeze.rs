//! `FreezeOptimizer`: Freeze-SGD (paper Algorithm 1) as a wrapper around any burn optimizer,
//! and [`enforce_template`] to apply a template once.
//!
//! After every step of the inner optimizer, each constrained parameter is put back where it
//! violates its template ([`crate::reset`]). The reset runs as tensor operations on the
//! parameter's own device (GPU included) and the parameter keeps its `ParamId`, so the inner
//! optimizer's state (Adam moments) stays attached and is never touched.

use crate::paths::PathStack;
use crate::reset::{reset_tensor, LayerResets, Templates};
use crate::Error;
use burn::module::{AutodiffModule, Module, ModuleMapper, Param};
use burn::optim::{GradientsParams, LearningRate, MultiGradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::Tensor;
use polarity_core::{PolarityTemplate, ResetRule};
use std::marker::PhantomData;

/// Options of [`FreezeOptimizer`] and [`enforce_template`].
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

/// Maps an autodiff module, resetting constrained parameters on the inner backend and keeping
/// each parameter a leaf with its `ParamId`.
struct AutodiffResetMapper<'a, B: AutodiffBackend> {
    stack: PathStack,
    templates: &'a mut Templates<B::InnerBackend>,
    rule: ResetRule,
}

impl<B: AutodiffBackend> ModuleMapper<B> for AutodiffResetMapper<'_, B> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.stack.enter(name, container_type);
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

/// Maps a module of any backend, autodiff included: the parameter is taken out of gradient
/// tracking before the reset, so the result is a fresh leaf that may require gradients again
/// (on an autodiff backend, a tensor computed from a tracked one cannot).
struct ResetMapper<'a, B: Backend> {
    stack: PathStack,
    templates: &'a mut Templates<B>,
    rule: ResetRule,
}

impl<B: Backend> ModuleMapper<B> for ResetMapper<'_, B> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.stack.enter(name, container_type);
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
        let mut tensor = reset_tensor(tensor.set_require_grad(false), layer, self.rule);
        if require_grad {
            tensor = tensor.require_grad();
        }
        Param::from_mapped_value(id, tensor, mapper)
    }
}

/// Enforces `template` once on a module of any backend, autodiff included (no optimizer),
/// e.g. to match a network's initial weights to its template before training
/// ([`polarity_core::InitAlignment`]: the paper's image code flips, keeping magnitudes).
/// Returns the module (every parameter keeps its `ParamId` and gradient requirement) and the
/// per-layer reset counts.
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
/// # use polarity_burn::{FreezeConfig, FreezeOptimizer, kernel_template, ResetMethod, ResetRule};
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
        let templates =
            Templates::<B::InnerBackend>::build::<B, M>(model, template, &config, device)?;
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
