//! A split of a dataset held as raw 8-bit pixels, and the ways the experiments take parts of it.
use crate::error::{DataError, Result};
use rand::seq::index;

/// Images with their labels, pixels stored channel-first per image (`[N, C, H, W]`, 0-255).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSet {
    channels: usize,
    height: usize,
    width: usize,
    num_classes: usize,
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl ImageSet {
    /// Checks that the pixel buffer holds exactly one `channels x height x width` image per label
    /// and that every label is below `num_classes`.
    pub fn new(
        channels: usize,
        height: usize,
        width: usize,
        num_classes: usize,
        pixels: Vec<u8>,
        labels: Vec<u8>,
    ) -> Result<Self> {
        let image_len = channels * height * width;
        if image_len == 0 {
            return Err(DataError::invalid(
                "image shape",
                format!("{channels}x{height}x{width} has no pixels"),
            ));
        }
        if pixels.len() != labels.len() * image_len {
            return Err(DataError::invalid(
                "pixel buffer",
                format!(
                    "{} bytes for {} labels of {channels}x{height}x{width} images (expected {})",
                    pixels.len(),
                    labels.len(),
                    labels.len() * image_len
                ),
            ));
        }
        if let Some((i, &l)) = labels
            .iter()
            .enumerate()
            .find(|(_, &l)| usize::from(l) >= num_classes)
        {
            return Err(DataError::invalid(
                "labels",
                format!("label {l} at index {i} is not below the class count {num_classes}"),
            ));
        }
        Ok(ImageSet {
            channels,
            height,
            width,
            num_classes,
            pixels,
            labels,
        })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    pub fn channels(&self) -> usize {
        self.channels
    }
    pub fn height(&self) -> usize {
        self.height
    }
    pub fn width(&self) -> usize {
        self.width
    }
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }
    pub fn image_len(&self) -> usize {
        self.channels * self.height * self.width
    }
    /// All pixels, `[N, C, H, W]`.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }
    /// The pixels of image `i`, `[C, H, W]`. Panics if `i` is out of range.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.image_len();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// Number of images per class, indexed by label.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.num_classes];
        for &l in &self.labels {
            counts[usize::from(l)] += 1;
        }
        counts
    }

    /// The first `n` images in file order. The paper's training subsets are "the first N
    /// examples", so subsets of different sizes are nested and identical across trials.
    pub fn first_n(&self, n: usize) -> Result<ImageSet> {
        if n > self.len() {
            return Err(DataError::invalid(
                "training size",
                format!(
                    "asked for the first {n} images of a split that has {}",
                    self.len()
                ),
            ));
        }
        let indices: Vec<usize> = (0..n).collect();
        self.subset(&indices)
    }

    /// The images at `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> Result<ImageSet> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(DataError::invalid(
                "image index",
                format!("{bad} is out of range for a split of {} images", self.len()),
            ));
        }
        let mut pixels = Vec::with_capacity(indices.len() * self.image_len());
        for &i in indices {
            pixels.extend_from_slice(self.image(i));
        }
        let labels = indices.iter().map(|&i| self.labels[i]).collect();
        Ok(ImageSet {
            channels: self.channels,
            height: self.height,
            width: self.width,
            num_classes: self.num_classes,
            pixels,
            labels,
        })
    }

    /// Keeps only the images of `classes` (in file order) and relabels class `classes[k]` to `k`,
    /// e.g. `[5, 6, 7, 8, 9]` gives a 5-class set with labels 0..4 (transfer studies).
    pub fn filter_classes(&self, classes: &[u8]) -> Result<ImageSet> {
        if classes.is_empty() {
            return Err(DataError::invalid("class list", "it is empty"));
        }
        let mut new_label = vec![None; self.num_classes];
        for (k, &c) in classes.iter().enumerate() {
            let slot = new_label.get_mut(usize::from(c)).ok_or_else(|| {
                DataError::invalid(
                    "class list",
                    format!(
                        "class {c} is not below the class count {}",
                        self.num_classes
                    ),
                )
            })?;
            if slot.is_some() {
                return Err(DataError::invalid(
                    "class list",
                    format!("class {c} appears twice"),
                ));
            }
            *slot = Some(k as u8);
        }
        let kept: Vec<usize> = (0..self.len())
            .filter(|&i| new_label[usize::from(self.labels[i])].is_some())
            .collect();
        let mut set = self.subset(&kept)?;
        for l in &mut set.labels {
            *l = new_label[usize::from(*l)].expect("kept images have a new label");
        }
        set.num_classes = classes.len();
        Ok(set)
    }
}

/// Which test images are used for validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationSplit {
    /// The whole test split, as the paper (10 000 images).
    Full,
    /// A fixed random subset of the test split (for CPU runs): `size` distinct images drawn
    /// without replacement from a generator derived from `seed`, kept in file order. The same
    /// seed and size give the same images for every condition and trial.
    SeededSubset { size: usize, seed: u64 },
}

impl ValidationSplit {
    /// Indices into a test split of `test_len` images, ascending.
    pub fn indices(&self, test_len: usize) -> Result<Vec<usize>> {
        match *self {
            ValidationSplit::Full => Ok((0..test_len).collect()),
            ValidationSplit::SeededSubset { size, seed } => {
                if size > test_len {
                    return Err(DataError::invalid(
                        "validation subset size",
                        format!("{size} is larger than the test split ({test_len} images)"),
                    ));
                }
                let mut rng = polarity_core::seed::rng(
                    seed,
                    &[polarity_core::seed::label("validation-subset"), size as u64],
                );
                let mut picked = index::sample(&mut rng, test_len, size).into_vec();
                picked.sort_unstable();
                Ok(picked)
            }
        }
    }

    pub fn apply(&self, test: &ImageSet) -> Result<ImageSet> {
        test.subset(&self.indices(test.len())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1x1x2 images whose pixels encode their index, labels cycling 0..3.
    fn numbered(n: usize) -> ImageSet {
        let pixels = (0..n).flat_map(|i| [i as u8, 100 + i as u8]).collect();
        let labels = (0..n).map(|i| (i % 4) as u8).collect();
        ImageSet::new(1, 1, 2, 4, pixels, labels).unwrap()
    }

    #[test]
    fn new_rejects_inconsistent_buffers_and_labels() {
        assert!(ImageSet::new(1, 2, 2, 10, vec![0; 7], vec![0; 2]).is_err());
        let err = ImageSet::new(1, 1, 1, 10, vec![0; 2], vec![3, 10]).unwrap_err();
        assert!(err.to_string().contains("label 10 at index 1"), "{err}");
    }

    #[test]
    fn first_n_is_a_nested_prefix() {
        let set = numbered(10);
        let small = set.first_n(3).unwrap();
        let large = set.first_n(7).unwrap();
        assert_eq!(small.len(), 3);
        assert_eq!(large.first_n(3).unwrap(), small);
        assert_eq!(small.image(2), &[2, 102]);
        assert_eq!(small.labels(), &[0, 1, 2]);
        assert!(set.first_n(11).is_err());
    }

    #[test]
    fn filter_classes_keeps_order_and_relabels() {
        let set = numbered(10); // labels 0 1 2 3 0 1 2 3 0 1
        let f = set.filter_classes(&[3, 1]).unwrap();
        assert_eq!(f.num_classes(), 2);
        // Kept images 1,3,5,7,9 (labels 1,3,1,3,1) relabelled 3->0, 1->1.
        assert_eq!(f.labels(), &[1, 0, 1, 0, 1]);
        let firsts: Vec<u8> = (0..f.len()).map(|i| f.image(i)[0]).collect();
        assert_eq!(firsts, vec![1, 3, 5, 7, 9]);
        assert_eq!(f.class_counts(), vec![2, 3]);
        assert!(set.filter_classes(&[1, 1]).is_err());
        assert!(set.filter_classes(&[4]).is_err());
        assert!(set.filter_classes(&[]).is_err());
    }

    #[test]
    fn seeded_validation_subset_is_fixed_distinct_and_sorted() {
        let a = ValidationSplit::SeededSubset { size: 50, seed: 7 };
        let ia = a.indices(1000).unwrap();
        assert_eq!(ia, a.indices(1000).unwrap());
        assert_eq!(ia.len(), 50);
        assert!(ia.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
        assert!(ia.iter().all(|&i| i < 1000));
        let other = ValidationSplit::SeededSubset { size: 50, seed: 8 };
        assert_ne!(ia, other.indices(1000).unwrap());
        assert_eq!(ValidationSplit::Full.indices(4).unwrap(), vec![0, 1, 2, 3]);
        assert!(a.indices(49).is_err());
        let set = numbered(60);
        let sub = a.apply(&set).unwrap();
        let expected: Vec<u8> = a.indices(60).unwrap().iter().map(|&i| i as u8).collect();
        let got: Vec<u8> = (0..sub.len()).map(|i| sub.image(i)[0]).collect();
        assert_eq!(got, expected);
    }
}
