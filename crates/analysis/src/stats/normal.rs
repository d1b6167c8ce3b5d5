//! Standard normal tail probabilities.

/// P(Z > z) for a standard normal Z, accurate in the far tails (erfc, not 1 - cdf).
pub(crate) fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_tabulated_values() {
        // Reference values from scipy.stats.norm.sf.
        assert_eq!(normal_sf(0.0), 0.5);
        assert!((normal_sf(1.959963984540054) - 0.025).abs() < 1e-15);
        assert!((normal_sf(-1.0) - 0.8413447460685429).abs() < 1e-15);
        let far = normal_sf(8.0);
        assert!((far - 6.220960574271785e-16).abs() / far < 1e-12, "{far}");
    }
}
