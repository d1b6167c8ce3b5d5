//! The source networks of one direction (docs/decisions.md D-TRANSFER-4): K networks with
//! different seeds on disjoint subsets of the source classes, each stopped at the epoch of least
//! loss on a held-out split of the source pool, plus one trained for a single epoch. Saved with
//! their provenance and polarity template; reused on `--resume` when their settings match.

use super::splits::SourceSplits;
use super::{Direction, TransferStudy};
use crate::images::source_net::{self, SourceEpoch};
use crate::{ensure, Context, Result};
use burn::tensor::backend::AutodiffBackend;
use polarity_core::seed;
use polarity_image_train::{PreparedImages, TrainOptions};
use polarity_images::{ImageSet, Preprocess};
use polarity_models::{NetworkConfig, PretrainedWeights};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How the source networks of a direction are trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceScale {
    /// K: source networks per direction (trial i uses source i mod K).
    pub per_direction: usize,
    /// Training images of each source (disjoint subsets of the source classes).
    pub images: usize,
    /// Held-out source images that choose each source's stopping epoch.
    pub holdout: usize,
    /// Epochs trained; the kept weights are those of the epoch of least held-out loss.
    pub max_epochs: usize,
    pub batch: usize,
    /// Also train source 0's data and seed for one epoch only (the early-polarity arm).
    pub one_epoch: bool,
}

/// A trained source network.
pub(crate) struct SourceNet {
    /// `source-<k>` or `source-1-epoch`.
    pub name: String,
    pub pretrained: PretrainedWeights,
    pub history: Vec<SourceEpoch>,
    /// The 0-based epoch whose weights are kept.
    pub kept_epoch: usize,
    pub weights_file: PathBuf,
    pub template_file: PathBuf,
    pub template_sha256: String,
    /// Training time; `None` when reused on resume.
    pub seconds: Option<f64>,
}

/// Every source of one direction.
pub(crate) struct DirectionSources {
    pub sources: Vec<SourceNet>,
    pub one_epoch: Option<SourceNet>,
}

/// The epoch of least held-out loss (the first one on ties).
pub fn stopping_epoch(history: &[SourceEpoch]) -> usize {
    history
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.val_loss.total_cmp(&b.1.val_loss))
        .map_or(0, |(i, _)| i)
}

impl TransferStudy {
    /// Trains (or reloads) the sources of `direction` from `pool` (the source classes' training
    /// images, relabelled).
    pub(crate) fn sources<B: AutodiffBackend>(
        &self,
        direction: &Direction,
        pool: &ImageSet,
        preprocess: &Preprocess,
        network: &NetworkConfig,
        data: &serde_json::Value,
        device: &B::Device,
    ) -> Result<DirectionSources> {
        let s = &self.scale.sources;
        let splits = SourceSplits::new(
            pool.len(),
            s.holdout,
            s.per_direction,
            s.images,
            seed::derive(self.seed, &[seed::label(&direction.name)]),
        )
        .with_context(|| format!("direction {}", direction.name))?;
        let holdout = PreparedImages {
            set: pool.subset(&splits.holdout)?,
            preprocess: preprocess.clone(),
        };
        let kernels = network.kernel_specs()?;
        let head = source_net::head_layer(&kernels)?;
        let dir = self.out.join("source").join(&direction.name);
        let mut sources = Vec::new();
        for (k, indices) in splits.train.iter().enumerate() {
            let train = PreparedImages {
                set: pool.subset(indices)?,
                preprocess: preprocess.clone(),
            };
            let one = self.source::<B>(
                &dir.join(format!("source-{k}")),
                direction,
                k,
                s.max_epochs,
                true,
                (&train, &holdout),
                (network, &head, data),
                device,
            )?;
            sources.push(one);
        }
        let one_epoch = if s.one_epoch {
            let train = PreparedImages {
                set: pool.subset(&splits.train[0])?,
                preprocess: preprocess.clone(),
            };
            Some(self.source::<B>(
                &dir.join("source-1-epoch"),
                direction,
                0,
                1,
                false,
                (&train, &holdout),
                (network, &head, data),
                device,
            )?)
        } else {
            None
        };
        Ok(DirectionSources { sources, one_epoch })
    }

    /// One source network: trained `epochs` epochs (with `early_stopping`, rerun to the epoch
    /// of least held-out loss: the loop returns its last weights only, and a rerun with the same
    /// seeds repeats the same steps).
    #[allow(clippy::too_many_arguments)]
    fn source<B: AutodiffBackend>(
        &self,
        dir: &Path,
        direction: &Direction,
        k: usize,
        epochs: usize,
        early_stopping: bool,
        (train, holdout): (&PreparedImages, &PreparedImages),
        (network, head, data): (&NetworkConfig, &str, &serde_json::Value),
        device: &B::Device,
    ) -> Result<SourceNet> {
        let name = dir
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let weights_file = dir.join("weights.bin");
        let template_file = dir.join("polarity.ptpl");
        let coords = [
            seed::label("transfer-source"),
            seed::label(&direction.name),
            k as u64,
        ];
        let opts = TrainOptions {
            epochs,
            batch_size: self.scale.sources.batch,
            shuffle_seed: seed::derive(self.seed, &[coords[0], coords[1], coords[2], 1]),
            backend_seed: seed::derive(self.seed, &[coords[0], coords[1], coords[2], 2]),
            ..TrainOptions::default()
        };
        let meta = serde_json::json!({
            "network": network,
            "classes": direction.source_classes,
            "scale": self.scale.sources,
            "index": k,
            "epochs": epochs,
            "seed": self.seed,
            "data": data,
        });
        let started = Instant::now();
        let reuse = self.resume && weights_file.exists();
        let (weights, history, kept_epoch, sha) = if reuse {
            let (w, stored, sha) = source_net::load(&weights_file)?;
            ensure!(
                stored.get("source") == Some(&meta),
                "{} was made with other settings than this run; use another --out or delete it",
                weights_file.display()
            );
            let history: Vec<SourceEpoch> =
                serde_json::from_value(stored["history"].clone()).context("source history")?;
            let kept = stored["kept_epoch"].as_u64().context("source kept_epoch")? as usize;
            (w, history, kept, sha)
        } else {
            let init = network.initial_values(seed::derive(self.seed, &coords), 0)?;
            let (w, history) =
                source_net::train_source::<B>(network, &init, train, holdout, &opts, device)
                    .with_context(|| format!("{} {name}", direction.name))?;
            let kept = if early_stopping {
                stopping_epoch(&history)
            } else {
                epochs - 1
            };
            let w = if kept + 1 < epochs {
                let again = TrainOptions {
                    epochs: kept + 1,
                    ..opts
                };
                source_net::train_source::<B>(network, &init, train, holdout, &again, device)?.0
            } else {
                w
            };
            let sha = source_net::save(
                &weights_file,
                &w,
                &serde_json::json!({ "source": meta, "history": history, "kept_epoch": kept }),
            )?;
            (w, history, kept, sha)
        };
        let pretrained = source_net::as_pretrained(&weights, head, &weights_file, &sha);
        let template = pretrained.kernel_template();
        template
            .save(&template_file)
            .with_context(|| format!("writing {}", template_file.display()))?;
        Ok(SourceNet {
            name,
            template_sha256: source_net::sha256(&std::fs::read(&template_file)?),
            pretrained,
            history,
            kept_epoch,
            weights_file,
            template_file,
            seconds: (!reuse).then(|| started.elapsed().as_secs_f64()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_at_the_first_least_loss() {
        let h = |l: &[f32]| -> Vec<SourceEpoch> {
            l.iter()
                .enumerate()
                .map(|(epoch, &val_loss)| SourceEpoch {
                    epoch,
                    val_loss,
                    val_acc: 0.0,
                })
                .collect()
        };
        assert_eq!(stopping_epoch(&h(&[0.9, 0.5, 0.6, 0.5])), 1);
        assert_eq!(stopping_epoch(&h(&[0.9, 0.8, 0.7])), 2);
        assert_eq!(stopping_epoch(&h(&[0.4])), 0);
    }
}
