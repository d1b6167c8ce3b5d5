use serde::{Deserialize, Serialize};

/// What is recorded for one network after one epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Sample-weighted mean of the batch losses during the epoch (Keras' `loss`).
    pub train_loss: f32,
    /// Fraction of training samples classified correctly when their batch was processed.
    pub train_acc: f32,
    pub val_loss: f32,
    pub val_acc: f32,
    /// Weights reset by the freeze step during the epoch: [hidden layer, output layer].
    pub resets: [u32; 2],
    /// Kernel entries whose sign (`np.sign`) differs from the previous epoch's end
    /// (epoch 0: from the aligned initial weights): [hidden, output].
    pub flips: [u32; 2],
}
