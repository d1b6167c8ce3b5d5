//! Tensors from outside burn, with the layout they are in.
//!
//! burn stores a `Linear` weight as `[in, out]` (as Keras and polarity's MLP templates do);
//! PyTorch stores it as `[out, in]`. Conv kernels are `[out, in, kh, kw]` in both. Shapes
//! cannot tell the layouts apart for a square layer, so tensors read from a file carry their
//! layout ([`LaidOut`]) and are converted with the target module's structure: a parameter is
//! transposed because it is a `Linear` weight, never because of its shape.

use crate::paths::{linear_weights, mismatches, param_specs, Selection};
use crate::Error;
use burn::module::Module;
use burn::tensor::backend::Backend;
use polarity_core::{NamedTensors, PolarityTemplate};
use std::collections::BTreeSet;

/// How `Linear` weights are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightLayout {
    /// burn (and Keras): `[in, out]`.
    Burn,
    /// PyTorch (`.pth` files, safetensors written from PyTorch): `[out, in]`.
    PyTorch,
}

/// Named tensors in a stated [`WeightLayout`]. Convert them with [`LaidOut::into_burn`] before
/// loading them into a burn module or building a template for one.
#[derive(Debug, Clone, PartialEq)]
pub struct LaidOut {
    pub layout: WeightLayout,
    pub tensors: NamedTensors,
}

impl LaidOut {
    pub fn new(layout: WeightLayout, tensors: NamedTensors) -> Self {
        Self { layout, tensors }
    }

    /// The tensors in burn's layout for `module`: the module's `Linear` weights are transposed
    /// when the tensors are PyTorch's. Every tensor must name a parameter of `module` with its
    /// shape (in the stated layout); all mismatches are listed.
    pub fn into_burn<B: Backend, M: Module<B>>(self, module: &M) -> Result<NamedTensors, Error> {
        let linear = linear_weights::<B, M>(module);
        let tensors = self.into_burn_with(&linear);
        mismatches(&param_specs::<B, M>(module, Selection::All), &tensors)?;
        Ok(tensors)
    }

    /// The tensors in burn's layout, given the paths of the `Linear` weights among them (when
    /// no module is at hand, e.g. a loader that knows its network's layer names). Only rank-2
    /// tensors named in `linear_weights` are transposed; shapes are not checked.
    pub fn into_burn_with(self, linear_weights: &BTreeSet<String>) -> NamedTensors {
        if self.layout == WeightLayout::Burn {
            return self.tensors;
        }
        let mut out = NamedTensors::default();
        for (name, (shape, values)) in self.tensors.0 {
            match (shape.as_slice(), linear_weights.contains(&name)) {
                (&[rows, cols], true) => {
                    let values = transpose(&values, rows, cols);
                    out.insert(name, vec![cols, rows], values);
                }
                _ => out.insert(name, shape, values),
            }
        }
        out
    }

    /// The kernel template (rank >= 2, `sign(w)`, exact zeros free) of these tensors for
    /// `module`, in burn's layout (see [`LaidOut::into_burn`]).
    pub fn kernel_template<B: Backend, M: Module<B>>(
        self,
        module: &M,
        source: &str,
    ) -> Result<PolarityTemplate, Error> {
        Ok(self.into_burn(module)?.kernel_template(source))
    }
}

/// A row-major `rows x cols` matrix as `cols x rows`.
pub(crate) fn transpose(v: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; v.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = v[r * cols + c];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_moves_rows_to_columns() {
        // [[1, 2, 3], [4, 5, 6]] -> [[1, 4], [2, 5], [3, 6]]
        assert_eq!(
            transpose(&[1., 2., 3., 4., 5., 6.], 2, 3),
            vec![1., 4., 2., 5., 3., 6.]
        );
    }

    #[test]
    fn only_named_rank_2_tensors_are_transposed() {
        let mut t = NamedTensors::default();
        t.insert("fc.weight", vec![2, 2], vec![1., 2., 3., 4.]);
        t.insert("fc.bias", vec![2], vec![1., 2.]);
        t.insert("conv.weight", vec![1, 1, 2, 2], vec![1., 2., 3., 4.]);
        let linear: BTreeSet<String> = ["fc.weight".to_string()].into();
        let burn = LaidOut::new(WeightLayout::PyTorch, t.clone()).into_burn_with(&linear);
        assert_eq!(burn.get("fc.weight").unwrap().1, &[1., 3., 2., 4.]);
        assert_eq!(burn.get("fc.bias"), t.get("fc.bias"));
        assert_eq!(burn.get("conv.weight"), t.get("conv.weight"));
        assert_eq!(
            LaidOut::new(WeightLayout::Burn, t.clone()).into_burn_with(&linear),
            t
        );
    }
}
