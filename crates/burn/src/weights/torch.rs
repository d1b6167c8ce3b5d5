//! torchvision AlexNet weights from `.pth` (zip or legacy `torch.save`, read by burn-store's
//! `PytorchReader`, no PyTorch needed) or safetensors (burn-store's `SafetensorsStore`), mapped
//! to [`crate::models::TorchAlexNet`] paths (table in that module). PyTorch Linear weights
//! `[out, in]` are transposed to burn's `[in, out]`; conv weights keep `[out, in, kh, kw]`.
//! Names are taken as written in the file: burn-store's renumbering of `nn.Sequential`
//! indices is switched off (`map_indices_contiguous(false)`), so `features.3` stays
//! `features.3`.

use super::{file_sha256, PretrainedWeights};
use crate::models::alexnet_torchvision::{TorchAlexNetConfig, TORCHVISION_NAMES};
use crate::paths::NamedTensors;
use crate::Error;
use burn_store::pytorch::PytorchReader;
use burn_store::{ModuleStore, SafetensorsStore, TensorSnapshot};
use std::collections::BTreeMap;
use std::path::Path;

/// Published checksums: (file name, sha256). torchvision's hub checks the 8-hex prefix in the
/// name; the full hash is the one recorded in `data.md` §4.
pub const KNOWN_CHECKSUMS: [(&str, &str); 1] = [(
    "alexnet-owt-7be5be79.pth",
    "7be5be791159472b1fbf3c69796f7cb30dca7ad8466c2df70058c37116cdee02",
)];

fn file_err(path: &Path, message: impl Into<String>) -> Error {
    Error::WeightFile {
        path: path.display().to_string(),
        message: message.into(),
    }
}

fn snapshot_values(
    path: &Path,
    name: &str,
    s: &TensorSnapshot,
) -> Result<(Vec<usize>, Vec<f32>), Error> {
    let data = s
        .to_data()
        .map_err(|e| file_err(path, format!("tensor '{name}': {e:?}")))?;
    let shape = data.shape.to_vec();
    let values: Vec<f32> = data.iter::<f32>().collect();
    Ok((shape, values))
}

/// All float tensors of a `.pth`/`.pt` or `.safetensors` file by name, in the file's layout.
/// For `.pth` files that nest the state dict (`{"state_dict": {...}}`), the nesting key is
/// stripped.
pub fn read_tensor_file(path: &Path) -> Result<NamedTensors, Error> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut out = NamedTensors::default();
    if ext == "safetensors" {
        let mut store = SafetensorsStore::from_file(path).map_indices_contiguous(false);
        let snapshots = store
            .get_all_snapshots()
            .map_err(|e| file_err(path, format!("not a readable safetensors file: {e}")))?;
        for (name, s) in snapshots {
            let (shape, values) = snapshot_values(path, name, s)?;
            out.insert(name.clone(), shape, values);
        }
    } else {
        let reader = PytorchReader::new(path)
            .map_err(|e| file_err(path, format!("not a readable torch.save file: {e}")))?;
        let tensors: BTreeMap<String, TensorSnapshot> = reader.into_tensors().into_iter().collect();
        let nested = !tensors.is_empty() && tensors.keys().all(|k| k.starts_with("state_dict."));
        for (name, s) in &tensors {
            let (shape, values) = snapshot_values(path, name, s)?;
            let key = if nested {
                name["state_dict.".len()..].to_string()
            } else {
                name.clone()
            };
            out.insert(key, shape, values);
        }
    }
    Ok(out)
}

/// The checksum check: `Some(true)` if the file's name has a published hash and it matches,
/// an error if it does not match, `None` if no hash is known for that name.
fn verify(path: &Path, sha256: &str) -> Result<Option<bool>, Error> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match KNOWN_CHECKSUMS.iter().find(|(n, _)| *n == name) {
        Some((_, expected)) if *expected == sha256 => Ok(Some(true)),
        Some((_, expected)) => Err(file_err(
            path,
            format!("sha256 {sha256} does not match the published {expected}; the download is corrupt or a different file"),
        )),
        None => Ok(None),
    }
}

/// Loads torchvision AlexNet weights for a [`crate::models::TorchAlexNet`] of `config`:
/// conv1-conv5, fc6, fc7 (weights and biases). The 1000-way `classifier.6` is loaded into fc8
/// only when `config.num_classes` is 1000; otherwise fc8 stays the new layer and the tensors
/// are listed in `unused`. Shapes are checked; all mismatches are listed.
pub fn load_torchvision_alexnet(
    path: &Path,
    config: &TorchAlexNetConfig,
) -> Result<PretrainedWeights, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    let sha256 = file_sha256(&bytes);
    drop(bytes);
    let checksum_verified = verify(path, &sha256)?;
    let raw = read_tensor_file(path)?;
    let expected: BTreeMap<String, Vec<usize>> = config
        .layers()
        .into_iter()
        .flat_map(|l| {
            let outputs = if l.shape.len() == 2 {
                l.shape[1]
            } else {
                l.shape[0]
            };
            [
                (format!("{}.weight", l.name), l.shape.clone()),
                (format!("{}.bias", l.name), vec![outputs]),
            ]
        })
        .collect();
    let mut tensors = NamedTensors::default();
    let mut problems = Vec::new();
    let mut used = Vec::new();
    for (ours, theirs) in TORCHVISION_NAMES {
        for suffix in ["weight", "bias"] {
            let src = format!("{theirs}.{suffix}");
            let dst = format!("{ours}.{suffix}");
            let want = &expected[&dst];
            let Some((shape, values)) = raw.get(&src) else {
                problems.push(format!("  '{src}' is missing (for {dst})"));
                continue;
            };
            let is_linear_weight = ours.starts_with("fc") && suffix == "weight";
            let (shape, values) = if is_linear_weight && shape.len() == 2 {
                (
                    vec![shape[1], shape[0]],
                    transpose(values, shape[0], shape[1]),
                )
            } else {
                (shape.to_vec(), values.to_vec())
            };
            if &shape != want {
                if ours == "fc8" && config.num_classes != shape.last().copied().unwrap_or(0) {
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
    let unused = raw
        .names()
        .filter(|n| !used.iter().any(|u| u == n))
        .map(String::from)
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

fn transpose(v: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; v.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = v[r * cols + c];
        }
    }
    out
}
