//! Named host tensors: the common currency between weight files, networks, templates and the
//! image conditions, independent of any deep-learning framework.

use crate::template::{PolarityTemplate, TensorSpec};
use std::collections::BTreeMap;

/// Values for some parameters of a network, keyed by parameter path (`conv1.weight`), each with
/// its shape and row-major `f32` values. The layout is the caller's (in polarity's burn crates:
/// Linear `[in, out]`, Conv2d `[out, in, kh, kw]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamedTensors(pub BTreeMap<String, (Vec<usize>, Vec<f32>)>);

impl NamedTensors {
    /// Adds (or replaces) a tensor. Panics if `values` does not fill `shape`: that is a bug in
    /// the caller, not a property of any input file.
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

    /// The template of the kernels (rank >= 2 tensors): `sign(w)`, exact zeros free. Biases
    /// are left out, as the paper constrains kernels only.
    pub fn kernel_template(&self, source: &str) -> PolarityTemplate {
        let kernels: Vec<(TensorSpec, &[f32])> = self
            .0
            .iter()
            .filter(|(_, (shape, _))| shape.len() >= 2)
            .map(|(name, (shape, values))| {
                (
                    TensorSpec::new(name.clone(), shape.clone()),
                    values.as_slice(),
                )
            })
            .collect();
        PolarityTemplate::from_weights(&kernels, source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_template_leaves_biases_and_zeros_free() {
        let mut t = NamedTensors::default();
        t.insert("a.weight", vec![1, 3], vec![0.5, 0.0, -2.0]);
        t.insert("a.bias", vec![1], vec![1.0]);
        let template = t.kernel_template("test");
        assert_eq!(template.tensors.len(), 1);
        assert_eq!(template.tensor("a.weight").unwrap().signs(), &[1, 0, -1]);
        assert_eq!(t.names().collect::<Vec<_>>(), ["a.bias", "a.weight"]);
    }

    #[test]
    #[should_panic(expected = "values for a tensor of shape [2, 2]")]
    fn insert_checks_the_shape() {
        NamedTensors::default().insert("x", vec![2, 2], vec![0.0; 3]);
    }
}
