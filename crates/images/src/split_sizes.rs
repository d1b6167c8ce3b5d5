//! The sizes of each dataset's splits, known before any file is read, so that a plan can refuse
//! a training or validation size larger than the split it draws from (docs/decisions.md D-PLAN-3).

use crate::{cifar10, fashion_mnist, DatasetKind};

/// Images per split and their shape, as the readers check them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitSizes {
    pub train: usize,
    pub test: usize,
    pub channels: usize,
    pub side: usize,
}

impl SplitSizes {
    /// Bytes of one image as read (u8 per channel and pixel).
    pub fn image_bytes(&self) -> usize {
        self.channels * self.side * self.side
    }
}

impl DatasetKind {
    pub fn split_sizes(self) -> SplitSizes {
        match self {
            DatasetKind::FashionMnist => SplitSizes {
                train: fashion_mnist::TRAIN_IMAGES.count,
                test: fashion_mnist::TEST_IMAGES.count,
                channels: 1,
                side: fashion_mnist::HEIGHT,
            },
            DatasetKind::Cifar10 => SplitSizes {
                train: cifar10::ROWS_PER_FILE * cifar10::TRAIN_FILES.len(),
                test: cifar10::ROWS_PER_FILE,
                channels: 3,
                side: cifar10::SIDE,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_split_sizes() {
        // Fashion-MNIST: 60,000 + 10,000 grey 28x28; CIFAR-10: 50,000 + 10,000 RGB 32x32.
        let f = DatasetKind::FashionMnist.split_sizes();
        assert_eq!((f.train, f.test, f.image_bytes()), (60_000, 10_000, 784));
        let c = DatasetKind::Cifar10.split_sizes();
        assert_eq!((c.train, c.test, c.image_bytes()), (50_000, 10_000, 3072));
        assert_eq!(c.image_bytes() + 1, cifar10::ROW_BYTES);
    }
}
