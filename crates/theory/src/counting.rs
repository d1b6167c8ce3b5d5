//! The paper's counting formulas, exactly as printed (App. D): the helper Q(k, m, M, n),
//! Lemma D.2's P(n) for two inputs and Theorem D.1's P(n, d) for d inputs.
//!
//! Theorem D.1 counts *fine* sign patterns: a hidden unit's pattern is the signs of all its d input
//! weights and of its output weight (2^(d+1) patterns, of which 2^d are "compatible": output sign
//! equal to the product of the signs of the two relevant input weights). P(n, d) is the probability
//! that n independent uniform patterns contain at least 3 *distinct* compatible fine patterns.

use crate::exact::{binomial, pow, pow2, Prob};
use num_bigint::BigInt;
use num_traits::{One, Zero};

/// Largest input dimension accepted (the alphabet has 2^(d+1) letters; beyond this the numbers are
/// astronomically large and no experiment uses them).
pub const MAX_DIMS: u32 = 64;

/// Errors for arguments outside the formulas' domain.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CountingError {
    /// Theorem D.1 needs the two relevant inputs, so d >= 2.
    #[error("input dimension d = {0} is out of range: Theorem D.1 needs 2 <= d <= {MAX_DIMS}")]
    Dims(u32),
}

/// Q(k, m, M, n): the number of length-`n` words over an alphabet of `m` compatible and `big_m`
/// other letters in which exactly `k` distinct compatible letters occur.
///
/// Closed form by inclusion–exclusion over the compatible letters that are missing:
/// C(m, k) · Σ_{j=0..k} (-1)^j C(k, j) (M + k − j)^n.
pub fn q_count(k: u32, m: &BigInt, big_m: &BigInt, n: u32) -> BigInt {
    let mut sum = BigInt::zero();
    for j in 0..=k {
        let term = binomial(&BigInt::from(k), j) * pow(&(big_m + BigInt::from(k - j)), n);
        if j.is_multiple_of(2) {
            sum += term;
        } else {
            sum -= term;
        }
    }
    binomial(m, k) * sum
}

/// Q(k, m, M, n) by the paper's recursion (the authors' `Q_fun`), kept as an independent check of
/// [`q_count`]: Q(0) = M^n, Q(k) = C(m, k)·[(M + k)^n − Σ_{p<k} Q(p, k, M, n)].
pub fn q_count_recursive(k: u32, m: &BigInt, big_m: &BigInt, n: u32) -> BigInt {
    if k == 0 {
        return pow(big_m, n);
    }
    let k_big = BigInt::from(k);
    let inner: BigInt = (0..k).map(|p| q_count_recursive(p, &k_big, big_m, n)).sum();
    binomial(m, k) * (pow(&(big_m + &k_big), n) - inner)
}

/// Probability that `n` uniform draws from `m` compatible + `big_m` other letters show at least
/// 3 distinct compatible letters: 1 − Σ_{k=0..2} Q(k, m, M, n) / (m + M)^n.
fn at_least_three(m: &BigInt, big_m: &BigInt, n: u32) -> Prob {
    let below: BigInt = (0..3).map(|k| q_count(k, m, big_m, n)).sum();
    Prob::one() - Prob::new(below, pow(&(m + big_m), n))
}

/// Theorem D.1 as printed: P(n, d) = 1 − Σ_{k=0..2} Q(k, 2^d, 2^d, n) / (2^(d+1))^n.
pub fn theorem_d1(n: u32, dims: u32) -> Result<Prob, CountingError> {
    if !(2..=MAX_DIMS).contains(&dims) {
        return Err(CountingError::Dims(dims));
    }
    let letters = pow2(dims);
    Ok(at_least_three(&letters, &letters, n))
}

/// Lemma D.2 (two inputs): P(n) = 1 − Σ_{k=0..2} Q(k, 4, 4, n) / 8^n.
pub fn lemma_d2(n: u32) -> Prob {
    at_least_three(&BigInt::from(4), &BigInt::from(4), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_matches_recursion() {
        for (m, big_m) in [(4, 4), (8, 8), (32, 32), (3, 5)] {
            let (m, big_m) = (BigInt::from(m), BigInt::from(big_m));
            for n in 0..12 {
                for k in 0..=4 {
                    assert_eq!(
                        q_count(k, &m, &big_m, n),
                        q_count_recursive(k, &m, &big_m, n),
                        "Q({k}, {m}, {big_m}, {n})"
                    );
                }
            }
        }
    }

    #[test]
    fn q_partitions_all_words() {
        // Every word has some number 0..=m of distinct compatible letters.
        let (m, big_m) = (BigInt::from(4), BigInt::from(4));
        for n in 0..10 {
            let total: BigInt = (0..=4).map(|k| q_count(k, &m, &big_m, n)).sum();
            assert_eq!(total, pow(&BigInt::from(8), n));
        }
    }

    #[test]
    fn lemma_d2_is_theorem_d1_at_two_dims() {
        for n in 0..20 {
            assert_eq!(lemma_d2(n), theorem_d1(n, 2).unwrap());
        }
    }

    #[test]
    fn dims_out_of_range_is_an_error() {
        assert_eq!(theorem_d1(3, 1), Err(CountingError::Dims(1)));
        assert_eq!(theorem_d1(3, 65), Err(CountingError::Dims(65)));
    }
}
