//! Control templates for transfer studies: random signs or shuffled signs with the shapes (and
//! the free entries) of a given template (docs/decisions.md D-TEMPLATE-5).
//!
//! Each tensor's stream is named by the seed and the tensor's name, so a tensor's control does not
//! depend on which other tensors the template holds or their order.

use crate::seed;
use crate::template::{Provenance, TensorTemplate};
use crate::PolarityTemplate;
use rand::Rng;

/// The stream of tensor `name` for the control `purpose`.
fn tensor_rng(seed: u64, purpose: &str, name: &str) -> seed::PolarityRng {
    seed::rng(seed, &[seed::label(purpose), seed::label(name)])
}

impl PolarityTemplate {
    /// Same tensors and shapes; every constrained (non-zero) entry replaced by +1 or -1 with
    /// probability 1/2, free entries (0) kept free. Tensor `name` draws from
    /// `rng(seed, [label("template-random-like"), label(name)])`, one draw per constrained entry
    /// in index order.
    pub fn random_like(&self, seed: u64) -> Self {
        self.control(seed, "template-random-like", |signs, rng| {
            for s in signs.iter_mut().filter(|s| **s != 0) {
                *s = if rng.random::<bool>() { 1 } else { -1 };
            }
        })
    }

    /// Same tensors and shapes; within each tensor, the signs of the constrained entries permuted
    /// uniformly at random (Fisher-Yates) among the constrained positions, free entries kept in
    /// place, so each tensor keeps its counts of +1, -1 and 0. Tensor `name` draws from
    /// `rng(seed, [label("template-shuffle"), label(name)])`.
    pub fn shuffled(&self, seed: u64) -> Self {
        self.control(seed, "template-shuffle", |signs, rng| {
            let positions: Vec<usize> = (0..signs.len()).filter(|&i| signs[i] != 0).collect();
            for k in (1..positions.len()).rev() {
                let j = rng.random_range(0..=k);
                signs.swap(positions[k], positions[j]);
            }
        })
    }

    fn control(
        &self,
        seed: u64,
        purpose: &str,
        redraw: impl Fn(&mut [i8], &mut seed::PolarityRng),
    ) -> Self {
        let tensors = self
            .tensors
            .iter()
            .map(|t| {
                let mut signs = t.signs().to_vec();
                redraw(&mut signs, &mut tensor_rng(seed, purpose, t.name()));
                TensorTemplate::new(t.spec.clone(), signs).expect("same shape, signs in -1..=1")
            })
            .collect();
        // The hash is that of the template it was made like: the bytes of its file.
        let mut provenance = Provenance::new(
            format!("{purpose}(seed={seed}) of [{}]", self.provenance.source),
            &self.to_bytes(),
        );
        provenance.layout = self.provenance.layout;
        Self {
            tensors,
            provenance,
        }
    }
}
