//! The one training loop serves the transfer study's source networks and the step benchmarks:
//! `train_weights` must give exactly what a plain Keras-Adam loop gives (the source networks'
//! numbers did not change when they moved onto this loop), and `repeat_step` must train.

use burn::backend::{Autodiff, Flex};
use burn::module::AutodiffModule;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use polarity_burn::{named_values, set_param_values, KerasAdam, ResetMethod, ResetRule, Selection};
use polarity_image_train::{
    epoch_order, evaluate, repeat_step, train_weights, ImageBatches, StepBatch, StepOptions,
    TrainOptions,
};
use polarity_images::Batch;
use polarity_models::{ImageClassifier, NetworkConfig, SmallCnn, SmallCnnConfig};

type B = Autodiff<Flex>;

/// The flex backend's random generator is one per process: the tests here take turns.
static BACKEND_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// 1-channel 12x12 images, the class (of 3) a bright row band.
struct Bands {
    n: usize,
}

impl ImageBatches for Bands {
    fn len(&self) -> usize {
        self.n
    }
    fn batch(&self, indices: &[usize]) -> Result<Batch, polarity_image_train::Error> {
        let mut images = Vec::new();
        let mut labels = Vec::new();
        for &i in indices {
            let class = i % 3;
            for r in 0..12 {
                for c in 0..12 {
                    let noise = ((i * 17 + r * 5 + c) % 7) as f32 / 7.0 - 0.5;
                    images.push(if r / 4 == class { 1.0 } else { -0.5 } + 0.2 * noise);
                }
            }
            labels.push(class as i64);
        }
        Ok(Batch {
            images,
            shape: [indices.len(), 1, 12, 12],
            labels,
        })
    }
}

fn network() -> NetworkConfig {
    NetworkConfig::SmallCnn(SmallCnnConfig {
        input_size: 12,
        in_channels: 1,
        conv_channels: [3, 4],
        fc_units: [10, 6],
        num_classes: 3,
    })
}

fn options() -> TrainOptions {
    TrainOptions {
        epochs: 3,
        batch_size: 8,
        lr: 1e-2,
        shuffle_seed: 4,
        backend_seed: 9,
        eval_batch_size: 7,
        ..TrainOptions::default()
    }
}

/// The source networks' former loop, verbatim: Keras Adam without any reset. `head_only` makes
/// it a linear probe by hand: every gradient but the head's is removed from the optimizer's
/// input by dimension (a second route to what `Fixed::train_only` does).
fn plain_loop(
    init: &polarity_burn::NamedTensors,
    head_only: bool,
) -> (polarity_burn::NamedTensors, Vec<f32>) {
    let device = Default::default();
    let NetworkConfig::SmallCnn(c) = network() else {
        unreachable!()
    };
    let opts = options();
    let (train, val) = (Bands { n: 30 }, Bands { n: 12 });
    let mut model: SmallCnn<B> =
        set_param_values(c.init_zeros(&device).unwrap(), init, &device).unwrap();
    B::seed(&device, opts.backend_seed);
    let mut optim = KerasAdam::default().init::<B, SmallCnn<B>>();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let ids = polarity_burn::param_ids::<B, _>(&model);
    let mut val_acc = Vec::new();
    for epoch in 0..opts.epochs {
        for batch in epoch_order(train.len(), opts.shuffle_seed, epoch).chunks(opts.batch_size) {
            let b = train.batch(batch).unwrap();
            let n = b.labels.len();
            let x = Tensor::<B, 4>::from_data(TensorData::new(b.images, b.shape), &device);
            let y = Tensor::<B, 1, Int>::from_data(TensorData::new(b.labels, [n]), &device);
            let loss = loss_fn.forward(model.forward(x), y);
            let mut grads = GradientsParams::from_grads(loss.backward(), &model);
            if head_only {
                remove_all_but_the_head(&mut grads, &ids);
            }
            model = optim.step(opts.lr, model, grads);
        }
        let (_, acc) = evaluate(&model.valid(), &val, opts.eval_batch_size, &device).unwrap();
        val_acc.push(acc);
    }
    (named_values::<B, _>(&model, Selection::All), val_acc)
}

#[test]
fn source_training_equals_a_plain_adam_loop() {
    let _serial = BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let init = network().initial_values(2, 0).unwrap();
    let (want, want_acc) = plain_loop(&init, false);
    let mut steps = 0;
    let (got, result) = train_weights::<B>(
        &network(),
        &init,
        &Bands { n: 30 },
        &Bands { n: 12 },
        &options(),
        &Default::default(),
        &mut |_| steps += 1,
    )
    .unwrap();
    assert_eq!(got, want, "bit-identical weights");
    let acc: Vec<f32> = result.records.iter().map(|r| r.val_acc).collect();
    assert_eq!(acc, want_acc);
    assert_eq!(steps, 3 * 4);
    assert!(result
        .records
        .iter()
        .all(|r| r.resets.iter().all(|&x| x == 0)));
}

#[test]
fn repeated_steps_train_and_freeze() {
    let _serial = BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Default::default();
    let init = network().initial_values(3, 0).unwrap();
    let batch = StepBatch::Given(Bands { n: 9 }.batch(&(0..9).collect::<Vec<_>>()).unwrap());
    let opts = StepOptions {
        steps: 4,
        warmup: true,
        freeze: Some(ResetRule::new(ResetMethod::PosCon, 1e-3)),
        record_loss: true,
        lr: 1e-2,
    };
    let trace = repeat_step::<B>(&network(), &init, &batch, &opts, &device).unwrap();
    assert_eq!((trace.losses.len(), trace.seconds.len()), (4, 4));
    assert!(trace.losses[3] < trace.losses[0], "{:?}", trace.losses);
    // Frozen to the initial signs: no kernel entry has the opposite sign of its start.
    for (name, (shape, values)) in &trace.weights.0 {
        if shape.len() < 2 {
            continue;
        }
        let (_, start) = init.get(name).unwrap();
        assert!(
            values.iter().zip(start).all(|(w, s)| w * s >= 0.0),
            "{name}"
        );
    }
    // Random inputs of the network's shape and labels i % 10 (a 10-class network), timing only.
    let mut ten = network();
    ten.set_num_classes(10);
    let init = ten.initial_values(3, 0).unwrap();
    let random = StepBatch::Random {
        batch_size: 5,
        side: 12,
    };
    let plain = StepOptions {
        freeze: None,
        record_loss: false,
        ..opts
    };
    let t = repeat_step::<B>(&ten, &init, &random, &plain, &device).unwrap();
    assert!(t.losses.is_empty() && t.seconds.len() == 4);
}

/// Drops every gradient of `grads` but the head's (`out.*`), asserting each was there.
fn remove_all_but_the_head(
    grads: &mut GradientsParams,
    ids: &std::collections::BTreeMap<String, burn::module::ParamId>,
) {
    type Inner = <B as burn::tensor::backend::AutodiffBackend>::InnerBackend;
    for (path, id) in ids.iter().filter(|(p, _)| !p.starts_with("out.")) {
        let removed = if path.starts_with("conv") && path.ends_with(".weight") {
            grads.remove::<Inner, 4>(*id).is_some()
        } else if path.ends_with(".weight") {
            grads.remove::<Inner, 2>(*id).is_some()
        } else {
            grads.remove::<Inner, 1>(*id).is_some()
        };
        assert!(removed, "{path} had a gradient");
    }
}

#[test]
fn a_linear_probe_trains_the_head_alone() {
    use polarity_image_train::{train_network_fixed, Fixed};
    let _serial = BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Default::default();
    let init = network().initial_values(5, 0).unwrap();
    let NetworkConfig::SmallCnn(c) = network() else {
        unreachable!()
    };
    let model = || -> SmallCnn<B> {
        set_param_values(c.init_zeros(&device).unwrap(), &init, &device).unwrap()
    };
    let train_only = |layer: &str| {
        let fixed = Fixed {
            template: None,
            train_only: Some(layer),
        };
        let (bands, val) = (Bands { n: 30 }, Bands { n: 12 });
        train_network_fixed::<B, _>(
            model(),
            fixed,
            &bands,
            &val,
            &options(),
            &device,
            &mut |_| {},
        )
    };
    let (trained, _) = train_only("out").unwrap();
    let got = named_values::<B, _>(&trained, Selection::All);
    assert_eq!(
        got,
        plain_loop(&init, true).0,
        "the hand-made probe, bit for bit"
    );
    for (name, (_, values)) in &got.0 {
        let (_, start) = init.get(name).unwrap();
        if name.starts_with("out.") {
            assert_ne!(values, start, "{name} trained");
        } else {
            assert_eq!(values, start, "{name} kept the source's values");
        }
    }
    // A layer the network does not have is refused, naming it.
    let e = train_only("head").unwrap_err();
    assert!(e.to_string().contains("'head'"), "{e}");
}
