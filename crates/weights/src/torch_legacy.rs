//! The length check of a legacy (pre-1.6, non-zip) `torch.save` file: burn-store reads a cut
//! file's missing tensor data as zeros, which would become free template entries without a
//! word, so the storage section is checked here first (docs/decisions.md D-TEMPLATE-2).
//!
//! Layout (torch/serialization.py `_legacy_save`): five pickles (magic number, protocol version,
//! system info, the object with one persistent id `('storage', StorageType, key, location,
//! numel, ...)` per storage, the list of storage keys), then per key in that order a
//! little-endian u64 element count and the storage's bytes.

use crate::pickle::{read_pickle_prefix, PyValue};
use std::collections::BTreeMap;

/// The pickled magic number (protocol 2, LONG1 of 10 bytes) and its STOP.
const MAGIC_PICKLE: [u8; 15] = [
    0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, b'.',
];

/// Bytes per element of a torch storage type.
fn element_size(storage_type: &str) -> Option<usize> {
    Some(match storage_type {
        "DoubleStorage" | "LongStorage" | "ComplexFloatStorage" => 8,
        "FloatStorage" | "IntStorage" => 4,
        "HalfStorage" | "BFloat16Storage" | "ShortStorage" => 2,
        "CharStorage" | "ByteStorage" | "BoolStorage" => 1,
        "ComplexDoubleStorage" => 16,
        _ => return None,
    })
}

/// Every storage a pickled object refers to: key -> (element count, bytes per element).
fn storages(v: &PyValue, out: &mut BTreeMap<String, (usize, usize)>) -> Result<(), String> {
    match v {
        PyValue::Persistent(pid) => {
            let PyValue::Tuple(t) = pid.as_ref() else {
                return Err(format!("persistent id {pid:?} is not a tuple"));
            };
            match t.as_slice() {
                [PyValue::Str(kind), PyValue::Global { name, .. }, PyValue::Str(key), _, PyValue::Int(numel), ..]
                    if kind == "storage" =>
                {
                    let size = element_size(name)
                        .ok_or_else(|| format!("unknown torch storage type '{name}'"))?;
                    let numel = usize::try_from(*numel)
                        .map_err(|_| format!("storage '{key}' has {numel} elements"))?;
                    out.insert(key.clone(), (numel, size));
                    Ok(())
                }
                _ => Err(format!("persistent id {t:?} is not a torch storage")),
            }
        }
        PyValue::Tuple(items) | PyValue::List(items) => {
            items.iter().try_for_each(|x| storages(x, out))
        }
        PyValue::Dict(entries) => entries.iter().try_for_each(|(k, x)| {
            storages(k, out)?;
            storages(x, out)
        }),
        PyValue::Reduce { callable, args } => {
            storages(callable, out)?;
            storages(args, out)
        }
        PyValue::Built { object, state } => {
            storages(object, out)?;
            storages(state, out)
        }
        _ => Ok(()),
    }
}

/// Checks that a legacy `torch.save` file holds every storage byte its pickles announce, and
/// nothing after them.
pub fn check_legacy_torch(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(&MAGIC_PICKLE) {
        return Err("not a legacy torch.save file (magic number missing)".into());
    }
    let mut pos = MAGIC_PICKLE.len();
    let mut next = |what: &str| -> Result<PyValue, String> {
        let (v, used) = read_pickle_prefix(&bytes[pos..])
            .map_err(|e| format!("legacy torch.save file, {what} at byte {pos}: {e}"))?;
        pos += used;
        Ok(v)
    };
    next("protocol version")?;
    next("system info")?;
    let object = next("pickled object")?;
    let keys = next("storage key list")?;
    let mut announced = BTreeMap::new();
    storages(&object, &mut announced)?;
    let PyValue::List(keys) = keys else {
        return Err(format!("legacy torch.save storage key list is {keys:?}"));
    };
    let truncated = |key: &str, need: usize, at: usize| {
        format!(
            "truncated legacy torch.save file: storage '{key}' needs {need} bytes at byte {at}, the file has {}",
            bytes.len()
        )
    };
    for key in &keys {
        let key = key
            .as_str()
            .ok_or_else(|| format!("storage key {key:?} is not a string"))?;
        let &(numel, size) = announced
            .get(key)
            .ok_or_else(|| format!("storage '{key}' is listed but no tensor refers to it"))?;
        let header = bytes
            .get(pos..pos + 8)
            .ok_or_else(|| truncated(key, 8, pos))?;
        let count = u64::from_le_bytes(header.try_into().expect("8 bytes"));
        if count != numel as u64 {
            return Err(format!(
                "legacy torch.save storage '{key}': {count} elements in the data, {numel} in the pickle"
            ));
        }
        let need = numel * size;
        if bytes.len() - (pos + 8) < need {
            return Err(truncated(key, need, pos + 8));
        }
        pos += 8 + need;
    }
    if pos != bytes.len() {
        return Err(format!(
            "legacy torch.save file has {} bytes after its last storage",
            bytes.len() - pos
        ));
    }
    Ok(())
}
