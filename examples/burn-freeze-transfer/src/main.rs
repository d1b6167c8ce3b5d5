//! Polarity transfer with polarity-burn, in a plain burn program.
//!
//! 1. A small MLP learns a toy task (2-D points, class = same-sign quadrants, "XOR") the usual
//!    way: burn's Adam, nothing else.
//! 2. The signs of its trained kernels become a polarity template (`kernel_template`).
//! 3. A second MLP, freshly initialised, is aligned to that template (`enforce_template` flips
//!    the weights whose sign disagrees, keeping magnitudes) and trained on a small sample of the
//!    task with `FreezeOptimizer` around the same Adam: after every step, any weight that
//!    crossed zero is put back (posRand, eps = 1e-3), so the transferred signs hold throughout.
//!
//! The program prints accuracies before and after training (and of the same fresh network
//! trained on the same points without the template) and checks that no trained weight violates
//! the template. Run: `cargo run --release -p burn-freeze-transfer`.

use burn::backend::{Autodiff, Flex};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Distribution, ElementConversion, Int, Tensor};
use polarity_burn::{
    enforce_template, kernel_template, param_values, FreezeConfig, FreezeOptimizer,
    PolarityTemplate, ResetMethod, ResetRule, Selection,
};

type B = Autodiff<Flex>;

#[derive(Module, Debug)]
struct Mlp<B: Backend> {
    hidden: Linear<B>,
    output: Linear<B>,
    relu: Relu,
}

impl<B: Backend> Mlp<B> {
    fn new(device: &B::Device) -> Self {
        Self {
            hidden: LinearConfig::new(2, 16).init(device),
            output: LinearConfig::new(16, 2).init(device),
            relu: Relu::new(),
        }
    }
    fn forward(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        self.output
            .forward(self.relu.forward(self.hidden.forward(x)))
    }
}

/// `n` points uniform in [-1, 1]^2, labelled 1 where both coordinates have the same sign.
fn xor_points<B: Backend>(n: usize, device: &B::Device) -> (Tensor<B, 2>, Tensor<B, 1, Int>) {
    let x = Tensor::<B, 2>::random([n, 2], Distribution::Uniform(-1.0, 1.0), device);
    let product = x.clone().narrow(1, 0, 1) * x.clone().narrow(1, 1, 1);
    let y = product.greater_elem(0.0).int().reshape([n]);
    (x, y)
}

fn accuracy<B: Backend>(model: &Mlp<B>, x: Tensor<B, 2>, y: Tensor<B, 1, Int>) -> f32 {
    let n = y.dims()[0] as f32;
    let predicted = model.forward(x).argmax(1).reshape([y.dims()[0]]);
    predicted.equal(y).int().sum().into_scalar().elem::<i64>() as f32 / n
}

/// Full-batch training with any burn optimizer.
fn train<B: AutodiffBackend, O: Optimizer<Mlp<B>, B>>(
    mut model: Mlp<B>,
    optim: &mut O,
    (x, y): (Tensor<B, 2>, Tensor<B, 1, Int>),
    steps: usize,
) -> Mlp<B> {
    let loss_fn = CrossEntropyLossConfig::new().init(&x.device());
    for _ in 0..steps {
        let loss = loss_fn.forward(model.forward(x.clone()), y.clone());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(0.02, model, grads);
    }
    model
}

/// Kernel entries whose sign contradicts the template (`w * t < 0`; zeros in the template are
/// free).
fn violations<B: Backend>(model: &Mlp<B>, template: &PolarityTemplate) -> usize {
    param_values::<B, _>(model, Selection::Kernels)
        .iter()
        .map(|(spec, values)| {
            let signs = template.tensor(&spec.name).expect("every kernel").signs();
            values
                .iter()
                .zip(signs)
                .filter(|(w, s)| **w * f32::from(**s) < 0.0)
                .count()
        })
        .sum()
}

fn main() -> Result<(), polarity_burn::Error> {
    let device = Default::default();
    B::seed(&device, 7);
    let test = xor_points::<B>(2000, &device);

    // 1. The source network, trained the usual way on plenty of data.
    let source = train(
        Mlp::<B>::new(&device),
        &mut AdamConfig::new().init(),
        xor_points(2000, &device),
        400,
    );
    println!(
        "source network:      test accuracy {:.3}",
        accuracy(&source, test.0.clone(), test.1.clone())
    );

    // 2. Its polarity: the signs of its trained kernels (biases stay free).
    let template = kernel_template::<B, _>(&source, "source network");

    // 3. A new network, aligned to the template at init, trained with the template frozen on a
    //    small sample.
    let rule = ResetRule::new(ResetMethod::PosRand, 1e-3);
    let flip = FreezeConfig::new(ResetRule::new(ResetMethod::Flip, 0.0));
    let fresh = Mlp::<B>::new(&device);
    let few = xor_points::<B>(64, &device);
    let (target, aligned) = enforce_template(fresh.clone(), &template, &flip, &device)?;
    let flipped: u64 = aligned.iter().map(|l| l.resets).sum();
    println!(
        "target network:      {flipped} initial weights flipped into the template; test accuracy {:.3} before training",
        accuracy(&target, test.0.clone(), test.1.clone())
    );
    let mut optim = FreezeOptimizer::new(
        AdamConfig::new().init(),
        &target,
        &template,
        FreezeConfig::new(rule),
        &device,
    )?;
    let target = train(target, &mut optim, few.clone(), 300);
    let resets: u64 = optim.take_reset_counts()?.iter().map(|l| l.resets).sum();
    println!(
        "target network:      test accuracy {:.3} after 300 steps on 64 points ({resets} weights reset by Freeze-SGD)",
        accuracy(&target, test.0.clone(), test.1.clone())
    );

    // For comparison: the same fresh network and data, without the transferred polarity. (On a
    // task this easy the two end up close; the example shows the mechanics, not the effect.)
    let control = train(fresh, &mut AdamConfig::new().init(), few, 300);
    println!(
        "control (no template): test accuracy {:.3} after the same 300 steps",
        accuracy(&control, test.0.clone(), test.1.clone())
    );

    let wrong = violations(&target, &template);
    assert_eq!(wrong, 0, "{wrong} trained weights violate the template");
    println!("every trained kernel weight has its template's sign");
    Ok(())
}
