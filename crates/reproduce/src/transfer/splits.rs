//! Which images each network of the transfer study sees (docs/decisions.md D-TRANSFER-4, -5):
//! stratified nested target subsets, the per-trial resampled ones, and the source networks'
//! disjoint training subsets with their held-out early-stopping split.

use crate::{ensure, Result};
use polarity_core::seed;
use rand::seq::SliceRandom;

/// Each class's indices (into a labelled pool) in a seeded random order: the first k of every
/// class form the stratified subset of k per class, so subsets of growing k are nested.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassOrder {
    per_class: Vec<Vec<usize>>,
}

impl ClassOrder {
    /// Orders the indices of `labels` (classes `0..classes`) by class, each class shuffled with
    /// `rng(seed, [label("class-order"), class])`.
    pub fn new(labels: &[u8], classes: usize, seed: u64) -> Self {
        let mut per_class = vec![Vec::new(); classes];
        for (i, &l) in labels.iter().enumerate() {
            if let Some(c) = per_class.get_mut(usize::from(l)) {
                c.push(i);
            }
        }
        for (class, idx) in per_class.iter_mut().enumerate() {
            idx.shuffle(&mut seed::rng(
                seed,
                &[seed::label("class-order"), class as u64],
            ));
        }
        Self { per_class }
    }

    /// The smallest class's size: the largest stratified subset.
    pub fn max_per_class(&self) -> usize {
        self.per_class.iter().map(Vec::len).min().unwrap_or(0)
    }

    /// The first `k` of every class, class by class (0's first k, then 1's, ...).
    /// Every image after the first `k` of its class (disjoint from [`ClassOrder::subset`]`(k)`).
    pub fn rest(&self, k: usize) -> Vec<usize> {
        self.per_class
            .iter()
            .flat_map(|c| c.get(k..).unwrap_or_default().iter().copied())
            .collect()
    }

    pub fn subset(&self, k: usize, what: &str) -> Result<Vec<usize>> {
        ensure!(
            k <= self.max_per_class(),
            "{what}: {k} images per class asked, the smallest class has {}",
            self.max_per_class()
        );
        Ok(self
            .per_class
            .iter()
            .flat_map(|c| c[..k].iter().copied())
            .collect())
    }
}

/// The source pool split for `k` source networks: a held-out early-stopping split of `holdout`
/// images, then `k` disjoint training subsets of `images` each (a seeded permutation of the pool
/// cut in order).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSplits {
    pub holdout: Vec<usize>,
    pub train: Vec<Vec<usize>>,
}

impl SourceSplits {
    pub fn new(pool: usize, holdout: usize, k: usize, images: usize, seed: u64) -> Result<Self> {
        let need = holdout + k * images;
        ensure!(
            need <= pool,
            "source splits: {holdout} held-out + {k} sources x {images} images = {need} images, the source classes have {pool}"
        );
        ensure!(
            holdout > 0 && images > 0 && k > 0,
            "source splits: holdout, sources and images must be positive"
        );
        let mut order: Vec<usize> = (0..pool).collect();
        order.shuffle(&mut seed::rng(seed, &[seed::label("source-splits")]));
        let holdout_idx = order[..holdout].to_vec();
        let train = (0..k)
            .map(|s| order[holdout + s * images..holdout + (s + 1) * images].to_vec())
            .collect();
        Ok(Self {
            holdout: holdout_idx,
            train,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn stratified_subsets_are_nested_and_balanced() {
        // 5 classes of unequal sizes (20..=24 images), interleaved.
        let labels: Vec<u8> = (0..110).map(|i| (i % 5) as u8).collect();
        let order = ClassOrder::new(&labels, 5, 3);
        assert_eq!(order.max_per_class(), 22);
        let mut previous = BTreeSet::new();
        for k in [2, 5, 10, 22] {
            let s = order.subset(k, "t").unwrap();
            let set: BTreeSet<usize> = s.iter().copied().collect();
            assert_eq!(set.len(), 5 * k, "distinct");
            for c in 0..5u8 {
                assert_eq!(
                    s.iter().filter(|&&i| labels[i] == c).count(),
                    k,
                    "class {c}"
                );
            }
            assert!(previous.is_subset(&set), "nested at k = {k}");
            let rest: BTreeSet<usize> = order.rest(k).into_iter().collect();
            assert!(rest.is_disjoint(&set), "rest disjoint at k = {k}");
            assert_eq!(
                rest.len() + set.len(),
                110,
                "rest + subset = all at k = {k}"
            );
            previous = set;
        }
        let e = order.subset(23, "target pool").unwrap_err().to_string();
        assert!(e.contains("target pool") && e.contains("22"), "{e}");
        // Another seed: another subset of the same size.
        assert_ne!(
            ClassOrder::new(&labels, 5, 4).subset(5, "t").unwrap(),
            order.subset(5, "t").unwrap()
        );
        assert_eq!(ClassOrder::new(&labels, 5, 3), order);
    }

    #[test]
    fn source_splits_are_disjoint() {
        let s = SourceSplits::new(1000, 100, 5, 150, 9).unwrap();
        let mut all: BTreeSet<usize> = s.holdout.iter().copied().collect();
        assert_eq!(all.len(), 100);
        for t in &s.train {
            assert_eq!(t.len(), 150);
            for &i in t {
                assert!(i < 1000 && all.insert(i), "index {i} used twice");
            }
        }
        let e = SourceSplits::new(1000, 100, 5, 200, 9)
            .unwrap_err()
            .to_string();
        assert!(e.contains("1100") && e.contains("1000"), "{e}");
    }
}
