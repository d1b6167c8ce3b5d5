//! Reading weight files with no network at hand: the format from the first bytes, and a Caffe
//! AlexNet file converted for the network its own shapes describe.

use polarity_weights::caffe::{layout_of, read_layer_dict};
use polarity_weights::{
    detect_file_format, load_caffe_alexnet, load_caffe_alexnet_as_stored, CaffeAlexNet,
    GroupedLayers, WeightFileFormat, CAFFE_GROUPS,
};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn fixtures_are_recognised_by_content() {
    for (file, format) in [
        ("caffe_alexnet_tiny.npy", WeightFileFormat::Npy),
        ("tv_alexnet_zip.pth", WeightFileFormat::TorchZip),
        ("tv_alexnet_legacy.pth", WeightFileFormat::TorchLegacy),
        ("tv_alexnet.safetensors", WeightFileFormat::Safetensors),
    ] {
        assert_eq!(
            detect_file_format(&fixture(file)).unwrap(),
            format,
            "{file}"
        );
    }
    let e = detect_file_format(&fixture("expected.json"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("expected.json") && e.contains("not a weight file"),
        "{e}"
    );
    let e = detect_file_format(&fixture("nope.pth"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nope.pth"), "{e}");
}

#[test]
fn a_caffe_file_describes_its_own_network() {
    // The sizes make_fixtures.py wrote: channels 4-8-8-8-4, fc 16-16-6, fc6 in = 4 (1x1 map).
    let tiny = CaffeAlexNet {
        in_channels: 3,
        conv_channels: [4, 8, 8, 8, 4],
        fc_units: [16, 16, 6],
        fc6_inputs: 4,
        groups: [1; 5],
    };
    let bytes = std::fs::read(fixture("caffe_alexnet_tiny.npy")).unwrap();
    let layers = read_layer_dict(&bytes, "tiny").unwrap();
    assert_eq!(
        layout_of(&layers, GroupedLayers::ExpandFree, "tiny").unwrap(),
        tiny
    );
    assert_eq!(
        layout_of(&layers, GroupedLayers::Grouped, "tiny")
            .unwrap()
            .groups,
        CAFFE_GROUPS
    );
    // Same tensors as the loader given the network explicitly.
    let path = fixture("caffe_alexnet_tiny.npy");
    let stored = load_caffe_alexnet_as_stored(&path, GroupedLayers::ExpandFree).unwrap();
    let given = load_caffe_alexnet(&path, &tiny, GroupedLayers::ExpandFree).unwrap();
    assert_eq!(stored, given);

    // A layer missing and fc6 not fitting conv5 are named.
    let mut broken = layers.clone();
    broken.retain(|(n, _, _)| n != "conv3");
    let e = layout_of(&broken, GroupedLayers::ExpandFree, "b.npy")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("'b.npy'") && e.contains("layer 'conv3' is missing"),
        "{e}"
    );
    let mut odd = layers;
    let fc6 = odd.iter_mut().find(|(n, _, _)| n == "fc6").unwrap();
    fc6.1.shape = vec![8, 8]; // 8 inputs = 4 filters x 2: not a square map
    let e = layout_of(&odd, GroupedLayers::ExpandFree, "o.npy")
        .unwrap_err()
        .to_string();
    assert!(e.contains("'fc6' has 8 inputs"), "{e}");
}

#[test]
fn a_cut_legacy_torch_file_is_refused_before_its_data_is_read_as_zeros() {
    use polarity_weights::torch_legacy::check_legacy_torch;
    let bytes = std::fs::read(fixture("tv_alexnet_legacy.pth")).unwrap();
    check_legacy_torch(&bytes).unwrap();
    for cut in [bytes.len() - 1, bytes.len() - 1000, 2100, 2070, 1000] {
        let e = check_legacy_torch(&bytes[..cut]).unwrap_err();
        assert!(
            e.contains("truncated") || e.contains("pickle truncated"),
            "{cut}: {e}"
        );
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"xx");
    let e = check_legacy_torch(&longer).unwrap_err();
    assert!(e.contains("2 bytes after its last storage"), "{e}");
    // Through the format check, naming the file.
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.pth");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = detect_file_format(&cut).unwrap_err().to_string();
    assert!(
        e.contains("cut.pth") && e.contains("truncated legacy torch.save file"),
        "{e}"
    );
}

#[test]
fn a_cut_zip_torch_file_is_named_truncated() {
    let bytes = std::fs::read(fixture("tv_alexnet_zip.pth")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for cut in [bytes.len() - 1, bytes.len() - 30, bytes.len() / 2] {
        let p = dir.path().join("cut.pth");
        std::fs::write(&p, &bytes[..cut]).unwrap();
        let e = detect_file_format(&p).unwrap_err().to_string();
        assert!(
            e.contains("cut.pth") && e.contains("truncated torch.save zip"),
            "{cut}: {e}"
        );
    }
}
