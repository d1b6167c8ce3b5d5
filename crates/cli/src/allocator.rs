//! glibc's allocator, tuned for image training (docs/decisions.md D-STACK-11).
//!
//! burn-flex allocates fresh buffers for most tensors of a step (im2col tiles, GEMM outputs,
//! gradients): with glibc's defaults every large buffer is its own `mmap`, returned to the kernel
//! when freed and faulted in page by page (zeroed) when the next step asks again. Keeping large
//! buffers on the heap and never trimming it turns those faults into reuse: the paper AlexNet's
//! CPU step 23.1 -> 20.6 CPU-s on the 2-vCPU benchmark machine (bench/README.md). The results do
//! not change (allocation addresses are not part of any computation).

/// Applies the tuning unless the user set any `MALLOC_*` variable (theirs win). Call before the
/// first large allocation; a no-op outside Linux with glibc.
pub fn tune_for_training() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::vars_os().any(|(k, _)| k.to_string_lossy().starts_with("MALLOC_")) {
            return;
        }
        // SAFETY: mallopt only sets allocator parameters; it is called before any worker
        // thread exists. A refused setting (return 0) leaves glibc's default, which is correct.
        unsafe {
            // No mmap for large blocks: freed ones stay in the heap for the next step.
            libc::mallopt(libc::M_MMAP_MAX, 0);
            // Never give the heap's top back to the kernel (it would be faulted in again).
            libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
            // Grow the heap in large steps (address space only; pages are touched on use).
            libc::mallopt(libc::M_TOP_PAD, 1 << 30);
        }
    }
}
