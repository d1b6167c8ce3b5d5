//! The vector operations the register-blocked kernels are written in, over the 8 lanes of a
//! pack, in two forms with the same bits: plain arrays (any CPU) and AVX `__m256` registers.
//! The kernels are written once, generic over [`Lanes`]; writing the AVX form out with
//! intrinsics is what makes the compiler keep each lane vector in one register (left to the
//! auto-vectoriser, the sample-blocked loops were vectorised across samples instead, with
//! shuffles, at half speed).
//!
//! Every operation is exact IEEE single precision with the same rounding in both forms: a fused
//! multiply-add rounds once (`f32::mul_add` / `vfmadd`), the comparisons select.

use super::{LANES, V};
use crate::fastmath::Real;

pub(super) trait Lanes: Real {
    fn load(v: &V) -> Self;
    fn to_array(self) -> V;
    /// Correctly rounded square root.
    fn sqrt(self) -> Self;
    /// `self > 0 ? self : 0` (NaN gives 0, -0 gives +0).
    #[inline(always)]
    fn relu(self) -> Self {
        self.max_or(Self::splat(0.0))
    }
    /// `self > 0 ? v : 0`.
    fn where_positive(self, v: Self) -> Self;
}

impl Lanes for V {
    #[inline(always)]
    fn load(v: &V) -> Self {
        *v
    }
    #[inline(always)]
    fn to_array(self) -> V {
        self
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        self.map(f32::sqrt)
    }
    #[inline(always)]
    fn where_positive(self, v: Self) -> Self {
        std::array::from_fn(|l| if self[l] > 0.0 { v[l] } else { 0.0 })
    }
}

/// An AVX register of 8 lanes. Only used inside functions compiled with AVX2 and FMA enabled
/// (the kernels' dispatch checks the CPU first), where these inline to single instructions.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(super) struct Ymm(std::arch::x86_64::__m256);

#[cfg(target_arch = "x86_64")]
mod ymm {
    use super::{Lanes, Ymm, LANES, V};
    use crate::fastmath::{Real, ROUND_TO_INT};
    use std::arch::x86_64::*;

    // SAFETY (every method): `Ymm` values exist only in code compiled for, and dispatched to,
    // CPUs with AVX2 and FMA; loads and stores are unaligned and within one `V`.
    impl Real for Ymm {
        #[inline(always)]
        fn splat(x: f32) -> Self {
            Ymm(unsafe { _mm256_set1_ps(x) })
        }
        #[inline(always)]
        fn add(self, b: Self) -> Self {
            Ymm(unsafe { _mm256_add_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn sub(self, b: Self) -> Self {
            Ymm(unsafe { _mm256_sub_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn mul(self, b: Self) -> Self {
            Ymm(unsafe { _mm256_mul_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn mul_add(self, b: Self, c: Self) -> Self {
            Ymm(unsafe { _mm256_fmadd_ps(self.0, b.0, c.0) })
        }
        #[inline(always)]
        fn div(self, b: Self) -> Self {
            Ymm(unsafe { _mm256_div_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn neg_abs(self) -> Self {
            // Set the sign bit: -|x|.
            Ymm(unsafe { _mm256_or_ps(self.0, _mm256_set1_ps(-0.0)) })
        }
        #[inline(always)]
        fn max_or(self, floor: Self) -> Self {
            // vmaxps returns its first operand where it is greater, else the second.
            Ymm(unsafe { _mm256_max_ps(self.0, floor.0) })
        }
        #[inline(always)]
        fn select_nonneg(self, a: Self, b: Self) -> Self {
            unsafe {
                let mask = _mm256_cmp_ps::<_CMP_GE_OQ>(self.0, _mm256_setzero_ps());
                Ymm(_mm256_blendv_ps(b.0, a.0, mask))
            }
        }
        #[inline(always)]
        fn pow2_of_rounded(self) -> Self {
            unsafe {
                let bits = _mm256_castps_si256(self.0);
                let n = _mm256_sub_epi32(bits, _mm256_set1_epi32(ROUND_TO_INT.to_bits() as i32));
                let biased = _mm256_add_epi32(n, _mm256_set1_epi32(127));
                Ymm(_mm256_castsi256_ps(_mm256_slli_epi32::<23>(biased)))
            }
        }
    }

    impl Lanes for Ymm {
        #[inline(always)]
        fn load(v: &V) -> Self {
            Ymm(unsafe { _mm256_loadu_ps(v.as_ptr()) })
        }
        #[inline(always)]
        fn to_array(self) -> V {
            let mut out = [0.0f32; LANES];
            unsafe { _mm256_storeu_ps(out.as_mut_ptr(), self.0) };
            out
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            Ymm(unsafe { _mm256_sqrt_ps(self.0) })
        }
        #[inline(always)]
        fn where_positive(self, v: Self) -> Self {
            unsafe {
                let mask = _mm256_cmp_ps::<_CMP_GT_OQ>(self.0, _mm256_setzero_ps());
                Ymm(_mm256_and_ps(mask, v.0))
            }
        }
    }
}
