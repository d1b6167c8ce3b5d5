//! Plans checked before any work starts (docs/decisions.md D-PLAN-1 to D-PLAN-4).
//!
//! Each task turns its typed config into a [`Plan`]: terms of memory (bytes) and work (FLOPs),
//! each a product of named [`Factor`]s (the options the user typed and the counts derived from
//! them) times a per-item cost. Products are taken with checked arithmetic, so a typed size can
//! never overflow into a small number; [`Plan::check`] compares the total with a
//! [`MemoryLimit`](crate::memory_limit::MemoryLimit) and, when it does not fit, names the largest
//! term with its options and values, the estimate and the limit. Nothing here allocates in
//! proportion to a typed size.

use crate::memory_limit::MemoryLimit;
use thiserror::Error;

/// One factor of a term: an option the user set (`--hidden 64`) or a count derived from the
/// config (`3 conditions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    pub name: String,
    pub value: u64,
    pub is_option: bool,
}

impl Factor {
    /// An option as typed on the command line, `name` without dashes (`hidden`, `train-sizes`).
    pub fn option(name: &str, value: impl TryInto<u64>) -> Self {
        Self {
            name: name.to_string(),
            value: value.try_into().unwrap_or(u64::MAX),
            is_option: true,
        }
    }

    /// A count derived from the config (`conditions`, `units`).
    pub fn count(name: &str, value: impl TryInto<u64>) -> Self {
        Self {
            name: name.to_string(),
            value: value.try_into().unwrap_or(u64::MAX),
            is_option: false,
        }
    }
}

impl std::fmt::Display for Factor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_option {
            write!(f, "--{} {}", self.name, self.value)
        } else {
            write!(f, "{} {}", self.value, self.name)
        }
    }
}

/// `what` costs `each` (bytes or FLOPs) per item, for the product of `factors` items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub what: String,
    pub factors: Vec<Factor>,
    pub each: u64,
    /// Options that set `each` or a factor without being one (e.g. `--input-size` behind a
    /// network's parameter count): named first when the term is refused.
    pub given: Vec<Factor>,
}

impl Term {
    pub fn new(what: impl Into<String>, factors: Vec<Factor>, each: u64) -> Self {
        Self {
            what: what.into(),
            factors,
            each,
            given: Vec::new(),
        }
    }

    /// The term with `options` named as what set its sizes.
    pub fn given(mut self, options: Vec<Factor>) -> Self {
        self.given = options;
        self
    }

    /// The product of the factors and `each`; `None` when it overflows 64 bits.
    pub fn total(&self) -> Option<u64> {
        self.factors
            .iter()
            .try_fold(self.each, |acc, f| acc.checked_mul(f.value))
    }

    /// `--a 1 x 3 conditions x 48 B`.
    fn describe(&self, unit: &str) -> String {
        let mut parts: Vec<String> = self.factors.iter().map(Factor::to_string).collect();
        parts.push(format!("{} {unit}", self.each));
        parts.join(" x ")
    }

    /// The options among the factors and `given`, for the error's first words.
    fn options(&self) -> String {
        // Largest value first: the most likely typo leads the message.
        let mut named: Vec<&Factor> = self
            .given
            .iter()
            .chain(&self.factors)
            .filter(|f| f.is_option)
            .collect();
        named.sort_by_key(|f| std::cmp::Reverse(f.value));
        let options: Vec<String> = named.iter().map(|f| f.to_string()).collect();
        if options.is_empty() {
            String::new()
        } else {
            format!("{}: ", options.join(", "))
        }
    }
}

/// Checked product of `factors` (each with its option name for the error).
pub fn checked_product(what: &str, factors: &[Factor]) -> Result<u64, PlanError> {
    Term::new(what, factors.to_vec(), 1)
        .total()
        .ok_or_else(|| PlanError::Overflow {
            what: what.to_string(),
            factors: factors
                .iter()
                .map(Factor::to_string)
                .collect::<Vec<_>>()
                .join(" x "),
        })
}

/// Why a plan is refused.
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum PlanError {
    /// A single value outside what the task can use.
    #[error("--{option} {value}: {expected}")]
    OutOfRange {
        option: String,
        value: String,
        expected: String,
    },
    /// A product of typed sizes that does not fit 64 bits.
    #[error("{what}: {factors} overflows 64 bits; refused before any work")]
    Overflow { what: String, factors: String },
    /// The plan needs more memory than the limit (boxed: errors stay small).
    #[error("{0}")]
    TooLarge(Box<Refusal>),
    /// A malformed memory limit (`POLARITY_MEMORY_LIMIT`).
    #[error("{variable}='{value}': expected a size in bytes such as 2000000000, 512M, 16G or 1T")]
    BadLimit { variable: String, value: String },
}

/// A plan refused for its memory: the largest term (its options, what it is, its factors and
/// bytes), the plan's total and the limit.
#[derive(Debug, Error, PartialEq)]
#[error(
    "{options}refused before any work: {what} needs {} ({detail}); the whole plan \
     needs {}, more than the limit of {} ({limit_source})",
    human_bytes(*.bytes), human_bytes(*.total), human_bytes(*.limit)
)]
pub struct Refusal {
    /// `--a 1, --b 2: ` (the options named first, largest value first), or empty.
    pub options: String,
    pub what: String,
    pub detail: String,
    pub bytes: u64,
    pub total: u64,
    pub limit: u64,
    pub limit_source: String,
}

/// Builds a [`PlanError::OutOfRange`].
pub fn out_of_range(option: &str, value: impl ToString, expected: impl Into<String>) -> PlanError {
    PlanError::OutOfRange {
        option: option.to_string(),
        value: value.to_string(),
        expected: expected.into(),
    }
}

/// What a run will need: memory terms (bytes held at the peak), work terms (FLOPs) and the
/// number of networks it trains.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub memory: Vec<Term>,
    pub work: Vec<Term>,
    pub networks: u64,
}

/// A speed to turn FLOPs into an expected time, with where the figure comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed {
    pub gflop_per_s: f64,
    pub source: &'static str,
}

/// Plans whose expected time exceeds this print their estimate before starting (D-PLAN-4).
pub const LONG_RUN_SECONDS: f64 = 60.0;

impl Plan {
    /// Total bytes; `None` on overflow.
    pub fn memory_bytes(&self) -> Option<u64> {
        self.memory
            .iter()
            .try_fold(0u64, |acc, t| acc.checked_add(t.total()?))
    }

    /// Total FLOPs as a float (work is never refused, only reported; saturates at `u64::MAX`
    /// per term).
    pub fn work_flops(&self) -> f64 {
        self.work
            .iter()
            .map(|t| t.total().map_or(u64::MAX as f64, |v| v as f64))
            .sum()
    }

    /// Refuses the plan when its memory does not fit `limit`, naming the largest term.
    pub fn check(&self, limit: &MemoryLimit) -> Result<(), PlanError> {
        let total = self.memory_bytes();
        if total.is_some_and(|t| t <= limit.bytes) {
            return Ok(());
        }
        let largest = self
            .memory
            .iter()
            .max_by_key(|t| t.total().unwrap_or(u64::MAX))
            .expect("a total above the limit has at least one term");
        Err(PlanError::TooLarge(Box::new(Refusal {
            options: largest.options(),
            what: largest.what.clone(),
            detail: largest.describe("B"),
            bytes: largest.total().unwrap_or(u64::MAX),
            total: total.unwrap_or(u64::MAX),
            limit: limit.bytes,
            limit_source: limit.source.clone(),
        })))
    }

    /// Expected seconds at `speed`.
    pub fn expected_seconds(&self, speed: Speed) -> f64 {
        self.work_flops() / (speed.gflop_per_s * 1e9)
    }

    /// Whether the plan is long enough to print its estimate before starting.
    pub fn is_long(&self, speed: Speed) -> bool {
        self.expected_seconds(speed) > LONG_RUN_SECONDS
    }

    /// One line: networks, GFLOP, expected time at `speed`, memory estimate and limit.
    pub fn summary(&self, speed: Speed, limit: &MemoryLimit) -> String {
        format!(
            "plan: {} networks, {:.1} GFLOP, about {} at {} GFLOP/s ({}); memory about {} of {} ({})",
            self.networks,
            self.work_flops() / 1e9,
            human_seconds(self.expected_seconds(speed)),
            speed.gflop_per_s,
            speed.source,
            human_bytes(self.memory_bytes().unwrap_or(u64::MAX)),
            human_bytes(limit.bytes),
            limit.source
        )
    }
}

/// `1.5 GiB (1610612736 B)`; `u64::MAX` reads "more than 16 EiB".
pub fn human_bytes(bytes: u64) -> String {
    if bytes == u64::MAX {
        return "more than 16 EiB".to_string();
    }
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    format!("{value:.1} {unit} ({bytes} B)")
}

/// `42 s`, `3.5 min`, `2.0 h`, `4.1 days`.
pub fn human_seconds(s: f64) -> String {
    if !s.is_finite() {
        "forever".to_string()
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(bytes: u64) -> MemoryLimit {
        MemoryLimit {
            bytes,
            source: "test".into(),
        }
    }

    #[test]
    fn term_total_is_the_product_and_overflow_is_none() {
        let t = Term::new(
            "rows",
            vec![
                Factor::option("epochs", 100u64),
                Factor::count("units", 11u64),
            ],
            48,
        );
        assert_eq!(t.total(), Some(100 * 11 * 48));
        let huge = Term::new(
            "rows",
            vec![
                Factor::option("epochs", u64::MAX / 2),
                Factor::count("units", 3u64),
            ],
            1,
        );
        assert_eq!(huge.total(), None);
        // Brute force over small factors: the checked product equals the plain one.
        for a in 0..20u64 {
            for b in 0..20u64 {
                let t = Term::new("x", vec![Factor::count("a", a), Factor::count("b", b)], 7);
                assert_eq!(t.total(), Some(a * b * 7));
            }
        }
    }

    #[test]
    fn check_refuses_naming_the_largest_term_its_options_and_the_limit() {
        let plan = Plan {
            memory: vec![
                Term::new("data", vec![Factor::option("val-size", 1000u64)], 20),
                Term::new(
                    "network state",
                    vec![
                        Factor::option("hidden", 1_000_000_000u64),
                        Factor::count("networks", 150u64),
                    ],
                    100,
                ),
            ],
            work: vec![],
            networks: 150,
        };
        assert_eq!(
            plan.memory_bytes(),
            Some(20_000 + 150 * 100 * 1_000_000_000)
        );
        let err = plan.check(&limit(1 << 30)).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("--hidden 1000000000:"), "{text}");
        assert!(text.contains("network state"), "{text}");
        assert!(text.contains("1.0 GiB (1073741824 B)"), "{text}");
        assert!(text.contains("(test)"), "{text}");
        // The same plan under a limit equal to its total fits; one byte less does not.
        let total = plan.memory_bytes().unwrap();
        assert!(plan.check(&limit(total)).is_ok());
        assert!(plan.check(&limit(total - 1)).is_err());
    }

    #[test]
    fn the_largest_option_is_named_first() {
        let plan = Plan {
            memory: vec![
                Term::new("model", vec![Factor::count("parameters", 1u64 << 40)], 48)
                    .given(vec![Factor::option("input-size", 100_000u64)]),
            ],
            ..Plan::default()
        };
        assert_eq!(plan.memory_bytes(), Some(48 << 40));
        let err = plan.check(&limit(1 << 30)).unwrap_err().to_string();
        assert!(err.starts_with("--input-size 100000:"), "{err}");
        let plan = Plan {
            memory: vec![Term::new(
                "batch",
                vec![Factor::option("batch-size", 60_000u64)],
                1 << 30,
            )
            .given(vec![Factor::option("input-size", 227u64)])],
            ..Plan::default()
        };
        let err = plan.check(&limit(1 << 30)).unwrap_err().to_string();
        assert!(
            err.starts_with("--batch-size 60000, --input-size 227:"),
            "{err}"
        );
    }

    #[test]
    fn overflowing_total_is_refused_not_wrapped() {
        let plan = Plan {
            memory: vec![
                Term::new("a", vec![Factor::option("x", u64::MAX / 2 + 1)], 1),
                Term::new("b", vec![Factor::option("y", u64::MAX / 2 + 1)], 1),
            ],
            ..Plan::default()
        };
        assert_eq!(plan.memory_bytes(), None);
        assert!(plan.check(&limit(u64::MAX - 1)).is_err());
    }

    #[test]
    fn checked_product_names_the_factors() {
        let ok = checked_product(
            "pixels",
            &[
                Factor::option("input-size", 227u64),
                Factor::option("input-size", 227u64),
            ],
        );
        assert_eq!(ok, Ok(227 * 227));
        let err = checked_product(
            "pixels",
            &[
                Factor::option("input-size", u64::MAX),
                Factor::count("channels", 3u64),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("--input-size 18446744073709551615"), "{err}");
        assert!(err.contains("overflows"), "{err}");
    }

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 << 20), "3.0 MiB (3145728 B)");
        assert_eq!(human_bytes(u64::MAX), "more than 16 EiB");
        assert_eq!(human_seconds(30.0), "30 s");
        assert_eq!(human_seconds(600.0), "10.0 min");
        assert_eq!(human_seconds(3.0 * 86400.0), "3.0 days");
    }
}
