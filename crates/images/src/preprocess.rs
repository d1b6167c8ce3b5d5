//! The paper's per-batch preprocessing (docs/decisions.md D-IMG-3), on f32 buffers in burn's
//! `[N, C, H, W]` layout: `(x - mean) / std` on 0-255 values, then bilinear resize (227 for
//! AlexNet), then grey replicated to three channels for Fashion-MNIST.
use crate::dataset::DatasetKind;
use crate::error::{DataError, Result};
use crate::image_set::ImageSet;
use crate::resize::Resizer;
use rayon::prelude::*;

/// The input side of the paper's AlexNet.
pub const PAPER_INPUT_SIZE: usize = 227;

/// `(x - mean) / std` on raw 0-255 pixel values.
#[derive(Clone, Debug, PartialEq)]
pub enum Normalization {
    /// One mean and std for every channel.
    Scalar { mean: f32, std: f32 },
    /// One mean and std per input channel.
    PerChannel { mean: Vec<f32>, std: Vec<f32> },
    /// The paper's rule over a grid of training sizes (docs/decisions.md D-IMG-12): `subset` (its
    /// constants) for the first N images of the training split, `full` (the scalar mean/std of
    /// the split, [`Normalization::scalar_from_data`]) when N is all `full_len` of them. Resolved
    /// per size by [`Preprocess::for_training_size`] before any batch is made.
    BySize {
        subset: Box<Normalization>,
        full: Box<Normalization>,
        full_len: usize,
    },
    /// Caffe's input for the ImageNet AlexNet weights (docs/decisions.md D-IMG-13): 0-255 values
    /// in **BGR** order minus the ImageNet mean per channel ([`IMAGENET_MEAN_BGR`]), not scaled.
    /// RGB images are reordered to BGR; a grey image replicated to three channels gets each
    /// channel's mean subtracted after the replication.
    CaffeBgr,
}

/// Caffe's ImageNet mean per channel, B, G, R (`ilsvrc_2012_mean.npy` averaged over its pixels, as
/// Caffe's classification example does).
pub const IMAGENET_MEAN_BGR: [f32; 3] = [104.006_99, 116.668_77, 122.678_91];

/// What the IN-Weight conditions are fed (docs/decisions.md D-IMG-13).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InWeightInput {
    /// The dataset-normalised RGB input every condition gets (the official code's choice).
    #[default]
    Dataset,
    /// Caffe's BGR 0-255 input minus the ImageNet mean ([`Normalization::CaffeBgr`]), the input the
    /// transferred weights were trained on.
    CaffeBgr,
}

impl Normalization {
    /// The paper's Fashion-MNIST constants (the mean and population std of the 60 000
    /// training images, which the real-data test confirms). Written with the paper's digits;
    /// the f32 is the nearest value.
    #[allow(clippy::excessive_precision)]
    pub const FASHION_MNIST: Normalization = Normalization::Scalar {
        mean: 72.940_352_232_1,
        std: 90.021_182_351_3,
    };

    /// The paper's CIFAR-10 per-channel constants (R, G, B).
    pub fn cifar10() -> Normalization {
        Normalization::PerChannel {
            mean: vec![125.3, 123.0, 113.9],
            std: vec![63.0, 62.1, 66.7],
        }
    }

    /// Scalar mean and population std over every pixel of `set`: what the paper's code uses
    /// instead of the constants when N is the whole training set.
    pub fn scalar_from_data(set: &ImageSet) -> Normalization {
        let n = set.pixels().len().max(1) as f64;
        let mean = set.pixels().iter().map(|&p| f64::from(p)).sum::<f64>() / n;
        let var = set
            .pixels()
            .iter()
            .map(|&p| (f64::from(p) - mean).powi(2))
            .sum::<f64>()
            / n;
        Normalization::Scalar {
            mean: mean as f32,
            std: var.sqrt() as f32,
        }
    }

    /// The normalisation of a training run on the first `n` images of the training split.
    pub fn for_training_size(&self, n: usize) -> &Normalization {
        match self {
            Normalization::BySize {
                subset,
                full,
                full_len,
            } => {
                if n == *full_len {
                    full.for_training_size(n)
                } else {
                    subset.for_training_size(n)
                }
            }
            other => other,
        }
    }

    /// For input channel `c` of `in_c`: the value subtracted, the divisor and the output channel.
    fn channel(&self, c: usize, in_c: usize) -> (f32, f32, usize) {
        match self {
            Normalization::Scalar { mean, std } => (*mean, *std, c),
            Normalization::PerChannel { mean, std } => (mean[c], std[c], c),
            // RGB -> BGR, each channel minus its mean; a grey plane gets its means after replication.
            Normalization::CaffeBgr if in_c == 3 => (IMAGENET_MEAN_BGR[2 - c], 1.0, 2 - c),
            Normalization::CaffeBgr => (0.0, 1.0, c),
            // Refused by `check` before any image is processed.
            Normalization::BySize { subset, .. } => subset.channel(c, in_c),
        }
    }

    /// Means subtracted from the three output channels after grey was replicated to RGB.
    fn after_replication(&self, in_c: usize) -> Option<[f32; 3]> {
        (matches!(self, Normalization::CaffeBgr) && in_c == 1).then_some(IMAGENET_MEAN_BGR)
    }

    fn check(&self, channels: usize, grey_to_rgb: bool) -> Result<()> {
        let (means, stds): (Vec<f32>, Vec<f32>) = match self {
            Normalization::BySize { full_len, .. } => {
                return Err(DataError::invalid(
                    "normalization",
                    format!(
                        "depends on the training size (the constants, or the data's own mean/std at all {full_len} \
                         images): resolve it with Preprocess::for_training_size first"
                    ),
                ))
            }
            Normalization::CaffeBgr => {
                if channels == 3 || (channels == 1 && grey_to_rgb) {
                    return Ok(());
                }
                return Err(DataError::invalid(
                    "normalization",
                    format!(
                        "caffe-bgr input needs RGB images or grey replicated to RGB, not {channels}-channel \
                         images{}",
                        if grey_to_rgb { "" } else { " without grey_to_rgb" }
                    ),
                ));
            }
            Normalization::Scalar { mean, std } => (vec![*mean], vec![*std]),
            Normalization::PerChannel { mean, std } => {
                if mean.len() != channels || std.len() != channels {
                    return Err(DataError::invalid(
                        "normalization",
                        format!(
                            "{} means and {} stds for {channels}-channel images",
                            mean.len(),
                            std.len()
                        ),
                    ));
                }
                (mean.clone(), std.clone())
            }
        };
        if means.iter().any(|m| !m.is_finite()) || stds.iter().any(|s| !(s.is_finite() && *s > 0.0))
        {
            return Err(DataError::invalid(
                "normalization",
                format!("means {means:?} must be finite and stds {stds:?} finite and positive"),
            ));
        }
        Ok(())
    }
}

/// What is done to each image of a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Preprocess {
    pub normalization: Normalization,
    /// Output `(height, width)`; None keeps the stored size.
    pub size: Option<(usize, usize)>,
    /// Replicate a single grey channel to three (RGB) after resizing.
    pub grey_to_rgb: bool,
}

/// A preprocessed batch: `images` holds `shape = [N, C, H, W]` values, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub images: Vec<f32>,
    pub shape: [usize; 4],
    /// Class indices (i64, burn's usual integer element type).
    pub labels: Vec<i64>,
}

impl Preprocess {
    /// The paper's pipeline for `kind`: its constants, 227x227, grey to RGB for Fashion-MNIST.
    pub fn paper(kind: DatasetKind) -> Self {
        Preprocess {
            normalization: kind.paper_normalization(),
            size: Some((PAPER_INPUT_SIZE, PAPER_INPUT_SIZE)),
            grey_to_rgb: kind == DatasetKind::FashionMnist,
        }
    }

    /// The same pipeline with another output size (e.g. a small CPU configuration).
    pub fn with_size(mut self, size: Option<(usize, usize)>) -> Self {
        self.size = size;
        self
    }

    /// This pipeline for a run on the first `n` images of the training split (docs/decisions.md
    /// D-IMG-12): a size-dependent normalisation resolved, everything else kept.
    pub fn for_training_size(&self, n: usize) -> Preprocess {
        Preprocess {
            normalization: self.normalization.for_training_size(n).clone(),
            ..self.clone()
        }
    }

    /// This pipeline as fed to the IN-Weight conditions under `input` (docs/decisions.md D-IMG-13).
    pub fn for_in_weight(&self, input: InWeightInput) -> Preprocess {
        match input {
            InWeightInput::Dataset => self.clone(),
            InWeightInput::CaffeBgr => Preprocess {
                normalization: Normalization::CaffeBgr,
                ..self.clone()
            },
        }
    }

    /// `[C, H, W]` of one output image for images of `set`.
    pub fn output_shape(&self, set: &ImageSet) -> Result<[usize; 3]> {
        self.normalization.check(set.channels(), self.grey_to_rgb)?;
        if self.grey_to_rgb && set.channels() != 1 {
            return Err(DataError::invalid(
                "grey_to_rgb",
                format!("needs 1-channel images, these have {}", set.channels()),
            ));
        }
        let (h, w) = self.size.unwrap_or((set.height(), set.width()));
        if h == 0 || w == 0 {
            return Err(DataError::invalid(
                "output size",
                format!("{h}x{w} is empty"),
            ));
        }
        let c = if self.grey_to_rgb { 3 } else { set.channels() };
        Ok([c, h, w])
    }

    /// Preprocesses the images of `set` at `indices` (in that order).
    pub fn batch(&self, set: &ImageSet, indices: &[usize]) -> Result<Batch> {
        let [c, h, w] = self.output_shape(set)?;
        // A typed batch size times a typed side: checked (docs/decisions.md D-PLAN-3).
        let len = [c, h, w]
            .iter()
            .try_fold(indices.len(), |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| {
                DataError::invalid(
                    "batch",
                    format!(
                        "{} images of {c}x{h}x{w} overflow the address space",
                        indices.len()
                    ),
                )
            })?;
        let mut images = vec![0.0; len];
        self.batch_into(set, indices, &mut images)?;
        Ok(Batch {
            images,
            shape: [indices.len(), c, h, w],
            labels: indices
                .iter()
                .map(|&i| i64::from(set.labels()[i]))
                .collect(),
        })
    }

    /// As [`Preprocess::batch`], writing the images into `out` (reused across batches);
    /// `out.len()` must be `indices.len() * C * H * W`. Images are processed in parallel.
    pub fn batch_into(&self, set: &ImageSet, indices: &[usize], out: &mut [f32]) -> Result<()> {
        let [c_out, h, w] = self.output_shape(set)?;
        let out_len = c_out * h * w;
        if out.len() != indices.len() * out_len {
            return Err(DataError::invalid(
                "output buffer",
                format!(
                    "{} values for {} images of {c_out}x{h}x{w} (expected {})",
                    out.len(),
                    indices.len(),
                    indices.len() * out_len
                ),
            ));
        }
        if let Some(&bad) = indices.iter().find(|&&i| i >= set.len()) {
            return Err(DataError::invalid(
                "image index",
                format!("{bad} is out of range for a split of {} images", set.len()),
            ));
        }
        let (in_c, in_h, in_w) = (set.channels(), set.height(), set.width());
        let resizer = Resizer::new(in_h, in_w, h, w);
        let plane_in = in_h * in_w;
        let plane_out = h * w;
        out.par_chunks_mut(out_len)
            .zip(indices.par_iter())
            .for_each_init(
                || (vec![0.0f32; plane_in], vec![0.0f32; resizer.scratch_len()]),
                |(normalized, scratch), (dst, &i)| {
                    let image = set.image(i);
                    for c in 0..in_c {
                        let (mean, std, out_c) = self.normalization.channel(c, in_c);
                        let src = &image[c * plane_in..(c + 1) * plane_in];
                        for (n, &p) in normalized.iter_mut().zip(src) {
                            *n = (f32::from(p) - mean) / std;
                        }
                        resizer.resize_plane(
                            normalized,
                            scratch,
                            &mut dst[out_c * plane_out..(out_c + 1) * plane_out],
                        );
                    }
                    if self.grey_to_rgb {
                        let (grey, rest) = dst.split_at_mut(plane_out);
                        rest[..plane_out].copy_from_slice(grey);
                        rest[plane_out..].copy_from_slice(grey);
                    }
                    if let Some(means) = self.normalization.after_replication(in_c) {
                        for (plane, mean) in dst.chunks_mut(plane_out).zip(means) {
                            plane.iter_mut().for_each(|v| *v -= mean);
                        }
                    }
                },
            );
        Ok(())
    }
}
