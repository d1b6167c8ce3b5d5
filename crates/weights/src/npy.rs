//! `.npy` files: plain numeric arrays, and object arrays holding a pickled object (the Caffe
//! AlexNet `bvlc_alexnet.npy`: a 0-d object array wrapping a Python-2 dict
//! `{layer: [weights, biases]}`).

use crate::array::{decode, fortran_to_c, latin1, NpArray};
use crate::pickle::{read_pickle, PyValue};
use crate::FormatError;
use std::rc::Rc;

/// The content of an `.npy` file: a numeric array, or the unpickled object of an object array.
pub fn read_npy(bytes: &[u8]) -> Result<PyValue, FormatError> {
    parse(bytes).map_err(FormatError)
}

fn parse(bytes: &[u8]) -> Result<PyValue, String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err("not an .npy file (missing the \\x93NUMPY magic)".into());
    }
    let major = bytes[6];
    let (header_len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(".npy header truncated".into());
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => {
            return Err(format!(
                ".npy format version {v} is not supported (1, 2 or 3)"
            ))
        }
    };
    let end = start + header_len;
    if bytes.len() < end {
        return Err(".npy header truncated".into());
    }
    let header = latin1(&bytes[start..end]);
    let field = |key: &str| -> Option<String> {
        let i = header.find(&format!("'{key}'"))?;
        let rest = header[i + key.len() + 2..]
            .trim_start()
            .strip_prefix(':')?
            .trim_start();
        if let Some(r) = rest.strip_prefix('(') {
            Some(r[..r.find(')')?].to_string())
        } else if let Some(r) = rest.strip_prefix('\'') {
            Some(r[..r.find('\'')?].to_string())
        } else {
            Some(rest[..rest.find([',', '}'])?].trim().to_string())
        }
    };
    let descr = field("descr").ok_or_else(|| format!(".npy header without 'descr': {header}"))?;
    let body = &bytes[end..];
    if descr == "|O" {
        return read_pickle(body).map_err(|e| format!("pickled object array: {e}"));
    }
    let shape: Vec<usize> = field("shape")
        .ok_or_else(|| format!(".npy header without 'shape': {header}"))?
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!(".npy shape entry '{s}'")))
        .collect::<Result<_, _>>()?;
    let fortran = field("fortran_order").as_deref() == Some("True");
    let values = decode(&descr, body, shape.iter().product())?;
    let values = if fortran {
        fortran_to_c(&values, &shape)
    } else {
        values
    };
    Ok(PyValue::Array(Rc::new(NpArray { shape, values })))
}
