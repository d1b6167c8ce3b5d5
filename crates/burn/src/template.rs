//! Templates for burn modules: from a module's own kernels, or from weights given as
//! burn-store snapshots (e.g. a `.pth` or safetensors file read with burn-store, or another
//! module's `ModuleSnapshot::collect()`).

use crate::layout::{LaidOut, WeightLayout};
use crate::paths::{param_values, Selection};
use crate::Error;
use burn::module::Module;
use burn::store::TensorSnapshot;
use burn::tensor::backend::Backend;
use polarity_core::{NamedTensors, PolarityTemplate, TensorSpec};

/// RAND-Polarity from a model's own kernels: the signs of every rank >= 2 parameter (biases
/// free). `source` names what the weights are (saved in the template's provenance).
/// Tensors are in the module's visiting order.
pub fn kernel_template<B: Backend, M: Module<B>>(model: &M, source: &str) -> PolarityTemplate {
    let values = param_values::<B, M>(model, Selection::Kernels);
    let refs: Vec<(TensorSpec, &[f32])> = values
        .iter()
        .map(|(s, v)| (s.clone(), v.as_slice()))
        .collect();
    PolarityTemplate::from_weights(&refs, source)
}

/// The values of burn-store snapshots as `f32` host tensors, keyed by the given names (use
/// `snapshot.full_path()` for a module's snapshots, the file's keys for a file reader's).
pub fn snapshot_tensors<'a, I>(snapshots: I) -> Result<NamedTensors, Error>
where
    I: IntoIterator<Item = (String, &'a TensorSnapshot)>,
{
    let mut out = NamedTensors::default();
    for (name, snapshot) in snapshots {
        let data = snapshot.to_data().map_err(|e| Error::Snapshot {
            name: name.clone(),
            message: format!("{e:?}"),
        })?;
        let shape = data.shape.to_vec();
        out.insert(name, shape, data.iter::<f32>().collect());
    }
    Ok(out)
}

/// The kernel template of weights given as burn-store snapshots in `layout`, for `module`:
/// converted to burn's layout with the module's structure (so a square `Linear` layer from a
/// PyTorch file is transposed, not taken as it is), checked against its parameters, signs of
/// the rank >= 2 tensors.
pub fn snapshot_template<'a, B, M, I>(
    module: &M,
    snapshots: I,
    layout: WeightLayout,
    source: &str,
) -> Result<PolarityTemplate, Error>
where
    B: Backend,
    M: Module<B>,
    I: IntoIterator<Item = (String, &'a TensorSnapshot)>,
{
    LaidOut::new(layout, snapshot_tensors(snapshots)?).kernel_template(module, source)
}
