//! `--in-weight-input caffe-bgr` (docs/decisions.md D-IMG-13) on a tiny RGB network: only the
//! IN-Weight conditions see Caffe's input; every other condition's rows are byte for byte those of
//! the default run, in the plan's condition order; a full-split size uses the split's own
//! normalisation (D-IMG-12).

mod common;

type B = burn::backend::Autodiff<burn::backend::Flex>;

use polarity_burn::ResetRule;
use polarity_core::{NamedTensors, ResetMethod};
use polarity_image_train::TrainOptions;
use polarity_images::conditions::{Condition, PolaritySource};
use polarity_images::{InWeightInput, Normalization, Preprocess};
use polarity_models::{NetworkConfig, PretrainedWeights, SmallCnnConfig};
use polarity_reproduce::images::study::{run_unit_with, unit_images, StudyPlan, Task};

fn task(network: &NetworkConfig) -> Task {
    let data = common::dataset();
    // "Pretrained" weights: the network's own draw for another trial, every parameter but the head.
    let init = network.initial_values(99, 1).unwrap();
    let mut tensors = NamedTensors::default();
    for (name, (shape, values)) in &init.0 {
        if !name.starts_with("out.") {
            tensors.insert(name.clone(), shape.clone(), values.clone());
        }
    }
    Task {
        name: "synthetic".into(),
        train: data.train.first_n(40).unwrap(),
        val: data.test.first_n(30).unwrap(),
        preprocess: Preprocess {
            normalization: Normalization::FASHION_MNIST,
            size: Some((12, 12)),
            grey_to_rgb: true,
        },
        pretrained: Some(PretrainedWeights {
            tensors,
            source: "synthetic".into(),
            format: "test".into(),
            sha256: String::new(),
            checksum_verified: None,
            unused: vec![],
        }),
    }
}

#[test]
fn caffe_input_changes_only_the_in_weight_rows() {
    let network = NetworkConfig::SmallCnn(SmallCnnConfig {
        input_size: 12,
        in_channels: 3,
        conv_channels: [3, 4],
        fc_units: [12, 8],
        num_classes: 10,
    });
    let task = task(&network);
    let plan = StudyPlan {
        network,
        conditions: Condition::ALL.to_vec(),
        options: TrainOptions {
            epochs: 2,
            batch_size: 20,
            reset: ResetRule::new(ResetMethod::PosRand, 1e-3),
            ..TrainOptions::default()
        },
        seed: 4,
        sizes: vec![20],
        trials: 1,
    };
    let device = Default::default();
    let run = |input| run_unit_with::<B>(&plan, &task, 20, 0, input, &device).unwrap();
    let (default, caffe) = (run(InWeightInput::Dataset), run(InWeightInput::CaffeBgr));
    assert_eq!(default.len(), caffe.len());
    // Rows in the plan's condition order, epochs consecutive (the condition is column 4).
    let order: Vec<&str> = default.iter().step_by(2).map(|r| r[4].as_str()).collect();
    let expected: Vec<String> = Condition::ALL.iter().map(|c| c.to_string()).collect();
    assert_eq!(order, expected);
    let mut weight_rows_differ = false;
    for (d, c) in default.iter().zip(&caffe) {
        assert_eq!(d[4], c[4]);
        let condition: Condition = d[4].parse().unwrap();
        if condition.source == PolaritySource::InWeight {
            weight_rows_differ |= d != c;
        } else {
            assert_eq!(d, c, "{} changed with the IN-Weight input", d[4]);
        }
    }
    assert!(
        weight_rows_differ,
        "Caffe's input left IN-Weight's curves unchanged"
    );
}

#[test]
fn a_unit_on_the_whole_pool_uses_its_own_mean_and_std() {
    let network = NetworkConfig::SmallCnn(SmallCnnConfig {
        input_size: 12,
        in_channels: 3,
        conv_channels: [3, 4],
        fc_units: [12, 8],
        num_classes: 10,
    });
    let mut task = task(&network);
    let full = Normalization::scalar_from_data(&task.train);
    task.preprocess.normalization = Normalization::BySize {
        subset: Box::new(Normalization::FASHION_MNIST),
        full: Box::new(full.clone()),
        full_len: task.train.len(),
    };
    let (train, val) = unit_images(&task, task.train.len()).unwrap();
    assert_eq!(train.preprocess.normalization, full);
    assert_eq!(
        val.preprocess.normalization, full,
        "validation is normalised alike"
    );
    let (train, _) = unit_images(&task, 20).unwrap();
    assert_eq!(train.preprocess.normalization, Normalization::FASHION_MNIST);
    let e = unit_images(&task, 41).err().unwrap().to_string();
    assert!(e.contains("training size 41"), "{e}");
}
