//! FreezeOptimizer: reset semantics against polarity-core's host implementation, template
//! checks, ParamId/optimizer-state preservation, reset counting.

use burn::backend::{Autodiff, Flex};
use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use polarity_burn::{
    enforce_template, param_ids, param_values, set_param_values, FreezeConfig, FreezeOptimizer,
    KerasAdam, NamedTensors, Selection,
};
use polarity_core::{PolarityTemplate, ResetMethod, ResetRule, TensorSpec};

type B = Autodiff<Flex>;

/// The flex backend's random generator is one per process; tests run on parallel threads, so
/// every test here takes this lock to keep the seeded draws of one test undisturbed.
static BACKEND_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Module, Debug)]
struct Net<B: Backend> {
    a: Linear<B>,
    b: Linear<B>,
}

impl<B: Backend> Net<B> {
    fn new(device: &B::Device) -> Self {
        let lin = |i, o| {
            LinearConfig::new(i, o)
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        Self {
            a: lin(3, 4),
            b: lin(4, 2),
        }
    }
    fn forward(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        self.b
            .forward(burn::tensor::activation::relu(self.a.forward(x)))
    }
}

fn weights() -> NamedTensors {
    let mut t = NamedTensors::default();
    t.insert(
        "a.weight",
        vec![3, 4],
        (0..12)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) / 10.0)
            .collect(),
    );
    t.insert("a.bias", vec![4], vec![0.1, -0.1, 0.2, 0.0]);
    t.insert(
        "b.weight",
        vec![4, 2],
        (0..8).map(|i| ((i * 13 % 7) as f32 - 3.0) / 4.0).collect(),
    );
    t.insert("b.bias", vec![2], vec![0.0, 0.3]);
    t
}

fn template() -> PolarityTemplate {
    // A template unrelated to the weights, with zeros (free entries) in it.
    let signs = |n: usize| -> Vec<f32> { (0..n).map(|i| [1.0, -1.0, 0.0][i % 3]).collect() };
    let (a, b) = (signs(12), signs(8));
    PolarityTemplate::from_weights(
        &[
            (TensorSpec::new("a.weight", vec![3, 4]), &a[..]),
            (TensorSpec::new("b.weight", vec![4, 2]), &b[..]),
        ],
        "test",
    )
}

/// On `Flex` the reset is flex's one-pass path, on `Autodiff<Flex>` (untracked) the generic
/// tensor operations every other backend (CUDA) runs: both against polarity-core.
#[test]
fn every_reset_method_matches_polarity_core() {
    every_reset_method_matches_polarity_core_on::<Flex>();
    every_reset_method_matches_polarity_core_on::<B>();
}

fn every_reset_method_matches_polarity_core_on<Bk: Backend>() {
    let _serial = serial();
    let device = Default::default();
    let w = weights();
    let t = template();
    for method in [ResetMethod::PosCon, ResetMethod::Zero, ResetMethod::Flip] {
        let rule = ResetRule::new(method, 0.01);
        let model = set_param_values(Net::<Bk>::new(&device), &w, &device).unwrap();
        let (model, counts) =
            enforce_template(model, &t, &FreezeConfig::new(rule), &device).unwrap();
        let got = param_values::<Bk, _>(&model, Selection::All);
        let mut total = 0;
        for (spec, values) in got {
            let (_, original) = w.get(&spec.name).unwrap();
            let mut want = original.to_vec();
            if let Some(tt) = t.tensor(&spec.name) {
                total += rule
                    .enforce(&mut want, tt.signs(), &mut polarity_core::seed::rng(0, &[]))
                    .unwrap();
            }
            assert_eq!(values, want, "{method} {}", spec.name);
        }
        let counted: u64 = counts.iter().map(|c| c.resets).sum();
        assert_eq!(counted as usize, total, "{method}");
        assert!(total > 0, "the fixture must have violations");
        let a = counts.iter().find(|c| c.name == "a.weight").unwrap();
        assert_eq!((a.numel, a.constrained), (12, 8));
    }
}

#[test]
fn posrand_values_have_template_sign_and_are_seeded() {
    let _serial = serial();
    let device = Default::default();
    let t = template();
    let rule = ResetRule::new(ResetMethod::PosRand, 0.5);
    let run = |s: u64| {
        Flex::seed(&device, s);
        let model = set_param_values(Net::<Flex>::new(&device), &weights(), &device).unwrap();
        let (m, _) = enforce_template(model, &t, &FreezeConfig::new(rule), &device).unwrap();
        param_values::<Flex, _>(&m, Selection::Kernels)
    };
    let (r1, r2, r3) = (run(1), run(1), run(2));
    assert_eq!(r1, r2, "same backend seed, same draws");
    assert_ne!(r1, r3);
    let w = weights();
    let mut reset = 0;
    for (spec, values) in &r1 {
        let signs = t.tensor(&spec.name).unwrap().signs();
        let (_, original) = w.get(&spec.name).unwrap();
        for ((v, o), s) in values.iter().zip(original).zip(signs) {
            if polarity_core::reset::violates(*o, *s) {
                reset += 1;
                assert!(
                    v * f32::from(*s) >= 0.0 && v.abs() < 0.5,
                    "{v} for sign {s}"
                );
            } else {
                assert_eq!(v, o);
            }
        }
    }
    assert!(reset > 0);
}

#[test]
fn template_errors_list_every_mismatch_and_reject_biases_by_default() {
    let _serial = serial();
    let device = Default::default();
    let model = Net::<B>::new(&device);
    let z = [0.0f32; 6];
    let bad = PolarityTemplate::from_weights(
        &[
            (TensorSpec::new("a.weight", vec![2, 3]), &z[..]),
            (TensorSpec::new("c.weight", vec![2, 3]), &z[..]),
        ],
        "bad",
    );
    let e = FreezeOptimizer::new(
        KerasAdam::default().init::<B, Net<B>>(),
        &model,
        &bad,
        FreezeConfig::default(),
        &device,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("'a.weight'") && e.contains("[3, 4]") && e.contains("'c.weight'"),
        "{e}"
    );
    let bias =
        PolarityTemplate::from_weights(&[(TensorSpec::new("a.bias", vec![4]), &z[..4])], "bias");
    let e = FreezeOptimizer::new(
        KerasAdam::default().init::<B, Net<B>>(),
        &model,
        &bias,
        FreezeConfig::default(),
        &device,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("a.bias") && e.contains("with_biases"), "{e}");
    assert!(FreezeOptimizer::new(
        KerasAdam::default().init::<B, Net<B>>(),
        &model,
        &bias,
        FreezeConfig::default().with_biases(true),
        &device
    )
    .is_ok());
}

/// With a template that constrains nothing, FreezeOptimizer must be exactly its inner
/// optimizer over many steps: this fails if the reset map broke the ParamIds (Adam would
/// restart its moments every step).
#[test]
fn optimizer_state_survives_the_reset_map() {
    let _serial = serial();
    let device = Default::default();
    let start = set_param_values(Net::<B>::new(&device), &weights(), &device).unwrap();
    let ids = param_ids::<B, _>(&start);
    let zeros: Vec<f32> = vec![0.0; 12];
    let free = PolarityTemplate::from_weights(
        &[(TensorSpec::new("a.weight", vec![3, 4]), &zeros[..])],
        "free",
    );
    let mut frozen = FreezeOptimizer::new(
        KerasAdam::default().init::<B, Net<B>>(),
        &start,
        &free,
        FreezeConfig::default(),
        &device,
    )
    .unwrap();
    let mut plain = KerasAdam::default().init::<B, Net<B>>();
    let x = Tensor::<B, 2>::from_data([[0.5f32, -1.0, 2.0], [1.0, 0.3, -0.7]], &device);
    let (mut m1, mut m2) = (start.clone(), start);
    for _ in 0..5 {
        let g1 = GradientsParams::from_grads(
            m1.forward(x.clone()).powi_scalar(2).mean().backward(),
            &m1,
        );
        m1 = frozen.step(0.05, m1, g1);
        let g2 = GradientsParams::from_grads(
            m2.forward(x.clone()).powi_scalar(2).mean().backward(),
            &m2,
        );
        m2 = plain.step(0.05, m2, g2);
    }
    assert_eq!(param_ids::<B, _>(&m1), ids, "ParamIds kept");
    assert_eq!(
        param_values::<B, _>(&m1, Selection::All),
        param_values::<B, _>(&m2, Selection::All)
    );
    assert_ne!(param_values::<B, _>(&m1, Selection::All), {
        let s = set_param_values(Net::<B>::new(&device), &weights(), &device).unwrap();
        param_values::<B, _>(&s, Selection::All)
    });
}

#[test]
fn frozen_training_never_violates_and_counts_drain() {
    let _serial = serial();
    let device = Default::default();
    let t = template();
    let model = set_param_values(Net::<B>::new(&device), &weights(), &device).unwrap();
    let rule = ResetRule::new(ResetMethod::Zero, 1e-3);
    let mut optim = FreezeOptimizer::new(
        KerasAdam::default().init::<B, Net<B>>(),
        &model,
        &t,
        FreezeConfig::new(rule),
        &device,
    )
    .unwrap();
    // Align first (the start violates the template), as training code does.
    let mut model = optim.enforce_with(model, ResetRule::new(ResetMethod::Flip, 0.0));
    let aligned: u64 = optim
        .take_reset_counts()
        .unwrap()
        .iter()
        .map(|c| c.resets)
        .sum();
    assert!(aligned > 0);
    let x = Tensor::<B, 2>::from_data([[0.5f32, -1.0, 2.0], [1.0, 0.3, -0.7]], &device);
    let mut total = 0;
    for _ in 0..20 {
        let loss = (model.forward(x.clone()) - 3.0).powi_scalar(2).mean();
        let g = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(0.3, model, g);
        for (spec, v) in param_values::<B, _>(&model, Selection::Kernels) {
            let s = t.tensor(&spec.name).unwrap().signs();
            assert!(
                v.iter()
                    .zip(s)
                    .all(|(w, s)| !polarity_core::reset::violates(*w, *s)),
                "{}",
                spec.name
            );
        }
        total += optim
            .take_reset_counts()
            .unwrap()
            .iter()
            .map(|c| c.resets)
            .sum::<u64>();
    }
    assert!(
        total > 0,
        "a large learning rate towards a target must push weights across zero"
    );
    assert!(
        optim
            .take_reset_counts()
            .unwrap()
            .iter()
            .all(|c| c.resets == 0),
        "counts drained"
    );
    assert_eq!(
        optim.constrained_params().collect::<Vec<_>>(),
        vec!["a.weight", "b.weight"]
    );
}
