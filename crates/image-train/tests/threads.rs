//! Image training gives the same bits at any thread count: burn-flex runs with its rayon
//! threads and polarity-burn's conv2d gradients split their work over threads, and neither may
//! change a result (docs/decisions.md D-STACK-9, D-TRAIN-9).

use burn::backend::{Autodiff, Flex};
use polarity_burn::{ResetMethod, ResetRule};
use polarity_image_train::{repeat_step, StepBatch, StepOptions};
use polarity_images::Batch;
use polarity_models::{NetworkConfig, SmallCnnConfig};

type B = Autodiff<Flex>;

/// A small CNN wide enough that the conv gradients and flex's ops take their parallel paths.
fn network() -> NetworkConfig {
    NetworkConfig::SmallCnn(SmallCnnConfig {
        input_size: 32,
        in_channels: 3,
        conv_channels: [16, 32],
        fc_units: [64, 32],
        num_classes: 10,
    })
}

/// 48 deterministic 3x32x32 images with labels `i % 10`.
fn batch() -> Batch {
    let n = 48;
    let images = (0..n * 3 * 32 * 32)
        .map(|i| ((i * 7919) % 1013) as f32 / 1013.0 - 0.5)
        .collect();
    Batch {
        images,
        shape: [n, 3, 32, 32],
        labels: (0..n as i64).map(|i| i % 10).collect(),
    }
}

#[test]
fn training_steps_are_identical_at_any_thread_count() {
    let init = network().initial_values(5, 0).unwrap();
    let batch = StepBatch::Given(batch());
    let opts = StepOptions {
        steps: 3,
        warmup: false,
        // posCon: deterministic resets (posRand would draw from the backend's generator)
        freeze: Some(ResetRule::new(ResetMethod::PosCon, 1e-3)),
        record_loss: true,
        lr: 1e-2,
    };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let trace = pool
            .install(|| repeat_step::<B>(&network(), &init, &batch, &opts, &Default::default()))
            .unwrap();
        (trace.losses, trace.weights)
    };
    let (losses, weights) = run(1);
    assert!(losses[2] < losses[0], "the steps train: {losses:?}");
    for threads in [2, 3] {
        let (l, w) = run(threads);
        assert_eq!(l, losses, "losses with {threads} threads");
        assert!(
            w == weights,
            "weights with {threads} threads differ from one thread"
        );
    }
}
