//! Networks: documented paths and shapes, forward shapes, and the registry's view of them.

use burn::backend::{Autodiff, Flex};
use burn::tensor::backend::AutodiffBackend;
use polarity_burn::{param_specs, Selection};
use polarity_models::{
    ImageClassifier, NetworkConfig, NetworkJob, NetworkKind, PaperAlexNetConfig, SmallCnnConfig,
    TorchAlexNetConfig, TrainableClassifier,
};

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

/// The registry lists the same kernels, in the same order, as the built networks.
#[test]
fn registry_kernel_specs_match_the_built_networks() {
    struct Specs;
    impl<B: AutodiffBackend> NetworkJob<B> for Specs {
        type Output = Vec<polarity_burn::TensorSpec>;
        fn run<M: TrainableClassifier<B>>(self, model: M) -> Self::Output {
            param_specs::<B, M>(&model, Selection::Kernels)
        }
    }
    type AD = Autodiff<Flex>;
    let device = Default::default();
    let mut configs: Vec<NetworkConfig> = NetworkKind::ALL
        .into_iter()
        .map(|k| NetworkConfig::new(k, 3, Some(67), 16))
        .collect();
    configs
        .push(NetworkConfig::new(NetworkKind::PaperAlexnet, 3, Some(67), 16).with_caffe_groups());
    for network in configs {
        let init = network.initial_values(1, 0).unwrap();
        let built = network.run_with::<AD, _>(&init, &device, Specs).unwrap();
        assert_eq!(network.kernel_specs().unwrap(), built, "{network:?}");
    }
    // The weights must cover the network exactly.
    let network = NetworkConfig::new(NetworkKind::SmallCnn, 1, None, 1);
    let mut extra = network.initial_values(1, 0).unwrap();
    extra.insert("nope.weight", vec![1], vec![0.0]);
    let e = network
        .run_with::<AD, _>(&extra, &device, Specs)
        .unwrap_err()
        .to_string();
    assert!(e.contains("'nope.weight'"), "{e}");
}

#[test]
fn network_names_input_sides_and_channels() {
    for kind in NetworkKind::ALL {
        assert_eq!(kind.name().parse::<NetworkKind>().unwrap(), kind);
        assert_eq!(NetworkConfig::new(kind, 3, None, 1).kind(), kind, "{kind}");
    }
    assert!("alexnet".parse::<NetworkKind>().is_err());
    assert_eq!(NetworkKind::SmallCnn.input_channels(1), 1);
    assert_eq!(NetworkKind::PaperAlexnet.input_channels(1), 3);
    let torch = NetworkConfig::new(NetworkKind::TorchAlexnet, 3, None, 1);
    assert_eq!(torch.input_side(None), 224);
    assert_eq!(torch.input_side(Some(100)), 100);
    assert!(torch.check_input_side(62).is_err() && torch.check_input_side(63).is_ok());
    let paper = NetworkConfig::new(NetworkKind::PaperAlexnet, 3, Some(67), 8);
    assert_eq!(paper.input_side(Some(99)), 67);
    // Serialized as before the registry existed (sweep configs hash it).
    let json = serde_json::to_value(NetworkConfig::new(NetworkKind::SmallCnn, 1, None, 1)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"SmallCnn": {"input_size": 28, "in_channels": 1,
            "conv_channels": [6, 16], "fc_units": [120, 84], "num_classes": 10}})
    );
}
