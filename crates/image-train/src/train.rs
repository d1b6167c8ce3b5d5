//! Training one image network (one condition, training size and trial): per-epoch records as
//! the XOR runner's (train/val loss and accuracy, resets and sign flips per kernel).

use crate::batches::{tensors, ImageBatches};
use crate::learner::Learner;
use crate::options::TrainOptions;
use crate::Error;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion, Int, Tensor};
use polarity_burn::{named_values, param_values, PolarityTemplate, Selection};
use polarity_core::{seed, sign_of, NamedTensors};
use polarity_models::{ImageClassifier, NetworkConfig, NetworkJob, TrainableClassifier};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

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

/// Mean cross-entropy and accuracy of `model` on all of `data`.
pub fn evaluate<B: Backend, M: ImageClassifier<B>>(
    model: &M,
    data: &dyn ImageBatches,
    batch_size: usize,
    device: &B::Device,
) -> Result<(f32, f32), Error> {
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
        correct += count_correct(logits, y);
    }
    let n = data.len().max(1) as f64;
    Ok(((loss_sum / n) as f32, (correct as f64 / n) as f32))
}

/// How many rows of `logits` have their largest entry at the label `y`.
fn count_correct<B: Backend>(logits: Tensor<B, 2>, y: Tensor<B, 1, Int>) -> i64 {
    logits
        .argmax(1)
        .squeeze_dim::<1>(1)
        .equal(y)
        .int()
        .sum()
        .into_scalar()
        .elem::<i64>()
}

fn kernel_signs<B: Backend, M: Module<B>>(model: &M) -> Vec<(String, Vec<i8>)> {
    param_values::<B, M>(model, Selection::Kernels)
        .into_iter()
        .map(|(s, v)| (s.name, v.iter().map(|&w| sign_of(w)).collect()))
        .collect()
}

/// Trains `model` (already holding its start weights) for `opts.epochs` epochs. `template`
/// makes it a frozen network (Freeze-SGD after every step); `None` trains it fluid. Returns
/// the trained model and its records.
pub fn train_network<B, M>(
    model: M,
    template: Option<&PolarityTemplate>,
    train: &dyn ImageBatches,
    val: &dyn ImageBatches,
    opts: &TrainOptions,
    device: &B::Device,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<(M, TrainResult), Error>
where
    B: AutodiffBackend,
    M: TrainableClassifier<B>,
{
    let fixed = Fixed {
        template,
        train_only: None,
    };
    train_network_fixed(model, fixed, train, val, opts, device, on_progress)
}

/// What a run keeps fixed: the sign template of a frozen network and, for a linear probe, every
/// layer but one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fixed<'a> {
    /// Freeze-SGD's template (`None`: fluid).
    pub template: Option<&'a PolarityTemplate>,
    /// Train only this layer's parameters (e.g. `out`); `None`: all.
    pub train_only: Option<&'a str>,
}

/// [`train_network`] with every option of [`Fixed`].
pub fn train_network_fixed<B, M>(
    mut model: M,
    fixed: Fixed<'_>,
    train: &dyn ImageBatches,
    val: &dyn ImageBatches,
    opts: &TrainOptions,
    device: &B::Device,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<(M, TrainResult), Error>
where
    B: AutodiffBackend,
    M: TrainableClassifier<B>,
{
    if opts.batch_size == 0 {
        return Err(Error::Invalid("batch size must be at least 1".into()));
    }
    if train.is_empty() {
        return Err(Error::Invalid("the training set is empty".into()));
    }
    B::seed(device, opts.backend_seed);
    let mut learner = Learner::<B, M>::new(
        &model,
        fixed.template,
        opts.reset,
        opts.adam.optimizer(),
        opts.lr,
        device,
    )?;
    if let Some(layer) = fixed.train_only {
        learner = learner.train_only(&model, layer)?;
    }
    let mut prev_signs = kernel_signs::<B, M>(&model);
    let kernels: Vec<String> = prev_signs.iter().map(|(n, _)| n.clone()).collect();
    let steps_per_epoch = train.len().div_ceil(opts.batch_size);
    // Grown as epochs finish, never sized from the typed epoch count (docs/decisions.md D-PLAN-3).
    let mut records = Vec::new();
    let mut last_val_acc = None;
    for epoch in 0..opts.epochs {
        let order = epoch_order(train.len(), opts.shuffle_seed, epoch);
        let (mut loss_sum, mut correct) = (0.0f64, 0i64);
        for (step, batch) in order.chunks(opts.batch_size).enumerate() {
            let (x, y) = tensors::<B>(train.batch(batch)?, device);
            let (logits, loss) = learner.forward(&model, x, y.clone());
            correct += count_correct(logits, y);
            let loss_value: f32 = loss.clone().into_scalar().elem();
            if !loss_value.is_finite() {
                return Err(Error::NonFinite {
                    value: loss_value,
                    epoch,
                });
            }
            loss_sum += f64::from(loss_value) * batch.len() as f64;
            model = learner.step(model, loss);
            on_progress(Progress {
                epoch,
                step: step + 1,
                steps_per_epoch,
                last_val_acc,
            });
        }
        let resets_by_layer = learner.take_reset_counts()?;
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
    Ok((model, TrainResult { kernels, records }))
}

/// [`train_network`] as a registry job: the network type comes from the configuration.
pub(crate) struct TrainJob<'a, B: AutodiffBackend> {
    pub template: Option<&'a PolarityTemplate>,
    pub train: &'a dyn ImageBatches,
    pub val: &'a dyn ImageBatches,
    pub options: &'a TrainOptions,
    pub device: &'a B::Device,
    pub on_progress: &'a mut dyn FnMut(Progress),
    /// Also return every parameter's final values.
    pub keep_weights: bool,
}

impl<B: AutodiffBackend> NetworkJob<B> for TrainJob<'_, B> {
    type Output = Result<(Option<NamedTensors>, TrainResult), Error>;
    fn run<M: TrainableClassifier<B>>(self, model: M) -> Self::Output {
        let (model, result) = train_network::<B, M>(
            model,
            self.template,
            self.train,
            self.val,
            self.options,
            self.device,
            self.on_progress,
        )?;
        let weights = self
            .keep_weights
            .then(|| named_values::<B, M>(&model, Selection::All));
        Ok((weights, result))
    }
}

/// Builds `network` with `init`, trains it fluid (no template) and returns every parameter's
/// final values with the records: how the transfer study trains its source networks.
pub fn train_weights<B: AutodiffBackend>(
    network: &NetworkConfig,
    init: &NamedTensors,
    train: &dyn ImageBatches,
    val: &dyn ImageBatches,
    opts: &TrainOptions,
    device: &B::Device,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<(NamedTensors, TrainResult), Error> {
    let job = TrainJob::<B> {
        template: None,
        train,
        val,
        options: opts,
        device,
        on_progress,
        keep_weights: true,
    };
    let (weights, result) = network.run_with::<B, _>(init, device, job)??;
    Ok((weights.expect("weights kept"), result))
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
