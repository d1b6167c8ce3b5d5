//! The IDX format of (Fashion-)MNIST: a big-endian header (magic `0x0000_08NN`, NN = number of
//! dimensions, 0x08 = unsigned bytes), one big-endian u32 per dimension, then the bytes.
use crate::error::{DataError, Result};
use std::path::Path;

pub const LABELS_MAGIC: u32 = 0x0000_0801;
pub const IMAGES_MAGIC: u32 = 0x0000_0803;

/// An IDX array of unsigned bytes: its dimensions and a view of its data.
#[derive(Debug)]
pub struct IdxArray<'a> {
    pub dims: Vec<usize>,
    pub data: &'a [u8],
}

/// Parses `content` (already decompressed) as an IDX array with the given magic number.
/// Rejects a wrong magic number, a file shorter than its header says (truncated) and trailing
/// bytes after the data.
pub fn parse<'a>(content: &'a [u8], expected_magic: u32, path: &Path) -> Result<IdxArray<'a>> {
    let what = match expected_magic {
        LABELS_MAGIC => "IDX labels: unsigned bytes, 1 dimension",
        IMAGES_MAGIC => "IDX images: unsigned bytes, 3 dimensions",
        _ => "IDX unsigned bytes",
    };
    let magic = read_u32(content, 0, path, "magic number")?;
    if magic != expected_magic {
        return Err(DataError::BadMagic {
            path: path.to_path_buf(),
            found: magic,
            expected: expected_magic,
            what,
        });
    }
    let ndims = (expected_magic & 0xff) as usize;
    let dims = (0..ndims)
        .map(|d| read_u32(content, 4 + 4 * d, path, "dimension").map(|v| v as usize))
        .collect::<Result<Vec<_>>>()?;
    let header = 4 + 4 * ndims;
    let expected_len = dims.iter().product::<usize>();
    let data = &content[header..];
    if data.len() < expected_len {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            detail: format!(
                "header {dims:?} needs {expected_len} data bytes after the {header}-byte header, found {}",
                data.len()
            ),
        });
    }
    if data.len() > expected_len {
        return Err(DataError::Count {
            path: path.to_path_buf(),
            detail: format!(
                "header {dims:?} needs {expected_len} data bytes, but the file has {} more (header count too small?)",
                data.len() - expected_len
            ),
        });
    }
    Ok(IdxArray { dims, data })
}

fn read_u32(content: &[u8], at: usize, path: &Path, what: &str) -> Result<u32> {
    let bytes = content
        .get(at..at + 4)
        .ok_or_else(|| DataError::Truncated {
            path: path.to_path_buf(),
            detail: format!(
                "{} bytes, too short for the IDX header ({what} at byte {at})",
                content.len()
            ),
        })?;
    Ok(u32::from_be_bytes(bytes.try_into().expect("4 bytes")))
}

/// Writes an IDX array (used by the tests to build files in the exact format).
pub fn encode(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_written_by_hand() {
        // magic 0x00000803, dims 2x1x3, six data bytes.
        let bytes = [
            0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 9, 8, 7, 6, 5, 4,
        ];
        let a = parse(&bytes, IMAGES_MAGIC, Path::new("x")).unwrap();
        assert_eq!(a.dims, vec![2, 1, 3]);
        assert_eq!(a.data, &[9, 8, 7, 6, 5, 4]);
        assert_eq!(encode(IMAGES_MAGIC, &[2, 1, 3], &[9, 8, 7, 6, 5, 4]), bytes);
    }

    #[test]
    fn rejects_magic_truncation_and_trailing_bytes() {
        let p = Path::new("f.idx");
        let labels = encode(LABELS_MAGIC, &[3], &[1, 2, 3]);
        let err = parse(&labels, IMAGES_MAGIC, p).unwrap_err().to_string();
        assert!(
            err.contains("f.idx") && err.contains("0x00000801") && err.contains("0x00000803"),
            "{err}"
        );
        let err = parse(&labels[..5], LABELS_MAGIC, p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("truncated") && err.contains("header"), "{err}");
        let err = parse(&labels[..9], LABELS_MAGIC, p)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("truncated") && err.contains("needs 3 data bytes"),
            "{err}"
        );
        let mut long = labels.clone();
        long.push(0);
        let err = parse(&long, LABELS_MAGIC, p).unwrap_err().to_string();
        assert!(
            err.contains("wrong count") && err.contains("1 more"),
            "{err}"
        );
    }
}
