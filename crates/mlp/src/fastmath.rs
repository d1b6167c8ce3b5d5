//! Branch-free `exp` and `log1p` built from arithmetic only, so they run on SIMD lanes (the
//! libm calls they replace do not). Accuracy: about 2 ulp over the ranges used here, checked
//! against `std` in the tests below. Used only by the batched engine; the reference
//! implementation keeps `std`'s functions, and the differential test bounds the difference.
//!
//! Written once over [`Real`]: `f32`, the engine's lane vectors and arrays of them (a block of
//! samples, so the block's independent chains interleave) all run the same operations in the
//! same order, which gives the same bits (docs/decisions.md D-TRAIN-6, D-TRAIN-7).

/// The operations the functions below are made of, each exact IEEE single precision.
pub trait Real: Copy {
    fn splat(x: f32) -> Self;
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    /// `self * b + c`, rounded once.
    fn mul_add(self, b: Self, c: Self) -> Self;
    fn div(self, b: Self) -> Self;
    fn neg_abs(self) -> Self;
    /// `self > floor ? self : floor` (NaN gives `floor`; one `vmaxps`).
    fn max_or(self, floor: Self) -> Self;
    /// `self >= 0 ? a : b`.
    fn select_nonneg(self, a: Self, b: Self) -> Self;
    /// `2^n` where `self = n + ROUND_TO_INT` was rounded to an integer by that addition
    /// (`|n| < 2^22`, `n + 127` a normal exponent): read off the bits, no float-to-int
    /// conversion.
    fn pow2_of_rounded(self) -> Self;
}

/// `1.5 * 2^23`: adding it to `|x| < 2^22` rounds `x` to an integer held in the low mantissa
/// bits.
pub const ROUND_TO_INT: f32 = 12_582_912.0;

impl Real for f32 {
    #[inline(always)]
    fn splat(x: f32) -> Self {
        x
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        self + b
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        self - b
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        self * b
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        f32::mul_add(self, b, c)
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        self / b
    }
    #[inline(always)]
    fn neg_abs(self) -> Self {
        -self.abs()
    }
    #[inline(always)]
    fn max_or(self, floor: Self) -> Self {
        if self > floor {
            self
        } else {
            floor
        }
    }
    #[inline(always)]
    fn select_nonneg(self, a: Self, b: Self) -> Self {
        if self >= 0.0 {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    fn pow2_of_rounded(self) -> Self {
        let n = self.to_bits().wrapping_sub(ROUND_TO_INT.to_bits());
        f32::from_bits(n.wrapping_add(127) << 23)
    }
}

/// Element by element: a lane vector (`[f32; 8]`) or a block of them.
impl<T: Real, const N: usize> Real for [T; N] {
    #[inline(always)]
    fn splat(x: f32) -> Self {
        [T::splat(x); N]
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        std::array::from_fn(|k| self[k].add(b[k]))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        std::array::from_fn(|k| self[k].sub(b[k]))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        std::array::from_fn(|k| self[k].mul(b[k]))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        std::array::from_fn(|k| self[k].mul_add(b[k], c[k]))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        std::array::from_fn(|k| self[k].div(b[k]))
    }
    #[inline(always)]
    fn neg_abs(self) -> Self {
        self.map(T::neg_abs)
    }
    #[inline(always)]
    fn max_or(self, floor: Self) -> Self {
        std::array::from_fn(|k| self[k].max_or(floor[k]))
    }
    #[inline(always)]
    fn select_nonneg(self, a: Self, b: Self) -> Self {
        std::array::from_fn(|k| self[k].select_nonneg(a[k], b[k]))
    }
    #[inline(always)]
    fn pow2_of_rounded(self) -> Self {
        self.map(T::pow2_of_rounded)
    }
}

/// `exp(x)` for `x <= 0` (inputs below -87 are clamped: the result is then ~1e-38, not 0).
#[inline(always)]
pub fn exp_nonpositive<T: Real>(x: T) -> T {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const C1: f32 = 0.693_359_4; // ln 2, high part (exact in f32)
    const C2: f32 = -2.121_944_4e-4; // ln 2 - C1
    let c = T::splat;
    let x = x.max_or(c(-87.0));
    // x log2(e) rounded to the integer n (two roundings: multiply, then add).
    let shifted = x.mul(c(LOG2E)).add(c(ROUND_TO_INT));
    let n = shifted.sub(c(ROUND_TO_INT));
    let r = x.sub(n.mul(c(C1))).sub(n.mul(c(C2)));
    let mut p = c(1.987_569_1e-4);
    for k in [
        1.398_199_9e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        1.666_666_5e-1,
        0.5,
    ] {
        p = p.mul_add(r, c(k));
    }
    let e = p.mul(r).mul_add(r, r).add(c(1.0));
    e.mul(shifted.pow2_of_rounded())
}

/// `ln(1 + e)` for `e` in `[0, 1]`, as `e * g(e)` with `g(e) = ln(1 + e) / e` approximated by a
/// degree-8 polynomial (Chebyshev fit, max relative error 3.1e-8 before rounding). No division,
/// and relative accuracy is kept for tiny `e`.
#[inline(always)]
pub fn log1p_unit<T: Real>(e: T) -> T {
    const C: [f32; 9] = [
        0.999_999_97,
        -0.499_995_02,
        0.333_192_7,
        -0.248_443_7,
        0.191_114_3,
        -0.136_747_7,
        0.078_361_67,
        -0.029_588_508,
        0.005_253_458,
    ];
    let mut p = T::splat(C[8]);
    for &k in C[..8].iter().rev() {
        p = p.mul_add(e, T::splat(k));
    }
    e.mul(p)
}

/// Binary cross-entropy of logit `o` against label `y` from `e = exp(-|o|)`:
/// `max(o, 0) - o y + log1p(e)`, with `max(o, 0)` as `o > 0 ? o : 0` (the same value as
/// `f32::max` except +0 for -0, which the sum cannot tell apart).
#[inline(always)]
fn bce_from_exp<T: Real>(o: T, y: T, e: T) -> T {
    let pos = o.max_or(T::splat(0.0));
    pos.sub(o.mul(y)).add(log1p_unit(e))
}

/// Binary cross-entropy of logit `o` against label `y` (validation: no gradient).
#[inline(always)]
pub fn bce<T: Real>(o: T, y: T) -> T {
    bce_from_exp(o, y, exp_nonpositive(o.neg_abs()))
}

/// Binary cross-entropy of logit `o` against label `y`, and `sigmoid(o) - y` (the logit's
/// gradient), sharing one `exp`.
#[inline(always)]
pub fn bce_and_grad<T: Real>(o: T, y: T) -> (T, T) {
    let e = exp_nonpositive(o.neg_abs());
    let loss = bce_from_exp(o, y, e);
    let inv = T::splat(1.0).div(T::splat(1.0).add(e));
    let sig = o.select_nonneg(inv, e.mul(inv));
    (loss, sig.sub(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f32, b: f32) -> f32 {
        ((a - b) / b.abs().max(f32::MIN_POSITIVE)).abs() / f32::EPSILON
    }

    #[test]
    fn exp_matches_std() {
        let mut worst = 0.0f32;
        // Down to -86.99: below -87 the input is clamped by design.
        for k in 0..=86_990 {
            let x = -(k as f32) * 1e-3;
            worst = worst.max(ulps(exp_nonpositive(x), x.exp()));
        }
        assert!(worst < 4.0, "exp worst error {worst} ulp");
        assert_eq!(exp_nonpositive(0.0), 1.0);
    }

    #[test]
    fn log1p_matches_std() {
        let mut worst = 0.0f32;
        for k in 0..=100_000 {
            let e = k as f32 * 1e-5;
            if e > 0.0 {
                worst = worst.max(ulps(log1p_unit(e), e.ln_1p()));
            }
        }
        assert!(worst < 4.0, "log1p worst error {worst} ulp");
        assert_eq!(log1p_unit(0.0), 0.0);
        assert!(ulps(log1p_unit(1e-30), 1e-30) < 2.0);
    }

    #[test]
    fn bce_and_grad_match_the_reference_formulas() {
        for &o in &[-30.0f32, -5.0, -0.3, 0.0, 1e-6, 0.7, 4.0, 25.0] {
            for &y in &[0.0f32, 1.0] {
                let (l, g) = bce_and_grad(o, y);
                let lr = crate::reference::bce_with_logit(o, y);
                let gr = crate::reference::sigmoid(o) - y;
                assert!(
                    (l - lr).abs() <= 2e-7 * lr.abs().max(1.0),
                    "loss at {o},{y}: {l} vs {lr}"
                );
                assert!((g - gr).abs() <= 2e-7, "grad at {o},{y}: {g} vs {gr}");
            }
        }
    }
}
