//! `PolarityTemplate`: one sign in {-1, 0, +1} per weight, per parameter tensor.

use crate::seed;
use crate::template_layout::LinearLayout;
use crate::{sign_of, PolarityError};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A parameter tensor's name (e.g. `features.0.weight`) and shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorSpec {
    pub name: String,
    pub shape: Vec<usize>,
}

impl TensorSpec {
    pub fn new(name: impl Into<String>, shape: Vec<usize>) -> Self {
        Self {
            name: name.into(),
            shape,
        }
    }
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Where a template came from; saved with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// What it came from, e.g. `random(seed=3)` or `weights:alexnet.pth`.
    pub source: String,
    /// SHA-256 (hex) of the source: the weights' little-endian bytes, a file, or the rule and seed.
    pub source_sha256: String,
    /// The polarity version that made it.
    pub created_by: String,
    /// The layout of the template's rank-2 (Linear) kernels, where the maker knew it. `None` in
    /// files written before it was recorded and for templates built from bare shapes; such files
    /// still load (docs/decisions.md D-TEMPLATE-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<LinearLayout>,
}

impl Provenance {
    pub fn new(source: impl Into<String>, hash_of: &[u8]) -> Self {
        Self {
            source: source.into(),
            source_sha256: hex(&Sha256::digest(hash_of)),
            created_by: format!("polarity-core {}", env!("CARGO_PKG_VERSION")),
            layout: None,
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signs of one parameter tensor, row-major in `spec.shape`. 0 = unconstrained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorTemplate {
    pub spec: TensorSpec,
    signs: Vec<i8>,
}

impl TensorTemplate {
    pub fn new(spec: TensorSpec, signs: Vec<i8>) -> Result<Self, PolarityError> {
        if signs.len() != spec.numel() {
            return Err(PolarityError::Invalid {
                field: format!("template tensor '{}'", spec.name),
                message: format!(
                    "{} signs for shape {:?} ({} entries)",
                    signs.len(),
                    spec.shape,
                    spec.numel()
                ),
            });
        }
        if let Some(bad) = signs.iter().find(|s| !(-1..=1).contains(*s)) {
            return Err(PolarityError::Invalid {
                field: format!("template tensor '{}'", spec.name),
                message: format!("sign {bad} is not -1, 0 or +1"),
            });
        }
        Ok(Self { spec, signs })
    }
    pub fn signs(&self) -> &[i8] {
        &self.signs
    }
    pub fn name(&self) -> &str {
        &self.spec.name
    }
    /// Fraction of entries that are constrained (non-zero).
    pub fn constrained_fraction(&self) -> f64 {
        let n = self.signs.iter().filter(|s| **s != 0).count();
        n as f64 / self.signs.len().max(1) as f64
    }
}

/// How a Dale-style template picks each presynaptic unit's sign.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Excitatory {
    /// Each unit excitatory with probability 1/2, from the seed.
    Random { seed: u64 },
    /// Exactly `round(fraction * units)` excitatory units, chosen by a seeded permutation.
    Fraction { fraction: f64, seed: u64 },
}

/// Per parameter tensor, a sign template, plus where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PolarityTemplate {
    pub tensors: Vec<TensorTemplate>,
    pub provenance: Provenance,
}

/// Names of the two kernels of the single-hidden-layer MLP (kernel layout `[in, out]`).
pub const MLP_HIDDEN: &str = "hidden.weight";
pub const MLP_OUTPUT: &str = "output.weight";

impl PolarityTemplate {
    /// Signs of the given weights (`np.sign`: exact zeros give 0 = free). NaN weights give 0.
    pub fn from_weights(tensors: &[(TensorSpec, &[f32])], source: &str) -> Self {
        let mut bytes = Vec::new();
        let tensors = tensors
            .iter()
            .map(|(spec, w)| {
                assert_eq!(w.len(), spec.numel(), "weights of '{}'", spec.name);
                bytes.extend(w.iter().flat_map(|x| x.to_le_bytes()));
                TensorTemplate {
                    spec: spec.clone(),
                    signs: w.iter().map(|&x| sign_of(x)).collect(),
                }
            })
            .collect();
        Self {
            tensors,
            provenance: Provenance::new(format!("weights:{source}"), &bytes),
        }
    }

    /// Every entry +1 or -1 with probability 1/2 (Bernoulli(0.5)), tensor k from `derive(seed, [k])`.
    pub fn random(specs: &[TensorSpec], seed: u64) -> Self {
        let tensors = specs
            .iter()
            .enumerate()
            .map(|(k, spec)| {
                let mut rng = seed::rng(seed, &[seed::label("template-random"), k as u64]);
                TensorTemplate {
                    spec: spec.clone(),
                    signs: (0..spec.numel())
                        .map(|_| if rng.random::<bool>() { 1 } else { -1 })
                        .collect(),
                }
            })
            .collect();
        let src = format!("random(seed={seed})");
        Self {
            tensors,
            provenance: Provenance::new(src.clone(), src.as_bytes()),
        }
    }

    /// The XOR "sufficient" polarity of a single-hidden-layer net with hidden kernel `w1`
    /// (`[inputs, hidden]`, row-major): hidden signs = sign(w1); output weight of unit j =
    /// sign(w1[0, j]) * sign(w1[1, j]) (labels 1 for same-sign quadrants, docs/decisions.md
    /// D-XOR-DATA-2).
    pub fn xor_sufficient(w1: &[f32], inputs: usize, hidden: usize) -> Self {
        assert!(inputs >= 2, "XOR needs at least 2 inputs");
        assert_eq!(w1.len(), inputs * hidden);
        let hidden_signs: Vec<i8> = w1.iter().map(|&x| sign_of(x)).collect();
        let out: Vec<i8> = (0..hidden)
            .map(|j| hidden_signs[j] * hidden_signs[hidden + j])
            .collect();
        let bytes: Vec<u8> = w1.iter().flat_map(|x| x.to_le_bytes()).collect();
        Self {
            tensors: vec![
                TensorTemplate {
                    spec: TensorSpec::new(MLP_HIDDEN, vec![inputs, hidden]),
                    signs: hidden_signs,
                },
                TensorTemplate {
                    spec: TensorSpec::new(MLP_OUTPUT, vec![hidden, 1]),
                    signs: out,
                },
            ],
            provenance: Provenance::new("rule:xor-sufficient(sign(w1)*sign(w2))", &bytes),
        }
    }

    /// Dale-style template: every outgoing weight of a presynaptic unit shares one sign.
    /// `presynaptic_axis` is the axis indexing presynaptic units (0 for `[in, out]` kernels,
    /// 1 for PyTorch's `[out, in, ...]`). Tensor k uses seed `derive(seed, [k])`.
    pub fn dale(
        specs: &[(TensorSpec, usize)],
        excitatory: Excitatory,
    ) -> Result<Self, PolarityError> {
        let mut tensors = Vec::new();
        for (k, (spec, axis)) in specs.iter().enumerate() {
            if *axis >= spec.shape.len() {
                return Err(PolarityError::Invalid {
                    field: format!("presynaptic axis of '{}'", spec.name),
                    message: format!(
                        "axis {axis} but the shape {:?} has rank {}",
                        spec.shape,
                        spec.shape.len()
                    ),
                });
            }
            let units = spec.shape[*axis];
            let unit_sign: Vec<i8> = match excitatory {
                Excitatory::Random { seed } => {
                    let mut rng = seed::rng(seed, &[seed::label("template-dale"), k as u64]);
                    (0..units)
                        .map(|_| if rng.random::<bool>() { 1 } else { -1 })
                        .collect()
                }
                Excitatory::Fraction { fraction, seed } => {
                    if !(0.0..=1.0).contains(&fraction) {
                        return Err(PolarityError::Invalid {
                            field: "excitatory fraction".into(),
                            message: format!("{fraction} is not in [0, 1]"),
                        });
                    }
                    let n_exc = (fraction * units as f64).round() as usize;
                    let mut order: Vec<usize> = (0..units).collect();
                    let mut rng = seed::rng(seed, &[seed::label("template-dale"), k as u64]);
                    // Fisher-Yates with our own rng so the choice is reproducible.
                    for i in (1..units).rev() {
                        let j = rng.random_range(0..=i);
                        order.swap(i, j);
                    }
                    let mut s = vec![-1i8; units];
                    for &u in &order[..n_exc] {
                        s[u] = 1;
                    }
                    s
                }
            };
            let inner: usize = spec.shape[axis + 1..].iter().product();
            let signs = (0..spec.numel())
                .map(|i| unit_sign[(i / inner) % units])
                .collect();
            tensors.push(TensorTemplate {
                spec: spec.clone(),
                signs,
            });
        }
        let src = format!("dale({excitatory:?})");
        Ok(Self {
            tensors,
            provenance: Provenance::new(src.clone(), src.as_bytes()),
        })
    }

    pub fn tensor(&self, name: &str) -> Option<&TensorTemplate> {
        self.tensors.iter().find(|t| t.spec.name == name)
    }

    /// Checks that every template tensor exists in `model` with the same shape. Model tensors
    /// without a template entry are fine (they are unconstrained). Lists all mismatches.
    pub fn check_against(&self, model: &[TensorSpec]) -> Result<(), PolarityError> {
        let mut problems = Vec::new();
        for t in &self.tensors {
            match model.iter().find(|m| m.name == t.spec.name) {
                None => problems.push(format!(
                    "  '{}' {:?}: no such parameter in the model",
                    t.spec.name, t.spec.shape
                )),
                Some(m) if m.shape != t.spec.shape => problems.push(format!(
                    "  '{}': template shape {:?}, model shape {:?}",
                    t.spec.name, t.spec.shape, m.shape
                )),
                Some(_) => {}
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            let names: Vec<&str> = model.iter().map(|m| m.name.as_str()).collect();
            Err(PolarityError::Mismatch(format!(
                "{}\n  (model parameters: {})",
                problems.join("\n"),
                names.join(", ")
            )))
        }
    }
}
