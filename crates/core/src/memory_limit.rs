//! The memory a plan may use (docs/decisions.md D-PLAN-2): `POLARITY_MEMORY_LIMIT` when set (taken
//! as is), else 80 % of `MemAvailable` in `/proc/meminfo`, else an assumed 4 GiB.

use crate::plan::PlanError;

/// Environment variable that overrides the detected limit (bytes, or with a K/M/G/T suffix).
pub const ENV_MEMORY_LIMIT: &str = "POLARITY_MEMORY_LIMIT";
/// Fraction of `MemAvailable` a plan may use; the rest absorbs what the estimates leave out
/// (allocator overhead, the binary, other processes starting meanwhile).
pub const AVAILABLE_FRACTION: f64 = 0.8;
/// Limit assumed where neither the variable nor `/proc/meminfo` is there.
pub const FALLBACK_BYTES: u64 = 4 << 30;

/// A memory limit and where it came from (for the error message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryLimit {
    pub bytes: u64,
    pub source: String,
}

impl MemoryLimit {
    /// The limit for this process: the variable, else `/proc/meminfo`, else the fallback.
    pub fn detect() -> Result<Self, PlanError> {
        let env = std::env::var(ENV_MEMORY_LIMIT).ok();
        let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
        Self::from_sources(env.as_deref(), meminfo.as_deref())
    }

    /// The limit from the variable's value (if set) and the text of `/proc/meminfo` (if read).
    pub fn from_sources(env: Option<&str>, meminfo: Option<&str>) -> Result<Self, PlanError> {
        if let Some(value) = env.filter(|v| !v.trim().is_empty()) {
            let bytes = parse_size(value).ok_or_else(|| PlanError::BadLimit {
                variable: ENV_MEMORY_LIMIT.to_string(),
                value: value.to_string(),
            })?;
            return Ok(Self {
                bytes,
                source: format!("{ENV_MEMORY_LIMIT}={value}"),
            });
        }
        if let Some(kib) = meminfo.and_then(mem_available_kib) {
            let available = kib.saturating_mul(1024);
            return Ok(Self {
                bytes: (available as f64 * AVAILABLE_FRACTION) as u64,
                source: format!(
                    "{:.0} % of MemAvailable {} in /proc/meminfo; set {ENV_MEMORY_LIMIT} to change",
                    AVAILABLE_FRACTION * 100.0,
                    crate::plan::human_bytes(available)
                ),
            });
        }
        Ok(Self {
            bytes: FALLBACK_BYTES,
            source: format!(
                "assumed: no /proc/meminfo; set {ENV_MEMORY_LIMIT} to this machine's memory"
            ),
        })
    }
}

/// `MemAvailable:   12345 kB` -> 12345.
fn mem_available_kib(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|line| {
        let rest = line.strip_prefix("MemAvailable:")?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// `2000000000`, `512M`, `16G`, `16GiB`, `1T` (binary multiples); `None` if malformed or over
/// 64 bits.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, suffix) = t.split_at(digits);
    let number: u64 = number.parse().ok()?;
    let shift = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return None,
    };
    number.checked_mul(1u64 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMINFO: &str = "MemTotal:       24570000 kB\nMemFree:         1000000 kB\nMemAvailable:   10000000 kB\nBuffers:  1 kB\n";

    #[test]
    fn variable_wins_and_is_taken_as_is() {
        let l = MemoryLimit::from_sources(Some("512M"), Some(MEMINFO)).unwrap();
        assert_eq!(l.bytes, 512 << 20);
        assert!(l.source.contains("POLARITY_MEMORY_LIMIT=512M"));
    }

    #[test]
    fn meminfo_available_with_margin() {
        let l = MemoryLimit::from_sources(None, Some(MEMINFO)).unwrap();
        assert_eq!(l.bytes, (10_000_000u64 * 1024) * 8 / 10);
        assert!(l.source.contains("MemAvailable"), "{}", l.source);
    }

    #[test]
    fn fallback_without_meminfo() {
        let l = MemoryLimit::from_sources(None, Some("MemTotal: 1 kB\n")).unwrap();
        assert_eq!(l.bytes, FALLBACK_BYTES);
    }

    #[test]
    fn bad_variable_names_it_and_the_value() {
        let err = MemoryLimit::from_sources(Some("lots"), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("POLARITY_MEMORY_LIMIT='lots'"), "{err}");
    }

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("2000000000"), Some(2_000_000_000));
        assert_eq!(parse_size("64k"), Some(64 << 10));
        assert_eq!(parse_size("16GiB"), Some(16 << 30));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        assert_eq!(parse_size("99999999999999T"), None);
        assert_eq!(parse_size("1.5G"), None);
        assert_eq!(parse_size(""), None);
    }
}
