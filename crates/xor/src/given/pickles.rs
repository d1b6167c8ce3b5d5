//! The official code's data files: a folder of `num_dim=D%sample_size=N.pkl`, each a pickled
//! dict `{'dataset_train': {'data': (D, N) float64, 'labels': (N,) float64}, 'dataset_val':
//! {'data': (D, V), 'labels': (V,)}}` written by `pickle.dump` (docs/decisions.md D-XOR-DATA-8).
//!
//! The pickles are read by polarity-weights' pickle machine (no code from the file runs).
//! Checks: every file's name and shapes agree, labels are 0/1, each training set is the first
//! N samples of the next larger one, and all files hold the same validation set.

use super::{check_label, GivenData, GivenFormat, GivenSummary};
use crate::error::XorError;
use polarity_mlp::Dataset;
use polarity_weights::{file_sha256, read_pickle, NpArray, PyValue};
use std::path::{Path, PathBuf};

/// The official file name of the data with `dims` inputs and `n` training samples.
pub fn file_name(dims: usize, n: usize) -> String {
    format!("num_dim={dims}%sample_size={n}.pkl")
}

/// `(D, N)` from an official file name, `None` if the name is not of that form.
pub fn parse_file_name(name: &str) -> Option<(usize, usize)> {
    let rest = name.strip_prefix("num_dim=")?.strip_suffix(".pkl")?;
    let (d, n) = rest.split_once("%sample_size=")?;
    let number = |s: &str| -> Option<usize> {
        let v: usize = s.parse().ok()?;
        // Exactly as Python's '{}'.format writes it: digits, no sign or leading zeros.
        (v.to_string() == s).then_some(v)
    };
    Some((number(d)?, number(n)?))
}

struct PickleFile {
    path: PathBuf,
    name: String,
    dims: usize,
    n: usize,
}

/// Reads and checks every `num_dim=D%sample_size=N.pkl` in `dir`.
pub fn read_official_pickles(dir: &Path) -> Result<GivenData, XorError> {
    let files = list_files(dir)?;
    let dims = files[0].dims;
    let mut manifest = String::new();
    let mut val: Option<(Dataset, &str)> = None;
    let mut previous: Option<(Dataset, &str)> = None;
    for file in &files {
        let bad = |problem: String| XorError::DataFile {
            path: file.path.clone(),
            problem,
        };
        let bytes = std::fs::read(&file.path).map_err(|source| XorError::DataIo {
            path: file.path.clone(),
            source,
        })?;
        manifest.push_str(&format!("{}  {}\n", file_sha256(&bytes), file.name));
        let root = read_pickle(&bytes).map_err(|e| bad(format!("not a readable pickle: {e}")))?;
        let train = read_set(&root, "dataset_train", dims, Some(file.n)).map_err(&bad)?;
        let this_val = read_set(&root, "dataset_val", dims, None).map_err(&bad)?;
        match &val {
            None => val = Some((this_val, &file.name)),
            Some((first, first_name)) => {
                if let Some(diff) =
                    first_difference(first, &this_val, first.len().max(this_val.len()))
                {
                    return Err(bad(format!(
                        "its validation set differs from the one in {first_name} ({diff}); all \
                         files must share one validation set"
                    )));
                }
            }
        }
        if let Some((prev, prev_name)) = &previous {
            if let Some(diff) = first_difference(prev, &train, prev.len()) {
                return Err(bad(format!(
                    "its first {} training samples differ from {prev_name} ({diff}); training \
                     sets must be nested (each file's first N samples are the next smaller file's)",
                    prev.len()
                )));
            }
        }
        previous = Some((train, &file.name));
    }
    let (train, _) = previous.expect("at least one file");
    let (val, _) = val.expect("at least one file");
    Ok(GivenData {
        summary: GivenSummary {
            format: GivenFormat::OfficialPickles,
            path: dir.to_path_buf(),
            sha256: file_sha256(manifest.as_bytes()),
            files: files.iter().map(|f| f.name.clone()).collect(),
        },
        dims,
        train,
        train_sizes: Some(files.iter().map(|f| f.n).collect()),
        val,
    })
}

/// The folder's official files in ascending training size; other `.pkl` names are errors
/// (a misnamed file is more likely a mistake than something to skip), other files are ignored.
fn list_files(dir: &Path) -> Result<Vec<PickleFile>, XorError> {
    let io = |source| XorError::DataIo {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".pkl") {
            continue;
        }
        let path = entry.path();
        let (dims, n) = parse_file_name(&name).ok_or_else(|| XorError::DataFile {
            path: path.clone(),
            problem: "name is not of the form num_dim=D%sample_size=N.pkl".into(),
        })?;
        files.push(PickleFile {
            path,
            name,
            dims,
            n,
        });
    }
    files.sort_by_key(|f| f.n);
    let Some(first) = files.first() else {
        return Err(XorError::DataFile {
            path: dir.to_path_buf(),
            problem: "no files named num_dim=D%sample_size=N.pkl in this folder".into(),
        });
    };
    for f in &files {
        if f.dims != first.dims {
            return Err(XorError::DataFile {
                path: f.path.clone(),
                problem: format!(
                    "num_dim={} but {} has num_dim={}: one folder must hold one dimension",
                    f.dims, first.name, first.dims
                ),
            });
        }
        if f.dims < 2 || f.n == 0 {
            return Err(XorError::DataFile {
                path: f.path.clone(),
                problem: "XOR needs num_dim >= 2 and sample_size >= 1".into(),
            });
        }
    }
    for pair in files.windows(2) {
        if pair[0].n == pair[1].n {
            return Err(XorError::DataFile {
                path: pair[1].path.clone(),
                problem: format!("same sample_size as {}", pair[0].name),
            });
        }
    }
    Ok(files)
}

fn get<'a>(dict: &'a PyValue, key: &str) -> Option<&'a PyValue> {
    let PyValue::Dict(pairs) = dict else {
        return None;
    };
    pairs.iter().find_map(|(k, v)| match k {
        PyValue::Str(s) if s == key => Some(v),
        PyValue::Bytes(b) if b.as_slice() == key.as_bytes() => Some(v),
        _ => None,
    })
}

fn array<'a>(set: &'a PyValue, set_key: &str, key: &str) -> Result<&'a NpArray, String> {
    match get(set, key) {
        Some(PyValue::Array(a)) => Ok(a),
        Some(other) => Err(format!(
            "'{set_key}'['{key}'] is not a numeric numpy array ({})",
            kind(other)
        )),
        None => Err(format!("'{set_key}' has no key '{key}'")),
    }
}

fn kind(v: &PyValue) -> &'static str {
    match v {
        PyValue::Dict(_) => "a dict",
        PyValue::List(_) => "a list",
        PyValue::Tuple(_) => "a tuple",
        PyValue::Array(_) => "an array",
        _ => "another object",
    }
}

/// One of the two sets, transposed from the file's (D, N) to the engine's row-major (N, D).
fn read_set(
    root: &PyValue,
    set_key: &str,
    dims: usize,
    n: Option<usize>,
) -> Result<Dataset, String> {
    let set = match get(root, set_key) {
        Some(s @ PyValue::Dict(_)) => s,
        Some(other) => return Err(format!("'{set_key}' is {}, expected a dict", kind(other))),
        None => return Err(format!("no key '{set_key}' in the pickled dict")),
    };
    let data = array(set, set_key, "data")?;
    let labels = array(set, set_key, "labels")?;
    let cols = data.shape.get(1).copied().unwrap_or(0);
    let expected_n = n.unwrap_or(cols);
    if data.shape != [dims, expected_n] {
        return Err(format!(
            "'{set_key}'['data'] has shape {:?}, expected [{dims}, {}] (num_dim{} from the file name)",
            data.shape,
            n.map_or("N".to_string(), |n| n.to_string()),
            if n.is_some() { ", sample_size" } else { "" },
        ));
    }
    if expected_n == 0 {
        return Err(format!("'{set_key}' holds no samples"));
    }
    if labels.shape != [expected_n] {
        return Err(format!(
            "'{set_key}'['labels'] has shape {:?}, expected [{expected_n}] (one label per sample)",
            labels.shape
        ));
    }
    if let Some((i, v)) = labels
        .values
        .iter()
        .enumerate()
        .find(|(_, v)| !check_label(f64::from(**v)))
    {
        return Err(format!("'{set_key}'['labels'][{i}] = {v}, expected 0 or 1"));
    }
    let mut x = Vec::with_capacity(dims * expected_n);
    for i in 0..expected_n {
        x.extend((0..dims).map(|d| data.values[d * expected_n + i]));
    }
    Ok(Dataset {
        inputs: dims,
        x,
        y: labels.values.clone(),
    })
}

/// The first sample among the first `n` where `a` and `b` differ, described.
fn first_difference(a: &Dataset, b: &Dataset, n: usize) -> Option<String> {
    if a.len() < n || b.len() < n {
        return Some(format!("{} samples against {}", b.len(), a.len()));
    }
    (0..n).find_map(|i| {
        (a.row(i) != b.row(i) || a.y[i] != b.y[i]).then(|| {
            format!(
                "sample {i}: {:?} label {} against {:?} label {}",
                b.row(i),
                b.y[i],
                a.row(i),
                a.y[i]
            )
        })
    })
}
