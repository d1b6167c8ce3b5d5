//! # polarity-reproduce: the paper, one command per part
//!
//! - [`xor`]: `polarity reproduce xor` runs the XOR grids of Fig 1, Fig 4 and Supp B.1 through the
//!   sweep runner (resumable), computes the paper's metrics and statistics, draws the figures,
//!   checks each quantitative claim and writes a Markdown + HTML report.
//! - [`images`]: `polarity reproduce images`, the paper's image grid (Fig 2, 3, Supp B.2-B.6) on
//!   Fashion-MNIST or CIFAR-10, with ImageNet AlexNet weights when a weights file is given.
//! - [`transfer`]: `polarity reproduce transfer`, polarity transfer from source networks trained
//!   here.

mod error;
pub mod images;
pub mod transfer;
pub mod xor;

pub use error::{BoxError, Context, ReproduceError, Result};

use std::sync::Arc;

/// What a reproduction tells its caller while it runs. The library prints nothing: the binary
/// turns these calls into terminal output.
pub trait Observer: Send + Sync {
    /// A step begins (e.g. "fig1-official: 2200 networks").
    fn stage(&self, text: &str) {
        let _ = text;
    }
    /// The observer of the sweep about to run (progress of its units), if any.
    fn sweep(&self) -> Option<Arc<dyn polarity_sweep::progress::Progress>> {
        None
    }
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {}
