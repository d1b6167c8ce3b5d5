//! Training one image network (one condition, training size and trial): Keras-style Adam,
//! Freeze-SGD through [`FreezeOptimizer`] for frozen networks, per-epoch records as the XOR
//! runner's (train/val loss and accuracy, resets and sign flips per kernel).

use crate::freeze::{FreezeConfig, FreezeOptimizer};
use crate::keras_adam::KerasAdam;
use crate::models::{ImageClassifier, TrainableClassifier};
use crate::paths::{param_values, Selection};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Int, Tensor, TensorData};
use polarity_core::{seed, sign_of, PolarityTemplate, Provenance, ResetRule};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Preprocessed images on demand: `[N, C, H, W]` values and class labels for given indices.
pub trait ImageBatches {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Images at `indices` (in that order) as row-major `[indices.len(), C, H, W]`, and labels.
    fn batch(&self, indices: &[usize]) -> anyhow::Result<(Vec<f32>, [usize; 4], Vec<i64>)>;
}

/// Hyper-parameters of one run. Defaults are the paper's (spec 5.3) except `epochs`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub adam: KerasAdamOptions,
    pub reset: ResetRule,
    /// Seed of the batch order: the same for every condition and trial (paper: fixed shuffle).
    pub shuffle_seed: u64,
    /// Seed of the backend generator (dropout masks, posRand draws).
    pub backend_seed: u64,
    /// Batch size for validation passes (memory only; results do not depend on it).
    pub eval_batch_size: usize,
}

/// Adam's constants (Keras defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KerasAdamOptions {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        let k = KerasAdam::default();
        Self {
            epochs: 100,
            batch_size: 1000,
            lr: 1e-3,
            adam: KerasAdamOptions {
                beta_1: k.beta_1,
                beta_2: k.beta_2,
                epsilon: k.epsilon,
            },
            reset: ResetRule::default(),
            shuffle_seed: 0,
            backend_seed: 0,
            eval_batch_size: 500,
        }
    }
}

/// One epoch of one network. `resets` and `flips` follow `kernels` of the [`TrainResult`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 0-based.
    pub epoch: usize,
    /// Mean over the epoch's batches as they were trained (Keras' running figure).
    pub train_loss: f32,
    pub train_acc: f32,
    pub val_loss: f32,
    pub val_acc: f32,
    /// Weights reset by Freeze-SGD during the epoch, per kernel (0 for fluid networks).
    pub resets: Vec<u64>,
    /// Kernel entries whose sign differs from the previous epoch end (the initial weights for
    /// epoch 0), per kernel (Supp B.5).
    pub flips: Vec<u64>,
}

/// The records of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainResult {
    /// Kernel paths in the order of the per-layer columns.
    pub kernels: Vec<String>,
    pub records: Vec<EpochRecord>,
}

/// Progress of a run, reported after every step.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub epoch: usize,
    pub step: usize,
    pub steps_per_epoch: usize,
    pub last_val_acc: Option<f32>,
}

/// The order of samples in `epoch`: a fresh seeded permutation each epoch, identical for every
/// network trained with the same `shuffle_seed`.
pub fn epoch_order(n: usize, shuffle_seed: u64, epoch: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = seed::rng(
        shuffle_seed,
        &[seed::label("image-epoch-order"), epoch as u64],
    );
    order.shuffle(&mut rng);
    order
}

fn tensors<B: Backend>(
    batch: (Vec<f32>, [usize; 4], Vec<i64>),
    device: &B::Device,
) -> (Tensor<B, 4>, Tensor<B, 1, Int>) {
    let (x, shape, y) = batch;
    let n = y.len();
    (
        Tensor::from_data(TensorData::new(x, shape), device),
        Tensor::from_data(TensorData::new(y, [n]), device),
    )
}

/// Mean cross-entropy and accuracy of `model` on all of `data`.
pub fn evaluate<B: Backend, M: ImageClassifier<B>>(
    model: &M,
    data: &dyn ImageBatches,
    batch_size: usize,
    device: &B::Device,
) -> anyhow::Result<(f32, f32)> {
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let (mut loss_sum, mut correct) = (0.0f64, 0i64);
    let all: Vec<usize> = (0..data.len()).collect();
    for chunk in all.chunks(batch_size.max(1)) {
        let (x, y) = tensors::<B>(data.batch(chunk)?, device);
        let logits = model.forward(x);
        let loss: f32 = loss_fn
            .forward(logits.clone(), y.clone())
            .into_scalar()
            .elem();
        loss_sum += f64::from(loss) * chunk.len() as f64;
        correct += logits
            .argmax(1)
            .squeeze_dim::<1>(1)
            .equal(y)
            .int()
            .sum()
            .into_scalar()
            .elem::<i64>();
    }
    let n = data.len().max(1) as f64;
    Ok(((loss_sum / n) as f32, (correct as f64 / n) as f32))
}

use burn::tensor::ElementConversion;

fn kernel_signs<B: Backend, M: burn::module::Module<B>>(model: &M) -> Vec<(String, Vec<i8>)> {
    param_values::<B, M>(model, Selection::Kernels)
        .into_iter()
        .map(|(s, v)| (s.name, v.iter().map(|&w| sign_of(w)).collect()))
        .collect()
}

/// Trains `model` (already holding its start weights) for `opts.epochs` epochs. `template`
/// makes it a frozen network (Freeze-SGD after every step); `None` trains it fluid.
pub fn train_network<B, M>(
    mut model: M,
    template: Option<&PolarityTemplate>,
    train: &dyn ImageBatches,
    val: &dyn ImageBatches,
    opts: &TrainOptions,
    device: &B::Device,
    on_progress: &mut dyn FnMut(Progress),
) -> anyhow::Result<TrainResult>
where
    B: AutodiffBackend,
    M: TrainableClassifier<B>,
    M::InnerModule: ImageClassifier<B::InnerBackend>,
{
    anyhow::ensure!(opts.batch_size > 0, "batch size must be at least 1");
    anyhow::ensure!(!train.is_empty(), "the training set is empty");
    B::seed(device, opts.backend_seed);
    let empty = PolarityTemplate {
        tensors: Vec::new(),
        provenance: Provenance::new("none (fluid)", b""),
    };
    let adam = KerasAdam {
        beta_1: opts.adam.beta_1,
        beta_2: opts.adam.beta_2,
        epsilon: opts.adam.epsilon,
    };
    let mut optim = FreezeOptimizer::new(
        adam.init::<B, M>(),
        &model,
        template.unwrap_or(&empty),
        FreezeConfig::new(opts.reset),
        device,
    )?;
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let mut prev_signs = kernel_signs::<B, M>(&model);
    let kernels: Vec<String> = prev_signs.iter().map(|(n, _)| n.clone()).collect();
    let steps_per_epoch = train.len().div_ceil(opts.batch_size);
    let mut records = Vec::with_capacity(opts.epochs);
    let mut last_val_acc = None;
    for epoch in 0..opts.epochs {
        let order = epoch_order(train.len(), opts.shuffle_seed, epoch);
        let (mut loss_sum, mut correct) = (0.0f64, 0i64);
        for (step, batch) in order.chunks(opts.batch_size).enumerate() {
            let (x, y) = tensors::<B>(train.batch(batch)?, device);
            let logits = model.forward(x);
            let loss = loss_fn.forward(logits.clone(), y.clone());
            correct += logits
                .argmax(1)
                .squeeze_dim::<1>(1)
                .equal(y)
                .int()
                .sum()
                .into_scalar()
                .elem::<i64>();
            let loss_value: f32 = loss.clone().into_scalar().elem();
            anyhow::ensure!(
                loss_value.is_finite(),
                "training loss became {loss_value} in epoch {epoch}"
            );
            loss_sum += f64::from(loss_value) * batch.len() as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(opts.lr, model, grads);
            on_progress(Progress {
                epoch,
                step: step + 1,
                steps_per_epoch,
                last_val_acc,
            });
        }
        let resets_by_layer = optim.take_reset_counts()?;
        let (val_loss, val_acc) = evaluate::<B::InnerBackend, M::InnerModule>(
            &model.valid(),
            val,
            opts.eval_batch_size,
            device,
        )?;
        last_val_acc = Some(val_acc);
        let signs = kernel_signs::<B, M>(&model);
        let flips = signs
            .iter()
            .zip(&prev_signs)
            .map(|((_, a), (_, b))| a.iter().zip(b).filter(|(x, y)| x != y).count() as u64)
            .collect();
        prev_signs = signs;
        let resets = kernels
            .iter()
            .map(|k| {
                resets_by_layer
                    .iter()
                    .find(|l| &l.name == k)
                    .map_or(0, |l| l.resets)
            })
            .collect();
        let n = train.len() as f64;
        records.push(EpochRecord {
            epoch,
            train_loss: (loss_sum / n) as f32,
            train_acc: (correct as f64 / n) as f32,
            val_loss,
            val_acc,
            resets,
            flips,
        });
    }
    Ok(TrainResult { kernels, records })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_order_is_a_seeded_permutation() {
        let a = epoch_order(50, 3, 0);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_eq!(a, epoch_order(50, 3, 0));
        assert_ne!(a, epoch_order(50, 3, 1));
        assert_ne!(a, epoch_order(50, 4, 0));
    }
}
