//! Keras initialisers, drawn on the host from a polarity seed so that a network's initial
//! weights depend only on (seed, coordinates), not on the backend or device.

use polarity_core::seed::PolarityRng;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// An initialiser of one kernel, with Keras' semantics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KernelInit {
    /// Keras `GlorotNormal`: truncated normal (re-drawn beyond 2 sd) with
    /// sd = sqrt(2 / (fan_in + fan_out)) / 0.87962566103423978.
    GlorotNormal,
    /// Keras `GlorotUniform`: U(-l, l), l = sqrt(6 / (fan_in + fan_out)).
    GlorotUniform,
    /// Keras `TruncatedNormal(mean 0, stddev)`: normal re-drawn beyond 2 sd.
    TruncatedNormal { stddev: f32 },
}

/// Keras' fans: for a kernel of shape `[.., in, out]` with receptive field `r` (product of the
/// spatial dims), fan_in = r * in, fan_out = r * out.
pub fn fans(inputs: usize, outputs: usize, receptive: usize) -> (usize, usize) {
    (receptive * inputs, receptive * outputs)
}

fn truncated_normal(rng: &mut PolarityRng, sd: f64) -> f32 {
    loop {
        let z: f64 = StandardNormal.sample(rng);
        if z.abs() <= 2.0 {
            return (z * sd) as f32;
        }
    }
}

impl KernelInit {
    /// `n` values for a kernel with the given fans (i.i.d., so the layout does not matter).
    pub fn sample(
        self,
        n: usize,
        fan_in: usize,
        fan_out: usize,
        rng: &mut PolarityRng,
    ) -> Vec<f32> {
        let fan_sum = (fan_in + fan_out).max(1) as f64;
        match self {
            Self::GlorotNormal => {
                let sd = (2.0 / fan_sum).sqrt() / 0.879_625_661_034_239_8;
                (0..n).map(|_| truncated_normal(rng, sd)).collect()
            }
            Self::GlorotUniform => {
                let limit = (6.0 / fan_sum).sqrt() as f32;
                (0..n).map(|_| rng.random_range(-limit..limit)).collect()
            }
            Self::TruncatedNormal { stddev } => (0..n)
                .map(|_| truncated_normal(rng, f64::from(stddev)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(v: &[f32]) -> (f64, f64, f32) {
        let n = v.len() as f64;
        let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
        let var = v
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / n;
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        (mean, var.sqrt(), max)
    }

    #[test]
    fn glorot_normal_has_keras_variance_and_truncation() {
        // Keras' constant makes the *truncated* distribution's sd equal sqrt(2 / fan_sum).
        let mut rng = polarity_core::seed::rng(1, &[]);
        let v = KernelInit::GlorotNormal.sample(200_000, 30, 70, &mut rng);
        let (mean, sd, max) = moments(&v);
        let target = (2.0f64 / 100.0).sqrt();
        assert!(mean.abs() < 0.002, "mean {mean}");
        assert!((sd / target - 1.0).abs() < 0.01, "sd {sd} vs {target}");
        assert!(f64::from(max) <= 2.0 * target / 0.879_625_661_034_239_8 + 1e-6);
    }

    #[test]
    fn glorot_uniform_and_truncated_normal_ranges() {
        let mut rng = polarity_core::seed::rng(2, &[]);
        let v = KernelInit::GlorotUniform.sample(100_000, 10, 14, &mut rng);
        let limit = 0.5f32; // sqrt(6 / 24)
        let (_, sd, max) = moments(&v);
        assert!(max < limit);
        assert!((sd - f64::from(limit) / 3f64.sqrt()).abs() < 0.005);
        let v = KernelInit::TruncatedNormal { stddev: 0.25 }.sample(100_000, 1, 1, &mut rng);
        let (_, sd, max) = moments(&v);
        assert!(max <= 0.5);
        // sd of a standard normal truncated at +-2 is 0.8796.
        assert!((sd / 0.25 - 0.8796).abs() < 0.01, "sd {sd}");
    }
}
