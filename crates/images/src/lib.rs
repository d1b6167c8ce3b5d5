//! Image datasets for the paper's image experiments (docs/decisions.md D-IMG-1 to D-IMG-3), without
//! any deep-learning framework: Fashion-MNIST (IDX) and CIFAR-10 (binary) readers validated against
//! known checksums, where the data is looked for ([`SearchPaths`]), `polarity data fetch`, and the
//! paper's preprocessing into `[N, C, H, W]` f32 batches ([`Preprocess`]).
//!
//! ```no_run
//! use polarity_images::{load, DatasetKind, Preprocess, SearchPaths, Validation, ValidationSplit};
//! # fn main() -> Result<(), polarity_images::DataError> {
//! let paths = SearchPaths::from_process_env(None);
//! let data = load(DatasetKind::FashionMnist, &paths, Validation::Canonical)?;
//! let train = data.train.first_n(1000)?; // the paper's "first N" subsets (nested)
//! let val = ValidationSplit::SeededSubset { size: 2000, seed: 1 }.apply(&data.test)?;
//! let pre = Preprocess::paper(DatasetKind::FashionMnist); // normalise, 227x227, grey -> RGB
//! let batch = pre.batch(&train, &[0, 1, 2])?; // batch.shape == [3, 3, 227, 227]
//! # let _ = (val, batch); Ok(()) }
//! ```

mod checksum;
pub mod cifar10;
pub mod conditions;
mod dataset;
mod error;
pub mod fashion_mnist;
pub mod fetch;
pub mod idx;
mod image_set;
pub mod locate;
pub mod mnist;
mod preprocess;
mod raw_file;
pub mod record;
pub mod resize;
mod split_sizes;

pub use dataset::{Dataset, DatasetKind, FileProvenance, Provenance, Validation};
pub use error::{DataError, Result};
pub use fetch::{fetch, fetch_with_notes, FetchOptions, FetchOutcome};
pub use image_set::{ImageSet, ValidationSplit};
pub use locate::{EnvMap, Located, SearchPaths};
pub use preprocess::{
    Batch, InWeightInput, Normalization, Preprocess, IMAGENET_MEAN_BGR, PAPER_INPUT_SIZE,
};
pub use record::{ImageRecord, KernelCounts};
pub use split_sizes::SplitSizes;

use std::path::Path;

/// Reads `kind` from the folder `dir` (which holds its files directly).
pub fn load_from_dir(kind: DatasetKind, dir: &Path, validation: Validation) -> Result<Dataset> {
    match kind {
        DatasetKind::FashionMnist => fashion_mnist::load(dir, validation),
        DatasetKind::Cifar10 => cifar10::load(dir, validation),
    }
}

/// Finds `kind` in the search order of `paths` and reads it.
pub fn load(kind: DatasetKind, paths: &SearchPaths, validation: Validation) -> Result<Dataset> {
    let located = paths.locate(kind)?;
    load_from_dir(kind, &located.dir, validation)
}

/// What every training command does with `--data-dir`: finds `kind` in `data_dir` alone if given,
/// else in `$POLARITY_DATA`, the user cache and the system folders, and reads it with full
/// (canonical) validation.
pub fn locate_and_load(kind: DatasetKind, data_dir: Option<&Path>) -> Result<Dataset> {
    let paths = SearchPaths::from_process_env(data_dir.map(Path::to_path_buf));
    load(kind, &paths, Validation::Canonical)
}
