//! The arms of the transfer study: the paper's six conditions with the source network as "IN",
//! and the controls that say what in the transferred polarity carries the knowledge
//! (docs/decisions.md D-TRANSFER-6). Each arm gives a network's start weights and, for frozen
//! arms, its template, from the trial's random draw and a source network.

use crate::images::design::{
    FLUID_IN_POLARITY, FLUID_IN_WEIGHT, FLUID_RAND, FROZEN_IN_POLARITY, FROZEN_IN_WEIGHT,
    FROZEN_RAND,
};
use crate::Result;
use polarity_analysis::figures::Rgb;
use polarity_core::{NamedTensors, PolarityTemplate, TensorTemplate};
use polarity_images::conditions::{start, Condition, Start};
use serde::{Deserialize, Serialize};

/// One kind of target network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arm {
    /// Frozen IN-Polarity: random magnitudes, the source's signs, frozen (head: own random signs,
    /// frozen).
    FrozenPolarity,
    /// Fluid IN-Polarity.
    FluidPolarity,
    FrozenRand,
    FluidRand,
    /// Frozen IN-Weight: the source weights, their signs frozen.
    FrozenWeights,
    /// Fluid IN-Weight: fine-tuning, the usual transfer.
    FineTuning,
    /// Linear probe: the source weights fixed, only the new head trained.
    LinearProbe,
    /// Frozen polarity whose signs are permuted within each source tensor (same sign counts).
    ShuffledPolarity,
    /// Fine-tuning from the source magnitudes with random signs (the magnitudes alone).
    RandomSignWeights,
    /// Frozen transferred polarity with the head's polarity free (the head trains fluid).
    PolarityFreeHead,
    /// Frozen polarity of a source trained for one epoch only (does polarity settle early?).
    EarlyPolarity,
    /// Frozen transferred polarity on a training subset drawn anew for every trial.
    PolarityResampled,
    /// Fine-tuning on a training subset drawn anew for every trial.
    FineTuningResampled,
}

impl Arm {
    pub const ALL: [Arm; 13] = [
        Arm::FrozenPolarity,
        Arm::FluidPolarity,
        Arm::FrozenRand,
        Arm::FluidRand,
        Arm::FrozenWeights,
        Arm::FineTuning,
        Arm::LinearProbe,
        Arm::ShuffledPolarity,
        Arm::RandomSignWeights,
        Arm::PolarityFreeHead,
        Arm::EarlyPolarity,
        Arm::PolarityResampled,
        Arm::FineTuningResampled,
    ];

    /// The `condition` column of the result table.
    pub fn name(self) -> &'static str {
        match self {
            Arm::FrozenPolarity => "frozen-polarity",
            Arm::FluidPolarity => "fluid-polarity",
            Arm::FrozenRand => "frozen-rand",
            Arm::FluidRand => "fluid-rand",
            Arm::FrozenWeights => "frozen-weights",
            Arm::FineTuning => "fine-tuning",
            Arm::LinearProbe => "linear-probe",
            Arm::ShuffledPolarity => "shuffled-polarity",
            Arm::RandomSignWeights => "random-sign-weights",
            Arm::PolarityFreeHead => "polarity-free-head",
            Arm::EarlyPolarity => "early-polarity",
            Arm::PolarityResampled => "polarity-resampled",
            Arm::FineTuningResampled => "fine-tuning-resampled",
        }
    }

    /// The legend name.
    pub fn label(self) -> &'static str {
        match self {
            Arm::FrozenPolarity => "Frozen transferred polarity",
            Arm::FluidPolarity => "Fluid transferred polarity",
            Arm::FrozenRand => "Frozen RAND-Polarity",
            Arm::FluidRand => "Fluid RAND-Polarity",
            Arm::FrozenWeights => "Frozen weight transfer",
            Arm::FineTuning => "Weight transfer (fine-tuning)",
            Arm::LinearProbe => "Linear probe (source weights fixed, head trained)",
            Arm::ShuffledPolarity => "Frozen shuffled polarity",
            Arm::RandomSignWeights => "Source magnitudes, random signs (fine-tuned)",
            Arm::PolarityFreeHead => "Frozen transferred polarity, head free",
            Arm::EarlyPolarity => "Frozen polarity of a 1-epoch source",
            Arm::PolarityResampled => "Frozen transferred polarity, subset per trial",
            Arm::FineTuningResampled => "Fine-tuning, subset per trial",
        }
    }

    pub fn color(self) -> Rgb {
        match self {
            Arm::FrozenPolarity => Rgb::RED,
            Arm::FluidPolarity => Rgb::ORANGE,
            Arm::FrozenRand => Rgb::GREEN,
            Arm::FluidRand => Rgb::BLUE,
            Arm::FrozenWeights => Rgb::PURPLE,
            Arm::FineTuning => Rgb::BROWN,
            Arm::LinearProbe => Rgb::YELLOW,
            _ => Rgb::GREY,
        }
    }

    /// The paper's condition the arm starts from.
    fn condition(self) -> Condition {
        match self {
            Arm::FrozenPolarity
            | Arm::ShuffledPolarity
            | Arm::PolarityFreeHead
            | Arm::EarlyPolarity
            | Arm::PolarityResampled => FROZEN_IN_POLARITY,
            Arm::FluidPolarity => FLUID_IN_POLARITY,
            Arm::FrozenRand => FROZEN_RAND,
            Arm::FluidRand => FLUID_RAND,
            Arm::FrozenWeights => FROZEN_IN_WEIGHT,
            Arm::FineTuning
            | Arm::LinearProbe
            | Arm::RandomSignWeights
            | Arm::FineTuningResampled => FLUID_IN_WEIGHT,
        }
    }

    /// Whether the arm trains on the trial's own resampled subset rather than the nested one.
    pub fn resampled(self) -> bool {
        matches!(self, Arm::PolarityResampled | Arm::FineTuningResampled)
    }

    /// Whether only the head trains (every transferred weight keeps the source's value).
    pub fn head_only(self) -> bool {
        self == Arm::LinearProbe
    }

    /// Whether the arm takes the one-epoch source.
    pub fn early_source(self) -> bool {
        self == Arm::EarlyPolarity
    }

    /// Whether trial i of `self` and of `other` start from the same random magnitudes (so the
    /// paired tests apply): arms that take the trial's random draw share it; arms that start
    /// from source weights share only each other's start, and only on the same subset.
    pub fn shares_init(self, other: Arm) -> bool {
        let from_draw = |a: Arm| a.condition().source != FLUID_IN_WEIGHT.source;
        from_draw(self) == from_draw(other)
            && self.resampled() == other.resampled()
            && (from_draw(self) || self.early_source() == other.early_source())
    }

    /// The start of this arm from the trial's random draw `init` and the source's transferred
    /// tensors (head excluded); `seed` draws the shuffled or random signs of the controls; `head`
    /// is the head kernel's name (freed in [`Arm::PolarityFreeHead`]).
    pub fn start(
        self,
        init: &NamedTensors,
        source: &NamedTensors,
        seed: u64,
        head: &str,
    ) -> Result<Start> {
        let transferred = match self {
            Arm::ShuffledPolarity => {
                with_signs(source, &source.kernel_template("source").shuffled(seed))
            }
            Arm::RandomSignWeights => {
                with_signs(source, &source.kernel_template("source").random_like(seed))
            }
            _ => source.clone(),
        };
        let mut s = start(self.condition(), init, Some(&transferred))?;
        if self == Arm::PolarityFreeHead {
            if let Some(t) = s.template.as_mut() {
                free_tensor(t, head);
            }
        }
        Ok(s)
    }
}

impl std::str::FromStr for Arm {
    type Err = crate::ReproduceError;
    fn from_str(s: &str) -> Result<Self> {
        Arm::ALL.into_iter().find(|a| a.name() == s).ok_or_else(|| {
            crate::ReproduceError::Invalid(format!(
                "unknown arm '{s}'; expected one of {}",
                Arm::ALL.map(Arm::name).join(", ")
            ))
        })
    }
}

/// `weights` with every kernel's signs replaced by `template`'s (magnitudes kept; a template
/// zero leaves the value at 0).
fn with_signs(weights: &NamedTensors, template: &PolarityTemplate) -> NamedTensors {
    let mut out = weights.clone();
    for t in &template.tensors {
        if let Some((_, values)) = out.0.get_mut(t.name()) {
            for (v, &s) in values.iter_mut().zip(t.signs()) {
                *v = v.abs() * f32::from(s);
            }
        }
    }
    out
}

/// Makes every entry of tensor `name` free (sign 0).
fn free_tensor(template: &mut PolarityTemplate, name: &str) {
    for t in template.tensors.iter_mut().filter(|t| t.name() == name) {
        *t = TensorTemplate::new(t.spec.clone(), vec![0; t.signs().len()])
            .expect("same shape, zeros are valid signs");
    }
}

#[cfg(test)]
/// Kernel entries of `weights` whose sign differs from `template`'s constrained entries.
pub fn sign_disagreements(weights: &NamedTensors, template: &PolarityTemplate) -> usize {
    template
        .tensors
        .iter()
        .filter_map(|t| weights.get(t.name()).map(|(_, v)| (t, v)))
        .map(|(t, v)| {
            v.iter()
                .zip(t.signs())
                .filter(|(w, s)| **s != 0 && polarity_core::sign_of(**w) != **s)
                .count()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensors(seed: f32) -> NamedTensors {
        let mut t = NamedTensors::default();
        let v: Vec<f32> = (0..12).map(|i| (i as f32 - 5.5 + seed) * 0.1).collect();
        t.insert("a.weight", vec![3, 4], v);
        t.insert("a.bias", vec![4], vec![0.5; 4]);
        t.insert(
            "out.weight",
            vec![4, 2],
            vec![0.3, -0.2, 0.1, -0.4, 0.2, 0.2, -0.1, 0.3],
        );
        t.insert("out.bias", vec![2], vec![0.0; 2]);
        t
    }

    fn source() -> NamedTensors {
        let mut s = tensors(1.7);
        s.0.retain(|n, _| !n.starts_with("out."));
        s
    }

    #[test]
    fn controls_keep_what_they_claim_to_keep() {
        use polarity_core::sign_of;
        let (init, src) = (tensors(0.0), source());
        let src_signs: Vec<i8> = src
            .get("a.weight")
            .unwrap()
            .1
            .iter()
            .map(|&w| sign_of(w))
            .collect();
        let count = |s: &[i8], v: i8| s.iter().filter(|&&x| x == v).count();

        // Transferred polarity: the start carries the source's signs on the init's magnitudes.
        let p = Arm::FrozenPolarity
            .start(&init, &src, 1, "out.weight")
            .unwrap();
        let t = p.template.as_ref().unwrap();
        assert_eq!(t.tensor("a.weight").unwrap().signs(), src_signs.as_slice());
        assert_eq!(sign_disagreements(&p.weights, t), 0);
        for (a, b) in p
            .weights
            .get("a.weight")
            .unwrap()
            .1
            .iter()
            .zip(init.get("a.weight").unwrap().1)
        {
            assert_eq!(a.abs(), b.abs());
        }

        // Shuffled: the same counts of + and - per tensor, another arrangement.
        let s = Arm::ShuffledPolarity
            .start(&init, &src, 1, "out.weight")
            .unwrap();
        let ss = s
            .template
            .as_ref()
            .unwrap()
            .tensor("a.weight")
            .unwrap()
            .signs()
            .to_vec();
        assert_eq!(
            (count(&ss, 1), count(&ss, -1)),
            (count(&src_signs, 1), count(&src_signs, -1))
        );
        assert_ne!(ss, src_signs);

        // Random signs: the source magnitudes exactly, fluid (no template).
        let r = Arm::RandomSignWeights
            .start(&init, &src, 1, "out.weight")
            .unwrap();
        assert!(r.template.is_none());
        let rv = r.weights.get("a.weight").unwrap().1;
        let sv = src.get("a.weight").unwrap().1;
        assert!(rv.iter().zip(sv).all(|(a, b)| a.abs() == b.abs()));
        assert!(rv.iter().zip(sv).any(|(a, b)| a != b));

        // Free head: the head's entries are free, the rest is the transferred polarity.
        let f = Arm::PolarityFreeHead
            .start(&init, &src, 1, "out.weight")
            .unwrap();
        let ft = f.template.as_ref().unwrap();
        assert!(ft
            .tensor("out.weight")
            .unwrap()
            .signs()
            .iter()
            .all(|&s| s == 0));
        assert_eq!(ft.tensor("a.weight").unwrap().signs(), src_signs.as_slice());
        assert!(t
            .tensor("out.weight")
            .unwrap()
            .signs()
            .iter()
            .all(|&s| s != 0));
    }

    #[test]
    fn pairs_and_names() {
        assert!(Arm::FrozenPolarity.shares_init(Arm::FrozenRand));
        assert!(Arm::FrozenPolarity.shares_init(Arm::ShuffledPolarity));
        assert!(!Arm::FrozenPolarity.shares_init(Arm::FineTuning));
        assert!(!Arm::FrozenPolarity.shares_init(Arm::PolarityResampled));
        assert!(Arm::FineTuning.shares_init(Arm::FrozenWeights));
        assert!(Arm::FineTuning.shares_init(Arm::LinearProbe));
        assert!(!Arm::FrozenPolarity.shares_init(Arm::LinearProbe));
        let names: std::collections::BTreeSet<_> = Arm::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(names.len(), Arm::ALL.len());
    }
}
