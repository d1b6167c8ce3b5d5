//! A tiny synthetic 10-class dataset shared by the pipeline tests.

use polarity_images::{Dataset, DatasetKind, ImageSet, Provenance, Validation};

pub const SIDE: usize = 16;

/// Class k: a bright vertical bar at column k + 3 on a noisy background (a small LCG, so the
/// data need no random-number crate).
pub fn images(n: usize, salt: u64) -> ImageSet {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ salt;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u8
    };
    let mut pixels = Vec::with_capacity(n * SIDE * SIDE);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let class = (i % 10) as u8;
        labels.push(class);
        for _row in 0..SIDE {
            for col in 0..SIDE {
                let noise = next() % 60;
                pixels.push(if col == usize::from(class) + 3 {
                    200 + noise / 2
                } else {
                    noise
                });
            }
        }
    }
    ImageSet::new(1, SIDE, SIDE, 10, pixels, labels).unwrap()
}

pub fn dataset() -> Dataset {
    Dataset {
        kind: DatasetKind::FashionMnist,
        train: images(600, 1),
        test: images(300, 2),
        provenance: Provenance {
            dataset: DatasetKind::FashionMnist,
            directory: "synthetic".into(),
            validation: Validation::StructureOnly,
            files: vec![],
        },
    }
}
