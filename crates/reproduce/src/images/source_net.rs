//! The source network of the transfer study: trained here on the source task (plain Keras-style
//! Adam, fluid), saved with its provenance, and turned into the "pretrained" weights whose
//! polarity (or values) the target-task conditions take.

use crate::{ensure, invalid, Context, Result};
use burn::tensor::backend::AutodiffBackend;
use polarity_core::NamedTensors;
use polarity_image_train::{train_weights, ImageBatches, TrainOptions};
use polarity_models::{NetworkConfig, PretrainedWeights};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Validation accuracy and loss of the source network after each epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceEpoch {
    pub epoch: usize,
    pub val_loss: f32,
    pub val_acc: f32,
}

/// Builds `network` with `init` and trains it fluid with Keras Adam on backend `B` (the image
/// runs' training loop, without a template); returns every parameter's final values and the
/// per-epoch validation record.
pub fn train_source<B: AutodiffBackend>(
    network: &NetworkConfig,
    init: &NamedTensors,
    train: &dyn ImageBatches,
    val: &dyn ImageBatches,
    opts: &TrainOptions,
    device: &B::Device,
) -> Result<(NamedTensors, Vec<SourceEpoch>)> {
    ensure!(
        !train.is_empty() && opts.batch_size > 0,
        "the source task has no training images"
    );
    let (weights, result) =
        train_weights::<B>(network, init, train, val, opts, device, &mut |_| {})
            .context("source network")?;
    let history = result
        .records
        .iter()
        .map(|r| SourceEpoch {
            epoch: r.epoch,
            val_loss: r.val_loss,
            val_acc: r.val_acc,
        })
        .collect();
    Ok((weights, history))
}

/// The layer name (`out`, `dense`) of the network's last kernel: the new head, which the target
/// networks draw at random instead of transferring (as the paper's new 10-way layer).
pub fn head_layer(kernels: &[polarity_core::TensorSpec]) -> Result<String> {
    let last = kernels.last().context("the network has no kernels")?;
    Ok(last
        .name
        .rsplit_once('.')
        .map_or(last.name.as_str(), |(l, _)| l)
        .to_string())
}

/// File layout: 8-byte little-endian header length, a JSON header (`meta`, tensor names and
/// shapes), then every tensor's f32 values little-endian, in header order.
#[derive(Serialize, Deserialize)]
struct Header {
    meta: serde_json::Value,
    tensors: Vec<(String, Vec<usize>)>,
}

/// Writes `weights` with `meta` (what made them) atomically; returns the file's sha256.
pub fn save(path: &Path, weights: &NamedTensors, meta: &serde_json::Value) -> Result<String> {
    let header = Header {
        meta: meta.clone(),
        tensors: weights
            .0
            .iter()
            .map(|(n, (s, _))| (n.clone(), s.clone()))
            .collect(),
    };
    let h = serde_json::to_vec(&header)?;
    let mut bytes = (h.len() as u64).to_le_bytes().to_vec();
    bytes.extend(&h);
    for (_, values) in weights.0.values() {
        bytes.extend(values.iter().flat_map(|v| v.to_le_bytes()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    polarity_analysis::atomic::write_atomic(path, &bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(sha256(&bytes))
}

/// Reads a file written by [`save`]: the weights, the meta value and the file's sha256.
pub fn load(path: &Path) -> Result<(NamedTensors, serde_json::Value, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let bad = |what: &str| invalid!("source weights file '{}': {what}", path.display());
    let len = u64::from_le_bytes(
        bytes
            .get(..8)
            .ok_or_else(|| bad("shorter than its 8-byte header length"))?
            .try_into()?,
    ) as usize;
    let body = bytes
        .get(8..8 + len)
        .ok_or_else(|| bad("truncated header"))?;
    let header: Header =
        serde_json::from_slice(body).map_err(|e| bad(&format!("header is not valid JSON: {e}")))?;
    let mut rest = &bytes[8 + len..];
    let mut weights = NamedTensors::default();
    for (name, shape) in header.tensors {
        let n: usize = shape.iter().product();
        let (chunk, tail) = rest
            .split_at_checked(4 * n)
            .ok_or_else(|| bad(&format!("truncated values of tensor '{name}'")))?;
        let values = chunk
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        weights.insert(name, shape, values);
        rest = tail;
    }
    if !rest.is_empty() {
        return Err(bad(&format!("{} bytes after the last tensor", rest.len())));
    }
    Ok((weights, header.meta, sha256(&bytes)))
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The source network as "pretrained" weights for the target networks: every parameter except
/// the head layer's, with the file's provenance.
pub fn as_pretrained(
    weights: &NamedTensors,
    head: &str,
    file: &Path,
    sha256: &str,
) -> PretrainedWeights {
    let prefix = format!("{head}.");
    let mut tensors = NamedTensors::default();
    let mut unused = Vec::new();
    for (name, (shape, values)) in &weights.0 {
        if name.starts_with(&prefix) {
            unused.push(name.clone());
        } else {
            tensors.insert(name.clone(), shape.clone(), values.clone());
        }
    }
    PretrainedWeights {
        tensors,
        source: file.display().to_string(),
        format: "polarity-source-network".into(),
        sha256: sha256.into(),
        checksum_verified: None,
        unused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_round_trip_and_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.bin");
        let mut w = NamedTensors::default();
        w.insert(
            "a.weight",
            vec![2, 2],
            vec![1.5, -0.0, f32::MIN_POSITIVE, -3.25],
        );
        w.insert("out.bias", vec![1], vec![0.5]);
        let meta = serde_json::json!({"epochs": 3});
        let sha = save(&path, &w, &meta).unwrap();
        let (back, m, sha2) = load(&path).unwrap();
        assert_eq!(back, w);
        assert_eq!((m, sha2), (meta, sha.clone()));
        let p = as_pretrained(&back, "out", &path, &sha);
        assert_eq!(p.tensors.names().collect::<Vec<_>>(), vec!["a.weight"]);
        assert_eq!(p.unused, vec!["out.bias".to_string()]);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 2]).unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("truncated values of tensor 'out.bias'"), "{e}");
    }
}
