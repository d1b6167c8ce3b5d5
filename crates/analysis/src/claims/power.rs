//! How many trials would have sufficed: the power calculations behind the verdict
//! "underpowered" (docs/decisions.md D-STATS-6). All at two-sided level `alpha` and power 80 %
//! (the power is the project's own choice, the usual convention).

use crate::stats::normal_quantile;

/// Target power of every calculation here.
pub const POWER: f64 = 0.8;

/// Largest trial count reported; beyond it the answer is "more than this".
pub const MAX_TRIALS: usize = 1_000_000;

fn z_sum(alpha: f64) -> f64 {
    normal_quantile(1.0 - alpha / 2.0) + normal_quantile(POWER)
}

/// Trials per group for a two-sided Mann-Whitney U test to detect a probability of superiority
/// `p_superiority` = P(A < B) + P(A = B) / 2 (Noether 1987, equal groups):
/// `n = (z_{1-alpha/2} + z_{power})^2 / (6 (p - 1/2)^2)`. `None` when there is no effect
/// (p = 1/2) or more than [`MAX_TRIALS`] would be needed.
pub fn mann_whitney_trials(p_superiority: f64, alpha: f64) -> Option<usize> {
    let effect = p_superiority - 0.5;
    if effect.abs() < 1e-12 || !effect.is_finite() {
        return None;
    }
    let n = (z_sum(alpha) / effect).powi(2) / 6.0;
    (n <= MAX_TRIALS as f64).then(|| n.ceil() as usize)
}

/// Trials at which an estimate whose standard error is `se` at `trials` trials (scaling as
/// `1 / sqrt(trials)`) separates `claimed` from `null` with power 80 %:
/// `n = trials * ((z_{1-alpha/2} + z_{power}) * se / |claimed - null|)^2`.
pub fn separation_trials(
    trials: usize,
    se: f64,
    claimed: f64,
    null: f64,
    alpha: f64,
) -> Option<usize> {
    let gap = (claimed - null).abs();
    if gap == 0.0 || !se.is_finite() || trials == 0 {
        return None;
    }
    let n = trials as f64 * (z_sum(alpha) * se / gap).powi(2);
    (n <= MAX_TRIALS as f64).then(|| n.ceil().max(1.0) as usize)
}

/// Smallest number of trials at which the observed success rate `rate` (if it held exactly)
/// would put the Wilson 95 % interval's lower end above `level`; `None` if `rate <= level` or
/// more than [`MAX_TRIALS`] would be needed.
pub fn wilson_trials(rate: f64, level: f64) -> Option<usize> {
    if rate <= level {
        return None;
    }
    let above = |n: usize| {
        let k = (rate * n as f64).round() as usize;
        super::rules::wilson(k.min(n), n).0 > level
    };
    // The lower end grows with n at a fixed rate (up to rounding of k): double, then bisect.
    let mut hi = 1;
    while !above(hi) {
        hi *= 2;
        if hi > MAX_TRIALS {
            return None;
        }
    }
    let mut lo = hi / 2;
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if above(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noether_by_hand() {
        // (1.959964 + 0.841621)^2 / (6 * 0.2^2) = 7.84887 / 0.24 = 32.70 -> 33.
        assert_eq!(mann_whitney_trials(0.7, 0.05), Some(33));
        assert_eq!(mann_whitney_trials(0.3, 0.05), Some(33), "symmetric");
        assert_eq!(mann_whitney_trials(0.5, 0.05), None);
        // Holm's first step over 10 sizes tests at 0.005: z = 2.807034, (3.648655)^2 / 0.24 = 55.47.
        assert_eq!(mann_whitney_trials(0.7, 0.005), Some(56));
    }

    #[test]
    fn separation_by_hand() {
        // se 0.1 at 20 trials, gap 0.42: 20 * (2.801585 * 0.1 / 0.42)^2 = 8.90 -> 9.
        assert_eq!(separation_trials(20, 0.1, 0.58, 1.0, 0.05), Some(9));
        // se 0.3: 20 * (2.801585 * 0.3 / 0.42)^2 = 80.1 -> 81.
        assert_eq!(separation_trials(20, 0.3, 0.58, 1.0, 0.05), Some(81));
        assert_eq!(separation_trials(20, 0.3, 1.0, 1.0, 0.05), None);
    }

    #[test]
    fn wilson_trials_for_all_successes_against_99_percent() {
        // All successes: the lower end is n / (n + z^2) > 0.99 iff n > 99 z^2 = 380.3.
        assert_eq!(wilson_trials(1.0, 0.99), Some(381));
        assert!(super::super::rules::wilson(381, 381).0 > 0.99);
        assert!(super::super::rules::wilson(380, 380).0 <= 0.99);
        assert_eq!(wilson_trials(0.98, 0.99), None);
    }
}
