//! Comparing two templates entry by entry: per tensor, how many entries flip sign (the Supp B.5
//! measure, docs/decisions.md D-METRIC-4) and, among entries both templates constrain, how many
//! agree (docs/decisions.md D-TEMPLATE-4).

use crate::{PolarityError, PolarityTemplate};

/// Sign counts of one tensor present in both templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSignDiff {
    pub name: String,
    pub shape: Vec<usize>,
    /// All entries.
    pub entries: usize,
    /// Entries where the signs differ, a change between 0 and +-1 included (D-METRIC-4).
    pub flips: usize,
    /// Entries constrained (non-zero) in both templates.
    pub both_constrained: usize,
    /// Entries constrained in both with the same sign.
    pub agree: usize,
}

impl TensorSignDiff {
    /// `flips / entries`: the flip ratio between the two templates (0 for an empty tensor).
    pub fn flip_ratio(&self) -> f64 {
        ratio(self.flips, self.entries).unwrap_or(0.0)
    }
    /// `agree / both_constrained`; `None` when no entry is constrained in both.
    pub fn agree_share(&self) -> Option<f64> {
        ratio(self.agree, self.both_constrained)
    }
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Per tensor (in the first template's order), and over all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDiff {
    pub tensors: Vec<TensorSignDiff>,
}

impl TemplateDiff {
    /// The counts summed over every tensor (`name` "all", empty shape).
    pub fn total(&self) -> TensorSignDiff {
        let sum = |f: fn(&TensorSignDiff) -> usize| self.tensors.iter().map(f).sum();
        TensorSignDiff {
            name: "all".into(),
            shape: Vec::new(),
            entries: sum(|t| t.entries),
            flips: sum(|t| t.flips),
            both_constrained: sum(|t| t.both_constrained),
            agree: sum(|t| t.agree),
        }
    }
}

impl PolarityTemplate {
    /// Compares `self` (named `a` in errors) with `other` (`b`). Both must hold the same tensor
    /// names with the same shapes, and, where both record it, the same Linear layout (else the
    /// same position would be different weights); every problem is listed.
    pub fn diff(&self, other: &Self, a: &str, b: &str) -> Result<TemplateDiff, PolarityError> {
        let mut problems = Vec::new();
        if let (Some(la), Some(lb)) = (self.provenance.layout, other.provenance.layout) {
            if la != lb {
                problems.push(format!(
                    "  Linear layouts differ: {la} {} in '{a}', {lb} {} in '{b}' (remake one with --layout {la})",
                    la.axes(),
                    lb.axes()
                ));
            }
        }
        for t in &self.tensors {
            match other.tensor(t.name()) {
                None => problems.push(format!("  '{}' is only in '{a}'", t.name())),
                Some(o) if o.spec.shape != t.spec.shape => problems.push(format!(
                    "  '{}': shape {:?} in '{a}', {:?} in '{b}'",
                    t.name(),
                    t.spec.shape,
                    o.spec.shape
                )),
                Some(_) => {}
            }
        }
        for o in &other.tensors {
            if self.tensor(o.name()).is_none() {
                problems.push(format!("  '{}' is only in '{b}'", o.name()));
            }
        }
        if !problems.is_empty() {
            return Err(PolarityError::NotComparable {
                a: a.into(),
                b: b.into(),
                problems: problems.join("\n"),
            });
        }
        let tensors = self
            .tensors
            .iter()
            .map(|t| {
                let o = other.tensor(t.name()).expect("checked above");
                let mut d = TensorSignDiff {
                    name: t.name().to_string(),
                    shape: t.spec.shape.clone(),
                    entries: t.signs().len(),
                    flips: 0,
                    both_constrained: 0,
                    agree: 0,
                };
                for (&x, &y) in t.signs().iter().zip(o.signs()) {
                    d.flips += usize::from(x != y);
                    let both = x != 0 && y != 0;
                    d.both_constrained += usize::from(both);
                    d.agree += usize::from(both && x == y);
                }
                d
            })
            .collect();
        Ok(TemplateDiff { tensors })
    }
}
