//! # polarity-image-train: one burn training loop for the image experiments
//!
//! Trains the networks of polarity-models on preprocessed images ([`ImageBatches`]) with
//! Keras-style Adam and, for frozen networks, polarity-burn's Freeze-SGD, recording per epoch
//! what the paper's figures need (train/validation loss and accuracy, resets and sign flips per
//! kernel). The same loop ([`Learner`]) serves every caller: one image run under the paper's six
//! conditions ([`run_conditions`]), the source networks of the transfer study
//! ([`train_weights`]) and the step benchmarks ([`repeat_step`]).
//!
//! Generic over the burn backend (`B: AutodiffBackend`); the binary picks it. Nothing here
//! prints: progress goes to a callback.

pub mod batches;
pub mod bench;
pub mod learner;
pub mod options;
pub mod plan;
pub mod run;
pub mod table;
pub mod train;

pub use batches::{preprocess_for, ImageBatches, PreparedImages};
pub use bench::{repeat_step, StepBatch, StepOptions, StepTrace};
pub use learner::Learner;
pub use options::{KerasAdamOptions, TrainOptions};
pub use plan::ImageRunSizes;
pub use run::{run_conditions, ConditionResult, RunPlan};
pub use table::{table, table_header, to_csv};
pub use train::{
    epoch_order, evaluate, train_network, train_network_fixed, train_weights, EpochRecord, Fixed,
    Progress, TrainResult,
};

use polarity_images::conditions::{Condition, ConditionError};

/// Errors of training, each naming what was wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Data(#[from] polarity_images::DataError),
    #[error(transparent)]
    Condition(#[from] ConditionError),
    #[error(transparent)]
    Burn(#[from] polarity_burn::Error),
    #[error(transparent)]
    Models(#[from] polarity_models::Error),
    #[error("invalid value: {0}")]
    Invalid(String),
    /// The loss of a training batch was NaN or infinite.
    #[error("training loss became {value} in epoch {epoch}")]
    NonFinite { value: f32, epoch: usize },
    /// The backend failed (e.g. a device that cannot be synchronised).
    #[error("backend: {0}")]
    Backend(String),
    /// An error while training one condition of a run.
    #[error("training condition {condition}")]
    InCondition {
        condition: Condition,
        #[source]
        source: Box<Error>,
    },
}
