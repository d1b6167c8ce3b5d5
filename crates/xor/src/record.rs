//! One row of an XOR results table: one network after one epoch. The table's header is derived
//! from this type (`polarity_sweep::record`), so writer and readers cannot disagree on columns.

use crate::Condition;
use polarity_core::ResetMethod;
use serde::{Deserialize, Serialize};

/// What is recorded for one network of a grid after one epoch (README: results.csv schema).
///
/// The engine records `f32` values and the table is written from them; readers use
/// `XorRecord<f64>`, which parses the same text straight into `f64` (as the analysis always has:
/// `0.913` is read as the double nearest 0.913, not as the widened float).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XorRecord<F = f32> {
    pub n_train: usize,
    pub hidden: usize,
    pub reset: ResetMethod,
    pub condition: Condition,
    pub trial: usize,
    /// 0-based.
    pub epoch: usize,
    pub train_loss: F,
    pub train_acc: F,
    pub val_loss: F,
    pub val_acc: F,
    /// Weights reset by the freeze step during the epoch.
    pub resets_hidden: u32,
    pub resets_output: u32,
    /// Kernel entries whose sign changed since the previous epoch's end.
    pub flips_hidden: u32,
    pub flips_output: u32,
}

/// The grid cell of a record: every trial of one condition at one setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct XorCell {
    pub n_train: usize,
    pub hidden: usize,
    pub reset: ResetMethod,
    pub condition: Condition,
}

impl<F> XorRecord<F> {
    pub fn cell(&self) -> XorCell {
        XorCell {
            n_train: self.n_train,
            hidden: self.hidden,
            reset: self.reset,
            condition: self.condition,
        }
    }
}

impl XorRecord {
    /// The table's header (the field names of this type).
    pub fn header() -> Vec<String> {
        polarity_sweep::record::header_of(&Self::example()).expect("XorRecord is a flat record")
    }

    /// The column types of the typed (Parquet) table: integers, f32 losses and accuracies, and
    /// text for the reset method and the condition.
    pub fn kinds() -> Vec<polarity_sweep::ColumnKind> {
        polarity_sweep::record::kinds_of(&Self::example()).expect("XorRecord is a flat record")
    }

    fn example() -> XorRecord {
        XorRecord {
            n_train: 0,
            hidden: 0,
            reset: ResetMethod::PosRand,
            condition: Condition::Fluid,
            trial: 0,
            epoch: 0,
            train_loss: 0.0,
            train_acc: 0.0,
            val_loss: 0.0,
            val_acc: 0.0,
            resets_hidden: 0,
            resets_output: 0,
            flips_hidden: 0,
            flips_output: 0,
        }
    }

    /// This record as a CSV row (numbers as `Display` writes them).
    pub fn row(&self) -> Vec<String> {
        polarity_sweep::record::row_of(self).expect("XorRecord is a flat record")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published results.csv schema (README); a renamed or reordered field would break every
    /// reader of past tables.
    #[test]
    fn header_is_the_documented_schema() {
        assert_eq!(
            XorRecord::header(),
            [
                "n_train",
                "hidden",
                "reset",
                "condition",
                "trial",
                "epoch",
                "train_loss",
                "train_acc",
                "val_loss",
                "val_acc",
                "resets_hidden",
                "resets_output",
                "flips_hidden",
                "flips_output",
            ]
        );
    }

    /// The Parquet schema: what pandas/polars/DuckDB users get as column types.
    #[test]
    fn kinds_are_the_documented_types() {
        use polarity_sweep::ColumnKind::{Float32, Int, Text};
        assert_eq!(
            XorRecord::kinds(),
            [
                Int, Int, Text, Text, Int, Int, Float32, Float32, Float32, Float32, Int, Int, Int,
                Int
            ]
        );
    }

    #[test]
    fn rows_are_written_as_display_and_read_back() {
        let r = XorRecord {
            n_train: 60,
            hidden: 64,
            reset: ResetMethod::PosRand,
            condition: Condition::FrozenSufficient,
            trial: 3,
            epoch: 7,
            train_loss: 0.234_567_8,
            train_acc: 1.0,
            val_loss: 1e-7,
            val_acc: 0.5,
            resets_hidden: 2,
            resets_output: 0,
            flips_hidden: 1,
            flips_output: 0,
        };
        let row = r.row();
        assert_eq!(
            row,
            [
                "60",
                "64",
                "posRand",
                "frozen-sufficient",
                "3",
                "7",
                "0.2345678",
                "1",
                "0.0000001",
                "0.5",
                "2",
                "0",
                "1",
                "0",
            ]
        );
        let back: Vec<XorRecord> =
            polarity_sweep::record::parse_rows(&XorRecord::header(), std::slice::from_ref(&row))
                .unwrap();
        assert_eq!(back, vec![r.clone()]);
        assert_eq!(back[0].cell().condition, Condition::FrozenSufficient);
        // Readers parse the text into f64 directly.
        let wide: Vec<XorRecord<f64>> =
            polarity_sweep::record::parse_rows(&XorRecord::header(), &[row]).unwrap();
        assert_eq!(wide[0].train_loss, 0.2345678f64);
    }
}
