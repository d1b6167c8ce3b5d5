//! The paper's preprocessing on small synthetic images, checked against values computed here.
use polarity_images::resize::resize_bilinear;
use polarity_images::{DatasetKind, ImageSet, Normalization, Preprocess};

/// The paper's Fashion-MNIST constants (docs/decisions.md D-IMG-3).
const MEAN: f64 = 72.940_352_232_1;
const STD: f64 = 90.021_182_351_3;

fn grey_set() -> ImageSet {
    // Two 2x2 grey images: [[0, 60], [120, 180]] and all 255; labels 7, 2.
    ImageSet::new(
        1,
        2,
        2,
        10,
        vec![0, 60, 120, 180, 255, 255, 255, 255],
        vec![7, 2],
    )
    .unwrap()
}

#[test]
fn paper_fashion_pipeline_shape_normalisation_and_grey_to_rgb() {
    let set = grey_set();
    let pre = Preprocess::paper(DatasetKind::FashionMnist);
    let batch = pre.batch(&set, &[1, 0]).unwrap();
    assert_eq!(batch.shape, [2, 3, 227, 227]);
    assert_eq!(batch.labels, vec![2, 7]);
    let plane = 227 * 227;
    // Image 1 is constant 255: every value is (255 - mean) / std.
    let v = (255.0 - MEAN) / STD;
    assert!(batch.images[..3 * plane]
        .iter()
        .all(|&x| (f64::from(x) - v).abs() < 1e-5));
    // Image 0: the three channels are identical, and channel 0 equals normalise-then-resize.
    let img0 = &batch.images[3 * plane..];
    assert_eq!(&img0[..plane], &img0[plane..2 * plane]);
    assert_eq!(&img0[..plane], &img0[2 * plane..]);
    let normalized: Vec<f32> = [0.0f32, 60.0, 120.0, 180.0]
        .iter()
        .map(|p| (p - MEAN as f32) / STD as f32)
        .collect();
    assert_eq!(
        &img0[..plane],
        &resize_bilinear(&normalized, 1, (2, 2), (227, 227))[..]
    );
    // Corners of an upscale are the corner pixels (clamped half-pixel coordinates).
    assert!((img0[0] - normalized[0]).abs() < 1e-6);
    assert!((img0[plane - 1] - normalized[3]).abs() < 1e-6);
}

#[test]
fn cifar_per_channel_normalisation_without_resize() {
    // One 3x1x2 image: R plane [125.3->?], values chosen per channel.
    let set = ImageSet::new(3, 1, 2, 10, vec![10, 20, 30, 40, 50, 60], vec![4]).unwrap();
    let pre = Preprocess::paper(DatasetKind::Cifar10).with_size(None);
    let batch = pre.batch(&set, &[0]).unwrap();
    assert_eq!(batch.shape, [1, 3, 1, 2]);
    let expected = [
        (10.0 - 125.3) / 63.0,
        (20.0 - 125.3) / 63.0,
        (30.0 - 123.0) / 62.1,
        (40.0 - 123.0) / 62.1,
        (50.0 - 113.9) / 66.7,
        (60.0 - 113.9) / 66.7,
    ];
    for (a, b) in batch.images.iter().zip(expected) {
        assert!((f64::from(*a) - b).abs() < 1e-5, "{a} vs {b}");
    }
}

#[test]
fn bad_configurations_are_errors() {
    let grey = grey_set();
    let rgb = ImageSet::new(3, 1, 1, 10, vec![1, 2, 3], vec![0]).unwrap();
    let e = Preprocess::paper(DatasetKind::FashionMnist)
        .batch(&rgb, &[0])
        .unwrap_err()
        .to_string();
    assert!(e.contains("grey_to_rgb") && e.contains("have 3"), "{e}");
    let e = Preprocess::paper(DatasetKind::Cifar10)
        .batch(&grey, &[0])
        .unwrap_err()
        .to_string();
    assert!(e.contains("3 means and 3 stds for 1-channel images"), "{e}");
    let zero_std = Preprocess {
        normalization: Normalization::Scalar {
            mean: 0.0,
            std: 0.0,
        },
        size: None,
        grey_to_rgb: false,
    };
    assert!(zero_std.batch(&grey, &[0]).is_err());
    let pre = Preprocess::paper(DatasetKind::FashionMnist).with_size(Some((4, 4)));
    assert!(pre
        .batch(&grey, &[2])
        .unwrap_err()
        .to_string()
        .contains("2 is out of range"));
    let mut short = vec![0.0; 10];
    let e = pre
        .batch_into(&grey, &[0], &mut short)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("10 values for 1 images of 3x4x4 (expected 48)"),
        "{e}"
    );
}

#[test]
fn batch_into_reuses_a_buffer_and_matches_batch() {
    let set = grey_set();
    let pre = Preprocess::paper(DatasetKind::FashionMnist).with_size(Some((5, 3)));
    let mut buf = vec![f32::NAN; 2 * 3 * 5 * 3];
    pre.batch_into(&set, &[0, 1], &mut buf).unwrap();
    assert_eq!(buf, pre.batch(&set, &[0, 1]).unwrap().images);
}

#[test]
fn scalar_from_data_is_the_population_mean_and_std() {
    let set = grey_set();
    // Pixels 0, 60, 120, 180, 255 x4: mean 1380/8 = 172.5; population variance by formula.
    let px = [0.0f64, 60.0, 120.0, 180.0, 255.0, 255.0, 255.0, 255.0];
    let mean = px.iter().sum::<f64>() / 8.0;
    let std = (px.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / 8.0).sqrt();
    match Normalization::scalar_from_data(&set) {
        Normalization::Scalar { mean: m, std: s } => {
            assert!((f64::from(m) - 172.5).abs() < 1e-4 && (f64::from(m) - mean).abs() < 1e-4);
            assert!((f64::from(s) - std).abs() < 1e-4);
        }
        other => panic!("expected a scalar normalisation, got {other:?}"),
    }
}

#[test]
fn caffe_bgr_reorders_rgb_and_subtracts_the_imagenet_mean() {
    // One 3x1x2 RGB image: R [10, 20], G [30, 40], B [50, 60]; no resize.
    let set = ImageSet::new(3, 1, 2, 10, vec![10, 20, 30, 40, 50, 60], vec![4]).unwrap();
    let pre = Preprocess::paper(DatasetKind::Cifar10)
        .with_size(None)
        .for_in_weight(polarity_images::InWeightInput::CaffeBgr);
    let batch = pre.batch(&set, &[0]).unwrap();
    assert_eq!(batch.shape, [1, 3, 1, 2]);
    // By hand: B first (50 - 104.00699, 60 - 104.00699), then G (minus 116.66877), then R (minus 122.67891).
    let expected = [
        -54.006_99,
        -44.006_99,
        -86.668_77,
        -76.668_77,
        -112.678_91,
        -102.678_91,
    ];
    for (a, b) in batch.images.iter().zip(expected) {
        assert!((f64::from(*a) - b).abs() < 1e-4, "{a} vs {b}");
    }
    // The default input is untouched by the option.
    assert_eq!(
        Preprocess::paper(DatasetKind::Cifar10)
            .for_in_weight(polarity_images::InWeightInput::Dataset),
        Preprocess::paper(DatasetKind::Cifar10)
    );
}

#[test]
fn caffe_bgr_on_grey_subtracts_each_channels_mean_after_replication() {
    let set = grey_set();
    let pre = Preprocess::paper(DatasetKind::FashionMnist)
        .with_size(None)
        .for_in_weight(polarity_images::InWeightInput::CaffeBgr);
    let batch = pre.batch(&set, &[0]).unwrap();
    assert_eq!(batch.shape, [1, 3, 2, 2]);
    // Grey [0, 60, 120, 180]; channel o is grey - mean_bgr[o], computed by hand.
    let expected = [
        [-104.006_99, -44.006_99, 15.993_01, 75.993_01],
        [-116.668_77, -56.668_77, 3.331_23, 63.331_23],
        [-122.678_91, -62.678_91, -2.678_91, 57.321_09],
    ];
    for (o, plane) in expected.iter().enumerate() {
        for (k, e) in plane.iter().enumerate() {
            let a = batch.images[o * 4 + k];
            assert!(
                (f64::from(a) - e).abs() < 1e-4,
                "channel {o} pixel {k}: {a} vs {e}"
            );
        }
    }
    // With a resize, a constant image stays constant: bilinear weights sum to one.
    let batch = Preprocess::paper(DatasetKind::FashionMnist)
        .with_size(Some((5, 5)))
        .for_in_weight(polarity_images::InWeightInput::CaffeBgr)
        .batch(&set, &[1])
        .unwrap();
    for (o, plane) in batch.images.chunks(25).enumerate() {
        let e = 255.0 - f64::from(polarity_images::IMAGENET_MEAN_BGR[o]);
        assert!(
            plane.iter().all(|&v| (f64::from(v) - e).abs() < 1e-3),
            "{plane:?}"
        );
    }
    // A 1-channel network cannot take Caffe's input.
    let mut no_rgb = pre.clone();
    no_rgb.grey_to_rgb = false;
    let e = no_rgb.batch(&set, &[0]).unwrap_err().to_string();
    assert!(e.contains("caffe-bgr") && e.contains("1-channel"), "{e}");
}

#[test]
fn the_full_split_is_normalised_with_its_own_scalar_mean_and_std() {
    let set = grey_set();
    // Over all 8 pixels: mean = (0 + 60 + 120 + 180 + 4 * 255) / 8 = 172.5; population variance
    // = (172.5^2 + 112.5^2 + 52.5^2 + 7.5^2 + 4 * 82.5^2) / 8 = 9056.25.
    let (mean, std) = (172.5f64, 9056.25f64.sqrt());
    let by_size = Normalization::BySize {
        subset: Box::new(Normalization::FASHION_MNIST),
        full: Box::new(Normalization::scalar_from_data(&set)),
        full_len: set.len(),
    };
    let pre = Preprocess {
        normalization: by_size,
        size: None,
        grey_to_rgb: false,
    };
    // Unresolved, it is refused with a message naming what to do.
    let e = pre.batch(&set, &[0]).unwrap_err().to_string();
    assert!(e.contains("for_training_size"), "{e}");
    // All of the split (2 images): the data's own mean/std, by hand.
    let full = pre.for_training_size(2).batch(&set, &[0]).unwrap();
    for (a, p) in full.images.iter().zip([0.0, 60.0, 120.0, 180.0]) {
        assert!((f64::from(*a) - (p - mean) / std).abs() < 1e-5, "{a}");
    }
    // A subset (1 image): the paper's constants.
    let part = pre.for_training_size(1).batch(&set, &[0]).unwrap();
    for (a, p) in part.images.iter().zip([0.0, 60.0, 120.0, 180.0]) {
        assert!((f64::from(*a) - (p - MEAN) / STD).abs() < 1e-5, "{a}");
    }
}
