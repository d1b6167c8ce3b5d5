//! The image training runner on a tiny synthetic task: all six conditions from identical
//! starts, frozen networks resetting, fluid ones not, and the result table.

use burn::backend::{Autodiff, Flex};
use polarity_core::{NamedTensors, ResetMethod, ResetRule};
use polarity_image_train::{run_conditions, table, ImageBatches, RunPlan, TrainOptions};
use polarity_images::conditions::{Condition, PolaritySource};
use polarity_images::Batch;
use polarity_models::{NetworkConfig, PretrainedWeights, SmallCnnConfig};

type B = Autodiff<Flex>;

/// 1-channel 12x12 images whose class is given by which quadrant is bright (4 classes).
struct Quadrants {
    n: usize,
}

impl ImageBatches for Quadrants {
    fn len(&self) -> usize {
        self.n
    }
    fn batch(&self, indices: &[usize]) -> Result<Batch, polarity_image_train::Error> {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for &i in indices {
            let class = i % 4;
            for r in 0..12 {
                for c in 0..12 {
                    let q = (r / 6) * 2 + c / 6;
                    let noise = ((i * 31 + r * 7 + c * 3) % 11) as f32 / 11.0 - 0.5;
                    x.push(if q == class { 1.0 } else { -0.5 } + 0.3 * noise);
                }
            }
            y.push(class as i64);
        }
        Ok(Batch {
            images: x,
            shape: [indices.len(), 1, 12, 12],
            labels: y,
        })
    }
}

fn tiny_cnn() -> SmallCnnConfig {
    SmallCnnConfig {
        input_size: 12,
        in_channels: 1,
        conv_channels: [3, 4],
        fc_units: [12, 8],
        num_classes: 4,
    }
}

#[test]
fn all_six_conditions_train_from_identical_starts() {
    let network = NetworkConfig::SmallCnn(tiny_cnn());
    let init = network.initial_values(5, 0).unwrap();
    // "Pretrained" weights for the conv layers only (fc layers are then new layers).
    let mut pre = NamedTensors::default();
    for name in ["conv1.weight", "conv2.weight", "conv1.bias"] {
        let (s, v) = init.get(name).unwrap();
        pre.insert(name, s.to_vec(), v.iter().map(|w| -w * 2.0).collect());
    }
    let pretrained = PretrainedWeights {
        tensors: pre,
        source: "synthetic".into(),
        format: "test".into(),
        sha256: String::new(),
        checksum_verified: None,
        unused: vec![],
    };
    let plan = RunPlan {
        dataset: "quadrants".into(),
        n_train: 64,
        trial: 0,
        experiment_seed: 5,
        network,
        conditions: Condition::ALL.to_vec(),
        options: TrainOptions {
            epochs: 6,
            batch_size: 16,
            lr: 1e-2,
            reset: ResetRule::new(ResetMethod::PosRand, 1e-3),
            ..TrainOptions::default()
        },
    };
    let device = Default::default();
    let mut steps = 0;
    let results = run_conditions::<B>(
        &plan,
        Some(&pretrained),
        &Quadrants { n: 64 },
        &Quadrants { n: 40 },
        &device,
        &mut |_, _| steps += 1,
    )
    .unwrap();
    assert_eq!(steps, 6 * 6 * 4);
    assert_eq!(results.len(), 6);
    let by = |source, frozen| {
        results
            .iter()
            .find(|r| r.condition == Condition::new(source, frozen))
            .unwrap()
    };
    for r in &results {
        assert_eq!(r.result.kernels.len(), 5);
        assert_eq!(r.result.records.len(), 6);
        let first = &r.result.records[0];
        let last = r.result.records.last().unwrap();
        assert!(
            last.train_loss < first.train_loss,
            "{}: loss {} -> {}",
            r.condition,
            first.train_loss,
            last.train_loss
        );
        let resets: u64 = r.result.records.iter().flat_map(|e| e.resets.iter()).sum();
        if r.condition.frozen {
            assert!(resets > 0, "{}: frozen networks reset weights", r.condition);
        } else {
            assert_eq!(resets, 0, "{}: fluid networks never reset", r.condition);
        }
    }
    // Frozen and fluid partners start identically: same histogram, same first-epoch flips can
    // differ, but the starting weights' magnitudes are the same for RAND and IN-Polarity.
    assert_eq!(
        by(PolaritySource::Rand, true).initial_magnitudes,
        by(PolaritySource::Rand, false).initial_magnitudes
    );
    assert_eq!(
        by(PolaritySource::Rand, true).initial_magnitudes,
        by(PolaritySource::InPolarity, true).initial_magnitudes
    );
    assert_ne!(
        by(PolaritySource::Rand, true).initial_magnitudes,
        by(PolaritySource::InWeight, true).initial_magnitudes
    );
    // IN-Polarity flipped the random conv kernels whose sign disagreed with the pretrained ones:
    // here the pretrained weights are the negated init, so every non-zero entry flipped.
    let aligned: usize = by(PolaritySource::InPolarity, true)
        .aligned
        .iter()
        .map(|(_, n)| n)
        .sum();
    let conv_entries: usize = ["conv1.weight", "conv2.weight"]
        .iter()
        .map(|n| init.get(n).unwrap().1.len())
        .sum();
    assert_eq!(aligned, conv_entries);
    let (header, rows) = table(&plan, &results);
    assert_eq!(rows.len(), 36);
    assert!(
        header.contains(&"resets_conv1".to_string()) && header.contains(&"flips_out".to_string())
    );
    assert!(rows.iter().all(|r| r.len() == header.len()));
}
