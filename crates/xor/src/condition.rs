//! The XOR conditions and how each network's starting point is made.

use crate::error::XorError;
use polarity_core::{seed, InitAlignment, PolarityTemplate, ResetRule};
use polarity_mlp::init::init_params;
use polarity_mlp::{MlpParams, MlpTemplate, NetworkJob};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A network's role in a trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Condition {
    /// Frozen, XOR "sufficient" polarity (`ruleBasedFix` frozen).
    #[serde(rename = "frozen-sufficient")]
    FrozenSufficient,
    /// Frozen, its own random initial polarity (`randInit` frozen).
    #[serde(rename = "frozen-rand")]
    FrozenRand,
    /// Trained normally from a random-polarity init (the paper's Fluid-Net).
    #[serde(rename = "fluid")]
    Fluid,
    /// Trained normally from a start aligned to the sufficient polarity (not run in the paper's
    /// XOR figures; the analogue of the image task's Fluid IN-Polarity).
    #[serde(rename = "fluid-sufficient")]
    FluidSufficient,
}

impl Condition {
    pub const ALL: [Condition; 4] = [
        Self::FrozenSufficient,
        Self::FrozenRand,
        Self::Fluid,
        Self::FluidSufficient,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Self::FrozenSufficient => "frozen-sufficient",
            Self::FrozenRand => "frozen-rand",
            Self::Fluid => "fluid",
            Self::FluidSufficient => "fluid-sufficient",
        }
    }
    pub fn is_frozen(self) -> bool {
        matches!(self, Self::FrozenSufficient | Self::FrozenRand)
    }
    fn uses_sufficient(self) -> bool {
        matches!(self, Self::FrozenSufficient | Self::FluidSufficient)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Condition {
    type Err = XorError;
    fn from_str(s: &str) -> Result<Self, XorError> {
        Self::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| XorError::UnknownName {
                what: "condition",
                value: s.to_string(),
                expected: "frozen-sufficient, frozen-rand, fluid or fluid-sufficient",
            })
    }
}

/// Whether the networks of one trial share their initial draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Pairing {
    /// One draw per trial: every condition starts from the same magnitudes; Fluid and Frozen
    /// RAND start from identical weights (polarity's default, docs/decisions.md D-XOR-COND-2).
    #[default]
    #[serde(rename = "identical")]
    Identical,
    /// Every condition draws its own initial weights (the official XOR code: Keras clone_model).
    #[serde(rename = "independent")]
    Independent,
}

impl FromStr for Pairing {
    type Err = XorError;
    fn from_str(s: &str) -> Result<Self, XorError> {
        match s {
            "identical" => Ok(Self::Identical),
            "independent" => Ok(Self::Independent),
            _ => Err(XorError::UnknownName {
                what: "pairing",
                value: s.to_string(),
                expected: "identical or independent",
            }),
        }
    }
}

/// Everything that decides a network's start, besides its coordinates.
#[derive(Debug, Clone, Copy)]
pub struct StartRules {
    pub experiment_seed: u64,
    pub dims: usize,
    pub kernel_std: f32,
    pub pairing: Pairing,
    pub alignment: InitAlignment,
    pub reset: ResetRule,
    pub constrain_biases: bool,
}

/// Coordinates of one network in the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetCoords {
    pub hidden: usize,
    pub n_train: usize,
    pub condition: Condition,
    pub trial: usize,
}

/// Builds a network's job: initial draw, template, initial alignment and reset seed, all
/// seeded by the experiment seed and the network's coordinates only.
pub fn make_job(
    rules: &StartRules,
    at: NetCoords,
) -> Result<NetworkJob, polarity_core::PolarityError> {
    let mut init_coords = vec![
        seed::label("init"),
        at.hidden as u64,
        at.n_train as u64,
        at.trial as u64,
    ];
    if rules.pairing == Pairing::Independent {
        init_coords.push(seed::label(at.condition.name()));
    }
    let mut rng = seed::rng(rules.experiment_seed, &init_coords);
    let mut params = init_params(rules.dims, at.hidden, rules.kernel_std, &mut rng);
    let reset_seed = seed::derive(
        rules.experiment_seed,
        &[
            seed::label("reset"),
            at.hidden as u64,
            at.n_train as u64,
            at.trial as u64,
            seed::label(at.condition.name()),
            seed::label(rules.reset.method.name()),
        ],
    );
    let template = match at.condition {
        Condition::Fluid => None,
        c if c.uses_sufficient() => Some(template_of(
            &params,
            PolarityTemplate::xor_sufficient(&params.w1, rules.dims, at.hidden),
            rules.constrain_biases,
        )?),
        _ => Some(template_of(
            &params,
            params.own_signs(),
            rules.constrain_biases,
        )?),
    };
    if let Some(t) = &template {
        let mut align_rng = seed::rng(reset_seed, &[seed::label("align")]);
        params.align(t, rules.alignment.rule(rules.reset), &mut align_rng)?;
    }
    Ok(NetworkJob {
        params,
        template: if at.condition.is_frozen() {
            template
        } else {
            None
        },
        reset_seed,
    })
}

fn template_of(
    params: &MlpParams,
    kernels: PolarityTemplate,
    constrain_biases: bool,
) -> Result<MlpTemplate, polarity_core::PolarityError> {
    let mut t = MlpTemplate::from_polarity(&kernels, params.inputs, params.hidden)?;
    if constrain_biases {
        t.b1 = params
            .b1
            .iter()
            .map(|&b| polarity_core::sign_of(b))
            .collect();
        t.b2 = polarity_core::sign_of(params.b2);
    }
    Ok(t)
}
