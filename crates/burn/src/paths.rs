//! Parameters by path: the dotted names burn's module derive gives every parameter
//! (`features.0.weight`, `fc6.bias`), which is how polarity templates and pretrained weights
//! address them.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use polarity_core::TensorSpec;
use std::collections::BTreeMap;

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

/// Tracks the path of the parameter being visited from `enter_module`/`exit_module` calls.
#[derive(Default)]
pub(crate) struct PathStack(Vec<String>);

impl PathStack {
    pub(crate) fn enter(&mut self, name: &str) {
        self.0.push(name.to_string());
    }
    pub(crate) fn exit(&mut self) {
        self.0.pop();
    }
    pub(crate) fn path(&self) -> String {
        self.0.join(".")
    }
}

struct SpecCollector {
    stack: PathStack,
    selection: Selection,
    values: bool,
    out: Vec<(TensorSpec, Vec<f32>)>,
}

impl<B: Backend> ModuleVisitor<B> for SpecCollector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.stack.enter(name);
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
    let mut c = SpecCollector {
        stack: PathStack::default(),
        selection,
        values: false,
        out: Vec::new(),
    };
    module.visit(&mut c);
    c.out.into_iter().map(|(s, _)| s).collect()
}

/// Names, shapes and values (copied to the host, row-major in burn's layout) of the module's
/// float parameters.
pub fn param_values<B: Backend, M: Module<B>>(
    module: &M,
    selection: Selection,
) -> Vec<(TensorSpec, Vec<f32>)> {
    let mut c = SpecCollector {
        stack: PathStack::default(),
        selection,
        values: true,
        out: Vec::new(),
    };
    module.visit(&mut c);
    c.out
}

/// Values for some parameters of a module, keyed by path, in burn's layout (Linear `[in, out]`,
/// Conv2d `[out, in, kh, kw]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamedTensors(pub BTreeMap<String, (Vec<usize>, Vec<f32>)>);

impl NamedTensors {
    pub fn insert(&mut self, name: impl Into<String>, shape: Vec<usize>, values: Vec<f32>) {
        assert_eq!(
            shape.iter().product::<usize>(),
            values.len(),
            "values for a tensor of shape {shape:?}"
        );
        self.0.insert(name.into(), (shape, values));
    }
    pub fn get(&self, name: &str) -> Option<(&[usize], &[f32])> {
        self.0.get(name).map(|(s, v)| (s.as_slice(), v.as_slice()))
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

struct ValueSetter<'a, B: Backend> {
    stack: PathStack,
    values: &'a NamedTensors,
    device: B::Device,
    applied: Vec<String>,
}

impl<B: Backend> ModuleMapper<B> for ValueSetter<'_, B> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.stack.enter(name);
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
        self.applied.push(path);
        Param::from_mapped_value(id, new, mapper)
    }
}

/// Replaces the values of the named parameters (keeping each parameter's `ParamId`). Every
/// entry of `values` must name a float parameter of the same shape; all mismatches are listed.
pub fn set_param_values<B: Backend, M: Module<B>>(
    module: M,
    values: &NamedTensors,
    device: &B::Device,
) -> Result<M, crate::Error> {
    let specs = param_specs::<B, M>(&module, Selection::All);
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
    if !problems.is_empty() {
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        return Err(crate::Error::Mismatch(format!(
            "{}\n  (model parameters: {})",
            problems.join("\n"),
            names.join(", ")
        )));
    }
    let mut setter = ValueSetter {
        stack: PathStack::default(),
        values,
        device: device.clone(),
        applied: Vec::new(),
    };
    Ok(module.map(&mut setter))
}

struct IdCollector {
    stack: PathStack,
    out: BTreeMap<String, ParamId>,
}

impl<B: Backend> ModuleVisitor<B> for IdCollector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.stack.enter(name);
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
