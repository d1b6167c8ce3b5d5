//! Networks (documented paths and shapes, forward shapes) and the image training runner on a
//! tiny synthetic task.

use burn::backend::{Autodiff, Flex};
use polarity_burn::conditions::{Condition, PolaritySource};
use polarity_burn::models::{
    ImageClassifier, PaperAlexNetConfig, SmallCnnConfig, TorchAlexNetConfig,
};
use polarity_burn::run::{run_conditions, table, NetworkConfig, RunPlan};
use polarity_burn::train::{ImageBatches, TrainOptions};
use polarity_burn::weights::PretrainedWeights;
use polarity_burn::{param_specs, Selection};
use polarity_core::{ResetMethod, ResetRule};

type B = Autodiff<Flex>;

#[test]
fn paper_alexnet_has_the_papers_layers() {
    let device = Default::default();
    let specs = param_specs::<Flex, _>(
        &PaperAlexNetConfig::default()
            .init_zeros::<Flex>(&device)
            .unwrap(),
        Selection::Kernels,
    );
    let got: Vec<(String, Vec<usize>)> = specs.into_iter().map(|s| (s.name, s.shape)).collect();
    let want: Vec<(String, Vec<usize>)> = [
        ("conv1.weight", vec![96, 3, 11, 11]),
        ("conv2.weight", vec![256, 96, 5, 5]),
        ("conv3.weight", vec![384, 256, 3, 3]),
        ("conv4.weight", vec![384, 384, 3, 3]),
        ("conv5.weight", vec![256, 384, 3, 3]),
        ("fc6.weight", vec![9216, 4096]),
        ("fc7.weight", vec![4096, 4096]),
        ("fc8.weight", vec![4096, 1000]),
        ("dense.weight", vec![1000, 10]),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_string(), s))
    .collect();
    assert_eq!(got, want);
    // torchvision's channel counts and 6x6 pool
    let tv = param_specs::<Flex, _>(
        &TorchAlexNetConfig::default().init_zeros::<Flex>(&device),
        Selection::Kernels,
    );
    let shapes: Vec<Vec<usize>> = tv.into_iter().map(|s| s.shape).collect();
    assert_eq!(shapes[1], vec![192, 64, 5, 5]);
    assert_eq!(shapes[5], vec![9216, 4096]);
    assert_eq!(shapes[7], vec![4096, 10]);
    assert!(PaperAlexNetConfig {
        input_size: 60,
        ..Default::default()
    }
    .flatten_dim()
    .is_err());
}

#[test]
fn small_networks_run_forward() {
    let device = Default::default();
    let mut rng = polarity_core::seed::rng(1, &[]);
    let paper = PaperAlexNetConfig {
        input_size: 67,
        conv_channels: [4, 8, 8, 8, 4],
        fc_units: [16, 16, 6],
        ..Default::default()
    };
    let m = paper.init::<Flex>(&device, &mut rng).unwrap();
    assert_eq!(
        m.forward(burn::tensor::Tensor::ones([2, 3, 67, 67], &device))
            .dims(),
        [2, 10]
    );
    let cnn = SmallCnnConfig::default()
        .init::<Flex>(&device, &mut rng)
        .unwrap();
    assert_eq!(
        cnn.forward(burn::tensor::Tensor::ones([3, 1, 28, 28], &device))
            .dims(),
        [3, 10]
    );
}

/// 1-channel 12x12 images whose class is given by which quadrant is bright (4 classes).
struct Quadrants {
    n: usize,
}

impl ImageBatches for Quadrants {
    fn len(&self) -> usize {
        self.n
    }
    fn batch(&self, indices: &[usize]) -> anyhow::Result<(Vec<f32>, [usize; 4], Vec<i64>)> {
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
        Ok((x, [indices.len(), 1, 12, 12], y))
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
    let mut pre = polarity_burn::NamedTensors::default();
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
