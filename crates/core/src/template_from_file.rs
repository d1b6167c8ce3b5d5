//! A template from the tensors of a weight file: select tensors, put Linear kernels in the
//! requested layout, take `np.sign`, and record where it came from (docs/decisions.md
//! D-TEMPLATE-1 to D-TEMPLATE-3).

use crate::layer_pattern::LayerPattern;
use crate::template::{Provenance, TensorSpec, TensorTemplate};
use crate::template_layout::{transpose, LinearLayout};
use crate::{sign_of, NamedTensors, PolarityError, PolarityTemplate};

/// The weight file a template is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightFileInfo {
    /// The file's name (without its folder: templates are shared, local paths are not).
    pub file_name: String,
    /// SHA-256 (hex) of the whole file.
    pub sha256: String,
    /// `torch-pth`, `safetensors`, `caffe-npy`, ...
    pub format: String,
    /// The layout the file's rank-2 tensors are in.
    pub layout: LinearLayout,
}

/// What to take from the file and how to lay it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromWeightsOptions {
    /// Tensors whose names match; `None`: every tensor of rank >= 2 (the kernels; biases free,
    /// docs/decisions.md D-RESET-4).
    pub layers: Option<LayerPattern>,
    /// The layout of the template's rank-2 tensors.
    pub layout: LinearLayout,
}

impl PolarityTemplate {
    /// `np.sign` of the selected tensors (exact zeros give 0 = free), rank-2 tensors transposed
    /// when the file's layout differs from `options.layout`. Tensors are in name order. A NaN
    /// weight is an error (it has no sign); so is a selection that matches nothing (the error
    /// lists every tensor in the file).
    pub fn from_weight_file(
        tensors: &NamedTensors,
        file: &WeightFileInfo,
        options: &FromWeightsOptions,
    ) -> Result<Self, PolarityError> {
        let selected: Vec<_> = tensors
            .0
            .iter()
            .filter(|(name, (shape, _))| match &options.layers {
                Some(p) => p.matches(name),
                None => shape.len() >= 2,
            })
            .collect();
        if selected.is_empty() {
            let available: Vec<String> = tensors
                .0
                .iter()
                .map(|(name, (shape, _))| format!("  {name} {shape:?}"))
                .collect();
            return Err(PolarityError::NoTensorSelected {
                selection: match &options.layers {
                    Some(p) => format!("--layers '{p}'"),
                    None => "the default selection (tensors of rank >= 2)".into(),
                },
                available: if available.is_empty() {
                    "  (the file holds no float tensors)".into()
                } else {
                    available.join("\n")
                },
            });
        }
        let mut out = Vec::with_capacity(selected.len());
        for (name, (shape, values)) in selected {
            if let Some(index) = values.iter().position(|w| w.is_nan()) {
                return Err(PolarityError::NanWeight {
                    tensor: name.clone(),
                    index,
                });
            }
            let signs: Vec<i8> = values.iter().map(|&w| sign_of(w)).collect();
            let (shape, signs) = match shape.as_slice() {
                &[rows, cols] if file.layout != options.layout => {
                    (vec![cols, rows], transpose(&signs, rows, cols))
                }
                _ => (shape.clone(), signs),
            };
            out.push(TensorTemplate::new(
                TensorSpec::new(name.clone(), shape),
                signs,
            )?);
        }
        let layers = options
            .layers
            .as_ref()
            .map(|p| format!(", layers={p}"))
            .unwrap_or_default();
        Ok(Self {
            tensors: out,
            provenance: Provenance {
                source: format!("weights:{} ({}{layers})", file.file_name, file.format),
                source_sha256: file.sha256.clone(),
                created_by: format!("polarity-core {}", env!("CARGO_PKG_VERSION")),
                layout: Some(options.layout),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(layout: LinearLayout) -> WeightFileInfo {
        WeightFileInfo {
            file_name: "net.pth".into(),
            sha256: "ab".repeat(32),
            format: "torch-pth".into(),
            layout,
        }
    }

    fn tensors() -> NamedTensors {
        let mut t = NamedTensors::default();
        // PyTorch [out = 2, in = 3]
        t.insert("fc.weight", vec![2, 3], vec![1., -1., 0., -2., 2., 3.]);
        t.insert("fc.bias", vec![2], vec![1., -1.]);
        t.insert("conv.weight", vec![1, 2, 1, 1], vec![-1., 1.]);
        t
    }

    #[test]
    fn default_takes_kernels_and_converts_linear_layout() {
        let options = FromWeightsOptions {
            layers: None,
            layout: LinearLayout::Burn,
        };
        let t =
            PolarityTemplate::from_weight_file(&tensors(), &file(LinearLayout::PyTorch), &options)
                .unwrap();
        let names: Vec<&str> = t.tensors.iter().map(|t| t.name()).collect();
        assert_eq!(names, ["conv.weight", "fc.weight"]);
        let fc = t.tensor("fc.weight").unwrap();
        assert_eq!(fc.spec.shape, vec![3, 2]);
        // column j of the PyTorch matrix is row j of burn's
        assert_eq!(fc.signs(), &[1, -1, -1, 1, 0, 1]);
        assert_eq!(t.tensor("conv.weight").unwrap().signs(), &[-1, 1]);
        assert_eq!(t.provenance.layout, Some(LinearLayout::Burn));
        assert_eq!(t.provenance.source_sha256, "ab".repeat(32));
        assert_eq!(t.provenance.source, "weights:net.pth (torch-pth)");
        // Same layout: nothing transposed.
        let same =
            PolarityTemplate::from_weight_file(&tensors(), &file(LinearLayout::Burn), &options)
                .unwrap();
        assert_eq!(
            same.tensor("fc.weight").unwrap().signs(),
            &[1, -1, 0, -1, 1, 1]
        );
    }

    #[test]
    fn pattern_selects_any_rank_and_no_match_lists_the_file() {
        let options = FromWeightsOptions {
            layers: Some(LayerPattern::parse("*.bias").unwrap()),
            layout: LinearLayout::PyTorch,
        };
        let t =
            PolarityTemplate::from_weight_file(&tensors(), &file(LinearLayout::PyTorch), &options)
                .unwrap();
        assert_eq!(t.tensors.len(), 1);
        assert_eq!(t.tensor("fc.bias").unwrap().signs(), &[1, -1]);
        assert!(t.provenance.source.ends_with("layers=*.bias)"));

        let options = FromWeightsOptions {
            layers: Some(LayerPattern::parse("classifier.*").unwrap()),
            layout: LinearLayout::Burn,
        };
        let e =
            PolarityTemplate::from_weight_file(&tensors(), &file(LinearLayout::PyTorch), &options)
                .unwrap_err()
                .to_string();
        assert!(e.contains("--layers 'classifier.*'"), "{e}");
        assert!(
            e.contains("fc.weight [2, 3]") && e.contains("fc.bias [2]"),
            "{e}"
        );
    }

    #[test]
    fn nan_is_an_error() {
        let mut t = tensors();
        t.insert(
            "fc.weight",
            vec![2, 3],
            vec![1., -1., f32::NAN, -2., 2., 3.],
        );
        let e = PolarityTemplate::from_weight_file(
            &t,
            &file(LinearLayout::PyTorch),
            &FromWeightsOptions {
                layers: None,
                layout: LinearLayout::Burn,
            },
        )
        .unwrap_err();
        assert!(
            matches!(e, PolarityError::NanWeight { index: 2, .. }),
            "{e}"
        );
    }
}
