//! # polarity-reproduce: the paper, one command per half
//!
//! `polarity reproduce xor` runs the XOR grids of Fig 1, Fig 4 and Supp B.1 through the sweep
//! runner (resumable), computes the paper's metrics and statistics, draws the figures, checks each
//! quantitative claim and writes a Markdown + HTML report.

pub mod cli;
pub mod xor;
