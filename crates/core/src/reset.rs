//! What happens to a weight whose sign disagrees with its template (Algorithm 1 of the paper;
//! docs/decisions.md D-RESET-1 to D-RESET-7).

use crate::PolarityError;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a violating weight is put back. Names as in the paper and the official code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResetMethod {
    /// `w = t * eps`
    #[serde(rename = "posCon")]
    PosCon,
    /// `w = t * U[0, eps)`, one draw per violating entry (the paper's main setting)
    #[serde(rename = "posRand")]
    PosRand,
    /// `w = 0`
    #[serde(rename = "zero")]
    Zero,
    /// `w = -w` (keeps the magnitude)
    #[serde(rename = "flip")]
    Flip,
}

impl ResetMethod {
    pub const ALL: [ResetMethod; 4] = [Self::PosCon, Self::PosRand, Self::Zero, Self::Flip];

    pub fn name(self) -> &'static str {
        match self {
            Self::PosCon => "posCon",
            Self::PosRand => "posRand",
            Self::Zero => "zero",
            Self::Flip => "flip",
        }
    }
}

impl fmt::Display for ResetMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ResetMethod {
    type Err = PolarityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s.chars().filter(|c| *c != '-' && *c != '_').collect();
        match key.to_ascii_lowercase().as_str() {
            "poscon" => Ok(Self::PosCon),
            "posrand" => Ok(Self::PosRand),
            "zero" => Ok(Self::Zero),
            "flip" => Ok(Self::Flip),
            _ => Err(PolarityError::Invalid {
                field: "reset method".into(),
                message: format!("'{s}' is not one of posCon, posRand, zero, flip"),
            }),
        }
    }
}

/// True iff `w` violates template sign `t`: `w * t < 0` (template zeros and zero weights never do).
#[inline(always)]
pub fn violates(w: f32, t: i8) -> bool {
    (t > 0 && w < 0.0) || (t < 0 && w > 0.0)
}

/// A reset method with its magnitude `eps` (used by posCon and posRand).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ResetRule {
    pub method: ResetMethod,
    pub eps: f32,
}

impl Default for ResetRule {
    fn default() -> Self {
        Self::new(ResetMethod::PosRand, 1e-3)
    }
}

impl ResetRule {
    pub fn new(method: ResetMethod, eps: f32) -> Self {
        Self { method, eps }
    }

    /// The value a violating weight `w` with template sign `t` is reset to. posRand draws one
    /// uniform from `rng`; the other methods draw nothing.
    #[inline]
    pub fn reset_value<R: Rng + ?Sized>(&self, w: f32, t: i8, rng: &mut R) -> f32 {
        let t = f32::from(t);
        match self.method {
            ResetMethod::PosCon => t * self.eps,
            ResetMethod::PosRand => t * (rng.random::<f32>() * self.eps),
            ResetMethod::Zero => 0.0,
            ResetMethod::Flip => -w,
        }
    }

    /// Enforces template `t` on `w` in place, entries in index order (so posRand draws are
    /// reproducible), and returns how many entries were reset. A NaN weight is an error.
    pub fn enforce<R: Rng + ?Sized>(
        &self,
        w: &mut [f32],
        t: &[i8],
        rng: &mut R,
    ) -> Result<usize, PolarityError> {
        if w.len() != t.len() {
            return Err(PolarityError::LengthMismatch {
                weights: w.len(),
                template: t.len(),
            });
        }
        let mut resets = 0;
        for (i, (wi, &ti)) in w.iter_mut().zip(t).enumerate() {
            if wi.is_nan() {
                return Err(PolarityError::NanWeight {
                    tensor: String::from("<slice>"),
                    index: i,
                });
            }
            if violates(*wi, ti) {
                *wi = self.reset_value(*wi, ti, rng);
                resets += 1;
            }
        }
        Ok(resets)
    }
}

/// How a frozen network's initial weights are matched to its template before training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum InitAlignment {
    /// Flip violating signs, keeping magnitudes (the ICML image code; polarity's default).
    #[default]
    #[serde(rename = "flip")]
    Flip,
    /// Apply the run's reset method (the official XOR code: posRand gives tiny magnitudes).
    #[serde(rename = "reset-method")]
    ResetMethod,
}

impl InitAlignment {
    /// The rule used at init given the run's rule.
    pub fn rule(self, run: ResetRule) -> ResetRule {
        match self {
            Self::Flip => ResetRule::new(ResetMethod::Flip, run.eps),
            Self::ResetMethod => run,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Flip => "flip",
            Self::ResetMethod => "reset-method",
        }
    }
}

impl FromStr for InitAlignment {
    type Err = PolarityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "flip" => Ok(Self::Flip),
            "reset-method" | "reset" => Ok(Self::ResetMethod),
            _ => Err(PolarityError::Invalid {
                field: "init alignment".into(),
                message: format!("'{s}' is not one of flip, reset-method"),
            }),
        }
    }
}
