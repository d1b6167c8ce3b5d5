//! `enforce_template` on autodiff and plain backends, and weights in PyTorch's layout: a square
//! Linear layer must be transposed by structure, not by shape.

use burn::backend::{Autodiff, Flex};
use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::{GradientsParams, Optimizer};
use burn::store::{ModuleSnapshot, TensorSnapshot};
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use polarity_burn::{
    enforce_template, kernel_template, param_ids, param_values, set_param_values,
    snapshot_template, FreezeConfig, FreezeOptimizer, KerasAdam, LaidOut, NamedTensors,
    PolarityTemplate, ResetMethod, ResetRule, Selection, TensorSpec, WeightLayout,
};

type AD = Autodiff<Flex>;

/// A square hidden layer (3 -> 3) and a non-square output (3 -> 2).
#[derive(Module, Debug)]
struct Net<B: Backend> {
    square: Linear<B>,
    out: Linear<B>,
}

impl<B: Backend> Net<B> {
    fn new(device: &B::Device) -> Self {
        let lin = |i, o| {
            LinearConfig::new(i, o)
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        Self {
            square: lin(3, 3),
            out: lin(3, 2),
        }
    }
    fn forward(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        self.out.forward(self.square.forward(x))
    }
}

/// burn-layout weights whose square kernel is not symmetric, so a transposition shows.
fn burn_weights() -> NamedTensors {
    let mut t = NamedTensors::default();
    t.insert(
        "square.weight",
        vec![3, 3],
        vec![0.5, -0.25, 0.75, 1.0, -0.5, 0.125, -2.0, 0.25, 1.5],
    );
    t.insert("square.bias", vec![3], vec![0.1, -0.2, 0.3]);
    t.insert(
        "out.weight",
        vec![3, 2],
        vec![0.5, -1.0, 0.25, 2.0, -0.75, 0.5],
    );
    t.insert("out.bias", vec![2], vec![0.0, 0.5]);
    t
}

/// The same weights as PyTorch stores them: every Linear weight `[out, in]`.
fn torch_weights() -> NamedTensors {
    let mut t = NamedTensors::default();
    for (name, (shape, values)) in &burn_weights().0 {
        if let [rows, cols] = shape.as_slice() {
            let mut v = vec![0.0; values.len()];
            for r in 0..*rows {
                for c in 0..*cols {
                    v[c * rows + r] = values[r * cols + c];
                }
            }
            t.insert(name.clone(), vec![*cols, *rows], v);
        } else {
            t.insert(name.clone(), shape.clone(), values.clone());
        }
    }
    t
}

fn template() -> PolarityTemplate {
    let signs = |n: usize| -> Vec<f32> { (0..n).map(|i| [-1.0, 1.0, 0.0][i % 3]).collect() };
    let (a, b) = (signs(9), signs(6));
    PolarityTemplate::from_weights(
        &[
            (TensorSpec::new("square.weight", vec![3, 3]), &a[..]),
            (TensorSpec::new("out.weight", vec![3, 2]), &b[..]),
        ],
        "test",
    )
}

#[test]
fn enforce_template_works_on_autodiff_and_plain_backends_alike() {
    let device = Default::default();
    let config = FreezeConfig::new(ResetRule::new(ResetMethod::Flip, 0.0));
    let plain = set_param_values(Net::<Flex>::new(&device), &burn_weights(), &device).unwrap();
    let (plain, plain_counts) = enforce_template(plain, &template(), &config, &device).unwrap();

    let model = set_param_values(Net::<AD>::new(&device), &burn_weights(), &device).unwrap();
    let ids = param_ids::<AD, _>(&model);
    let (model, counts) = enforce_template(model, &template(), &config, &device).unwrap();
    assert_eq!(counts, plain_counts);
    assert!(counts.iter().map(|c| c.resets).sum::<u64>() > 0);
    assert_eq!(
        param_values::<AD, _>(&model, Selection::All),
        param_values::<Flex, _>(&plain, Selection::All)
    );
    assert_eq!(param_ids::<AD, _>(&model), ids, "ParamIds kept");

    // The reset parameters are leaves that still take gradients and train with Freeze-SGD.
    let mut optim = FreezeOptimizer::new(
        KerasAdam::default().init::<AD, Net<AD>>(),
        &model,
        &template(),
        FreezeConfig::new(ResetRule::new(ResetMethod::Zero, 0.0)),
        &device,
    )
    .unwrap();
    let x = Tensor::<AD, 2>::from_data(TensorData::new(vec![1.0f32, -0.5, 0.25], [1, 3]), &device);
    let loss = model.forward(x).powi_scalar(2).sum();
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    assert_eq!(
        grads.len(),
        4,
        "every parameter, reset ones included, gets a gradient"
    );
    let trained = optim.step(0.1, model.clone(), grads);
    assert_ne!(
        param_values::<AD, _>(&trained, Selection::All),
        param_values::<AD, _>(&model, Selection::All)
    );
}

#[test]
fn pytorch_layout_is_converted_by_structure_even_for_a_square_layer() {
    let device = Default::default();
    let model = Net::<Flex>::new(&device);
    let converted = LaidOut::new(WeightLayout::PyTorch, torch_weights())
        .into_burn(&model)
        .unwrap();
    assert_eq!(converted, burn_weights());
    // Taken as burn layout, the square kernel would pass the shape checks but be transposed:
    // exactly the mistake the explicit layout prevents.
    let as_is = LaidOut::new(WeightLayout::Burn, torch_weights()).into_burn(&model);
    assert!(
        as_is.is_err(),
        "the non-square layer still shows the wrong layout"
    );
    assert_ne!(
        torch_weights().get("square.weight"),
        burn_weights().get("square.weight")
    );

    // The template from PyTorch-layout tensors equals the template of the loaded model.
    let loaded = set_param_values(model, &converted, &device).unwrap();
    let expected = kernel_template::<Flex, _>(&loaded, "loaded");
    let from_file = LaidOut::new(WeightLayout::PyTorch, torch_weights())
        .kernel_template(&loaded, "file")
        .unwrap();
    for t in &expected.tensors {
        assert_eq!(
            from_file.tensor(t.name()).unwrap().signs(),
            t.signs(),
            "{}",
            t.name()
        );
    }

    // A wrong shape in the stated layout is an error naming the parameter.
    let mut bad = torch_weights();
    bad.insert("out.weight", vec![3, 2], vec![0.0; 6]);
    let e = LaidOut::new(WeightLayout::PyTorch, bad)
        .into_burn(&loaded)
        .unwrap_err()
        .to_string();
    assert!(e.contains("'out.weight'") && e.contains("[2, 3]"), "{e}");
}

#[test]
fn snapshot_templates_use_the_stated_layout() {
    let device = Default::default();
    let model = set_param_values(Net::<Flex>::new(&device), &burn_weights(), &device).unwrap();
    let expected = kernel_template::<Flex, _>(&model, "model");

    // A module's own snapshots are in burn's layout.
    let own = model.collect(None, None, false);
    let t = snapshot_template::<Flex, _, _>(
        &model,
        own.iter().map(|s| (s.full_path(), s)),
        WeightLayout::Burn,
        "own",
    )
    .unwrap();
    assert_eq!(t.tensors.len(), 2);
    for k in &expected.tensors {
        assert_eq!(t.tensor(k.name()).unwrap().signs(), k.signs());
    }

    // Snapshots as a PyTorch file reader gives them: `[out, in]`.
    let snapshots: Vec<(String, TensorSnapshot)> = torch_weights()
        .0
        .into_iter()
        .map(|(name, (shape, values))| {
            let snapshot = TensorSnapshot::from_data(
                TensorData::new(values, shape),
                name.split('.').map(String::from).collect(),
                vec![],
                Default::default(),
            );
            (name, snapshot)
        })
        .collect();
    let t = snapshot_template::<Flex, _, _>(
        &model,
        snapshots.iter().map(|(n, s)| (n.clone(), s)),
        WeightLayout::PyTorch,
        "torch",
    )
    .unwrap();
    for k in &expected.tensors {
        assert_eq!(
            t.tensor(k.name()).unwrap().signs(),
            k.signs(),
            "{}",
            k.name()
        );
    }
}
