//! XOR-nD data exactly as the official generator draws it (docs/decisions.md D-XOR-DATA-1,
//! D-XOR-DATA-2): four balanced quadrant cells on dims 1-2 (low coordinate in [-1, 0), high in
//! [0.05, 1.05)), label 1 for the same-sign cells, dims 3.. i.i.d. N(1, 1).
//!
//! Nesting without depending on the list of sizes: sample k of cell q is drawn from its own
//! generator `(data seed, q, k)`, and the training set of size n is samples 0..n/4 of every cell,
//! interleaved. So every training set is a prefix of every larger one, and adding or removing a
//! size from a grid never changes the data of the others (docs/decisions.md D-XOR-DATA-4).

use crate::error::XorError;
use polarity_core::seed;
use polarity_mlp::Dataset;
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// The paper's training sizes (Fig 1, Fig 4).
pub const PAPER_TRAIN_SIZES: [usize; 11] = [8, 20, 32, 40, 52, 60, 72, 80, 92, 100, 500];
/// The paper's validation size, shared by every run.
pub const PAPER_VAL_SIZE: usize = 1000;

/// Cells in sample order: (x1 high?, x2 high?). Labels: same side -> 1.
const CELLS: [(bool, bool); 4] = [(false, false), (false, true), (true, false), (true, true)];

fn coordinate<R: Rng>(rng: &mut R, high: bool) -> f32 {
    let u: f64 = rng.random();
    // np.random.rand() [+ 1.05] - 1
    (if high { u + 1.05 } else { u } - 1.0) as f32
}

fn sample(stream_seed: u64, cell: usize, k: usize, dims: usize) -> ([f32; 2], Vec<f32>, f32) {
    let mut rng = seed::rng(stream_seed, &[cell as u64, k as u64]);
    let (h1, h2) = CELLS[cell];
    let x = [coordinate(&mut rng, h1), coordinate(&mut rng, h2)];
    let normal = Normal::new(1.0f64, 1.0).expect("valid normal");
    let nuisance = (2..dims).map(|_| normal.sample(&mut rng) as f32).collect();
    (x, nuisance, if h1 == h2 { 1.0 } else { 0.0 })
}

/// `n` samples (a multiple of 4), `n/4` per cell, interleaved cell by cell.
fn generate(stream_seed: u64, n: usize, dims: usize) -> Dataset {
    // A capacity hint only: a product that overflows grows as it goes (D-PLAN-3).
    let mut x = Vec::with_capacity(n.checked_mul(dims).unwrap_or(0));
    let mut y = Vec::with_capacity(n);
    for k in 0..n / 4 {
        for cell in 0..4 {
            let (xy, nuisance, label) = sample(stream_seed, cell, k, dims);
            x.extend_from_slice(&xy);
            x.extend(nuisance);
            y.push(label);
        }
    }
    Dataset { inputs: dims, x, y }
}

/// The data of one XOR experiment: every training set is a prefix of `train_pool`.
#[derive(Debug, Clone)]
pub struct XorData {
    pub dims: usize,
    train_seed: u64,
    pub val: Dataset,
}

impl XorData {
    pub fn new(experiment_seed: u64, dims: usize, val_size: usize) -> Result<Self, XorError> {
        if dims < 2 {
            return Err(XorError::DataDims(dims));
        }
        check_size("validation size", val_size)?;
        let base = seed::derive(experiment_seed, &[seed::label("xor-data")]);
        Ok(Self {
            dims,
            train_seed: seed::derive(base, &[seed::label("train")]),
            val: generate(seed::derive(base, &[seed::label("val")]), val_size, dims),
        })
    }

    /// The nested training set of size `n` (a multiple of 4).
    pub fn train(&self, n: usize) -> Result<Dataset, XorError> {
        check_size("training size", n)?;
        Ok(generate(self.train_seed, n, self.dims))
    }
}

fn check_size(what: &'static str, n: usize) -> Result<(), XorError> {
    if n == 0 || !n.is_multiple_of(4) {
        return Err(XorError::SetSize { what, n });
    }
    Ok(())
}
