//! One row of an image results table: one network after one epoch. The header is derived from
//! this type (`polarity_sweep::record`): the fixed columns, then `resets_<kernel>` for every
//! kernel and `flips_<kernel>` for every kernel, in the network's kernel order.

use polarity_core::ResetMethod;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What is recorded for one network of an image study after one epoch. Written from `f32`;
/// readers use `ImageRecord<f64>` to parse the text straight into `f64`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageRecord<F = f32> {
    /// The task: a dataset name, or a transfer direction.
    pub dataset: String,
    pub n_train: usize,
    pub network: String,
    pub reset: ResetMethod,
    pub condition: String,
    pub trial: usize,
    /// 0-based.
    pub epoch: usize,
    pub train_loss: F,
    pub train_acc: F,
    pub val_loss: F,
    pub val_acc: F,
    #[serde(flatten)]
    pub kernels: KernelCounts,
}

/// Per-kernel counts of one epoch, in the network's kernel order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KernelCounts {
    /// Column names of the kernels: parameter paths without `.weight`, dots as underscores.
    pub names: Vec<String>,
    /// Weights reset by the freeze step during the epoch.
    pub resets: Vec<u64>,
    /// Kernel entries whose sign changed since the previous epoch's end.
    pub flips: Vec<u64>,
}

/// The column name of a kernel parameter path (`features.0.weight` -> `features_0`).
pub fn kernel_column(path: &str) -> String {
    path.trim_end_matches(".weight").replace('.', "_")
}

impl ImageRecord {
    /// The table's header for networks with these kernel column names.
    pub fn header(kernel_names: &[String]) -> Vec<String> {
        let example = ImageRecord {
            dataset: String::new(),
            n_train: 0,
            network: String::new(),
            reset: ResetMethod::PosRand,
            condition: String::new(),
            trial: 0,
            epoch: 0,
            train_loss: 0.0,
            train_acc: 0.0,
            val_loss: 0.0,
            val_acc: 0.0,
            kernels: KernelCounts {
                names: kernel_names.to_vec(),
                resets: vec![0; kernel_names.len()],
                flips: vec![0; kernel_names.len()],
            },
        };
        polarity_sweep::record::header_of(&example).expect("ImageRecord is a flat record")
    }

    /// This record as a CSV row (numbers as `Display` writes them).
    pub fn row(&self) -> Vec<String> {
        polarity_sweep::record::row_of(self).expect("ImageRecord is a flat record")
    }
}

impl Serialize for KernelCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2 * self.names.len()))?;
        for (name, v) in self.names.iter().zip(&self.resets) {
            map.serialize_entry(&format!("resets_{name}"), v)?;
        }
        for (name, v) in self.names.iter().zip(&self.flips) {
            map.serialize_entry(&format!("flips_{name}"), v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for KernelCounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Columns;
        impl<'de> Visitor<'de> for Columns {
            type Value = KernelCounts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("resets_<kernel> and flips_<kernel> counts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KernelCounts, A::Error> {
                use serde::de::Error;
                let (mut resets, mut flips) = (Vec::new(), Vec::new());
                while let Some((key, value)) = map.next_entry::<String, u64>()? {
                    if let Some(k) = key.strip_prefix("resets_") {
                        resets.push((k.to_string(), value));
                    } else if let Some(k) = key.strip_prefix("flips_") {
                        flips.push((k.to_string(), value));
                    } else {
                        return Err(A::Error::custom(format!("unknown column '{key}'")));
                    }
                }
                let names: Vec<String> = flips.iter().map(|(k, _)| k.clone()).collect();
                if resets.iter().map(|(k, _)| k).ne(names.iter()) {
                    return Err(A::Error::custom(
                        "the resets_ and flips_ columns name different kernels",
                    ));
                }
                Ok(KernelCounts {
                    names,
                    resets: resets.into_iter().map(|(_, v)| v).collect(),
                    flips: flips.into_iter().map(|(_, v)| v).collect(),
                })
            }
        }
        d.deserialize_map(Columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> ImageRecord {
        ImageRecord {
            dataset: "fashion-mnist".into(),
            n_train: 100,
            network: "paper-alexnet".into(),
            reset: ResetMethod::PosRand,
            condition: "frozen-in-polarity".into(),
            trial: 2,
            epoch: 5,
            train_loss: 0.5,
            train_acc: 1.0,
            val_loss: 0.25,
            val_acc: 0.875,
            kernels: KernelCounts {
                // Not alphabetical: the network's order must survive both ways.
                names: vec!["features_3".into(), "features_10".into(), "fc".into()],
                resets: vec![4, 0, 1],
                flips: vec![7, 8, 9],
            },
        }
    }

    /// The header the image tables have always had: fixed columns, all resets, all flips.
    #[test]
    fn header_keeps_the_published_column_order() {
        let names: Vec<String> = ["conv1", "features_10", "fc6"].map(String::from).to_vec();
        assert_eq!(
            ImageRecord::header(&names),
            [
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
                "resets_conv1",
                "resets_features_10",
                "resets_fc6",
                "flips_conv1",
                "flips_features_10",
                "flips_fc6",
            ]
        );
        assert_eq!(kernel_column("features.10.weight"), "features_10");
    }

    #[test]
    fn rows_round_trip_in_kernel_order() {
        let r = record();
        let header = ImageRecord::header(&r.kernels.names);
        let row = r.row();
        assert_eq!(
            &row[..7],
            [
                "fashion-mnist",
                "100",
                "paper-alexnet",
                "posRand",
                "frozen-in-polarity",
                "2",
                "5"
            ]
        );
        assert_eq!(
            &row[8..],
            ["1", "0.25", "0.875", "4", "0", "1", "7", "8", "9"]
        );
        let back: Vec<ImageRecord> = polarity_sweep::record::parse_rows(&header, &[row]).unwrap();
        assert_eq!(back, vec![r]);
    }

    #[test]
    fn unknown_columns_are_errors() {
        let r = record();
        let mut header = ImageRecord::header(&r.kernels.names);
        header[12] = "bogus".into();
        let e = polarity_sweep::record::parse_rows::<ImageRecord>(&header, &[r.row()]).unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
    }
}
