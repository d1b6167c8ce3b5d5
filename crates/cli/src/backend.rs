//! The one place the burn backend is chosen for the whole binary: `--device flex` runs on
//! `Autodiff<Flex>` (CPU), `--device cuda` on `Autodiff<Cuda>` when the binary is built with
//! `--features cuda`. Every `cfg(feature = "cuda")` of the workspace is in this file; the
//! library crates are generic over `B: AutodiffBackend` and get their backend from here.

use burn::tensor::backend::AutodiffBackend;

/// Where the tensors live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceKind {
    /// CPU (burn-flex backend).
    Flex,
    /// NVIDIA GPU (burn-cuda; build with `--features cuda`).
    Cuda,
}

/// Work that runs on any backend: implement it once, generically, and [`run_on`] calls it
/// with the backend `--device` chose.
pub trait OnBackend {
    type Output;
    fn run<B: AutodiffBackend>(self, device: &B::Device) -> anyhow::Result<Self::Output>;
}

/// Runs `job` on the backend of `device`.
pub fn run_on<J: OnBackend>(device: DeviceKind, job: J) -> anyhow::Result<J::Output> {
    match device {
        DeviceKind::Flex => {
            job.run::<burn::backend::Autodiff<burn::backend::Flex>>(&Default::default())
        }
        DeviceKind::Cuda => cuda::run(job),
    }
}

#[cfg(feature = "cuda")]
mod cuda {
    use super::OnBackend;

    /// The GPU, after checking the driver's device nodes (burn-cuda panics deep inside when
    /// there is no GPU or driver).
    fn device() -> anyhow::Result<burn::backend::cuda::CudaDevice> {
        let nodes = ["/dev/nvidiactl", "/dev/nvidia0"];
        anyhow::ensure!(
            nodes.iter().any(|n| std::path::Path::new(n).exists()),
            "--device cuda: no NVIDIA GPU visible ({} missing); use --device flex",
            nodes.join(", ")
        );
        Ok(Default::default())
    }

    pub fn run<J: OnBackend>(job: J) -> anyhow::Result<J::Output> {
        job.run::<burn::backend::Autodiff<burn::backend::Cuda>>(&device()?)
    }
}

#[cfg(not(feature = "cuda"))]
mod cuda {
    use super::OnBackend;

    pub fn run<J: OnBackend>(_: J) -> anyhow::Result<J::Output> {
        anyhow::bail!("this binary was built without CUDA support; rebuild with `--features cuda`")
    }
}
