//! Parameters, templates and jobs of the single-hidden-layer MLP.

use polarity_core::template::{MLP_HIDDEN, MLP_OUTPUT};
use polarity_core::{PolarityError, PolarityTemplate, ResetRule, TensorSpec};
use rand::Rng;

/// Weights of `inputs -> hidden (ReLU) -> 1 (sigmoid)`. Kernels in Keras' `[in, out]` layout.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpParams {
    pub inputs: usize,
    pub hidden: usize,
    /// `[inputs, hidden]`, row-major.
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    /// `[hidden, 1]`.
    pub w2: Vec<f32>,
    pub b2: f32,
}

impl MlpParams {
    pub fn specs(inputs: usize, hidden: usize) -> Vec<TensorSpec> {
        vec![
            TensorSpec::new(MLP_HIDDEN, vec![inputs, hidden]),
            TensorSpec::new("hidden.bias", vec![hidden]),
            TensorSpec::new(MLP_OUTPUT, vec![hidden, 1]),
            TensorSpec::new("output.bias", vec![1]),
        ]
    }

    /// The template of this network's own kernel signs (RAND-Polarity as in the official code).
    pub fn own_signs(&self) -> PolarityTemplate {
        PolarityTemplate::from_weights(
            &[
                (
                    TensorSpec::new(MLP_HIDDEN, vec![self.inputs, self.hidden]),
                    &self.w1[..],
                ),
                (
                    TensorSpec::new(MLP_OUTPUT, vec![self.hidden, 1]),
                    &self.w2[..],
                ),
            ],
            "own initial kernels",
        )
    }

    /// Puts the weights in line with `template` (initial alignment), returning resets per layer.
    pub fn align<R: Rng + ?Sized>(
        &mut self,
        template: &MlpTemplate,
        rule: ResetRule,
        rng: &mut R,
    ) -> Result<[u32; 2], PolarityError> {
        let mut b2 = [self.b2];
        let hidden = rule.enforce(&mut self.w1, &template.w1, rng)?
            + rule.enforce(&mut self.b1, &template.b1, rng)?;
        let output = rule.enforce(&mut self.w2, &template.w2, rng)?
            + rule.enforce(&mut b2, &[template.b2], rng)?;
        self.b2 = b2[0];
        Ok([hidden as u32, output as u32])
    }
}

/// Signs for every parameter of the MLP; biases are 0 (free) unless opted in.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpTemplate {
    pub w1: Vec<i8>,
    pub b1: Vec<i8>,
    pub w2: Vec<i8>,
    pub b2: i8,
}

impl MlpTemplate {
    /// Takes `hidden.weight` / `output.weight` (and, if present, `hidden.bias` / `output.bias`)
    /// from a polarity template; tensors it does not name are free. Shapes are checked.
    pub fn from_polarity(
        t: &PolarityTemplate,
        inputs: usize,
        hidden: usize,
    ) -> Result<Self, PolarityError> {
        t.check_against(&MlpParams::specs(inputs, hidden))?;
        let get = |name: &str, len: usize| {
            t.tensor(name)
                .map(|x| x.signs().to_vec())
                .unwrap_or_else(|| vec![0; len])
        };
        Ok(Self {
            w1: get(MLP_HIDDEN, inputs * hidden),
            b1: get("hidden.bias", hidden),
            w2: get(MLP_OUTPUT, hidden),
            b2: get("output.bias", 1)[0],
        })
    }
}

/// One network to train: its (already aligned) initial weights, its template if it is frozen,
/// and the seed of its reset generator (posRand draws).
#[derive(Debug, Clone)]
pub struct NetworkJob {
    pub params: MlpParams,
    pub template: Option<MlpTemplate>,
    pub reset_seed: u64,
}
