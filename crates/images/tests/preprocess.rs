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
