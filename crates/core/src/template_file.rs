//! The template file: compact, versioned, self-checking.
//!
//! ```text
//! "PLTYTMPL"            8 bytes magic
//! version               u32 LE (currently 1)
//! header length         u32 LE
//! header                JSON: { provenance, tensors: [{name, shape}] }
//! signs                 per tensor, 2 bits per entry (0b00 = 0, 0b01 = +1, 0b10 = -1), padded to a byte
//! sha256                32 bytes over everything above
//! ```
//!
//! The provenance may carry `"layout": "burn" | "pytorch"` (the Linear kernels' layout). It is
//! left out when unknown, so files without it (all files written before it existed) load, and
//! readers that predate it ignore it: the version stays 1 (docs/decisions.md D-TEMPLATE-1).

use crate::template::{Provenance, TensorSpec, TensorTemplate};
use crate::{PolarityError, PolarityTemplate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

const MAGIC: &[u8; 8] = b"PLTYTMPL";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    provenance: Provenance,
    tensors: Vec<TensorSpec>,
}

fn code(s: i8) -> u8 {
    match s {
        1 => 0b01,
        -1 => 0b10,
        _ => 0b00,
    }
}

impl PolarityTemplate {
    /// Serialises the template to bytes (see the module docs for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            provenance: self.provenance.clone(),
            tensors: self.tensors.iter().map(|t| t.spec.clone()).collect(),
        };
        let json = serde_json::to_vec(&header).expect("header serialises");
        let mut out = Vec::with_capacity(16 + json.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        for t in &self.tensors {
            for chunk in t.signs().chunks(4) {
                let mut byte = 0u8;
                for (k, &s) in chunk.iter().enumerate() {
                    byte |= code(s) << (2 * k);
                }
                out.push(byte);
            }
        }
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    /// Parses bytes written by [`to_bytes`](Self::to_bytes); `origin` names the source in errors.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Self, PolarityError> {
        let err = |message: String| PolarityError::File {
            path: origin.to_string(),
            message,
        };
        let prefix = bytes.len().min(MAGIC.len());
        if bytes[..prefix] != MAGIC[..prefix] || bytes.is_empty() {
            return Err(err(
                "not a polarity template file (missing PLTYTMPL magic)".into()
            ));
        }
        if bytes.len() < 16 + 32 {
            return Err(err(format!(
                "truncated: {} bytes, a template file has at least 48",
                bytes.len()
            )));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
        if version != FORMAT_VERSION {
            return Err(err(format!(
                "format version {version}, this build reads version {FORMAT_VERSION}"
            )));
        }
        let (body, digest) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != digest {
            return Err(err(
                "checksum mismatch: the file is truncated or corrupt".into()
            ));
        }
        let hlen = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let header_end = 16usize
            .checked_add(hlen)
            .filter(|&e| e <= body.len())
            .ok_or_else(|| {
                err(format!(
                    "header length {hlen} runs past the end of the file"
                ))
            })?;
        let header: Header = serde_json::from_slice(&body[16..header_end])
            .map_err(|e| err(format!("bad header: {e}")))?;
        let mut pos = header_end;
        let mut tensors = Vec::new();
        for spec in header.tensors {
            let n = spec.numel();
            let nbytes = n.div_ceil(4);
            let packed = body.get(pos..pos + nbytes).ok_or_else(|| {
                err(format!(
                    "signs of tensor '{}' run past the end of the file",
                    spec.name
                ))
            })?;
            pos += nbytes;
            let mut signs = Vec::with_capacity(n);
            for i in 0..n {
                signs.push(match (packed[i / 4] >> (2 * (i % 4))) & 0b11 {
                    0b00 => 0,
                    0b01 => 1,
                    0b10 => -1,
                    _ => return Err(err(format!("invalid sign code in tensor '{}'", spec.name))),
                });
            }
            tensors.push(TensorTemplate::new(spec, signs)?);
        }
        if pos != body.len() {
            return Err(err(format!(
                "{} unexpected trailing bytes",
                body.len() - pos
            )));
        }
        Ok(Self {
            tensors,
            provenance: header.provenance,
        })
    }

    /// Writes the template atomically: a temporary file beside it (`.NAME.tmp`), synced, then
    /// renamed over `path`, so a reader sees the old file or the new one, never a part.
    pub fn save(&self, path: &Path) -> Result<(), PolarityError> {
        let io = |source| PolarityError::Io {
            path: path.display().to_string(),
            source,
        };
        let name = path.file_name().ok_or_else(|| PolarityError::Invalid {
            field: "template output path".into(),
            message: format!("'{}' does not name a file", path.display()),
        })?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = dir.join(format!(".{}.tmp", name.to_string_lossy()));
        let written = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&self.to_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp); // best effort: the error below is what matters
        }
        written.map_err(io)
    }

    pub fn load(path: &Path) -> Result<Self, PolarityError> {
        let bytes = std::fs::read(path).map_err(|source| PolarityError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// Loads a template and checks it against the model's parameters (names and shapes).
    pub fn load_for(path: &Path, model: &[TensorSpec]) -> Result<Self, PolarityError> {
        let t = Self::load(path)?;
        t.check_against(model).map_err(|e| PolarityError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LinearLayout;

    fn template() -> PolarityTemplate {
        let w = [1.0f32, -1.0, 0.0, 2.0, -3.0];
        PolarityTemplate::from_weights(&[(TensorSpec::new("w", vec![5]), &w[..])], "t")
    }

    #[test]
    fn layout_is_saved_only_when_known() {
        let mut t = template();
        let unknown = t.to_bytes();
        assert!(!String::from_utf8_lossy(&unknown).contains("layout"));
        t.provenance.layout = Some(LinearLayout::PyTorch);
        let bytes = t.to_bytes();
        assert!(String::from_utf8_lossy(&bytes).contains(r#""layout":"pytorch""#));
        assert_eq!(PolarityTemplate::from_bytes(&bytes, "x").unwrap(), t);
    }

    #[test]
    fn truncated_and_foreign_bytes_are_named() {
        let bytes = template().to_bytes();
        for cut in [3, 20, bytes.len() - 1] {
            let e = PolarityTemplate::from_bytes(&bytes[..cut], "t.ptpl")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("t.ptpl") && e.contains("truncated"),
                "{cut}: {e}"
            );
        }
        for foreign in [&b""[..], b"\x93NUMPY\x01\x00", b"PK\x03\x04 a zip file"] {
            let e = PolarityTemplate::from_bytes(foreign, "f")
                .unwrap_err()
                .to_string();
            assert!(e.contains("not a polarity template file"), "{e}");
        }
    }

    #[test]
    fn save_replaces_atomically_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.ptpl");
        template().save(&path).unwrap();
        let mut t = template();
        t.provenance.source = "second".into();
        t.save(&path).unwrap();
        assert_eq!(PolarityTemplate::load(&path).unwrap(), t);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let e = t.save(&dir.path().join("no/such/dir/t.ptpl")).unwrap_err();
        assert!(e.to_string().contains("no/such/dir/t.ptpl"), "{e}");
    }
}
