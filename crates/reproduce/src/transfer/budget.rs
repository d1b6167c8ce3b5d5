//! An equal optimisation budget at every training size (docs/decisions.md D-TRANSFER-5): every
//! target network takes the same number of Adam steps with batch `min(n, max_batch)`, and is
//! evaluated on the test split after each of a fixed number of rounds. The training loop counts
//! in epochs, so a "round" is presented to it as one epoch over the subset tiled to
//! `steps_per_round x batch` positions (position i is image `i mod n`, shuffled per round by
//! the loop's own epoch order).

use polarity_image_train::{ImageBatches, PreparedImages};
use polarity_images::Batch;
use serde::{Deserialize, Serialize};

/// Steps, rounds and the batch-size cap of every target network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// Adam steps in total.
    pub steps: usize,
    /// Evaluations on the test split (after every `steps / rounds` steps).
    pub rounds: usize,
    pub max_batch: usize,
}

impl Budget {
    pub fn steps_per_round(&self) -> usize {
        self.steps / self.rounds.max(1)
    }

    /// The batch size for a subset of `n` images.
    pub fn batch(&self, n: usize) -> usize {
        n.min(self.max_batch).max(1)
    }
}

/// A training subset seen as one round of `steps_per_round` batches.
pub struct Tiled {
    pub images: PreparedImages,
    pub positions: usize,
}

impl Tiled {
    pub fn new(images: PreparedImages, budget: &Budget) -> Self {
        let positions = budget.steps_per_round() * budget.batch(images.set.len());
        Self { images, positions }
    }
}

impl ImageBatches for Tiled {
    fn len(&self) -> usize {
        if self.images.set.is_empty() {
            0
        } else {
            self.positions
        }
    }
    fn batch(&self, indices: &[usize]) -> Result<Batch, polarity_image_train::Error> {
        let n = self.images.set.len();
        let mapped: Vec<usize> = indices.iter().map(|i| i % n).collect();
        self.images.batch(&mapped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polarity_image_train::epoch_order;
    use polarity_images::{ImageSet, Normalization, Preprocess};

    fn tiled(n: usize, budget: &Budget) -> Tiled {
        let pixels = (0..n).map(|i| i as u8).collect();
        let labels = vec![0u8; n];
        let set = ImageSet::new(1, 1, 1, 1, pixels, labels).unwrap();
        Tiled::new(
            PreparedImages {
                set,
                preprocess: Preprocess {
                    normalization: Normalization::Scalar {
                        mean: 0.0,
                        std: 1.0,
                    },
                    size: None,
                    grey_to_rgb: false,
                },
            },
            budget,
        )
    }

    #[test]
    fn a_round_has_the_steps_and_sees_every_image_evenly() {
        let budget = Budget {
            steps: 600,
            rounds: 6,
            max_batch: 50,
        };
        for n in [10, 25, 50, 125, 250] {
            let t = tiled(n, &budget);
            let b = budget.batch(n);
            assert_eq!(t.len().div_ceil(b), 100, "n = {n}: steps per round");
            let order = epoch_order(t.len(), 3, 0);
            let mut seen = vec![0usize; n];
            for chunk in order.chunks(b) {
                for v in t.batch(chunk).unwrap().images {
                    seen[v as usize] += 1;
                }
            }
            let (lo, hi) = (seen.iter().min().unwrap(), seen.iter().max().unwrap());
            assert!(hi - lo <= 1, "n = {n}: counts {lo}..{hi}");
            assert_eq!(seen.iter().sum::<usize>(), 100 * b);
        }
    }
}
