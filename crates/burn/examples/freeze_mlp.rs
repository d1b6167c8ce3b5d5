//! Adding fixed polarity to an existing burn model and training loop.
//!
//! A plain burn MLP learns a 2-D XOR-like task; the three lines marked `polarity:` turn its
//! training into Freeze-SGD: the signs of its initial kernels are fixed, and after every Adam
//! step any weight that crossed zero is reset (posRand, eps = 1e-3).
//!
//! Run: `cargo run --release -p polarity-burn --example freeze_mlp`

use burn::backend::{Autodiff, Flex};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use polarity_burn::{kernel_template, FreezeConfig, FreezeOptimizer};
use polarity_core::{ResetMethod, ResetRule};

#[derive(Module, Debug)]
struct Mlp<B: Backend> {
    hidden: Linear<B>,
    output: Linear<B>,
    relu: Relu,
}

impl<B: Backend> Mlp<B> {
    fn forward(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        self.output
            .forward(self.relu.forward(self.hidden.forward(x)))
    }
}

type B = Autodiff<Flex>;

fn main() -> Result<(), polarity_burn::Error> {
    let device = Default::default();
    B::seed(&device, 7);
    let mut model = Mlp::<B> {
        hidden: LinearConfig::new(2, 32).init(&device),
        output: LinearConfig::new(32, 2).init(&device),
        relu: Relu::new(),
    };

    // Data: points in [-1, 1]^2, class 1 when both coordinates have the same sign.
    let n = 256;
    let xs: Vec<f32> = (0..2 * n)
        .map(|i| ((i * 7919 % 2000) as f32 / 1000.0) - 1.0)
        .collect();
    let ys: Vec<i64> = xs.chunks(2).map(|p| i64::from(p[0] * p[1] > 0.0)).collect();
    let x = Tensor::<B, 2>::from_data(TensorData::new(xs, [n, 2]), &device);
    let y = Tensor::<B, 1, Int>::from_data(TensorData::new(ys, [n]), &device);
    let loss_fn = CrossEntropyLossConfig::new().init(&device);

    // polarity: fix the signs of the initial kernels (biases stay free) ...
    let template = kernel_template::<B, _>(&model, "own initial kernels");
    let rule = ResetRule::new(ResetMethod::PosRand, 1e-3);
    // ... and wrap the optimizer the loop already used.
    let mut optim = FreezeOptimizer::new(
        AdamConfig::new().init(),
        &model,
        &template,
        FreezeConfig::new(rule),
        &device,
    )?;

    for epoch in 0..200 {
        let logits = model.forward(x.clone());
        let loss = loss_fn.forward(logits.clone(), y.clone());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(0.01, model, grads);
        if epoch % 50 == 49 {
            let acc = logits
                .argmax(1)
                .squeeze::<1>()
                .equal(y.clone())
                .float()
                .mean()
                .into_scalar();
            let resets: Vec<String> = optim
                .take_reset_counts()?
                .into_iter()
                .map(|l| format!("{} {}", l.name, l.resets))
                .collect();
            println!(
                "epoch {epoch:3}: accuracy {acc:.3}, resets in the last 50 steps: {}",
                resets.join(", ")
            );
        }
    }
    // The signs never left the template.
    let after = kernel_template::<B, _>(&model, "trained");
    for (t, a) in template.tensors.iter().zip(&after.tensors) {
        let violations = t
            .signs()
            .iter()
            .zip(a.signs())
            .filter(|(s, w)| i16::from(**s) * i16::from(**w) < 0)
            .count();
        println!("{}: {violations} weights with the wrong sign", t.name());
    }
    Ok(())
}
