//! A paper's claim next to our measurement, with a verdict: shared by every reproduction report.

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
