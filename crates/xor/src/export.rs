//! The exact start of a grid's networks (aligned initial weights, templates) and its batch
//! orders, for training the same networks in another framework and comparing curve by curve
//! (`scripts/official_xor_keras.py --init FILE --batch-order FILE`; docs/decisions.md
//! D-XOR-DATA-11).

use crate::condition::{make_job, NetCoords};
use crate::error::XorError;
use crate::experiment::XorConfig;
use crate::Condition;
use polarity_core::{seed, ResetMethod};
use polarity_mlp::data::epoch_order;
use serde::Serialize;

/// The format tag the Keras script checks.
pub const STARTS_FORMAT: &str = "polarity-xor-starts/1";

/// Everything another framework needs to start the grid's networks as polarity does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Starts {
    pub format: &'static str,
    pub seed: u64,
    pub dims: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f32,
    pub reset_eps: f32,
    pub batch_orders: Vec<BatchOrders>,
    pub networks: Vec<NetworkStart>,
}

/// The sample order of every epoch for one training size (indices into the training set in
/// file order), shared by every network trained on it (docs/decisions.md D-XOR-DATA-5).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchOrders {
    pub n_train: usize,
    pub shuffle_seed: u64,
    pub epochs: Vec<Vec<usize>>,
}

/// One network's start: its weights after the initial alignment, and its template if frozen.
/// Kernels row-major in Keras' `[in, out]` layout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkStart {
    pub n_train: usize,
    pub hidden: usize,
    pub reset: ResetMethod,
    pub condition: Condition,
    pub trial: usize,
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    pub w2: Vec<f32>,
    pub b2: f32,
    pub template_w1: Option<Vec<i8>>,
    pub template_w2: Option<Vec<i8>>,
}

/// The starts of every network of `cfg` (every unit, condition and trial, in the grid's order)
/// and the batch orders of every training size.
pub fn starts(cfg: &XorConfig) -> Result<Starts, XorError> {
    cfg.validate()?;
    let batch_orders = cfg
        .train_sizes
        .iter()
        .map(|&n| {
            let shuffle_seed = cfg.shuffle_seed(n);
            BatchOrders {
                n_train: n,
                shuffle_seed,
                epochs: (0..cfg.epochs)
                    .map(|e| epoch_order(n, shuffle_seed, e))
                    .collect(),
            }
        })
        .collect();
    let mut networks = Vec::new();
    for unit in cfg.units() {
        let rules = cfg.start_rules(unit.reset);
        for &condition in &cfg.conditions {
            for trial in 0..cfg.trials {
                let job = make_job(
                    &rules,
                    NetCoords {
                        hidden: unit.hidden,
                        n_train: unit.n_train,
                        condition,
                        trial,
                    },
                )?;
                let p = job.params;
                networks.push(NetworkStart {
                    n_train: unit.n_train,
                    hidden: unit.hidden,
                    reset: unit.reset,
                    condition,
                    trial,
                    w1: p.w1,
                    b1: p.b1,
                    w2: p.w2,
                    b2: p.b2,
                    template_w1: job.template.as_ref().map(|t| t.w1.clone()),
                    template_w2: job.template.as_ref().map(|t| t.w2.clone()),
                });
            }
        }
    }
    Ok(Starts {
        format: STARTS_FORMAT,
        seed: cfg.seed,
        dims: cfg.dims,
        epochs: cfg.epochs,
        batch_size: cfg.batch_size,
        lr: cfg.lr,
        reset_eps: cfg.reset_eps,
        batch_orders,
        networks,
    })
}

impl XorConfig {
    /// The seed of the batch orders of training size `n_train` (docs/decisions.md D-SEED-2).
    pub fn shuffle_seed(&self, n_train: usize) -> u64 {
        seed::derive(self.seed, &[seed::label("shuffle"), n_train as u64])
    }
}
