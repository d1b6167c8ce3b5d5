//! The bounds of the theory curves (docs/decisions.md D-PLAN-3), checked before any
//! computation: rows n = 1..=max_units of exact rationals whose size grows with n, so the
//! library refuses what the command line refuses.

use polarity_core::plan::{out_of_range, PlanError};

/// Largest number of hidden units (rows) the curves are computed for.
pub const MAX_UNITS: u32 = 1000;
/// Largest input dimension of Theorem D.1.
pub const MAX_DIMS: u32 = 64;

/// Refuses `max_units` outside 1..=[`MAX_UNITS`] and `dims` outside 2..=[`MAX_DIMS`].
pub fn check(max_units: u32, dims: u32) -> Result<(), PlanError> {
    if !(1..=MAX_UNITS).contains(&max_units) {
        return Err(out_of_range(
            "max-units",
            max_units,
            format!("expected 1 to {MAX_UNITS}"),
        ));
    }
    if !(2..=MAX_DIMS).contains(&dims) {
        return Err(out_of_range(
            "dims",
            dims,
            format!(
                "expected 2 to {MAX_DIMS} (2 relevant inputs and up to {} nuisance)",
                MAX_DIMS - 2
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive_and_named() {
        assert!(check(1, 2).is_ok());
        assert!(check(MAX_UNITS, MAX_DIMS).is_ok());
        assert!(check(0, 5)
            .unwrap_err()
            .to_string()
            .starts_with("--max-units 0"));
        assert!(check(MAX_UNITS + 1, 5).is_err());
        assert!(check(30, 1)
            .unwrap_err()
            .to_string()
            .starts_with("--dims 1"));
        assert!(check(30, MAX_DIMS + 1).is_err());
        assert!(crate::curves::xor_curves(u32::MAX, 5, false).is_err());
    }
}
