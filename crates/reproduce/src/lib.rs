//! # polarity-reproduce: the paper, one command per part
//!
//! - [`xor`]: `polarity reproduce xor` runs the XOR grids of Fig 1, Fig 4 and Supp B.1 through the
//!   sweep runner (resumable), computes the paper's metrics and statistics, draws the figures,
//!   checks each quantitative claim and writes a Markdown + HTML report.
//! - [`images`]: `polarity reproduce images`, the paper's image grid (Fig 2, 3, Supp B.2-B.6) on
//!   Fashion-MNIST or CIFAR-10, with ImageNet AlexNet weights when a weights file is given.
//! - [`transfer`]: `polarity reproduce transfer`, polarity transfer from source networks trained
//!   here.

pub mod images;
pub mod transfer;
pub mod xor;
