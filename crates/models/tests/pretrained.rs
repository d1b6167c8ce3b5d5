//! Weight loaders against fixtures written by numpy/safetensors and torch.save-format writers
//! (polarity-weights' scripts/make_fixtures.py); expected values come from the script's JSON
//! dump.

use burn::backend::Flex;
use polarity_burn::{set_param_values, NamedTensors, WeightLayout};
use polarity_models::pretrained::{load_caffe_alexnet, load_torchvision_alexnet, read_tensor_file};
use polarity_models::{GroupedLayers, ImageClassifier, PaperAlexNetConfig, TorchAlexNetConfig};
use std::path::{Path, PathBuf};

/// The weight fixtures live with the framework-free readers in polarity-weights.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../weights/tests/fixtures")
        .join(name)
}

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap()
}

fn values(v: &serde_json::Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn shape(v: &serde_json::Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn tiny_torch(classes: usize) -> TorchAlexNetConfig {
    TorchAlexNetConfig {
        conv_channels: [4, 6, 8, 6, 6],
        fc_units: [12, 12],
        pool_size: 1,
        num_classes: classes,
        ..TorchAlexNetConfig::default()
    }
}

fn tiny_paper() -> PaperAlexNetConfig {
    PaperAlexNetConfig {
        input_size: 67,
        conv_channels: [4, 8, 8, 8, 4],
        fc_units: [16, 16, 6],
        ..PaperAlexNetConfig::default()
    }
}

#[test]
fn every_torch_format_reads_the_same_tensors_as_written() {
    let exp = expected();
    let tv = exp["torchvision"].as_object().unwrap();
    for file in [
        "tv_alexnet_zip.pth",
        "tv_alexnet_nested_zip.pth",
        "tv_alexnet_legacy.pth",
        "tv_alexnet.safetensors",
    ] {
        let raw = read_tensor_file(&fixture(file), WeightLayout::PyTorch)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(raw.layout, WeightLayout::PyTorch);
        let raw = raw.tensors;
        assert_eq!(raw.len(), tv.len(), "{file}");
        for (name, t) in tv {
            let (s, v) = raw
                .get(name)
                .unwrap_or_else(|| panic!("{file}: {name} missing"));
            assert_eq!(s, shape(&t["shape"]).as_slice(), "{file} {name}");
            assert_eq!(v, values(&t["values"]).as_slice(), "{file} {name}");
        }
    }
}

#[test]
fn torchvision_weights_map_to_burn_names_and_layouts() {
    let exp = expected();
    let tv = &exp["torchvision"];
    let w = load_torchvision_alexnet(&fixture("tv_alexnet_zip.pth"), &tiny_torch(10)).unwrap();
    assert_eq!(w.format, "torch-pth");
    assert_eq!(
        w.checksum_verified, None,
        "no published checksum for a fixture"
    );
    assert_eq!(w.sha256.len(), 64);
    // The 1000-way (here 5-way) head does not fit a 10-class network: left out and reported.
    assert_eq!(
        w.unused,
        vec![
            "classifier.6.bias".to_string(),
            "classifier.6.weight".to_string()
        ]
    );
    assert!(w.tensors.get("fc8.weight").is_none());
    // conv: same layout
    assert_eq!(
        w.tensors.get("conv2.weight").unwrap().1,
        values(&tv["features.3.weight"]["values"]).as_slice()
    );
    // linear: PyTorch [out, in] = [12, 6] becomes burn [in, out] = [6, 12]
    let (s, v) = w.tensors.get("fc6.weight").unwrap();
    assert_eq!(s, &[6, 12]);
    let src = values(&tv["classifier.1.weight"]["values"]);
    for o in 0..12 {
        for i in 0..6 {
            assert_eq!(v[i * 12 + o], src[o * 6 + i]);
        }
    }
    // fc7 is square (12 x 12): transposed too, although its shape alone could not tell.
    let (s, v) = w.tensors.get("fc7.weight").unwrap();
    assert_eq!(s, &[12, 12]);
    let src = values(&tv["classifier.4.weight"]["values"]);
    assert_ne!(v, src.as_slice(), "the fixture's fc7 is not symmetric");
    for o in 0..12 {
        for i in 0..12 {
            assert_eq!(v[i * 12 + o], src[o * 12 + i]);
        }
    }
    // With a 5-class network the head is loaded too.
    let w5 = load_torchvision_alexnet(&fixture("tv_alexnet.safetensors"), &tiny_torch(5)).unwrap();
    assert!(w5.unused.is_empty());
    assert_eq!(w5.format, "safetensors");
    assert_eq!(w5.tensors.get("fc8.weight").unwrap().0, &[12, 5]);
    // The tensors load into the network and it runs (63x63 is torchvision's minimum input).
    let device = Default::default();
    let model = set_param_values(
        tiny_torch(5).init_zeros::<Flex>(&device),
        &w5.tensors,
        &device,
    )
    .unwrap();
    let out = model.forward(burn::tensor::Tensor::ones([2, 3, 63, 63], &device));
    assert_eq!(out.dims(), [2, 5]);
    // Signs of the kernels: the fixture's exact zero at entry 0 is a free template entry.
    let t = w5.kernel_template();
    assert_eq!(t.tensor("conv1.weight").unwrap().signs()[0], 0);
    assert!(t.tensor("conv1.bias").is_none());
    assert!(t.provenance.source.contains(&w5.sha256));
}

#[test]
fn published_checksum_mismatch_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alexnet-owt-7be5be79.pth");
    std::fs::copy(fixture("tv_alexnet_zip.pth"), &path).unwrap();
    let e = load_torchvision_alexnet(&path, &tiny_torch(10))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("does not match the published") && e.contains("alexnet-owt-7be5be79.pth"),
        "{e}"
    );
}

#[test]
fn wrong_network_lists_every_mismatch() {
    let e = load_torchvision_alexnet(
        &fixture("tv_alexnet_zip.pth"),
        &TorchAlexNetConfig::default(),
    )
    .unwrap_err()
    .to_string();
    for name in [
        "features.0.weight",
        "features.10.weight",
        "classifier.4.weight",
    ] {
        assert!(e.contains(name), "{name} not in: {e}");
    }
}

fn caffe_expected(layer: &str) -> (Vec<usize>, Vec<f32>) {
    let exp = expected();
    let l = &exp["caffe"][layer];
    (shape(&l["shape"][0]), values(&l["weights"]))
}

#[test]
fn caffe_npy_in_both_pickle_protocols_expands_grouped_layers_block_diagonally() {
    let a = load_caffe_alexnet(
        &fixture("caffe_alexnet_tiny.npy"),
        &tiny_paper(),
        GroupedLayers::ExpandFree,
    )
    .unwrap();
    let b = load_caffe_alexnet(
        &fixture("caffe_alexnet_tiny_p2.npy"),
        &tiny_paper(),
        GroupedLayers::ExpandFree,
    )
    .unwrap();
    assert_eq!(a.tensors, b.tensors);
    assert_eq!(a.format, "caffe-npy");
    // conv2 in TF order (5, 5, 2, 8), 2 groups -> burn [8, 4, 5, 5], block-diagonal.
    let (tf_shape, tf) = caffe_expected("conv2");
    assert_eq!(tf_shape, vec![5, 5, 2, 8]);
    let (s, v) = a.tensors.get("conv2.weight").unwrap();
    assert_eq!(s, &[8, 4, 5, 5]);
    for o in 0..8 {
        for i in 0..4 {
            for y in 0..5 {
                for x in 0..5 {
                    let got = v[((o * 4 + i) * 5 + y) * 5 + x];
                    let (go, gi) = (o / 4, i / 2);
                    let want = if go == gi {
                        tf[((y * 5 + x) * 2 + i % 2) * 8 + o]
                    } else {
                        0.0
                    };
                    assert_eq!(got, want, "conv2[{o}, {i}, {y}, {x}]");
                }
            }
        }
    }
    // Template: the off-diagonal half is 0 = free (plus the fixture's one exact zero).
    let t = a.kernel_template();
    for layer in ["conv2.weight", "conv4.weight", "conv5.weight"] {
        let signs = t.tensor(layer).unwrap().signs();
        let zeros = signs.iter().filter(|s| **s == 0).count();
        assert_eq!(zeros, signs.len() / 2 + 1, "{layer}");
    }
    assert_eq!(
        t.tensor("conv3.weight")
            .unwrap()
            .signs()
            .iter()
            .filter(|s| **s == 0)
            .count(),
        1
    );
    // fc layers are already [in, out]; biases are taken as they are.
    assert_eq!(
        a.tensors.get("fc7.weight").unwrap().1,
        caffe_expected("fc7").1.as_slice()
    );
    let device = Default::default();
    let model = set_param_values(
        tiny_paper().init_zeros::<Flex>(&device).unwrap(),
        &a.tensors,
        &device,
    )
    .unwrap();
    assert_eq!(
        model
            .forward(burn::tensor::Tensor::ones([1, 3, 67, 67], &device))
            .dims(),
        [1, 10]
    );
}

#[test]
fn caffe_grouped_option_keeps_the_blocks_for_a_grouped_network() {
    let cfg = tiny_paper().caffe_groups();
    let w = load_caffe_alexnet(
        &fixture("caffe_alexnet_tiny.npy"),
        &cfg,
        GroupedLayers::Grouped,
    )
    .unwrap();
    assert_eq!(w.tensors.get("conv2.weight").unwrap().0, &[8, 2, 5, 5]);
    let t = w.kernel_template();
    assert_eq!(
        t.tensor("conv4.weight")
            .unwrap()
            .signs()
            .iter()
            .filter(|s| **s == 0)
            .count(),
        1
    );
    let device = Default::default();
    let model = set_param_values(
        cfg.init_zeros::<Flex>(&device).unwrap(),
        &w.tensors,
        &device,
    )
    .unwrap();
    assert_eq!(
        model
            .forward(burn::tensor::Tensor::ones([1, 3, 67, 67], &device))
            .dims(),
        [1, 10]
    );
    // Asking for the expanded layout with a grouped network is a clear error.
    let e = load_caffe_alexnet(
        &fixture("caffe_alexnet_tiny.npy"),
        &cfg,
        GroupedLayers::ExpandFree,
    )
    .unwrap_err();
    assert!(e.to_string().contains("groups"), "{e}");
}

#[test]
fn caffe_shape_errors_name_the_layers() {
    let e = load_caffe_alexnet(
        &fixture("caffe_alexnet_tiny.npy"),
        &PaperAlexNetConfig::default(),
        GroupedLayers::ExpandFree,
    )
    .unwrap_err()
    .to_string();
    for layer in ["'conv1'", "'conv5'", "'fc6'", "'fc8'"] {
        assert!(e.contains(layer), "{layer} not in: {e}");
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.npy");
    let mut bytes = std::fs::read(fixture("caffe_alexnet_tiny.npy")).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&bad, bytes).unwrap();
    let e = load_caffe_alexnet(&bad, &tiny_paper(), GroupedLayers::ExpandFree)
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad.npy") && e.contains("truncated"), "{e}");
}

#[test]
fn set_param_values_lists_all_mismatches() {
    let device = Default::default();
    let mut t = NamedTensors::default();
    t.insert("conv1.weight", vec![1, 1], vec![0.0]);
    t.insert("nope.weight", vec![1], vec![0.0]);
    let e = set_param_values(
        tiny_paper().init_zeros::<Flex>(&device).unwrap(),
        &t,
        &device,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("'conv1.weight'")
            && e.contains("'nope.weight'")
            && e.contains("model parameters"),
        "{e}"
    );
}

/// A torchvision file read as it is, then converted with the network's structure: the square
/// fc7 comes out transposed, as the loader gives it, and a template from the file's tensors
/// matches the loaded network's signs.
#[test]
fn raw_pytorch_tensors_convert_by_structure() {
    let device = Default::default();
    let config = tiny_torch(5);
    let raw = read_tensor_file(&fixture("tv_alexnet.safetensors"), WeightLayout::PyTorch).unwrap();
    // Renamed to our paths, still in PyTorch's layout.
    let mut ours = NamedTensors::default();
    for (name, theirs) in polarity_models::TORCHVISION_NAMES {
        for suffix in ["weight", "bias"] {
            let (s, v) = raw.tensors.get(&format!("{theirs}.{suffix}")).unwrap();
            ours.insert(format!("{name}.{suffix}"), s.to_vec(), v.to_vec());
        }
    }
    let model = config.init_zeros::<Flex>(&device);
    let burn = polarity_burn::LaidOut::new(raw.layout, ours.clone())
        .into_burn(&model)
        .unwrap();
    let loaded = load_torchvision_alexnet(&fixture("tv_alexnet.safetensors"), &config).unwrap();
    assert_eq!(burn, loaded.tensors);
    // Taking the PyTorch tensors as burn's is refused by the non-square layers.
    let e = polarity_burn::LaidOut::new(WeightLayout::Burn, ours)
        .into_burn(&model)
        .unwrap_err()
        .to_string();
    assert!(e.contains("'fc6.weight'"), "{e}");
    let template = loaded.kernel_template();
    let model = set_param_values(model, &burn, &device).unwrap();
    let own = polarity_burn::kernel_template::<Flex, _>(&model, "loaded");
    for t in &own.tensors {
        assert_eq!(
            template.tensor(t.name()).unwrap().signs(),
            t.signs(),
            "{}",
            t.name()
        );
    }
}

/// burn-store reads a cut legacy `torch.save` file without error and zero-fills the tensors
/// past the cut; the loader must refuse such a file (and a cut zip or safetensors file) instead.
#[test]
fn truncated_weight_files_are_refused_not_zero_filled() {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "tv_alexnet_legacy.pth",
        "tv_alexnet_zip.pth",
        "tv_alexnet.safetensors",
    ] {
        let bytes = std::fs::read(fixture(file)).unwrap();
        let cut = dir.path().join(file);
        std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
        let err = read_tensor_file(&cut, WeightLayout::PyTorch)
            .err()
            .unwrap_or_else(|| panic!("{file}: a cut file was read"));
        let msg = err.to_string();
        assert!(
            msg.contains(file),
            "{file}: error does not name the file: {msg}"
        );
    }
}

/// A burn record written by burn-store's `BurnpackStore` from a module reads back as that
/// module's parameters, in burn's layout whatever the caller assumed; a cut record is refused.
#[test]
fn burnpack_records_read_back_as_the_module_that_wrote_them() {
    use burn_store::{BurnpackStore, ModuleSnapshot};
    let device = Default::default();
    let mut rng = polarity_core::seed::rng(7, &[]);
    let net = polarity_models::SmallCnnConfig::default()
        .init::<Flex>(&device, &mut rng)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.bpk");
    let mut store = BurnpackStore::from_file(&path).auto_extension(false);
    net.save_into(&mut store).unwrap();
    let expected = polarity_burn::named_values(&net, polarity_burn::Selection::All);
    let read = read_tensor_file(&path, WeightLayout::PyTorch).unwrap();
    assert_eq!(read.layout, WeightLayout::Burn);
    assert_eq!(read.tensors.len(), expected.len());
    assert!(expected.len() >= 8, "4 layers, weights and biases");
    for (name, (shape, values)) in expected.0.iter() {
        let (s, v) = read
            .tensors
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(s, shape.as_slice(), "{name}");
        assert_eq!(v, values.as_slice(), "{name}");
    }
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.bpk");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let Err(err) = read_tensor_file(&cut, WeightLayout::Burn) else {
        panic!("a cut Burnpack record was read");
    };
    assert!(err.to_string().contains("cut.bpk"), "{err}");
}
