//! Fashion-MNIST from its four IDX files (gzip-wrapped or raw), checked against the sha256 of the
//! decompressed content, which is the same for the canonical download and the Debian package
//! (whose gzip headers differ; docs/decisions.md D-DATA-1).
use crate::dataset::{Dataset, DatasetKind, FileProvenance, Provenance, Validation};
use crate::error::{DataError, Result};
use crate::idx::{self, IMAGES_MAGIC, LABELS_MAGIC};
use crate::image_set::ImageSet;
use crate::raw_file;
use std::path::{Path, PathBuf};

/// One of the four files.
pub struct IdxFileSpec {
    /// File name without `.gz`.
    pub stem: &'static str,
    pub magic: u32,
    /// Number of items in the canonical file.
    pub count: usize,
    /// sha256 of the decompressed (raw IDX) content.
    pub content_sha256: &'static str,
    /// sha256 of the canonical `.gz` download (the Debian copies differ, see docs/decisions.md
    /// D-DATA-1).
    pub canonical_gz_sha256: &'static str,
}

pub const TRAIN_IMAGES: IdxFileSpec = IdxFileSpec {
    stem: "train-images-idx3-ubyte",
    magic: IMAGES_MAGIC,
    count: 60_000,
    content_sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    canonical_gz_sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
};
pub const TRAIN_LABELS: IdxFileSpec = IdxFileSpec {
    stem: "train-labels-idx1-ubyte",
    magic: LABELS_MAGIC,
    count: 60_000,
    content_sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    canonical_gz_sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
};
pub const TEST_IMAGES: IdxFileSpec = IdxFileSpec {
    stem: "t10k-images-idx3-ubyte",
    magic: IMAGES_MAGIC,
    count: 10_000,
    content_sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    canonical_gz_sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
};
pub const TEST_LABELS: IdxFileSpec = IdxFileSpec {
    stem: "t10k-labels-idx1-ubyte",
    magic: LABELS_MAGIC,
    count: 10_000,
    content_sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    canonical_gz_sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
};

pub const FILES: [&IdxFileSpec; 4] = [&TRAIN_IMAGES, &TRAIN_LABELS, &TEST_IMAGES, &TEST_LABELS];
pub const HEIGHT: usize = 28;
pub const WIDTH: usize = 28;

const CHECKSUM_HINT: &str =
    " (the raw IDX sha256 of docs/decisions.md D-DATA-1; the file is corrupt or not Fashion-MNIST)";

/// The path of `spec` in `dir`: the raw file if present, else the `.gz`. None if neither exists.
pub fn find_file(dir: &Path, spec: &IdxFileSpec) -> Option<PathBuf> {
    [spec.stem.to_string(), format!("{}.gz", spec.stem)]
        .into_iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}

/// Loads both splits from `dir`.
pub fn load(dir: &Path, validation: Validation) -> Result<Dataset> {
    let mut files = Vec::new();
    let train = load_split(dir, &TRAIN_IMAGES, &TRAIN_LABELS, validation, &mut files)?;
    let test = load_split(dir, &TEST_IMAGES, &TEST_LABELS, validation, &mut files)?;
    Ok(Dataset {
        kind: DatasetKind::FashionMnist,
        train,
        test,
        provenance: Provenance {
            dataset: DatasetKind::FashionMnist,
            directory: dir.to_path_buf(),
            validation,
            files,
        },
    })
}

fn load_split(
    dir: &Path,
    images_spec: &IdxFileSpec,
    labels_spec: &IdxFileSpec,
    validation: Validation,
    provenance: &mut Vec<FileProvenance>,
) -> Result<ImageSet> {
    let (images_path, images_file) = read_checked(dir, images_spec, validation)?;
    let (labels_path, labels_file) = read_checked(dir, labels_spec, validation)?;
    let images = idx::parse(&images_file.content, IMAGES_MAGIC, &images_path)?;
    let labels = idx::parse(&labels_file.content, LABELS_MAGIC, &labels_path)?;
    let (n, h, w) = (images.dims[0], images.dims[1], images.dims[2]);
    // Canonical counts were checked by `read_checked`; the sha256 then pins everything else.
    if validation == Validation::Canonical && (h, w) != (HEIGHT, WIDTH) {
        return Err(DataError::Format {
            path: images_path,
            detail: format!("images are {h}x{w}, expected {HEIGHT}x{WIDTH}"),
        });
    }
    if labels.dims[0] != n {
        return Err(DataError::Count {
            path: labels_path,
            detail: format!(
                "{} labels, but {} holds {n} images",
                labels.dims[0],
                images_path.display()
            ),
        });
    }
    if let Some((i, &l)) = labels.data.iter().enumerate().find(|(_, &l)| l >= 10) {
        return Err(DataError::Format {
            path: labels_path,
            detail: format!("label {l} at index {i}; Fashion-MNIST labels are 0-9"),
        });
    }
    let set = ImageSet::new(1, h, w, 10, images.data.to_vec(), labels.data.to_vec())?;
    provenance.push(images_file.provenance);
    provenance.push(labels_file.provenance);
    Ok(set)
}

/// Reads one file; in canonical mode checks its header count first (clearer than a checksum
/// error for a wrong file), then the content sha256.
fn read_checked(
    dir: &Path,
    spec: &IdxFileSpec,
    validation: Validation,
) -> Result<(PathBuf, raw_file::RawFile)> {
    let path = find_file(dir, spec).ok_or_else(|| DataError::Missing {
        path: dir.join(spec.stem),
        expected: format!("{0} or {0}.gz", spec.stem),
    })?;
    let mut file = raw_file::read(&path)?;
    if validation == Validation::Canonical {
        let array = idx::parse(&file.content, spec.magic, &path)?;
        if array.dims[0] != spec.count {
            return Err(count_error(&path, spec.count, array.dims[0], "items"));
        }
        raw_file::verify_sha256(&mut file, spec.content_sha256, CHECKSUM_HINT)?;
    }
    Ok((path, file))
}

fn count_error(path: &Path, expected: usize, found: usize, what: &str) -> DataError {
    DataError::Count {
        path: path.to_path_buf(),
        detail: format!("the header says {found} {what}, the canonical file has {expected}"),
    }
}
