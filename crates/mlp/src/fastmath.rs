//! Branch-free `exp` and `log1p` built from arithmetic only, so loops over SIMD lanes vectorise
//! (the libm calls they replace do not). Accuracy: about 2 ulp over the ranges used here,
//! checked against `std` in the tests below. Used only by the batched engine; the reference
//! implementation keeps `std`'s functions, and the differential test bounds the difference.

/// `exp(x)` for `x <= 0` (inputs below -87 are clamped: the result is then ~1e-38, not 0).
#[inline(always)]
pub fn exp_nonpositive(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const C1: f32 = 0.693_359_4; // ln 2, high part (exact in f32)
    const C2: f32 = -2.121_944_4e-4; // ln 2 - C1
    const ROUND: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    // `x > -87 ? x : -87` (one `vmaxps`; NaN gives -87 as `f32::max` does).
    let x = if x > -87.0 { x } else { -87.0 };
    let shifted = x * LOG2E + ROUND;
    let n = shifted - ROUND;
    let r = x - n * C1 - n * C2;
    let mut p = 1.987_569_1e-4f32;
    p = p.mul_add(r, 1.398_199_9e-3);
    p = p.mul_add(r, 8.333_452e-3);
    p = p.mul_add(r, 4.166_579_6e-2);
    p = p.mul_add(r, 1.666_666_5e-1);
    p = p.mul_add(r, 0.5);
    let e = (p * r).mul_add(r, r) + 1.0;
    // 2^n from the bits: `shifted` holds the integer n in its low mantissa bits (|n| < 2^22),
    // so the integer is read off without a float-to-int conversion (the same n as `n as i32`).
    let n_int = shifted.to_bits() as i32 - ROUND.to_bits() as i32;
    e * f32::from_bits(((n_int + 127) as u32) << 23)
}

/// `ln(1 + e)` for `e` in `[0, 1]`, as `e * g(e)` with `g(e) = ln(1 + e) / e` approximated by a
/// degree-8 polynomial (Chebyshev fit, max relative error 3.1e-8 before rounding). No division,
/// and relative accuracy is kept for tiny `e`.
#[inline(always)]
pub fn log1p_unit(e: f32) -> f32 {
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
    let mut p = C[8];
    for &c in C[..8].iter().rev() {
        p = p.mul_add(e, c);
    }
    e * p
}

/// Binary cross-entropy of logit `o` against label `y` from `e = exp(-|o|)`.
/// `max(o, 0)` is written `o > 0 ? o : 0` (one `vmaxps`): the same value as `f32::max` except
/// +0 for -0, which the sum cannot tell apart.
#[inline(always)]
fn bce_from_exp(o: f32, y: f32, e: f32) -> f32 {
    let pos = if o > 0.0 { o } else { 0.0 };
    pos - o * y + log1p_unit(e)
}

/// Binary cross-entropy of logit `o` against label `y` (validation: no gradient).
#[inline(always)]
pub fn bce(o: f32, y: f32) -> f32 {
    bce_from_exp(o, y, exp_nonpositive(-o.abs()))
}

/// Binary cross-entropy of logit `o` against label `y`, and `sigmoid(o) - y` (the logit's
/// gradient), sharing one `exp`.
#[inline(always)]
pub fn bce_and_grad(o: f32, y: f32) -> (f32, f32) {
    let e = exp_nonpositive(-o.abs());
    let loss = bce_from_exp(o, y, e);
    let inv = 1.0 / (1.0 + e);
    let sig = if o >= 0.0 { inv } else { e * inv };
    (loss, sig - y)
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
