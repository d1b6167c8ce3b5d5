//! A paper's claim next to our measurement, with a verdict: shared by every reproduction report.
//! The rules that decide verdicts are in [`rules`], one function per kind of claim.

pub mod rules;

pub use rules::{Assertion, Judgement, SizeOutcome};

/// The outcome of checking one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    DoesNotHold,
    Inconclusive,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Self::Holds => "holds",
            Self::DoesNotHold => "does not hold",
            Self::Inconclusive => "inconclusive",
        }
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

    /// A claim this run cannot check (`what` is missing from its grid): inconclusive.
    pub fn not_measured(id: &str, statement: &str, paper: &str, what: &str) -> Self {
        Self {
            id: id.into(),
            statement: statement.into(),
            paper: paper.into(),
            measured: format!("not measured: {what}"),
            verdict: Verdict::Inconclusive,
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
    }
}
