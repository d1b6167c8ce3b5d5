//! Exact-arithmetic helpers shared by the probability modules: binomials, powers and the one place
//! where a rational becomes a decimal string (printing only; no float ever enters a computation).

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

/// Probabilities are exact big rationals throughout the crate.
pub type Prob = BigRational;

/// Binomial coefficient C(m, k) for a big `m` and a small `k`; zero when `k > m`.
pub fn binomial(m: &BigInt, k: u32) -> BigInt {
    if BigInt::from(k) > *m {
        return BigInt::zero();
    }
    // Multiply then divide in lock step: each partial product is itself a binomial, so the
    // division is exact at every step.
    let mut acc = BigInt::one();
    for i in 0..k {
        acc = acc * (m - BigInt::from(i)) / BigInt::from(i + 1);
    }
    acc
}

/// `base^exp` for a big base.
pub fn pow(base: &BigInt, exp: u32) -> BigInt {
    num_traits::pow(base.clone(), exp as usize)
}

/// `2^bits` as a big integer.
pub fn pow2(bits: u32) -> BigInt {
    BigInt::one() << bits as usize
}

/// A rational as a decimal string rounded half-up (away from zero) to `places` digits.
pub fn to_decimal(value: &Prob, places: usize) -> String {
    let scale = num_traits::pow(BigInt::from(10u32), places);
    let numer = value.numer().abs() * &scale * 2u32 + value.denom();
    let rounded: BigInt = numer / (value.denom() * 2u32);
    let digits = rounded.to_string();
    let digits = if digits.len() <= places {
        format!("{}{}", "0".repeat(places + 1 - digits.len()), digits)
    } else {
        digits
    };
    let (int_part, frac_part) = digits.split_at(digits.len() - places);
    let sign = if value.is_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    if places == 0 {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    }
}

/// The value rounded to the nearest multiple of `10^-places`, as an integer count of those units
/// (used to compare against published tables without going through floats).
pub fn rounded_units(value: &Prob, places: usize) -> BigInt {
    let scale = num_traits::pow(BigInt::from(10u32), places);
    let twice = value.numer() * &scale * 2u32 + value.denom();
    num_integer_floor(&twice, &(value.denom() * 2u32))
}

fn num_integer_floor(a: &BigInt, b: &BigInt) -> BigInt {
    // BigInt division truncates toward zero; the callers only pass b > 0.
    let q = a / b;
    if (a % b).is_negative() {
        q - 1
    } else {
        q
    }
}

/// A rational as an `f64`, for plotting and printing only.
pub fn to_f64(value: &Prob) -> f64 {
    // Go through a 17-significant-digit decimal so huge numerators and denominators never
    // overflow an intermediate float.
    to_decimal(value, 17).parse().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frac(n: i64, d: i64) -> Prob {
        Prob::new(BigInt::from(n), BigInt::from(d))
    }

    #[test]
    fn binomials_match_pascal() {
        for m in 0..12i64 {
            for k in 1..=12u32 {
                let expected =
                    binomial(&BigInt::from(m - 1), k - 1) + binomial(&BigInt::from(m - 1), k);
                if m >= 1 {
                    assert_eq!(binomial(&BigInt::from(m), k), expected, "C({m},{k})");
                }
            }
        }
        assert_eq!(binomial(&BigInt::from(32), 3), BigInt::from(4960));
        assert_eq!(binomial(&BigInt::from(2), 3), BigInt::zero());
    }

    #[test]
    fn decimals_round_half_up() {
        assert_eq!(to_decimal(&frac(1, 8), 2), "0.13");
        assert_eq!(to_decimal(&frac(1, 3), 6), "0.333333");
        assert_eq!(to_decimal(&frac(2, 3), 6), "0.666667");
        assert_eq!(to_decimal(&frac(1, 1), 3), "1.000");
        assert_eq!(to_decimal(&frac(0, 1), 3), "0.000");
        assert_eq!(to_decimal(&frac(-1, 4), 1), "-0.3");
        assert_eq!(to_decimal(&frac(7, 2), 0), "4");
        assert_eq!(rounded_units(&frac(2, 3), 6), BigInt::from(666_667));
        assert_eq!(to_f64(&frac(3, 4)), 0.75);
    }
}
