//! Claims over independent data draws (docs/decisions.md D-CLAIM-7): the same claims judged on
//! each draw, then per claim the verdict on each draw, the fraction of draws in which it holds,
//! and the spread of its effect (e.g. the ratio of medians) over draws.

use super::{Claim, Verdict};
use crate::stats;
use std::collections::BTreeMap;
use thiserror::Error;

/// Claims of different draws that cannot be lined up.
#[derive(Debug, Error, PartialEq)]
pub enum DrawsError {
    #[error("no draws to summarise")]
    NoDraws,
    #[error("draw {draw} has claims {found:?}, draw 0 has {expected:?}: every draw must judge the same claims in the same order")]
    DifferentClaims {
        draw: usize,
        expected: Vec<String>,
        found: Vec<String>,
    },
    #[error("{effects} effect maps for {draws} draws: one per draw expected")]
    EffectCount { effects: usize, draws: usize },
}

/// The spread of a claim's effect over draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    /// Median and 5th / 95th percentiles (NumPy's linear method) over the draws with a value.
    pub median: f64,
    pub p5: f64,
    pub p95: f64,
    /// Draws with a value, and without one (e.g. Fluid's median never reached 90 %).
    pub defined: usize,
    pub undefined: usize,
}

impl Spread {
    /// The spread of `values` (NaN = undefined); `None` if no value is defined.
    pub fn of(values: &[f64]) -> Option<Self> {
        let s = |q: f64| stats::percentile(values, q).ok().flatten();
        let defined = values.iter().filter(|v| !v.is_nan()).count();
        Some(Spread {
            median: s(50.0)?,
            p5: s(5.0)?,
            p95: s(95.0)?,
            defined,
            undefined: values.len() - defined,
        })
    }
}

/// One claim over the draws.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimOverDraws {
    pub id: String,
    pub statement: String,
    pub paper: String,
    /// The verdict on each draw, in draw order.
    pub verdicts: Vec<Verdict>,
    /// The effect on each draw (NaN where undefined or not given), in draw order.
    pub effects: Vec<f64>,
    pub effect: Option<Spread>,
}

impl ClaimOverDraws {
    /// Draws in which the claim could be judged (not "not measured").
    pub fn judged(&self) -> usize {
        self.verdicts
            .iter()
            .filter(|v| **v != Verdict::NotMeasured)
            .count()
    }

    /// Draws in which it holds.
    pub fn holding(&self) -> usize {
        self.verdicts.iter().filter(|v| v.holds()).count()
    }

    /// Fraction of the judged draws in which it holds; NaN when none was judged.
    pub fn holds_fraction(&self) -> f64 {
        match self.judged() {
            0 => f64::NAN,
            n => self.holding() as f64 / n as f64,
        }
    }

    /// One letter per draw: H holds, C consistent, D does not hold, U underpowered, - not measured.
    pub fn verdict_codes(&self) -> String {
        self.verdicts
            .iter()
            .map(|v| match v {
                Verdict::Holds => 'H',
                Verdict::Consistent => 'C',
                Verdict::DoesNotHold => 'D',
                Verdict::Underpowered { .. } => 'U',
                Verdict::NotMeasured => '-',
            })
            .collect()
    }
}

/// Lines up the claims of each draw (`draws[k]`: the claims judged on draw k, the same ids in the
/// same order) with each draw's effects by claim id (`effects[k]`; a claim without an effect in
/// any draw gets no spread).
pub fn over_draws(
    draws: &[Vec<Claim>],
    effects: &[BTreeMap<String, f64>],
) -> Result<Vec<ClaimOverDraws>, DrawsError> {
    let first = draws.first().ok_or(DrawsError::NoDraws)?;
    if effects.len() != draws.len() {
        return Err(DrawsError::EffectCount {
            effects: effects.len(),
            draws: draws.len(),
        });
    }
    let ids = |claims: &[Claim]| claims.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let expected = ids(first);
    for (k, claims) in draws.iter().enumerate() {
        if ids(claims) != expected {
            return Err(DrawsError::DifferentClaims {
                draw: k,
                expected,
                found: ids(claims),
            });
        }
    }
    Ok(first
        .iter()
        .enumerate()
        .map(|(i, claim)| {
            let has_effect = effects.iter().any(|e| e.contains_key(&claim.id));
            let values: Vec<f64> = effects
                .iter()
                .map(|e| e.get(&claim.id).copied().unwrap_or(f64::NAN))
                .collect();
            ClaimOverDraws {
                id: claim.id.clone(),
                statement: claim.statement.clone(),
                paper: claim.paper.clone(),
                verdicts: draws.iter().map(|d| d[i].verdict).collect(),
                effect: if has_effect {
                    Spread::of(&values)
                } else {
                    None
                },
                effects: values,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: &str, verdict: Verdict) -> Claim {
        Claim {
            id: id.into(),
            statement: format!("statement {id}"),
            paper: "58 %".into(),
            measured: String::new(),
            verdict,
            test: String::new(),
        }
    }

    fn effects(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn verdicts_fractions_and_spread_by_hand() {
        let u = Verdict::Underpowered { trials: Some(90) };
        let draws = vec![
            vec![claim("a", Verdict::Holds), claim("b", Verdict::NotMeasured)],
            vec![claim("a", Verdict::DoesNotHold), claim("b", Verdict::Holds)],
            vec![claim("a", u), claim("b", Verdict::Holds)],
            vec![claim("a", Verdict::Holds), claim("b", Verdict::Consistent)],
            vec![claim("a", Verdict::Holds), claim("b", Verdict::Holds)],
        ];
        let e = vec![
            effects(&[("a", 0.5)]),
            effects(&[("a", 0.9)]),
            effects(&[("a", f64::NAN)]),
            effects(&[("a", 0.6)]),
            effects(&[("a", 0.7)]),
        ];
        let s = over_draws(&draws, &e).unwrap();
        assert_eq!(s[0].verdict_codes(), "HDUHH");
        assert_eq!((s[0].holding(), s[0].judged()), (3, 5));
        assert!((s[0].holds_fraction() - 0.6).abs() < 1e-12);
        assert_eq!(s[1].verdict_codes(), "-HHCH");
        assert!((s[1].holds_fraction() - 0.75).abs() < 1e-12);
        assert!(s[1].effect.is_none());
        // Defined effects 0.5, 0.6, 0.7, 0.9: median 0.65; type-7 5 % at index 0.15 -> 0.515,
        // 95 % at index 2.85 -> 0.7 + 0.85 * 0.2 = 0.87.
        let spread = s[0].effect.clone().unwrap();
        assert!((spread.median - 0.65).abs() < 1e-12);
        assert!((spread.p5 - 0.515).abs() < 1e-12);
        assert!((spread.p95 - 0.87).abs() < 1e-12);
        assert_eq!((spread.defined, spread.undefined), (4, 1));
    }

    #[test]
    fn mismatched_draws_are_errors() {
        assert_eq!(over_draws(&[], &[]), Err(DrawsError::NoDraws));
        let draws = vec![
            vec![claim("a", Verdict::Holds)],
            vec![claim("b", Verdict::Holds)],
        ];
        let e = vec![BTreeMap::new(), BTreeMap::new()];
        let err = over_draws(&draws, &e).unwrap_err();
        assert!(err.to_string().contains("draw 1"), "{err}");
        let err = over_draws(&draws[..1], &e).unwrap_err();
        assert_eq!(
            err,
            DrawsError::EffectCount {
                effects: 2,
                draws: 1
            }
        );
    }
}
