//! The layout of Linear kernels, recorded in templates made from weight files.
//!
//! A Linear (dense) kernel is `[in, out]` in burn, Keras and polarity's MLPs, and `[out, in]` in
//! PyTorch. Conv kernels are `[out, in, kh, kw]` in both, so only rank-2 tensors differ. A
//! square layer's shape cannot tell the two apart, so a template made from a file says which one
//! its signs are in (docs/decisions.md D-TEMPLATE-2). This is the framework-free twin of
//! `polarity_burn::WeightLayout` (polarity-core cannot depend on burn).

use serde::{Deserialize, Serialize};

/// How rank-2 (Linear) kernels are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinearLayout {
    /// burn, Keras and polarity's MLPs: `[in, out]`.
    Burn,
    /// PyTorch (`.pth`, safetensors written from PyTorch): `[out, in]`.
    PyTorch,
}

impl LinearLayout {
    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            LinearLayout::Burn => "burn",
            LinearLayout::PyTorch => "pytorch",
        }
    }

    /// The axis order of a Linear kernel, for messages.
    pub fn axes(self) -> &'static str {
        match self {
            LinearLayout::Burn => "[in, out]",
            LinearLayout::PyTorch => "[out, in]",
        }
    }
}

impl std::fmt::Display for LinearLayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A row-major `rows x cols` matrix as `cols x rows` (row-major).
pub fn transpose<T: Copy>(values: &[T], rows: usize, cols: usize) -> Vec<T> {
    assert_eq!(values.len(), rows * cols, "a {rows}x{cols} matrix");
    let mut out = Vec::with_capacity(values.len());
    for c in 0..cols {
        for r in 0..rows {
            out.push(values[r * cols + c]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_moves_rows_to_columns() {
        // [[1, 2, 3], [4, 5, 6]] -> [[1, 4], [2, 5], [3, 6]]
        assert_eq!(transpose(&[1, 2, 3, 4, 5, 6], 2, 3), vec![1, 4, 2, 5, 3, 6]);
        let m: Vec<u32> = (0..12).collect();
        assert_eq!(transpose(&transpose(&m, 3, 4), 4, 3), m);
    }

    #[test]
    fn layout_names_round_trip_through_json() {
        for l in [LinearLayout::Burn, LinearLayout::PyTorch] {
            let json = serde_json::to_string(&l).unwrap();
            assert_eq!(json, format!("\"{}\"", l.name()));
            assert_eq!(serde_json::from_str::<LinearLayout>(&json).unwrap(), l);
        }
    }
}
