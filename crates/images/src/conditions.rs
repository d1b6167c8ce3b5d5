//! The paper's six image conditions (docs/decisions.md D-IMG-6, ICML code): Frozen/Fluid x
//! RAND-Polarity, IN-Polarity, IN-Weight. Worked out on host tensors, so they are the same for
//! every backend and network: given a network's random initial weights (the same draw for
//! every condition of a trial) and, for the IN conditions, pretrained weights for its
//! pretrained layers, a condition gives the starting weights and, for frozen networks, the
//! template. A frozen network and its fluid partner start from identical weights.
//!
//! | condition | start magnitudes | start signs | template (frozen only) |
//! | --- | --- | --- | --- |
//! | RAND-Polarity | random init | random init | own init signs, all kernels |
//! | IN-Polarity | random init | pretrained kernels; new layers own random | `sign(pretrained)`; new layers own signs |
//! | IN-Weight | pretrained weights and biases; new layers random | same | own start signs |
//!
//! Template zeros are free: in IN-Polarity a pretrained zero (e.g. the off-diagonal blocks of
//! expanded grouped kernels) leaves the random weight's sign as drawn and unconstrained; in
//! IN-Weight the start weight itself is 0 there, so its sign is 0 as well.
//! Initial matching is `flip` (magnitudes kept exactly, as the ICML code).

use polarity_core::{sign_of, NamedTensors, PolarityTemplate, TensorSpec};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a network's polarity (and, for IN-Weight, its weights) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PolaritySource {
    Rand,
    InPolarity,
    InWeight,
}

/// One of the six conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Condition {
    pub source: PolaritySource,
    pub frozen: bool,
}

impl Condition {
    pub const ALL: [Condition; 6] = [
        Condition::new(PolaritySource::InPolarity, true),
        Condition::new(PolaritySource::InPolarity, false),
        Condition::new(PolaritySource::Rand, true),
        Condition::new(PolaritySource::Rand, false),
        Condition::new(PolaritySource::InWeight, true),
        Condition::new(PolaritySource::InWeight, false),
    ];

    pub const fn new(source: PolaritySource, frozen: bool) -> Self {
        Self { source, frozen }
    }

    /// Whether the condition needs pretrained weights.
    pub fn needs_pretrained(self) -> bool {
        self.source != PolaritySource::Rand
    }

    /// The paper's name, e.g. `Frozen IN-Polarity`.
    pub fn paper_name(self) -> String {
        let state = if self.frozen { "Frozen" } else { "Fluid" };
        let source = match self.source {
            PolaritySource::Rand => "RAND-Polarity",
            PolaritySource::InPolarity => "IN-Polarity",
            PolaritySource::InWeight => "IN-Weight",
        };
        format!("{state} {source}")
    }
}

impl fmt::Display for Condition {
    /// Short form used in tables and on the command line, e.g. `frozen-in-polarity`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.frozen { "frozen" } else { "fluid" };
        let source = match self.source {
            PolaritySource::Rand => "rand-polarity",
            PolaritySource::InPolarity => "in-polarity",
            PolaritySource::InWeight => "in-weight",
        };
        write!(f, "{state}-{source}")
    }
}

impl FromStr for Condition {
    type Err = ConditionError;
    fn from_str(s: &str) -> Result<Self, ConditionError> {
        Condition::ALL
            .into_iter()
            .find(|c| c.to_string() == s.to_ascii_lowercase())
            .ok_or_else(|| ConditionError::Unknown(s.to_string()))
    }
}

/// Why a condition cannot be named or started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConditionError {
    #[error("unknown condition '{0}'; expected one of frozen-in-polarity, fluid-in-polarity, frozen-rand-polarity, fluid-rand-polarity, frozen-in-weight, fluid-in-weight")]
    Unknown(String),
    #[error("condition {0} needs pretrained weights (e.g. --weights bvlc_alexnet.npy)")]
    NeedsPretrained(Condition),
    #[error("the pretrained tensors do not match the network:\n{0}")]
    Mismatch(String),
}

/// A network's starting point under a condition.
#[derive(Debug, Clone)]
pub struct Start {
    /// Every parameter's initial value (what the network is built with).
    pub weights: NamedTensors,
    /// The template for a frozen network; `None` for fluid ones.
    pub template: Option<PolarityTemplate>,
    /// Kernel entries whose sign was flipped to match the polarity source, per layer.
    pub aligned: Vec<(String, usize)>,
}

fn is_kernel(shape: &[usize]) -> bool {
    shape.len() >= 2
}

/// Signs of the kernels of `weights`, except those named in `sign_source`, whose signs are
/// taken from there (`np.sign`: zeros free).
fn template_of(
    weights: &NamedTensors,
    sign_source: Option<&NamedTensors>,
    source: &str,
) -> PolarityTemplate {
    let kernels: Vec<(TensorSpec, &[f32])> = weights
        .0
        .iter()
        .filter(|(_, (shape, _))| is_kernel(shape))
        .map(|(n, (shape, v))| {
            let values = sign_source
                .and_then(|p| p.get(n))
                .map_or(v.as_slice(), |(_, pv)| pv);
            (TensorSpec::new(n.clone(), shape.clone()), values)
        })
        .collect();
    PolarityTemplate::from_weights(&kernels, source)
}

/// The start of `condition` from the trial's random initial weights and, for IN conditions,
/// the pretrained tensors (keyed by the same paths; parameters they do not name are the new
/// layers and keep their random init). Shapes of pretrained tensors must match.
pub fn start(
    condition: Condition,
    random_init: &NamedTensors,
    pretrained: Option<&NamedTensors>,
) -> Result<Start, ConditionError> {
    let mut weights = random_init.clone();
    let mut aligned = Vec::new();
    match (condition.source, pretrained) {
        (PolaritySource::Rand, _) => {}
        (_, None) => return Err(ConditionError::NeedsPretrained(condition)),
        (source, Some(pre)) => {
            let mut problems = Vec::new();
            for (name, (shape, values)) in &pre.0 {
                match weights.0.get_mut(name) {
                    None => problems.push(format!("  '{name}': no such parameter in the network")),
                    Some((s, _)) if s != shape => problems.push(format!(
                        "  '{name}': pretrained shape {shape:?}, network {s:?}"
                    )),
                    Some((_, w)) => {
                        if source == PolaritySource::InWeight {
                            w.clone_from(values);
                        } else if is_kernel(shape) {
                            // IN-Polarity: pretrained signs on random magnitudes (flip);
                            // pretrained zeros are free and leave the random weight as it is.
                            let mut flipped = 0;
                            for (wi, &p) in w.iter_mut().zip(values) {
                                let t = sign_of(p);
                                if polarity_core::reset::violates(*wi, t) {
                                    *wi = -*wi;
                                    flipped += 1;
                                }
                            }
                            aligned.push((name.clone(), flipped));
                        }
                    }
                }
            }
            if !problems.is_empty() {
                return Err(ConditionError::Mismatch(problems.join("\n")));
            }
        }
    }
    // IN-Polarity: the template is sign(pretrained) (its zeros free) on the pretrained
    // kernels; everywhere else, and in the other conditions, the start's own signs.
    let sign_source = match condition.source {
        PolaritySource::InPolarity => pretrained,
        _ => None,
    };
    let template = condition
        .frozen
        .then(|| template_of(&weights, sign_source, &format!("condition {condition}")));
    Ok(Start {
        weights,
        template,
        aligned,
    })
}

/// Histogram of initial kernel magnitudes (Supp B.6): counts of `|w|` in log-spaced bins
/// `[10^(k/10 - 6), 10^((k+1)/10 - 6))` for k = 0..70 (1e-6 to 10), plus exact zeros,
/// values below 1e-6 and values of 10 or more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MagnitudeHistogram {
    pub lower_edges: Vec<f64>,
    pub counts: Vec<u64>,
    pub zeros: u64,
    pub below: u64,
    pub above: u64,
}

impl MagnitudeHistogram {
    pub const BINS: usize = 70;

    pub fn of_kernels(weights: &NamedTensors) -> Self {
        let lower_edges: Vec<f64> = (0..Self::BINS)
            .map(|k| 10f64.powf(k as f64 / 10.0 - 6.0))
            .collect();
        let mut h = Self {
            lower_edges,
            counts: vec![0; Self::BINS],
            zeros: 0,
            below: 0,
            above: 0,
        };
        for (shape, values) in weights.0.values() {
            if !is_kernel(shape) {
                continue;
            }
            for &w in values {
                let a = f64::from(w.abs());
                if a == 0.0 {
                    h.zeros += 1;
                } else if a < 1e-6 {
                    h.below += 1;
                } else {
                    let k = ((a.log10() + 6.0) * 10.0).floor() as usize;
                    if k >= Self::BINS {
                        h.above += 1;
                    } else {
                        h.counts[k] += 1;
                    }
                }
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets() -> (NamedTensors, NamedTensors) {
        let mut init = NamedTensors::default();
        init.insert("a.weight", vec![2, 2], vec![0.5, -0.25, 0.125, -2.0]);
        init.insert("a.bias", vec![2], vec![0.0, 0.0]);
        init.insert("head.weight", vec![2, 1], vec![-0.3, 0.7]);
        let mut pre = NamedTensors::default();
        pre.insert("a.weight", vec![2, 2], vec![-1.0, -1.0, 0.0, 3.0]);
        pre.insert("a.bias", vec![2], vec![0.1, -0.2]);
        (init, pre)
    }

    #[test]
    fn in_polarity_takes_pretrained_signs_on_random_magnitudes() {
        let (init, pre) = nets();
        let s = start(
            Condition::new(PolaritySource::InPolarity, true),
            &init,
            Some(&pre),
        )
        .unwrap();
        // sign(pre) = [-, -, 0 (free: keeps +), +] on magnitudes [0.5, 0.25, 0.125, 2]
        assert_eq!(
            s.weights.get("a.weight").unwrap().1,
            &[-0.5, -0.25, 0.125, 2.0]
        );
        assert_eq!(
            s.weights.get("a.bias").unwrap().1,
            &[0.0, 0.0],
            "biases stay random-init"
        );
        assert_eq!(s.aligned, vec![("a.weight".to_string(), 2)]);
        let t = s.template.unwrap();
        // The template: pretrained signs with the pretrained zero free, and the head's own
        // random signs.
        assert_eq!(t.tensor("a.weight").unwrap().signs(), &[-1, -1, 0, 1]);
        assert_eq!(t.tensor("head.weight").unwrap().signs(), &[-1, 1]);
        assert!(t.tensor("a.bias").is_none(), "kernels only");
        // Its fluid partner starts identically and has no template.
        let f = start(
            Condition::new(PolaritySource::InPolarity, false),
            &init,
            Some(&pre),
        )
        .unwrap();
        assert_eq!(f.weights, s.weights);
        assert!(f.template.is_none());
    }

    #[test]
    fn in_weight_loads_weights_and_biases_and_keeps_zero_entries_free() {
        let (init, pre) = nets();
        let s = start(
            Condition::new(PolaritySource::InWeight, true),
            &init,
            Some(&pre),
        )
        .unwrap();
        assert_eq!(
            s.weights.get("a.weight").unwrap().1,
            &[-1.0, -1.0, 0.0, 3.0]
        );
        assert_eq!(s.weights.get("a.bias").unwrap().1, &[0.1, -0.2]);
        assert_eq!(s.weights.get("head.weight").unwrap().1, &[-0.3, 0.7]);
        assert_eq!(
            s.template.unwrap().tensor("a.weight").unwrap().signs(),
            &[-1, -1, 0, 1]
        );
    }

    #[test]
    fn rand_polarity_is_the_init_and_magnitudes_match_in_polarity() {
        let (init, pre) = nets();
        let r = start(Condition::new(PolaritySource::Rand, true), &init, None).unwrap();
        assert_eq!(r.weights, init);
        let p = start(
            Condition::new(PolaritySource::InPolarity, true),
            &init,
            Some(&pre),
        )
        .unwrap();
        assert_eq!(
            MagnitudeHistogram::of_kernels(&r.weights),
            MagnitudeHistogram::of_kernels(&p.weights)
        );
        let w = start(
            Condition::new(PolaritySource::InWeight, true),
            &init,
            Some(&pre),
        )
        .unwrap();
        assert_ne!(
            MagnitudeHistogram::of_kernels(&r.weights),
            MagnitudeHistogram::of_kernels(&w.weights)
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let (init, mut pre) = nets();
        let e = start(Condition::new(PolaritySource::InWeight, false), &init, None).unwrap_err();
        assert!(e.to_string().contains("needs pretrained weights"), "{e}");
        pre.insert("b.weight", vec![1, 1], vec![1.0]);
        pre.insert("a.bias", vec![3], vec![1.0, 2.0, 3.0]);
        let e = start(
            Condition::new(PolaritySource::InPolarity, true),
            &init,
            Some(&pre),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("'b.weight'") && e.contains("'a.bias'"), "{e}");
    }

    #[test]
    fn condition_names_round_trip() {
        for c in Condition::ALL {
            assert_eq!(c.to_string().parse::<Condition>().unwrap(), c);
        }
        assert!("frozen".parse::<Condition>().is_err());
    }

    #[test]
    fn histogram_bins() {
        let mut t = NamedTensors::default();
        t.insert("k", vec![1, 5], vec![0.0, 1e-7, 2e-6, -0.5, 20.0]);
        let h = MagnitudeHistogram::of_kernels(&t);
        assert_eq!((h.zeros, h.below, h.above), (1, 1, 1));
        // log10(2e-6) = -5.70 -> bin floor(0.30 * 10) = 3
        assert_eq!(h.counts[3], 1);
        // log10(0.5) = -0.301 -> bin floor((6 - 0.301) * 10) = 56
        assert_eq!(h.counts[56], 1);
    }
}
