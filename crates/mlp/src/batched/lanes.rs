//! The few vector operations the register-blocked kernels need, over the 8 lanes of a pack, in
//! two forms with the same bits: plain arrays (any CPU) and AVX `__m256` registers. The kernels
//! are written once, generic over [`Lanes`]; writing the AVX form out with intrinsics is what
//! makes the compiler keep each lane vector in one register (left to the auto-vectoriser, the
//! sample-blocked loops were vectorised across samples instead, with shuffles, at half speed).
//!
//! Every operation is exact IEEE single precision with the same rounding in both forms: a fused
//! multiply-add rounds once (`f32::mul_add` / `vfmadd`), `relu` and `where_positive` select.

use super::{LANES, V};

pub(super) trait Lanes: Copy {
    fn splat(x: f32) -> Self;
    fn load(v: &V) -> Self;
    fn to_array(self) -> V;
    /// `self * b + c`, rounded once.
    fn mul_add(self, b: Self, c: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn div(self, b: Self) -> Self;
    /// Correctly rounded square root.
    fn sqrt(self) -> Self;
    /// `self > 0 ? self : 0` (NaN gives 0, -0 gives +0).
    fn relu(self) -> Self;
    /// `self > 0 ? v : 0`.
    fn where_positive(self, v: Self) -> Self;
}

impl Lanes for V {
    #[inline(always)]
    fn splat(x: f32) -> Self {
        [x; LANES]
    }
    #[inline(always)]
    fn load(v: &V) -> Self {
        *v
    }
    #[inline(always)]
    fn to_array(self) -> V {
        self
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        std::array::from_fn(|l| self[l].mul_add(b[l], c[l]))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        std::array::from_fn(|l| self[l] * b[l])
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        std::array::from_fn(|l| self[l] + b[l])
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        std::array::from_fn(|l| self[l] - b[l])
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        std::array::from_fn(|l| self[l] / b[l])
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        std::array::from_fn(|l| self[l].sqrt())
    }
    #[inline(always)]
    fn relu(self) -> Self {
        std::array::from_fn(|l| if self[l] > 0.0 { self[l] } else { 0.0 })
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
    use super::{Lanes, Ymm, V};
    use std::arch::x86_64::*;

    // SAFETY (every method): `Ymm` values exist only in code compiled for, and dispatched to,
    // CPUs with AVX2 and FMA; loads and stores are unaligned and within one `V`.
    impl Lanes for Ymm {
        #[inline(always)]
        fn splat(x: f32) -> Self {
            Ymm(unsafe { _mm256_set1_ps(x) })
        }
        #[inline(always)]
        fn load(v: &V) -> Self {
            Ymm(unsafe { _mm256_loadu_ps(v.as_ptr()) })
        }
        #[inline(always)]
        fn to_array(self) -> V {
            let mut out = [0.0f32; 8];
            unsafe { _mm256_storeu_ps(out.as_mut_ptr(), self.0) };
            out
        }
        #[inline(always)]
        fn mul_add(self, b: Self, c: Self) -> Self {
            Ymm(unsafe { _mm256_fmadd_ps(self.0, b.0, c.0) })
        }
        #[inline(always)]
        fn mul(self, b: Self) -> Self {
            Ymm(unsafe { _mm256_mul_ps(self.0, b.0) })
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
        fn div(self, b: Self) -> Self {
            Ymm(unsafe { _mm256_div_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            Ymm(unsafe { _mm256_sqrt_ps(self.0) })
        }
        #[inline(always)]
        fn relu(self) -> Self {
            // vmaxps returns its first operand where it is greater, else the second.
            Ymm(unsafe { _mm256_max_ps(self.0, _mm256_setzero_ps()) })
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
