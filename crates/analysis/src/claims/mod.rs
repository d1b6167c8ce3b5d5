//! A paper's claim next to our measurement, with a verdict: shared by every reproduction report.
//! The rules that decide verdicts are in [`rules`], one function per kind of claim.

pub mod draws;
pub mod margin;
pub mod noninferiority;
pub mod power;
pub mod rules;

pub use rules::{Assertion, Judgement, RatioClaim, SizeOutcome};

/// The outcome of checking one claim (docs/decisions.md D-CLAIM-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The evidence establishes the claim (its interval or test lies on the claim's side).
    Holds,
    /// The interval covers the claim without establishing it, at a trial count that could have.
    Consistent,
    /// The evidence is against the claim (the claimed value outside the interval, or a
    /// significant effect the other way).
    DoesNotHold,
    /// The test could not have detected the claimed effect at this trial count; `trials`: how many
    /// per condition would (80 % power), `None` when no trial count would or it is unbounded.
    Underpowered { trials: Option<usize> },
    /// The run does not contain what the claim needs.
    NotMeasured,
}

impl Verdict {
    /// The verdict word.
    pub fn word(self) -> &'static str {
        match self {
            Self::Holds => "holds",
            Self::Consistent => "consistent",
            Self::DoesNotHold => "does not hold",
            Self::Underpowered { .. } => "underpowered",
            Self::NotMeasured => "not measured",
        }
    }

    /// The verdict for tables, with the trial count an underpowered test would need.
    pub fn text(self) -> String {
        match self {
            Self::Underpowered { trials: Some(k) } => {
                format!("underpowered (~{k} trials would do)")
            }
            _ => self.word().to_string(),
        }
    }

    /// The verdict of a claim of similarity or non-inferiority without a declared margin: it can
    /// be refuted, not established, so "holds" becomes "consistent" (docs/decisions.md D-CLAIM-9).
    pub fn without_margin(self) -> Self {
        match self {
            Self::Holds => Self::Consistent,
            other => other,
        }
    }

    /// Whether the claim holds (for counting draws in which it holds).
    pub fn holds(self) -> bool {
        self == Self::Holds
    }
}

/// One row of a claims table.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub id: String,
    pub statement: String,
    /// What the paper says (value or qualitative statement).
    pub paper: String,
    pub measured: String,
    pub verdict: Verdict,
    /// How the verdict was decided.
    pub test: String,
}

impl Claim {
    /// A claim decided by a shared rule.
    pub fn judged(id: &str, statement: String, paper: &str, judgement: Judgement) -> Self {
        Self {
            id: id.into(),
            statement,
            paper: paper.into(),
            measured: judgement.measured,
            verdict: judgement.verdict,
            test: judgement.test,
        }
    }

    /// A claim this run cannot check (`what` is missing from its grid): not measured.
    pub fn not_measured(id: &str, statement: &str, paper: &str, what: &str) -> Self {
        Self {
            id: id.into(),
            statement: statement.into(),
            paper: paper.into(),
            measured: format!("not measured: {what}"),
            verdict: Verdict::NotMeasured,
            test: "-".into(),
        }
    }
}

/// A p-value for tables: 3 decimals, scientific below 0.001, "-" when undefined.
pub fn fmt_p(p: f64) -> String {
    if p.is_nan() {
        "-".into()
    } else if p < 1e-3 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_format_for_tables() {
        assert_eq!(fmt_p(f64::NAN), "-");
        assert_eq!(fmt_p(0.04567), "0.046");
        assert_eq!(fmt_p(0.000123), "1.2e-4");
        assert_eq!(Verdict::DoesNotHold.text(), "does not hold");
        assert_eq!(
            Verdict::Underpowered { trials: Some(381) }.text(),
            "underpowered (~381 trials would do)"
        );
        assert_eq!(
            Verdict::Underpowered { trials: None }.text(),
            "underpowered"
        );
    }
}
