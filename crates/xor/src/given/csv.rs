//! XOR data as one plain CSV: a header `set,x1,...,xD,label`, then one row per sample with
//! `set` = `train` or `val` (docs/decisions.md D-XOR-DATA-8). Training rows in file order form
//! the pool whose prefixes are the training sets; validation rows form the validation set.
//! No quoting: every field is a bare number or word.

use super::{check_label, GivenData, GivenFormat, GivenSummary};
use crate::error::XorError;
use polarity_mlp::Dataset;
use polarity_weights::file_sha256;
use std::path::Path;

/// Reads and checks a CSV of XOR data.
pub fn read_csv(path: &Path) -> Result<GivenData, XorError> {
    let bytes = std::fs::read(path).map_err(|source| XorError::DataIo {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |problem: String| XorError::DataFile {
        path: path.to_path_buf(),
        problem,
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| bad(format!("not UTF-8 text: {e}")))?;
    let mut lines = text.lines().enumerate();
    let header = lines
        .next()
        .map(|(_, l)| l.trim_end_matches('\r'))
        .ok_or_else(|| bad("empty file, expected a header set,x1,...,xD,label".into()))?;
    let dims = parse_header(header).map_err(&bad)?;
    let mut train = Dataset {
        inputs: dims,
        x: Vec::new(),
        y: Vec::new(),
    };
    let mut val = train.clone();
    for (index, line) in lines {
        let line = line.trim_end_matches('\r');
        let at = |problem: String| bad(format!("line {}: {problem}", index + 1));
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != dims + 2 {
            return Err(at(format!(
                "{} fields, expected {} (set, x1..x{dims}, label)",
                fields.len(),
                dims + 2
            )));
        }
        let set = match fields[0].trim() {
            "train" => &mut train,
            "val" => &mut val,
            other => return Err(at(format!("set '{other}', expected 'train' or 'val'"))),
        };
        for (d, field) in fields[1..=dims].iter().enumerate() {
            let v: f64 = field
                .trim()
                .parse()
                .map_err(|_| at(format!("x{} = '{field}' is not a number", d + 1)))?;
            if !v.is_finite() {
                return Err(at(format!("x{} = {v} is not finite", d + 1)));
            }
            // As the official pipeline feeds float64 data to a float32 network.
            set.x.push(v as f32);
        }
        let label = fields[dims + 1];
        let y: f64 = label
            .trim()
            .parse()
            .ok()
            .filter(|v| check_label(*v))
            .ok_or_else(|| at(format!("label = '{label}', expected 0 or 1")))?;
        set.y.push(y as f32);
    }
    if train.is_empty() || val.is_empty() {
        return Err(bad(format!(
            "{} training and {} validation rows; both sets need at least one",
            train.len(),
            val.len()
        )));
    }
    Ok(GivenData {
        summary: GivenSummary {
            format: GivenFormat::Csv,
            path: path.to_path_buf(),
            sha256: file_sha256(&bytes),
            files: vec![path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())],
        },
        dims,
        train,
        train_sizes: None,
        val,
    })
}

/// The number of inputs D from `set,x1,...,xD,label`.
fn parse_header(header: &str) -> Result<usize, String> {
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let dims = names.len().saturating_sub(2);
    let expected: Vec<String> = std::iter::once("set".to_string())
        .chain((1..=dims).map(|d| format!("x{d}")))
        .chain(std::iter::once("label".to_string()))
        .collect();
    if dims < 2 || names != expected {
        return Err(format!(
            "header '{header}', expected 'set,x1,...,xD,label' with D >= 2 (XOR needs two inputs)"
        ));
    }
    Ok(dims)
}
