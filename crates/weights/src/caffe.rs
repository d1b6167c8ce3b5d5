//! The Caffe BVLC AlexNet in the TF port the paper used (`bvlc_alexnet.npy`, Guerzhoy &
//! Frossard): a dict `{conv1..conv5, fc6, fc7, fc8: [weights, biases]}` with kernels in TF
//! order (conv `(h, w, in, out)`, fc `(in, out)`), converted to the paper AlexNet's parameter
//! names and burn's layouts (conv `[out, in, h, w]`, Linear `[in, out]`) for the network
//! described by [`CaffeAlexNet`] (polarity-models builds it from its `PaperAlexNetConfig`).
//!
//! conv2, conv4 and conv5 are 2-group convolutions in Caffe (e.g. conv2 `(5, 5, 48, 256)`).
//! [`GroupedLayers::ExpandFree`] (the paper's `fix_split_gpu`) expands them block-diagonally
//! into full kernels (conv2 `[256, 96, 5, 5]`): group g's outputs see only group g's inputs,
//! off-diagonal blocks are 0, so their template entries are 0 = free and exactly half of each
//! grouped kernel is unconstrained. [`GroupedLayers::Grouped`] keeps the blocks for a network
//! built with `groups = 2` (polarity-models' `PaperAlexNetConfig::caffe_groups`), so only the
//! in-group weights exist and all of them are constrained.
//!
//! fc6's rows are permuted from TF's `(h, w, c)` flatten order to burn's `(c, h, w)`.

use crate::array::NpArray;
use crate::checksum::{file_sha256, read_file};
use crate::npy::read_npy;
use crate::pickle::PyValue;
use crate::{Error, PretrainedWeights};
use polarity_core::NamedTensors;
use std::path::Path;

/// The sizes of the paper's AlexNet a Caffe file is converted for (burn's layouts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaffeAlexNet {
    pub in_channels: usize,
    /// Filters of conv1..conv5.
    pub conv_channels: [usize; 5],
    /// Units of fc6, fc7, fc8.
    pub fc_units: [usize; 3],
    /// Inputs of fc6: the flattened conv5 map (9216 at 227x227).
    pub fc6_inputs: usize,
    /// Groups of conv1..conv5 in the network: all 1, or [`CAFFE_GROUPS`].
    pub groups: [usize; 5],
}

/// How the grouped Caffe layers (conv2, conv4, conv5) are mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum GroupedLayers {
    /// Block-diagonal full kernels; off-diagonal weights 0 and free (the paper).
    #[default]
    ExpandFree,
    /// Keep the groups: for a network built with `groups = 2` on those layers.
    Grouped,
}

const LAYERS: [&str; 8] = [
    "conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8",
];
/// Caffe's group count per conv layer.
pub const CAFFE_GROUPS: [usize; 5] = [1, 2, 1, 2, 2];

fn key_name(k: &PyValue) -> Option<String> {
    match k {
        PyValue::Str(s) => Some(s.clone()),
        PyValue::Bytes(b) => Some(b.iter().map(|&c| char::from(c)).collect()),
        _ => None,
    }
}

/// The per-layer `[weights, biases]` arrays of a Caffe-AlexNet-style `.npy` dict.
pub fn read_layer_dict(
    bytes: &[u8],
    origin: &str,
) -> Result<Vec<(String, NpArray, NpArray)>, Error> {
    let err = |message: String| Error::WeightFile {
        path: origin.to_string(),
        message,
    };
    let root = read_npy(bytes).map_err(|e| err(e.to_string()))?;
    let PyValue::Dict(entries) = root else {
        return Err(err(format!(
            "expected a pickled dict {{layer: [weights, biases]}}, found {}",
            short(&root)
        )));
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let name =
            key_name(&k).ok_or_else(|| err(format!("dict key {} is not a string", short(&k))))?;
        let arrays: Vec<NpArray> = match &v {
            PyValue::List(items) | PyValue::Tuple(items) => items
                .iter()
                .map(|x| match x {
                    PyValue::Array(a) => Ok((**a).clone()),
                    o => Err(err(format!(
                        "layer '{name}': entry {} is not a numeric array",
                        short(o)
                    ))),
                })
                .collect::<Result<_, _>>()?,
            o => {
                return Err(err(format!(
                    "layer '{name}': value {} is not [weights, biases]",
                    short(o)
                )))
            }
        };
        let [w, b]: [NpArray; 2] = arrays.try_into().map_err(|a: Vec<NpArray>| {
            err(format!(
                "layer '{name}': {} arrays, expected [weights, biases]",
                a.len()
            ))
        })?;
        out.push((name, w, b));
    }
    Ok(out)
}

fn short(v: &PyValue) -> String {
    let s = format!("{v:?}");
    if s.len() > 80 {
        format!("{}...", &s[..80])
    } else {
        s
    }
}

/// Converts a TF conv kernel `(h, w, in_g, out)` with `groups` groups to burn's
/// `[out, in, h, w]`, block-diagonal when `expand` (in = in_g * groups), else `[out, in_g, h, w]`.
fn conv_kernel(a: &NpArray, groups: usize, expand: bool) -> (Vec<usize>, Vec<f32>) {
    let [kh, kw, in_g, out] = [a.shape[0], a.shape[1], a.shape[2], a.shape[3]];
    let out_g = out / groups;
    let inputs = if expand { in_g * groups } else { in_g };
    let mut v = vec![0.0f32; out * inputs * kh * kw];
    for o in 0..out {
        let g = o / out_g;
        for i in 0..in_g {
            let ii = if expand { g * in_g + i } else { i };
            for y in 0..kh {
                for x in 0..kw {
                    v[((o * inputs + ii) * kh + y) * kw + x] =
                        a.values[((y * kw + x) * in_g + i) * out + o];
                }
            }
        }
    }
    (vec![out, inputs, kh, kw], v)
}

/// Permutes fc6's rows from `(h, w, c)` to `(c, h, w)` order.
fn fc6_rows_to_chw(a: &NpArray, channels: usize, side: usize) -> Vec<f32> {
    let cols = a.shape[1];
    let mut v = vec![0.0f32; a.values.len()];
    for c in 0..channels {
        for h in 0..side {
            for w in 0..side {
                let src = (h * side + w) * channels + c;
                let dst = (c * side + h) * side + w;
                v[dst * cols..(dst + 1) * cols]
                    .copy_from_slice(&a.values[src * cols..(src + 1) * cols]);
            }
        }
    }
    v
}

/// Caffe/TF layers to the paper AlexNet's tensors (`conv1.weight`, ..., `fc8.bias`). Shapes
/// are checked against `config` (which must use `groups = 1` for `ExpandFree`, Caffe's groups
/// for `Grouped`); every mismatch is listed.
pub fn to_paper_alexnet(
    layers: &[(String, NpArray, NpArray)],
    config: &CaffeAlexNet,
    grouped: GroupedLayers,
    origin: &str,
) -> Result<NamedTensors, Error> {
    let mut problems = Vec::new();
    let mut out = NamedTensors::default();
    let expand = grouped == GroupedLayers::ExpandFree;
    let expected_groups = if expand { [1; 5] } else { CAFFE_GROUPS };
    if config.groups != expected_groups {
        problems.push(format!(
            "  network groups {:?} do not fit {grouped:?} (needs {expected_groups:?})",
            config.groups
        ));
    }
    let c = config.conv_channels;
    let conv_in = [config.in_channels, c[0], c[1], c[2], c[3]];
    for name in LAYERS {
        let Some((_, w, b)) = layers.iter().find(|(n, _, _)| n == name) else {
            problems.push(format!("  layer '{name}' is missing"));
            continue;
        };
        if let Some(k) = name
            .strip_prefix("conv")
            .and_then(|d| d.parse::<usize>().ok())
            .map(|d| d - 1)
        {
            let groups = CAFFE_GROUPS[k];
            let (ks, _) = match k {
                0 => (11, 0),
                1 => (5, 0),
                _ => (3, 0),
            };
            let expected = vec![ks, ks, conv_in[k] / groups, c[k]];
            if w.shape != expected || b.shape != vec![c[k]] {
                problems.push(format!(
                    "  '{name}': weights {:?} biases {:?}, expected {expected:?} and [{}] (TF order h, w, in/groups, out)",
                    w.shape, b.shape, c[k]
                ));
                continue;
            }
            let (shape, values) = conv_kernel(w, groups, expand);
            out.insert(format!("{name}.weight"), shape, values);
        } else {
            let (inputs, outputs) = match name {
                "fc6" => (config.fc6_inputs, config.fc_units[0]),
                "fc7" => (config.fc_units[0], config.fc_units[1]),
                _ => (config.fc_units[1], config.fc_units[2]),
            };
            if w.shape != vec![inputs, outputs] || b.shape != vec![outputs] {
                problems.push(format!(
                    "  '{name}': weights {:?} biases {:?}, expected [{inputs}, {outputs}] and [{outputs}]",
                    w.shape, b.shape
                ));
                continue;
            }
            let values = if name == "fc6" {
                let side = ((inputs / c[4]) as f64).sqrt().round() as usize;
                fc6_rows_to_chw(w, c[4], side)
            } else {
                w.values.clone()
            };
            out.insert(format!("{name}.weight"), vec![inputs, outputs], values);
        }
        out.insert(format!("{name}.bias"), b.shape.clone(), b.values.clone());
    }
    let unknown: Vec<&str> = layers
        .iter()
        .map(|(n, _, _)| n.as_str())
        .filter(|n| !LAYERS.contains(n))
        .collect();
    if !unknown.is_empty() {
        problems.push(format!("  unexpected layers: {}", unknown.join(", ")));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::WeightFile {
            path: origin.to_string(),
            message: format!(
                "does not match the paper's AlexNet:\n{}",
                problems.join("\n")
            ),
        })
    }
}

/// Reads `bvlc_alexnet.npy` (or a file in the same format) into the paper AlexNet's tensors.
/// There is no published checksum; the file's sha256 is recorded in the result.
pub fn load_caffe_alexnet(
    path: &Path,
    config: &CaffeAlexNet,
    grouped: GroupedLayers,
) -> Result<PretrainedWeights, Error> {
    let bytes = read_file(path)?;
    let origin = path.display().to_string();
    let layers = read_layer_dict(&bytes, &origin)?;
    let tensors = to_paper_alexnet(&layers, config, grouped, &origin)?;
    Ok(PretrainedWeights {
        tensors,
        source: origin,
        format: "caffe-npy".into(),
        sha256: file_sha256(&bytes),
        checksum_verified: None,
        unused: Vec::new(),
    })
}

/// The network a Caffe-AlexNet-style file fits, read off its own shapes: input channels from
/// conv1, filters from each conv layer's last axis, fc units from each fc layer's columns, fc6's
/// inputs from its rows (which must be conv5's filters times a square map). `grouped` picks the
/// group counts. Used when no network is at hand (`polarity template from-weights`); the full
/// shape check is [`to_paper_alexnet`]'s.
pub fn layout_of(
    layers: &[(String, NpArray, NpArray)],
    grouped: GroupedLayers,
    origin: &str,
) -> Result<CaffeAlexNet, Error> {
    let mut problems = Vec::new();
    let mut kernel_shape = |name: &str, rank: usize| -> Vec<usize> {
        match layers.iter().find(|(n, _, _)| n == name) {
            Some((_, w, _)) if w.shape.len() == rank => w.shape.clone(),
            Some((_, w, _)) => {
                problems.push(format!(
                    "  '{name}': weights {:?}, expected rank {rank}",
                    w.shape
                ));
                vec![0; rank]
            }
            None => {
                problems.push(format!("  layer '{name}' is missing"));
                vec![0; rank]
            }
        }
    };
    let conv: Vec<Vec<usize>> = LAYERS[..5].iter().map(|n| kernel_shape(n, 4)).collect();
    let fc: Vec<Vec<usize>> = LAYERS[5..].iter().map(|n| kernel_shape(n, 2)).collect();
    let c5 = conv[4][3];
    let fc6_inputs = fc[0][0];
    if problems.is_empty() {
        let per_channel = if c5 > 0 && fc6_inputs.is_multiple_of(c5) {
            fc6_inputs / c5
        } else {
            0
        };
        let side = (per_channel as f64).sqrt().round() as usize;
        if per_channel == 0 || side * side != per_channel {
            problems.push(format!(
                "  'fc6' has {fc6_inputs} inputs, not conv5's {c5} filters times a square map"
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::WeightFile {
            path: origin.to_string(),
            message: format!("is not a Caffe AlexNet file:\n{}", problems.join("\n")),
        });
    }
    Ok(CaffeAlexNet {
        in_channels: conv[0][2],
        conv_channels: [conv[0][3], conv[1][3], conv[2][3], conv[3][3], c5],
        fc_units: [fc[0][1], fc[1][1], fc[2][1]],
        fc6_inputs,
        groups: match grouped {
            GroupedLayers::ExpandFree => [1; 5],
            GroupedLayers::Grouped => CAFFE_GROUPS,
        },
    })
}

/// Reads a Caffe-AlexNet-style `.npy` for the network its own shapes describe ([`layout_of`]):
/// the paper AlexNet's tensor names, burn's layouts, grouped layers as `grouped` says.
pub fn load_caffe_alexnet_as_stored(
    path: &Path,
    grouped: GroupedLayers,
) -> Result<PretrainedWeights, Error> {
    let bytes = read_file(path)?;
    let origin = path.display().to_string();
    let layers = read_layer_dict(&bytes, &origin)?;
    let config = layout_of(&layers, grouped, &origin)?;
    let tensors = to_paper_alexnet(&layers, &config, grouped, &origin)?;
    Ok(PretrainedWeights {
        tensors,
        source: origin,
        format: "caffe-npy".into(),
        sha256: file_sha256(&bytes),
        checksum_verified: None,
        unused: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_kernel_expands_block_diagonally() {
        // 1x1 kernel, 2 groups, in_g = 1, out = 4: group 0 = outputs 0,1 (input 0),
        // group 1 = outputs 2,3 (input 1).
        let a = NpArray {
            shape: vec![1, 1, 1, 4],
            values: vec![1., 2., 3., 4.],
        };
        let (shape, v) = conv_kernel(&a, 2, true);
        assert_eq!(shape, vec![4, 2, 1, 1]);
        assert_eq!(v, vec![1., 0., 2., 0., 0., 3., 0., 4.]);
        let (shape, v) = conv_kernel(&a, 2, false);
        assert_eq!(shape, vec![4, 1, 1, 1]);
        assert_eq!(v, vec![1., 2., 3., 4.]);
    }

    #[test]
    fn conv_kernel_transposes_tf_order() {
        // (h=1, w=2, in=1, out=2): value = 10*x + o
        let a = NpArray {
            shape: vec![1, 2, 1, 2],
            values: vec![0., 1., 10., 11.],
        };
        let (shape, v) = conv_kernel(&a, 1, true);
        assert_eq!(shape, vec![2, 1, 1, 2]);
        assert_eq!(v, vec![0., 10., 1., 11.]);
    }

    #[test]
    fn fc6_rows_follow_chw_flatten() {
        // 2 channels, 2x2 map, 1 column: TF row index (h, w, c) -> burn (c, h, w).
        let a = NpArray {
            shape: vec![8, 1],
            values: (0..8).map(|i| i as f32).collect(),
        };
        let v = fc6_rows_to_chw(&a, 2, 2);
        // burn row (c, h, w) holds TF row (h*2 + w)*2 + c
        assert_eq!(v, vec![0., 2., 4., 6., 1., 3., 5., 7.]);
    }
}
