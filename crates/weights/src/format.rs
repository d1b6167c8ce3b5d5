//! What kind of weight file a file is, from its first bytes (not its name), so that a foreign
//! or truncated file gets an error saying what it is not (docs/decisions.md D-TEMPLATE-2).

use crate::Error;
use std::io::{Read, Seek};
use std::path::Path;

/// The weight-file containers polarity reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightFileFormat {
    /// A NumPy `.npy` file (the Caffe AlexNet `bvlc_alexnet.npy` is one, holding a pickled dict).
    Npy,
    /// `torch.save` since PyTorch 1.6: a zip archive.
    TorchZip,
    /// `torch.save` before PyTorch 1.6: a pickle sequence starting with torch's magic number.
    TorchLegacy,
    /// `torch.save` of the old TAR format.
    TorchTar,
    /// safetensors: a little-endian u64 header length, then a JSON header.
    Safetensors,
    /// burn-store's Burnpack (a burn module's record, `.bpk`): magic `0x4255524E` little-endian.
    /// Written from a burn module, so Linear kernels are `[in, out]`.
    Burnpack,
}

impl WeightFileFormat {
    /// The name used in provenance.
    pub fn name(self) -> &'static str {
        match self {
            WeightFileFormat::Npy => "npy",
            WeightFileFormat::TorchZip => "torch-pth (zip)",
            WeightFileFormat::TorchLegacy => "torch-pth (legacy)",
            WeightFileFormat::TorchTar => "torch-pth (tar)",
            WeightFileFormat::Safetensors => "safetensors",
            WeightFileFormat::Burnpack => "burnpack",
        }
    }

    /// A `torch.save` file of any of its containers.
    pub fn is_torch(self) -> bool {
        matches!(
            self,
            WeightFileFormat::TorchZip | WeightFileFormat::TorchLegacy | WeightFileFormat::TorchTar
        )
    }
}

/// The pickled magic number `torch.save` writes first in its legacy format
/// (protocol 2, `LONG1` of 10 bytes, 0x1950a86a20f9469cfc6c).
const TORCH_LEGACY_MAGIC: [u8; 14] = [
    0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
];

/// burn-store's Burnpack magic number `0x4255524E`, as written (little-endian).
pub const BURNPACK_MAGIC: [u8; 4] = 0x4255_524E_u32.to_le_bytes();

/// The format of a file starting with `head` (its first 512 bytes, or all of a shorter file) of
/// `len` bytes in all.
pub fn detect_format(head: &[u8], len: u64) -> Result<WeightFileFormat, String> {
    if head.starts_with(b"\x93NUMPY") {
        return Ok(WeightFileFormat::Npy);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Ok(WeightFileFormat::TorchZip);
    }
    if head.starts_with(&TORCH_LEGACY_MAGIC) {
        return Ok(WeightFileFormat::TorchLegacy);
    }
    if head.starts_with(&BURNPACK_MAGIC) {
        return Ok(WeightFileFormat::Burnpack);
    }
    if head.get(257..262) == Some(b"ustar") {
        return Ok(WeightFileFormat::TorchTar);
    }
    if head.len() >= 9 && head[8] == b'{' {
        let header = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
        if header.checked_add(8).is_some_and(|end| end <= len) {
            return Ok(WeightFileFormat::Safetensors);
        }
        return Err(format!(
            "looks like safetensors but is truncated: its header claims {header} bytes, the file has {len} in all"
        ));
    }
    let shown: String = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Err(format!(
        "not a weight file polarity reads (first bytes {shown}; expected .npy, torch.save zip/legacy/tar, safetensors or a burn Burnpack record)"
    ))
}

/// Whether `tail` (the end of a zip file) holds the end-of-central-directory record: its
/// signature `PK\x05\x06`, with the record's comment reaching exactly the end of the file.
pub fn has_zip_end_record(tail: &[u8]) -> bool {
    (0..tail.len().saturating_sub(21)).rev().any(|i| {
        tail[i..].starts_with(b"PK\x05\x06")
            && i + 22 + usize::from(u16::from_le_bytes([tail[i + 20], tail[i + 21]])) == tail.len()
    })
}

/// Checks that a safetensors file holds every byte its header promises: `header` is the JSON
/// header, `data_len` the bytes after it. (A cut file otherwise reads as "incomplete metadata".)
pub fn check_safetensors_length(header: &[u8], data_len: u64) -> Result<(), String> {
    let json: serde_json::Value = serde_json::from_slice(header)
        .map_err(|e| format!("safetensors header is not valid JSON: {e}"))?;
    let entries = json
        .as_object()
        .ok_or("safetensors header is not a JSON object")?;
    let end = entries
        .iter()
        .filter(|(name, _)| name.as_str() != "__metadata__")
        .filter_map(|(_, v)| v["data_offsets"][1].as_u64())
        .max()
        .unwrap_or(0);
    if end > data_len {
        return Err(format!(
            "truncated safetensors file: its header places tensor data up to byte {end} after the header, the file has {data_len}"
        ));
    }
    Ok(())
}

/// The format of the file at `path` (see [`detect_format`]; a safetensors file is also checked
/// with [`check_safetensors_length`], a legacy torch file with
/// [`crate::torch_legacy::check_legacy_torch`]), naming the file in errors.
pub fn detect_file_format(path: &Path) -> Result<WeightFileFormat, Error> {
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let named = |message| Error::WeightFile {
        path: path.display().to_string(),
        message,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut head = Vec::with_capacity(512);
    (&mut file).take(512).read_to_end(&mut head).map_err(io)?;
    let format = detect_format(&head, len).map_err(named)?;
    if format == WeightFileFormat::Safetensors {
        let header_len = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
        let mut header = Vec::new();
        file.seek(std::io::SeekFrom::Start(8)).map_err(io)?;
        (&mut file)
            .take(header_len)
            .read_to_end(&mut header)
            .map_err(io)?;
        check_safetensors_length(&header, len - 8 - header_len).map_err(named)?;
    }
    if format == WeightFileFormat::TorchZip {
        // The end-of-central-directory record sits in the last 22 + 65535 bytes.
        let tail_len = len.min(22 + 65_535);
        let mut tail = Vec::with_capacity(tail_len as usize);
        file.seek(std::io::SeekFrom::End(-(tail_len as i64)))
            .map_err(io)?;
        file.read_to_end(&mut tail).map_err(io)?;
        if !has_zip_end_record(&tail) {
            return Err(named(
                "truncated torch.save zip file: no end-of-central-directory record at its end"
                    .into(),
            ));
        }
    }
    if format == WeightFileFormat::TorchLegacy {
        let bytes = std::fs::read(path).map_err(io)?;
        crate::torch_legacy::check_legacy_torch(&bytes).map_err(named)?;
    }
    Ok(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes() {
        assert_eq!(
            detect_format(b"\x93NUMPY\x01\x00", 8),
            Ok(WeightFileFormat::Npy)
        );
        assert_eq!(
            detect_format(b"PK\x03\x04rest", 100),
            Ok(WeightFileFormat::TorchZip)
        );
        assert_eq!(
            detect_format(&TORCH_LEGACY_MAGIC, 100),
            Ok(WeightFileFormat::TorchLegacy)
        );
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(detect_format(&tar, 4096), Ok(WeightFileFormat::TorchTar));
        let mut st = 10u64.to_le_bytes().to_vec();
        st.extend_from_slice(b"{\"a\":1}   ");
        assert_eq!(detect_format(&st, 18), Ok(WeightFileFormat::Safetensors));
        let e = detect_format(&st, 17).unwrap_err();
        assert!(e.contains("truncated") && e.contains("10 bytes"), "{e}");
        // burn-store's header: magic 0x4255524E as little-endian u32, then version 1 (u16).
        let mut bpk = 0x4255_524E_u32.to_le_bytes().to_vec();
        bpk.extend_from_slice(&1u16.to_le_bytes());
        assert_eq!(&bpk[..4], b"NRUB");
        assert_eq!(detect_format(&bpk, 64), Ok(WeightFileFormat::Burnpack));
        let e = detect_format(b"hello world", 11).unwrap_err();
        assert!(
            e.contains("68656c6c6f20776f") && e.contains("safetensors"),
            "{e}"
        );
        assert!(detect_format(b"", 0).is_err());
    }

    #[test]
    fn zip_end_record() {
        let mut tail = b"data PK\x05\x06".to_vec();
        tail.extend_from_slice(&[0; 16]);
        tail.extend_from_slice(&3u16.to_le_bytes());
        tail.extend_from_slice(b"abc");
        assert!(has_zip_end_record(&tail));
        assert!(!has_zip_end_record(&tail[..tail.len() - 1]));
        assert!(!has_zip_end_record(b"PK\x05\x06"));
    }

    #[test]
    fn safetensors_data_must_cover_the_header_offsets() {
        let header = br#"{"__metadata__":{"a":"b"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#;
        assert_eq!(check_safetensors_length(header, 12), Ok(()));
        let e = check_safetensors_length(header, 11).unwrap_err();
        assert!(e.contains("up to byte 12") && e.contains("has 11"), "{e}");
        assert!(check_safetensors_length(b"[1]", 0).is_err());
        assert!(check_safetensors_length(b"{not json", 0).is_err());
    }
}
