//! One image run: a network, a training size and a trial, trained under one or more of the
//! six conditions from the same random initial weights. Writes one table row per network per
//! epoch (the XOR runner's conventions) and a JSON sidecar with provenance and the initial
//! magnitude histograms.

use crate::conditions::{start, Condition, MagnitudeHistogram};
use crate::models::{
    ImageClassifier, PaperAlexNet, PaperAlexNetConfig, SmallCnn, SmallCnnConfig, TorchAlexNet,
    TorchAlexNetConfig, TrainableClassifier,
};
use crate::paths::{set_param_values, NamedTensors};
use crate::train::{train_network, ImageBatches, Progress, TrainOptions, TrainResult};
use crate::weights::{
    load_caffe_alexnet, load_torchvision_alexnet, GroupedLayers, PretrainedWeights,
};
use burn::tensor::backend::AutodiffBackend;
use polarity_core::seed;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Which network to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkKind {
    /// The paper's AlexNet (Caffe/Keras layout, 227 input).
    PaperAlexnet,
    /// torchvision's AlexNet (224 input).
    TorchAlexnet,
    /// A LeNet-style CNN (28 input), fast on a CPU.
    SmallCnn,
}

/// A network's full configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NetworkConfig {
    PaperAlexnet(PaperAlexNetConfig),
    TorchAlexnet(TorchAlexNetConfig),
    SmallCnn(SmallCnnConfig),
}

impl NetworkConfig {
    /// The default configuration of `kind` for `in_channels` inputs at side `input_size`
    /// (`None`: the network's own default), with every width divided by `width_divisor`.
    pub fn new(
        kind: NetworkKind,
        in_channels: usize,
        input_size: Option<usize>,
        width_divisor: usize,
    ) -> Self {
        let d = width_divisor.max(1);
        let div = |x: usize| (x / d).max(1);
        match kind {
            NetworkKind::PaperAlexnet => {
                let mut c = PaperAlexNetConfig::default();
                c.in_channels = in_channels;
                c.input_size = input_size.unwrap_or(c.input_size);
                c.conv_channels = c.conv_channels.map(div);
                c.fc_units = c.fc_units.map(div);
                Self::PaperAlexnet(c)
            }
            NetworkKind::TorchAlexnet => {
                let mut c = TorchAlexNetConfig::default();
                c.in_channels = in_channels;
                c.conv_channels = c.conv_channels.map(div);
                c.fc_units = c.fc_units.map(div);
                Self::TorchAlexnet(c)
            }
            NetworkKind::SmallCnn => {
                let mut c = SmallCnnConfig::default();
                c.in_channels = in_channels;
                c.input_size = input_size.unwrap_or(c.input_size);
                c.conv_channels = c.conv_channels.map(div);
                c.fc_units = c.fc_units.map(div);
                Self::SmallCnn(c)
            }
        }
    }

    /// The random initial weights of `trial` (the same for every condition of the trial).
    pub fn initial_values(
        &self,
        experiment_seed: u64,
        trial: usize,
    ) -> Result<NamedTensors, crate::Error> {
        let mut rng = seed::rng(experiment_seed, &[seed::label("image-init"), trial as u64]);
        match self {
            Self::PaperAlexnet(c) => c.initial_values(&mut rng),
            Self::TorchAlexnet(c) => Ok(c.initial_values(&mut rng)),
            Self::SmallCnn(c) => c.initial_values(&mut rng),
        }
    }

    /// Reads pretrained weights for this network: `bvlc_alexnet.npy` for the paper's AlexNet,
    /// torchvision `.pth`/safetensors for torchvision's. The small CNN has none.
    pub fn load_pretrained(
        &self,
        path: &Path,
        grouped: GroupedLayers,
    ) -> Result<PretrainedWeights, crate::Error> {
        match self {
            Self::PaperAlexnet(c) => load_caffe_alexnet(path, c, grouped),
            Self::TorchAlexnet(c) => load_torchvision_alexnet(path, c),
            Self::SmallCnn(_) => Err(crate::Error::Invalid(
                "the small CNN has no pretrained weights; use it with the RAND-Polarity conditions"
                    .into(),
            )),
        }
    }
}

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

/// What every condition of a run shares.
struct Shared<'a, B: AutodiffBackend> {
    train: &'a dyn ImageBatches,
    val: &'a dyn ImageBatches,
    options: &'a TrainOptions,
    device: &'a B::Device,
}

fn train_as<B, M>(
    skeleton: M,
    weights: &NamedTensors,
    template: Option<&polarity_core::PolarityTemplate>,
    shared: &Shared<'_, B>,
    on_progress: &mut dyn FnMut(Progress),
) -> anyhow::Result<TrainResult>
where
    B: AutodiffBackend,
    M: TrainableClassifier<B>,
    M::InnerModule: ImageClassifier<B::InnerBackend>,
{
    let model = set_param_values(skeleton, weights, shared.device)?;
    train_network::<B, M>(
        model,
        template,
        shared.train,
        shared.val,
        shared.options,
        shared.device,
        on_progress,
    )
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
) -> anyhow::Result<Vec<ConditionResult>> {
    let init = plan
        .network
        .initial_values(plan.experiment_seed, plan.trial)?;
    let shared = Shared::<B> {
        train,
        val,
        options: &plan.options,
        device,
    };
    let mut out = Vec::new();
    for (k, &condition) in plan.conditions.iter().enumerate() {
        let s = start(condition, &init, pretrained.map(|p| &p.tensors))?;
        let template = s.template.as_ref();
        let mut progress = |p: Progress| on_progress(k, p);
        let result = match &plan.network {
            NetworkConfig::PaperAlexnet(c) => train_as::<B, PaperAlexNet<B>>(
                c.init_zeros(device)?,
                &s.weights,
                template,
                &shared,
                &mut progress,
            ),
            NetworkConfig::TorchAlexnet(c) => train_as::<B, TorchAlexNet<B>>(
                c.init_zeros(device),
                &s.weights,
                template,
                &shared,
                &mut progress,
            ),
            NetworkConfig::SmallCnn(c) => train_as::<B, SmallCnn<B>>(
                c.init_zeros(device)?,
                &s.weights,
                template,
                &shared,
                &mut progress,
            ),
        }
        .map_err(|e| e.context(format!("training condition {condition}")))?;
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

/// The columns of the result table for networks with these kernels (parameter paths).
pub fn table_header<K: AsRef<str>>(kernels: &[K]) -> Vec<String> {
    let mut header: Vec<String> = [
        "dataset",
        "n_train",
        "network",
        "reset",
        "condition",
        "trial",
        "epoch",
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
    ]
    .map(String::from)
    .to_vec();
    let col = |k: &K| k.as_ref().trim_end_matches(".weight").replace('.', "_");
    header.extend(kernels.iter().map(|k| format!("resets_{}", col(k))));
    header.extend(kernels.iter().map(|k| format!("flips_{}", col(k))));
    header
}

/// The result table: one row per network per epoch. Per-kernel columns are
/// `resets_<kernel>` and `flips_<kernel>` (dots in paths become underscores).
pub fn table(plan: &RunPlan, results: &[ConditionResult]) -> (Vec<String>, Vec<Vec<String>>) {
    let kernels: Vec<String> = results
        .first()
        .map(|r| r.result.kernels.clone())
        .unwrap_or_default();
    let header = table_header(&kernels);
    let network = match plan.network {
        NetworkConfig::PaperAlexnet(_) => "paper-alexnet",
        NetworkConfig::TorchAlexnet(_) => "torch-alexnet",
        NetworkConfig::SmallCnn(_) => "small-cnn",
    };
    let mut rows = Vec::new();
    for r in results {
        for e in &r.result.records {
            let mut row = vec![
                plan.dataset.clone(),
                plan.n_train.to_string(),
                network.to_string(),
                plan.options.reset.method.to_string(),
                r.condition.to_string(),
                plan.trial.to_string(),
                e.epoch.to_string(),
                e.train_loss.to_string(),
                e.train_acc.to_string(),
                e.val_loss.to_string(),
                e.val_acc.to_string(),
            ];
            row.extend(e.resets.iter().map(u64::to_string));
            row.extend(e.flips.iter().map(u64::to_string));
            rows.push(row);
        }
    }
    (header, rows)
}

/// Writes `bytes` to `path` atomically (a temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

/// The table as CSV text.
pub fn to_csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s
}
