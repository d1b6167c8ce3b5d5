//! Pretrained weights for these networks: torchvision AlexNet from `.pth` (zip or legacy
//! `torch.save`, read by burn-store's `PytorchReader`, no PyTorch needed) or safetensors
//! (burn-store's `SafetensorsStore`), and the Caffe `bvlc_alexnet.npy` (read by
//! polarity-weights). Every loader returns tensors keyed by this crate's parameter paths in
//! burn's layout, with the file's sha256.
//!
//! torchvision names are taken as written in the file: burn-store's renumbering of
//! `nn.Sequential` indices is switched off (`map_indices_contiguous(false)`), so `features.3`
//! stays `features.3`. PyTorch Linear weights `[out, in]` become burn's `[in, out]` because
//! they are Linear weights ([`polarity_burn::LaidOut`]), never because of their shape.

use crate::alexnet_torchvision::TORCHVISION_NAMES;
use crate::{Error, PaperAlexNetConfig, TorchAlexNetConfig};
use burn_store::pytorch::PytorchReader;
use burn_store::{BurnpackStore, ModuleStore, SafetensorsStore, TensorSnapshot};
use polarity_burn::{snapshot_tensors, LaidOut, WeightLayout};
use polarity_core::NamedTensors;
use polarity_weights::checksum::{file_sha256, read_file, verify_published};
use polarity_weights::{CaffeAlexNet, GroupedLayers, PretrainedWeights, WeightFileFormat};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn file_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Weights(polarity_weights::Error::WeightFile {
        path: path.display().to_string(),
        message: message.into(),
    })
}

/// All float tensors of a `.pth`/`.pt`, `.safetensors` or burn Burnpack (`.bpk`) file by name, as
/// stored, labelled with the `layout` the file was written in (PyTorch for files written by
/// PyTorch; a Burnpack record is always in burn's layout, whatever `layout` says). For `.pth` files
/// that nest the state dict (`{"state_dict": {...}}`), the nesting key is stripped. Convert the
/// result with [`LaidOut::into_burn`] before loading it into a burn module.
pub fn read_tensor_file(path: &Path, layout: WeightLayout) -> Result<LaidOut, Error> {
    // burn-store zero-fills what it cannot read from a cut legacy `.pth`; the format check
    // refuses truncated and foreign files before any tensor is read (docs/decisions.md D-TEMPLATE-2).
    // The reader follows the file's content, not its name.
    let format = polarity_weights::detect_file_format(path)?;
    let read = |snapshots: Vec<(String, &TensorSnapshot)>| {
        snapshot_tensors(snapshots).map_err(|e| file_err(path, e.to_string()))
    };
    let tensors = if format == WeightFileFormat::Burnpack {
        // A burn record: written from a burn module, so in burn's layout whatever `layout` says.
        let mut store = BurnpackStore::from_file(path).auto_extension(false);
        let snapshots = store
            .get_all_snapshots()
            .map_err(|e| file_err(path, format!("not a readable Burnpack record: {e}")))?;
        let tensors = read(snapshots.iter().map(|(n, s)| (n.clone(), s)).collect())?;
        return Ok(LaidOut::new(WeightLayout::Burn, tensors));
    } else if format == WeightFileFormat::Safetensors {
        let mut store = SafetensorsStore::from_file(path).map_indices_contiguous(false);
        let snapshots = store
            .get_all_snapshots()
            .map_err(|e| file_err(path, format!("not a readable safetensors file: {e}")))?;
        read(snapshots.iter().map(|(n, s)| (n.clone(), s)).collect())?
    } else {
        let reader = PytorchReader::new(path)
            .map_err(|e| file_err(path, format!("not a readable torch.save file: {e}")))?;
        let tensors: BTreeMap<String, TensorSnapshot> = reader.into_tensors().into_iter().collect();
        let nested = !tensors.is_empty() && tensors.keys().all(|k| k.starts_with("state_dict."));
        read(
            tensors
                .iter()
                .map(|(name, s)| {
                    let key = if nested {
                        name["state_dict.".len()..].to_string()
                    } else {
                        name.clone()
                    };
                    (key, s)
                })
                .collect(),
        )?
    };
    Ok(LaidOut::new(layout, tensors))
}

/// Loads torchvision AlexNet weights for a [`crate::TorchAlexNet`] of `config`: conv1-conv5,
/// fc6, fc7 (weights and biases). The 1000-way `classifier.6` is loaded into fc8 only when
/// `config.num_classes` is 1000; otherwise fc8 stays the new layer and the tensors are listed
/// in `unused`. Shapes are checked; all mismatches are listed. A file named like a published
/// download (`alexnet-owt-7be5be79.pth`) must match its published sha256.
pub fn load_torchvision_alexnet(
    path: &Path,
    config: &TorchAlexNetConfig,
) -> Result<PretrainedWeights, Error> {
    let sha256 = file_sha256(&read_file(path)?);
    let checksum_verified = verify_published(path, &sha256)?;
    let raw = read_tensor_file(path, WeightLayout::PyTorch)?;
    let expected: BTreeMap<String, Vec<usize>> = config
        .layers()
        .into_iter()
        .flat_map(|l| {
            let outputs = l.outputs();
            [
                (format!("{}.weight", l.name), l.shape.clone()),
                (format!("{}.bias", l.name), vec![outputs]),
            ]
        })
        .collect();
    // Rename to our paths (still in the file's layout), then convert the Linear weights.
    let mut renamed = NamedTensors::default();
    let mut problems = Vec::new();
    let mut sources = BTreeMap::new();
    for (ours, theirs) in TORCHVISION_NAMES {
        for suffix in ["weight", "bias"] {
            let src = format!("{theirs}.{suffix}");
            let dst = format!("{ours}.{suffix}");
            match raw.tensors.get(&src) {
                None => problems.push(format!("  '{src}' is missing (for {dst})")),
                Some((shape, values)) => {
                    renamed.insert(dst.clone(), shape.to_vec(), values.to_vec());
                    sources.insert(dst, src);
                }
            }
        }
    }
    let linear: BTreeSet<String> = ["fc6.weight", "fc7.weight", "fc8.weight"]
        .map(String::from)
        .into();
    let names: Vec<String> = raw.tensors.names().map(String::from).collect();
    let burn = LaidOut::new(raw.layout, renamed).into_burn_with(&linear);
    let mut tensors = NamedTensors::default();
    let mut used = Vec::new();
    for (dst, (shape, values)) in burn.0 {
        let want = &expected[&dst];
        let src = sources.remove(&dst).expect("renamed from a source");
        if &shape != want {
            if dst.starts_with("fc8.") && config.num_classes != shape.last().copied().unwrap_or(0) {
                continue; // the ImageNet head does not fit a new classifier: left out
            }
            problems.push(format!(
                "  '{src}': shape {shape:?} (burn layout), network expects {want:?}"
            ));
            continue;
        }
        used.push(src);
        tensors.insert(dst, shape, values);
    }
    if !problems.is_empty() {
        return Err(file_err(
            path,
            format!(
                "does not match torchvision's AlexNet:\n{}",
                problems.join("\n")
            ),
        ));
    }
    let unused = names
        .into_iter()
        .filter(|n| !used.iter().any(|u| u == n))
        .collect();
    Ok(PretrainedWeights {
        tensors,
        source: path.display().to_string(),
        format: if path.extension().is_some_and(|e| e == "safetensors") {
            "safetensors".into()
        } else {
            "torch-pth".into()
        },
        sha256,
        checksum_verified,
        unused,
    })
}

impl PaperAlexNetConfig {
    /// The sizes a Caffe weight file is converted for.
    pub fn caffe_layout(&self) -> Result<CaffeAlexNet, Error> {
        Ok(CaffeAlexNet {
            in_channels: self.in_channels,
            conv_channels: self.conv_channels,
            fc_units: self.fc_units,
            fc6_inputs: self.flatten_dim()?,
            groups: self.groups,
        })
    }
}

/// Reads `bvlc_alexnet.npy` (or a file in the same format) into [`crate::PaperAlexNet`]
/// tensors (see `polarity_weights::caffe`). There is no published checksum; the file's sha256
/// is recorded in the result.
pub fn load_caffe_alexnet(
    path: &Path,
    config: &PaperAlexNetConfig,
    grouped: GroupedLayers,
) -> Result<PretrainedWeights, Error> {
    Ok(polarity_weights::load_caffe_alexnet(
        path,
        &config.caffe_layout()?,
        grouped,
    )?)
}
