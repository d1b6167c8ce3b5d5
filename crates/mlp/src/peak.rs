//! This machine's f32 FMA peak, measured in the same run as a benchmark so that the engine's
//! GFLOP/s can be given as a share of what the CPU actually delivers right now (clock, turbo,
//! hypervisor and other jobs included), and figures from different machines compare.
//!
//! The kernel is what a peak needs and nothing else: enough independent accumulator chains of
//! fused multiply-adds to cover the FMA latency on every FMA unit (12 chains of 8-lane AVX2
//! registers, 24 of 16-lane AVX-512 registers), no loads or stores in the loop. The instruction
//! set is chosen at run time like the engine's own kernels (docs/decisions.md D-TRAIN-6,
//! D-TRAIN-8).

use std::time::Instant;

/// The widest f32 FMA instruction set this CPU offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// 16-lane `vfmadd` on zmm registers.
    Avx512,
    /// 8-lane `vfmadd` on ymm registers.
    Avx2Fma,
    /// No vector FMA: separate multiply and add (what the compiler makes of it).
    Scalar,
}

impl Isa {
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Isa::Avx2Fma;
            }
        }
        Isa::Scalar
    }

    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "AVX-512",
            Isa::Avx2Fma => "AVX2+FMA",
            Isa::Scalar => "scalar",
        }
    }
}

/// One peak measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    pub isa: Isa,
    pub threads: usize,
    /// Best of the repetitions, all threads together.
    pub gflops: f64,
}

/// Iterations of one call of the kernel: about 0.1 s at 80 GFLOP/s.
const ITERS: u64 = 25_000_000;

/// Measures the FMA peak of `threads` threads running at once (each its own kernel), the best
/// of `repeats` runs (the peak is what the machine can do, so the fastest run is the estimate).
pub fn measure(threads: usize, repeats: usize) -> Peak {
    let isa = Isa::detect();
    let threads = threads.max(1);
    let mut best = 0.0f64;
    for _ in 0..repeats.max(1) {
        let barrier = std::sync::Barrier::new(threads + 1);
        let start = std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    barrier.wait();
                    std::hint::black_box(run_kernel(isa, ITERS));
                });
            }
            barrier.wait();
            Instant::now()
        });
        let seconds = start.elapsed().as_secs_f64();
        let flop = threads as f64 * ITERS as f64 * flop_per_iter(isa);
        best = best.max(flop / seconds / 1e9);
    }
    Peak {
        isa,
        threads,
        gflops: best,
    }
}

/// FLOPs of one kernel iteration (an FMA counts 2).
pub fn flop_per_iter(isa: Isa) -> f64 {
    match isa {
        Isa::Avx512 => (avx512::CHAINS * 16 * 2) as f64,
        Isa::Avx2Fma => (avx2::CHAINS * 8 * 2) as f64,
        Isa::Scalar => (scalar::CHAINS * 2) as f64,
    }
}

/// Runs `iters` iterations of the kernel for `isa`; returns a value that depends on all chains.
pub fn run_kernel(isa: Isa, iters: u64) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        match isa {
            // SAFETY: `Isa::detect` found the features the kernels are compiled for.
            Isa::Avx512 if Isa::detect() == Isa::Avx512 => return unsafe { avx512::run(iters) },
            Isa::Avx2Fma if Isa::detect() != Isa::Scalar => return unsafe { avx2::run(iters) },
            _ => {}
        }
    }
    let _ = isa;
    scalar::run(iters)
}

// The multiplier and addend keep every chain finite: x -> x m + c converges to c / (1 - m).
const M: f32 = 0.999_999;
const C: f32 = 1e-3;

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;
    /// Zen 3 and Intel cores: 2 FMA units x 4-5 cycles of latency, so 10 chains are enough; 12
    /// leave a margin.
    pub const CHAINS: usize = 12;

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn run(iters: u64) -> f32 {
        let m = _mm256_set1_ps(super::M);
        let c = _mm256_set1_ps(super::C);
        let mut acc = [_mm256_setzero_ps(); CHAINS];
        for (k, a) in acc.iter_mut().enumerate() {
            *a = _mm256_set1_ps(k as f32);
        }
        for _ in 0..iters {
            for a in acc.iter_mut() {
                *a = _mm256_fmadd_ps(*a, m, c);
            }
        }
        let mut sum = _mm256_setzero_ps();
        for a in acc {
            sum = _mm256_add_ps(sum, a);
        }
        let mut out = [0.0f32; 8];
        _mm256_storeu_ps(out.as_mut_ptr(), sum);
        out.iter().sum()
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;
    /// 32 zmm registers: 24 chains cover 2 units x up to 6 cycles of latency with a margin.
    pub const CHAINS: usize = 24;

    #[target_feature(enable = "avx512f")]
    pub unsafe fn run(iters: u64) -> f32 {
        let m = _mm512_set1_ps(super::M);
        let c = _mm512_set1_ps(super::C);
        let mut acc = [_mm512_setzero_ps(); CHAINS];
        for (k, a) in acc.iter_mut().enumerate() {
            *a = _mm512_set1_ps(k as f32);
        }
        for _ in 0..iters {
            for a in acc.iter_mut() {
                *a = _mm512_fmadd_ps(*a, m, c);
            }
        }
        let mut sum = _mm512_setzero_ps();
        for a in acc {
            sum = _mm512_add_ps(sum, a);
        }
        _mm512_reduce_add_ps(sum)
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod avx2 {
    pub const CHAINS: usize = 12;
}
#[cfg(not(target_arch = "x86_64"))]
mod avx512 {
    pub const CHAINS: usize = 24;
}

mod scalar {
    /// Independent multiply-add chains (unfused: a CPU without FMA has none).
    pub const CHAINS: usize = 16;

    pub fn run(iters: u64) -> f32 {
        let mut acc = [0.0f32; CHAINS];
        for (k, a) in acc.iter_mut().enumerate() {
            *a = k as f32;
        }
        let (m, c) = (
            std::hint::black_box(super::M),
            std::hint::black_box(super::C),
        );
        for _ in 0..iters {
            for a in acc.iter_mut() {
                *a = *a * m + c;
            }
        }
        acc.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path computes the same chains: x_{t+1} = x_t m + c from x_0 = k, summed over chains
    /// and lanes. Held against the closed form of the recurrence (in f64; the f32 chains drift
    /// from it by rounding only).
    #[test]
    fn kernels_compute_the_recurrence() {
        let iters = 1000u64;
        let closed = |x0: f64| {
            let (m, c) = (f64::from(M), f64::from(C));
            let mt = m.powi(iters as i32);
            x0 * mt + c * (1.0 - mt) / (1.0 - m)
        };
        for isa in [Isa::detect(), Isa::Scalar] {
            let (chains, lanes) = match isa {
                Isa::Avx512 => (avx512::CHAINS, 16),
                Isa::Avx2Fma => (avx2::CHAINS, 8),
                Isa::Scalar => (scalar::CHAINS, 1),
            };
            let expected: f64 = (0..chains).map(|k| lanes as f64 * closed(k as f64)).sum();
            let got = f64::from(run_kernel(isa, iters));
            assert!(
                (got - expected).abs() <= 1e-4 * expected,
                "{}: {got} vs {expected}",
                isa.name()
            );
            assert_eq!(
                flop_per_iter(isa),
                (chains * lanes * 2) as f64,
                "{}",
                isa.name()
            );
        }
    }
}
