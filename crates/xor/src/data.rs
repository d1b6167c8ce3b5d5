//! XOR-nD data exactly as the official generator draws it (docs/decisions.md D-XOR-DATA-1,
//! D-XOR-DATA-2): four balanced quadrant cells on dims 1-2 (low coordinate in [-1, 0), high in
//! [0.05, 1.05)), label 1 for the same-sign cells, dims 3.. i.i.d. N(1, 1).
//!
//! Nesting without depending on the list of sizes: sample k of cell q is drawn from its own
//! generator `(data seed, q, k)`, and the training set of size n is samples 0..n/4 of every cell,
//! interleaved. So every training set is a prefix of every larger one, and adding or removing a
//! size from a grid never changes the data of the others (docs/decisions.md D-XOR-DATA-4).
//!
//! [`XorData`] also holds data read from files ([`crate::given`]), so that the rest of the
//! pipeline does not care where the numbers came from.

use crate::error::XorError;
use crate::given::{GivenData, GivenSummary};
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

/// The data of one XOR experiment: a fixed validation set and nested training sets, drawn by
/// the generator or read from files ([`crate::given`]).
#[derive(Debug, Clone)]
pub struct XorData {
    pub dims: usize,
    pub val: Dataset,
    train: TrainSets,
    /// Where the data came from, for reports.
    pub origin: DataOrigin,
}

#[derive(Debug, Clone)]
enum TrainSets {
    /// Sample k of cell q from `rng(seed, [q, k])` (D-XOR-DATA-4).
    Drawn { seed: u64 },
    /// Every training set is a prefix of `pool`; `sizes` are the ones the files provide (`None`:
    /// any prefix, as for a CSV).
    Given {
        pool: Dataset,
        sizes: Option<Vec<usize>>,
    },
}

/// Where an experiment's data came from.
#[derive(Debug, Clone, PartialEq)]
pub enum DataOrigin {
    /// Drawn by the generator: `draw` 0 is the experiment seed's default data.
    Drawn { draw: u64 },
    /// Read from files.
    Given(GivenSummary),
}

impl std::fmt::Display for DataOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataOrigin::Drawn { draw } => {
                write!(
                    f,
                    "drawn by polarity's generator from the experiment seed (draw {draw})"
                )
            }
            DataOrigin::Given(g) => g.fmt(f),
        }
    }
}

impl XorData {
    /// Draw 0 of `experiment_seed`: the default data of an experiment.
    pub fn new(experiment_seed: u64, dims: usize, val_size: usize) -> Result<Self, XorError> {
        Self::drawn(experiment_seed, 0, dims, val_size)
    }

    /// Draw `draw` of `experiment_seed`; its numbers depend on the seed and `draw` only
    /// (docs/decisions.md D-XOR-DATA-7). Draw 0 is the data polarity has always drawn.
    pub fn drawn(
        experiment_seed: u64,
        draw: u64,
        dims: usize,
        val_size: usize,
    ) -> Result<Self, XorError> {
        if dims < 2 {
            return Err(XorError::DataDims(dims));
        }
        check_size("validation size", val_size)?;
        let base = if draw == 0 {
            seed::derive(experiment_seed, &[seed::label("xor-data")])
        } else {
            seed::derive(experiment_seed, &[seed::label("xor-data"), draw])
        };
        Ok(Self {
            dims,
            train: TrainSets::Drawn {
                seed: seed::derive(base, &[seed::label("train")]),
            },
            val: generate(seed::derive(base, &[seed::label("val")]), val_size, dims),
            origin: DataOrigin::Drawn { draw },
        })
    }

    /// Data read from files (already checked by the reader).
    pub fn given(data: GivenData) -> Self {
        let GivenData {
            summary,
            dims,
            train,
            train_sizes,
            val,
        } = data;
        Self {
            dims,
            val,
            train: TrainSets::Given {
                pool: train,
                sizes: train_sizes,
            },
            origin: DataOrigin::Given(summary),
        }
    }

    /// The nested training set of size `n`: for drawn data a multiple of 4, for given data one
    /// of the sizes the files provide (or any prefix of a CSV's training rows).
    pub fn train(&self, n: usize) -> Result<Dataset, XorError> {
        match &self.train {
            TrainSets::Drawn { seed } => {
                check_size("training size", n)?;
                Ok(generate(*seed, n, self.dims))
            }
            TrainSets::Given { pool, sizes } => {
                let available = match sizes {
                    Some(s) => s.contains(&n),
                    None => n >= 1 && n <= pool.len(),
                };
                if !available {
                    return Err(XorError::MissingTrainSize {
                        data: self.origin.to_string(),
                        n,
                        available: match sizes {
                            Some(s) => format!("{s:?}"),
                            None => format!("1..={}", pool.len()),
                        },
                    });
                }
                Ok(pool.prefix(n))
            }
        }
    }
}

fn check_size(what: &'static str, n: usize) -> Result<(), XorError> {
    if n == 0 || !n.is_multiple_of(4) {
        return Err(XorError::SetSize { what, n });
    }
    Ok(())
}
