//! Standard normal tail probabilities.

/// P(Z > z) for a standard normal Z, accurate in the far tails (erfc, not 1 - cdf).
pub(crate) fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile: z with P(Z <= z) = p, for p in (0, 1); by bisection on
/// [`normal_sf`] to full double precision (NaN outside (0, 1)).
pub(crate) fn normal_quantile(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if 1.0 - normal_sf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= f64::EPSILON * mid.abs().max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
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

    #[test]
    fn quantiles_match_scipy() {
        // scipy.stats.norm.ppf
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-12);
        assert!((normal_quantile(0.8) - 0.8416212335729143).abs() < 1e-12);
        assert!(normal_quantile(0.5).abs() < 1e-12);
        assert!(normal_quantile(1.0).is_nan());
    }
}
