//! Parameters by path: the dotted names burn's module derive gives every parameter
//! (`features.0.weight`, `fc6.bias`), which is how polarity templates and pretrained weights
//! address them.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use polarity_core::{NamedTensors, TensorSpec};
use std::collections::{BTreeMap, BTreeSet};

/// Which float parameters a query selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Every float parameter.
    All,
    /// Kernels only: parameters of rank 2 or more (Linear and Conv weights); biases (rank 1)
    /// are left out, as in the paper's code.
    Kernels,
}

impl Selection {
    fn keeps(self, rank: usize) -> bool {
        match self {
            Self::All => true,
            Self::Kernels => rank >= 2,
        }
    }
}

/// Tracks the path of the parameter being visited from `enter_module`/`exit_module` calls,
/// with the container type burn passes for each level (`Struct:Linear` for a Linear's fields).
#[derive(Default)]
pub(crate) struct PathStack(Vec<(String, String)>);

impl PathStack {
    pub(crate) fn enter(&mut self, name: &str, container_type: &str) {
        self.0.push((name.to_string(), container_type.to_string()));
    }
    pub(crate) fn exit(&mut self) {
        self.0.pop();
    }
    pub(crate) fn path(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|(n, _)| n.as_str()).collect();
        names.join(".")
    }
    /// Whether the parameter being visited is the `weight` field of a burn `Linear`.
    pub(crate) fn is_linear_weight(&self) -> bool {
        matches!(self.0.last(), Some((name, container)) if name == "weight" && container == "Struct:Linear")
    }
}

struct SpecCollector {
    stack: PathStack,
    selection: Selection,
    values: bool,
    out: Vec<(TensorSpec, Vec<f32>)>,
    linear: BTreeSet<String>,
}

impl SpecCollector {
    fn new(selection: Selection, values: bool) -> Self {
        Self {
            stack: PathStack::default(),
            selection,
            values,
            out: Vec::new(),
            linear: BTreeSet::new(),
        }
    }
}

impl<B: Backend> ModuleVisitor<B> for SpecCollector {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.stack.enter(name, container_type);
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.stack.exit();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        if !self.selection.keeps(D) {
            return;
        }
        let tensor = param.val();
        let spec = TensorSpec::new(self.stack.path(), tensor.dims().to_vec());
        if self.stack.is_linear_weight() {
            self.linear.insert(spec.name.clone());
        }
        let values = if self.values {
            tensor_to_vec(tensor.into_data())
        } else {
            Vec::new()
        };
        self.out.push((spec, values));
    }
}

/// Converts tensor data of any float precision to `f32` values (row-major).
pub(crate) fn tensor_to_vec(data: TensorData) -> Vec<f32> {
    data.iter::<f32>().collect()
}

/// Names and shapes of the module's float parameters, in visiting order.
pub fn param_specs<B: Backend, M: Module<B>>(module: &M, selection: Selection) -> Vec<TensorSpec> {
    let mut c = SpecCollector::new(selection, false);
    module.visit(&mut c);
    c.out.into_iter().map(|(s, _)| s).collect()
}

/// Paths of the module's `Linear` weights: the parameters whose layout differs between burn
/// (`[in, out]`) and PyTorch (`[out, in]`). Told by the module's structure, not by shape, so
/// a square layer is found too.
pub fn linear_weights<B: Backend, M: Module<B>>(module: &M) -> BTreeSet<String> {
    let mut c = SpecCollector::new(Selection::All, false);
    module.visit(&mut c);
    c.linear
}

/// Names, shapes and values (copied to the host, row-major in burn's layout) of the module's
/// float parameters.
pub fn param_values<B: Backend, M: Module<B>>(
    module: &M,
    selection: Selection,
) -> Vec<(TensorSpec, Vec<f32>)> {
    let mut c = SpecCollector::new(selection, true);
    module.visit(&mut c);
    c.out
}

/// The module's float parameters as [`NamedTensors`] (burn's layout).
pub fn named_values<B: Backend, M: Module<B>>(module: &M, selection: Selection) -> NamedTensors {
    let mut out = NamedTensors::default();
    for (spec, values) in param_values::<B, M>(module, selection) {
        out.insert(spec.name, spec.shape, values);
    }
    out
}

struct ValueSetter<'a, B: Backend> {
    stack: PathStack,
    values: &'a NamedTensors,
    device: B::Device,
}

impl<B: Backend> ModuleMapper<B> for ValueSetter<'_, B> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.stack.enter(name, container_type);
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.stack.exit();
    }
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        let path = self.stack.path();
        let Some((shape, values)) = self.values.get(&path) else {
            return param;
        };
        let (id, tensor, mapper) = param.consume();
        // Shapes were checked before mapping; keep the id so optimizer state stays attached.
        let require_grad = tensor.is_require_grad();
        let mut new = Tensor::<B, D>::from_data(
            TensorData::new(values.to_vec(), shape.to_vec()),
            &self.device,
        );
        if require_grad {
            new = new.require_grad();
        }
        Param::from_mapped_value(id, new, mapper)
    }
}

/// Lists every entry of `values` that does not name a parameter of `specs` with the same shape.
pub(crate) fn mismatches(specs: &[TensorSpec], values: &NamedTensors) -> Result<(), crate::Error> {
    let mut problems = Vec::new();
    for (name, (shape, _)) in &values.0 {
        match specs.iter().find(|s| &s.name == name) {
            None => problems.push(format!(
                "  '{name}' {shape:?}: no such parameter in the model"
            )),
            Some(s) if &s.shape != shape => problems.push(format!(
                "  '{name}': given shape {shape:?}, model shape {:?}",
                s.shape
            )),
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    Err(crate::Error::Mismatch(format!(
        "{}\n  (model parameters: {})",
        problems.join("\n"),
        names.join(", ")
    )))
}

/// Replaces the values of the named parameters (keeping each parameter's `ParamId`). Every
/// entry of `values` must name a float parameter of the same shape (burn's layout); all
/// mismatches are listed.
pub fn set_param_values<B: Backend, M: Module<B>>(
    module: M,
    values: &NamedTensors,
    device: &B::Device,
) -> Result<M, crate::Error> {
    mismatches(&param_specs::<B, M>(&module, Selection::All), values)?;
    let mut setter = ValueSetter {
        stack: PathStack::default(),
        values,
        device: device.clone(),
    };
    Ok(module.map(&mut setter))
}

struct IdCollector {
    stack: PathStack,
    out: BTreeMap<String, ParamId>,
}

impl<B: Backend> ModuleVisitor<B> for IdCollector {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.stack.enter(name, container_type);
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.stack.exit();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        self.out.insert(self.stack.path(), param.id);
    }
}

/// Each float parameter's `ParamId`, by path (to check that a transformation kept them).
pub fn param_ids<B: Backend, M: Module<B>>(module: &M) -> BTreeMap<String, ParamId> {
    let mut c = IdCollector {
        stack: PathStack::default(),
        out: BTreeMap::new(),
    };
    module.visit(&mut c);
    c.out
}
