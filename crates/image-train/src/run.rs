//! One image run: a network, a training size and a trial, trained under one or more of the
//! six conditions from the same random initial weights, with the initial magnitude histogram
//! of each condition (Supp B.6).

use crate::batches::ImageBatches;
use crate::options::TrainOptions;
use crate::train::{Progress, TrainJob, TrainResult};
use crate::Error;
use burn::tensor::backend::AutodiffBackend;
use polarity_images::conditions::{start, Condition, MagnitudeHistogram};
use polarity_models::{NetworkConfig, PretrainedWeights};
use serde::Serialize;

/// Everything about one run except the data and the backend.
#[derive(Debug, Clone, Serialize)]
pub struct RunPlan {
    pub dataset: String,
    pub n_train: usize,
    pub trial: usize,
    pub experiment_seed: u64,
    pub network: NetworkConfig,
    pub conditions: Vec<Condition>,
    pub options: TrainOptions,
}

/// What one condition produced.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionResult {
    pub condition: Condition,
    pub initial_magnitudes: MagnitudeHistogram,
    /// Kernel entries flipped at the start to carry the pretrained signs (IN-Polarity).
    pub aligned: Vec<(String, usize)>,
    /// Per kernel, the fraction of entries the template constrains (frozen networks; e.g. 0.5
    /// for the expanded grouped Caffe layers under IN-Polarity). Empty for fluid networks.
    pub constrained_fraction: Vec<(String, f64)>,
    pub result: TrainResult,
}

/// Trains every condition of `plan` on backend `B`. `pretrained` is needed only by the IN
/// conditions; `on_progress` gets the condition index and the step progress.
pub fn run_conditions<B: AutodiffBackend>(
    plan: &RunPlan,
    pretrained: Option<&PretrainedWeights>,
    train: &dyn ImageBatches,
    val: &dyn ImageBatches,
    device: &B::Device,
    on_progress: &mut dyn FnMut(usize, Progress),
) -> Result<Vec<ConditionResult>, Error> {
    let init = plan
        .network
        .initial_values(plan.experiment_seed, plan.trial)?;
    let mut out = Vec::new();
    for (k, &condition) in plan.conditions.iter().enumerate() {
        let s = start(condition, &init, pretrained.map(|p| &p.tensors))?;
        let mut progress = |p: Progress| on_progress(k, p);
        let job = TrainJob::<B> {
            template: s.template.as_ref(),
            train,
            val,
            options: &plan.options,
            device,
            on_progress: &mut progress,
            keep_weights: false,
        };
        let (_, result) = plan
            .network
            .run_with::<B, _>(&s.weights, device, job)
            .map_err(Error::from)
            .and_then(|r| r)
            .map_err(|e| Error::InCondition {
                condition,
                source: Box::new(e),
            })?;
        let constrained_fraction = s
            .template
            .iter()
            .flat_map(|t| {
                t.tensors
                    .iter()
                    .map(|k| (k.name().to_string(), k.constrained_fraction()))
            })
            .collect();
        out.push(ConditionResult {
            condition,
            constrained_fraction,
            initial_magnitudes: MagnitudeHistogram::of_kernels(&s.weights),
            aligned: s.aligned,
            result,
        });
    }
    Ok(out)
}
