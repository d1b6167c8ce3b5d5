//! Seeded percentile bootstrap of a ratio of medians (docs/decisions.md D-STATS-5).
//!
//! The two samples are resampled independently, with replacement, each at its own size (SciPy's
//! `bootstrap(..., paired=False, method="percentile")` scheme). Missing values (NaN: a run that
//! never reached the threshold) stay in the samples and are resampled like any trial, so the
//! number of missing runs varies between resamples; each resample's statistic is
//! `nanmedian(a*) / nanmedian(b*)`, the official reached-only median. A resample in which either
//! side has no value (or the denominator is 0) has no ratio: such resamples are counted, left out
//! of the percentiles, and if they exceed the interval's tail mass the interval is not determined.
//!
//! Indices come from SplitMix64 (index = output mod n; the bias is below n / 2^64), so a NumPy
//! script can replay the very same resamples (`scripts/make_bootstrap_fixture.py`).

use super::summary::percentile;
use super::StatsError;

/// SplitMix64 (Steele, Lea and Flood 2014): the generator of the resampling indices.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An index in `0..n` (`n > 0`).
    pub fn index(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// How the bootstrap runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapOptions {
    pub resamples: usize,
    pub seed: u64,
    /// Two-sided coverage of the interval, e.g. 0.95.
    pub confidence: f64,
}

impl Default for BootstrapOptions {
    /// 4000 resamples, seed 0, 95 % (the resample count is the project's choice: the Monte Carlo
    /// error of a 2.5 % quantile is then well below the spacing of median epoch counts).
    fn default() -> Self {
        Self {
            resamples: 4000,
            seed: 0,
            confidence: 0.95,
        }
    }
}

/// A ratio of medians with its percentile bootstrap interval.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioInterval {
    /// `nanmedian(a) / nanmedian(b)` on the samples themselves; NaN when undefined.
    pub estimate: f64,
    /// Percentile interval; `None` when more resamples than the tail mass had no ratio.
    pub interval: Option<(f64, f64)>,
    /// Resamples without a ratio (a side with no value, or a zero denominator).
    pub undefined: usize,
    pub resamples: usize,
    pub confidence: f64,
}

impl RatioInterval {
    /// Where `value` lies relative to the interval.
    pub fn locate(&self, value: f64) -> Option<Placement> {
        let (lo, hi) = self.interval?;
        Some(if value < lo {
            Placement::Below
        } else if value > hi {
            Placement::Above
        } else {
            Placement::Inside
        })
    }

    /// Standard error implied by the interval's width under normality (`(hi - lo) / (2 z)`).
    pub fn implied_se(&self) -> Option<f64> {
        let (lo, hi) = self.interval?;
        Some((hi - lo) / (2.0 * super::normal::normal_quantile(0.5 + self.confidence / 2.0)))
    }
}

/// Where a value lies relative to an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Below,
    Inside,
    Above,
}

impl Placement {
    pub fn text(self) -> &'static str {
        match self {
            Self::Below => "below",
            Self::Inside => "inside",
            Self::Above => "above",
        }
    }
}

fn ratio(a: &[f64], b: &[f64]) -> f64 {
    match (super::median(a), super::median(b)) {
        (Some(x), Some(y)) if y != 0.0 => x / y,
        _ => f64::NAN,
    }
}

/// The bootstrap ratios, one per resample (NaN where undefined), in resample order: for each
/// resample, `a.len()` indices into `a`, then `b.len()` indices into `b`.
pub fn bootstrap_ratios(a: &[f64], b: &[f64], options: &BootstrapOptions) -> Vec<f64> {
    let mut rng = SplitMix64::new(options.seed);
    let (mut ra, mut rb) = (vec![0.0; a.len()], vec![0.0; b.len()]);
    (0..options.resamples)
        .map(|_| {
            for v in ra.iter_mut() {
                *v = a[rng.index(a.len())];
            }
            for v in rb.iter_mut() {
                *v = b[rng.index(b.len())];
            }
            ratio(&ra, &rb)
        })
        .collect()
}

/// `nanmedian(a) / nanmedian(b)` with a seeded percentile bootstrap interval.
pub fn ratio_of_medians_interval(
    a: &[f64],
    b: &[f64],
    options: &BootstrapOptions,
) -> Result<RatioInterval, StatsError> {
    const TEST: &str = "ratio_of_medians_interval";
    if a.is_empty() {
        return Err(StatsError::EmptySample {
            test: TEST,
            sample: "a",
        });
    }
    if b.is_empty() {
        return Err(StatsError::EmptySample {
            test: TEST,
            sample: "b",
        });
    }
    if !(options.confidence > 0.0 && options.confidence < 1.0) {
        return Err(StatsError::InvalidAlpha {
            test: TEST,
            alpha: 1.0 - options.confidence,
        });
    }
    let ratios = bootstrap_ratios(a, b, options);
    let defined: Vec<f64> = ratios.iter().copied().filter(|r| !r.is_nan()).collect();
    let undefined = ratios.len() - defined.len();
    let tail = (1.0 - options.confidence) / 2.0;
    let interval = if defined.is_empty() || undefined as f64 > tail * ratios.len() as f64 {
        None
    } else {
        let lo = percentile(&defined, 100.0 * tail)?;
        let hi = percentile(&defined, 100.0 * (1.0 - tail))?;
        lo.zip(hi)
    };
    Ok(RatioInterval {
        estimate: ratio(a, b),
        interval,
        undefined,
        resamples: options.resamples,
        confidence: options.confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_published_sequence() {
        // Reference outputs of splitmix64 seeded with 1234567 (the generator's reference code).
        let mut r = SplitMix64::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(r.next_u64(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn constant_samples_give_a_point_interval() {
        let r =
            ratio_of_medians_interval(&[3.0; 7], &[6.0; 5], &BootstrapOptions::default()).unwrap();
        assert_eq!(r.estimate, 0.5);
        assert_eq!(r.interval, Some((0.5, 0.5)));
        assert_eq!(r.locate(0.58), Some(Placement::Above));
        assert_eq!(r.locate(0.5), Some(Placement::Inside));
    }

    #[test]
    fn mostly_missing_denominators_leave_the_interval_undetermined() {
        // Fluid reached the threshold in 1 of 10 trials: most resamples have no Fluid median.
        let b: Vec<f64> = std::iter::once(50.0)
            .chain(std::iter::repeat_n(f64::NAN, 9))
            .collect();
        let r = ratio_of_medians_interval(&[10.0, 12.0, 11.0], &b, &BootstrapOptions::default())
            .unwrap();
        // A resample has no Fluid median with probability 0.9^10 = 0.349 (binomial sd ~ 30).
        let expected = 4000.0 * 0.9f64.powi(10);
        assert!(
            (r.undefined as f64 - expected).abs() < 120.0,
            "{}",
            r.undefined
        );
        assert_eq!(r.interval, None);
        assert!((r.estimate - 11.0 / 50.0).abs() < 1e-12);
    }

    #[test]
    fn same_seed_same_interval_and_bad_input_is_an_error() {
        let a: Vec<f64> = (0..20).map(|k| f64::from(k % 7 + 3)).collect();
        let b: Vec<f64> = (0..20).map(|k| f64::from(k % 5 + 8)).collect();
        let o = BootstrapOptions::default();
        assert_eq!(
            ratio_of_medians_interval(&a, &b, &o),
            ratio_of_medians_interval(&a, &b, &o)
        );
        let other = ratio_of_medians_interval(&a, &b, &BootstrapOptions { seed: 1, ..o }).unwrap();
        assert!(other.interval.is_some());
        assert!(ratio_of_medians_interval(&[], &b, &o).is_err());
        let bad = BootstrapOptions {
            confidence: 1.0,
            ..o
        };
        assert!(ratio_of_medians_interval(&a, &b, &bad).is_err());
    }
}
