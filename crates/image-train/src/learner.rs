//! One training step, the same for every caller: forward pass, cross-entropy, backward pass,
//! Keras-style Adam, then Freeze-SGD's reset for a frozen network.

use crate::Error;
use burn::module::ParamId;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{Int, Tensor};
use polarity_burn::{
    param_ids, FreezeConfig, FreezeOptimizer, KerasAdam, LayerResets, PolarityTemplate, Provenance,
    ResetRule,
};
use polarity_models::TrainableClassifier;

/// The optimizer and loss of one network's training. The model itself is passed through
/// [`Learner::step`] (burn's optimizers take and return it).
pub struct Learner<B: AutodiffBackend, M: TrainableClassifier<B>> {
    optim: FreezeOptimizer<OptimizerAdaptor<KerasAdam, M, B>, B>,
    loss_fn: CrossEntropyLoss<B>,
    lr: f64,
    /// The parameters the optimizer updates; `None`: all of them.
    trained: Option<Vec<ParamId>>,
}

impl<B: AutodiffBackend, M: TrainableClassifier<B>> Learner<B, M> {
    /// A learner for `model`: frozen to `template` with `reset` when a template is given, fluid
    /// (plain Adam; the reset has nothing to constrain) otherwise.
    pub fn new(
        model: &M,
        template: Option<&PolarityTemplate>,
        reset: ResetRule,
        adam: KerasAdam,
        lr: f64,
        device: &B::Device,
    ) -> Result<Self, Error> {
        let empty = PolarityTemplate {
            tensors: Vec::new(),
            provenance: Provenance::new("none (fluid)", b""),
        };
        let optim = FreezeOptimizer::new(
            adam.init::<B, M>(),
            model,
            template.unwrap_or(&empty),
            FreezeConfig::new(reset),
            device,
        )?;
        Ok(Self {
            optim,
            loss_fn: CrossEntropyLossConfig::new().init(device),
            lr,
            trained: None,
        })
    }

    /// Trains only the parameters of layer `layer` (e.g. `out`: a linear probe on top of fixed
    /// transferred weights); every other parameter keeps its value, because the optimizer never
    /// receives its gradient (docs/decisions.md D-TRANSFER-8).
    pub fn train_only(mut self, model: &M, layer: &str) -> Result<Self, Error> {
        let prefix = format!("{layer}.");
        let ids = param_ids::<B, M>(model);
        let trained: Vec<ParamId> = ids
            .iter()
            .filter(|(path, _)| path.starts_with(&prefix))
            .map(|(_, id)| *id)
            .collect();
        if trained.is_empty() {
            return Err(Error::Invalid(format!(
                "train only layer '{layer}': the network has no parameter under '{prefix}' (parameters: {})",
                ids.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        self.trained = Some(trained);
        Ok(self)
    }

    /// The logits and mean cross-entropy of a batch (still on the device).
    pub fn forward(
        &self,
        model: &M,
        images: Tensor<B, 4>,
        labels: Tensor<B, 1, Int>,
    ) -> (Tensor<B, 2>, Tensor<B, 1>) {
        let logits = model.forward(images);
        let loss = self.loss_fn.forward(logits.clone(), labels);
        (logits, loss)
    }

    /// The backward pass of `loss` and one optimizer step (Adam, then the reset).
    pub fn step(&mut self, model: M, loss: Tensor<B, 1>) -> M {
        let mut raw = loss.backward();
        let grads = match &self.trained {
            Some(ids) => GradientsParams::from_params(&mut raw, &model, ids),
            None => GradientsParams::from_module(&mut raw, &model),
        };
        self.optim.step(self.lr, model, grads)
    }

    /// Per constrained kernel, the weights reset since the last call.
    pub fn take_reset_counts(&mut self) -> Result<Vec<LayerResets>, Error> {
        Ok(self.optim.take_reset_counts()?)
    }
}
