//! 2-D convolution with our own gradients on burn's CPU backend.
//!
//! burn-flex 0.21 overrides none of the three conv2d backward ops, so burn-backend's generic
//! defaults run there (a GEMM per input channel for the weight gradient, a scalar col2im for the
//! input gradient). [`conv2d`] and [`conv2d_layer`] are drop-in replacements for
//! `burn::tensor::module::conv2d` and `Conv2d::forward`: on `Autodiff<Flex>` (f32) the forward
//! and the three gradients are [`kernels`] (per chunk of images one im2col and one GEMM for the
//! forward; one accumulating GEMM into `dW`, a `W^T dY` GEMM with a row-wise col2im into `dX`, a
//! reduction into `dB`); on plain `Flex` (evaluation) the forward is the same kernel; on every
//! other backend (CUDA, other checkpointing strategies, f16) they call burn's conv2d unchanged. The backend is recognised by its type at run time, so no generic bound changes
//! (docs/decisions.md D-TRAIN-9).

pub mod kernels;

#[cfg(feature = "flex")]
mod flex;

use burn::nn::conv::Conv2d;
use burn::nn::PaddingConfig2d;
use burn::tensor::backend::Backend;
use burn::tensor::ops::ConvOptions;
use burn::tensor::Tensor;

/// `Conv2d::forward` through [`conv2d`] for `Valid` and symmetric `Explicit` padding (the
/// models' layers); `Same` and asymmetric padding go to `Conv2d::forward` itself.
pub fn conv2d_layer<B: Backend>(layer: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    let padding = match layer.padding {
        PaddingConfig2d::Valid => [0, 0],
        PaddingConfig2d::Explicit(top, left, bottom, right) if top == bottom && left == right => {
            [top, left]
        }
        _ => return layer.forward(x),
    };
    let options = ConvOptions::new(layer.stride, padding, layer.dilation, layer.groups);
    conv2d(
        x,
        layer.weight.val(),
        layer.bias.as_ref().map(|b| b.val()),
        options,
    )
}

/// `burn::tensor::module::conv2d` (symmetric padding), with the forward and gradients of
/// [`kernels`] on `Autodiff<Flex>` and the forward on `Flex`, for f32 tensors.
pub fn conv2d<B: Backend>(
    x: Tensor<B, 4>,
    weight: Tensor<B, 4>,
    bias: Option<Tensor<B, 1>>,
    options: ConvOptions<2>,
) -> Tensor<B, 4> {
    #[cfg(feature = "flex")]
    if flex::applies::<B>(&x, &weight) {
        return flex::conv2d(x, weight, bias, options);
    }
    #[cfg(feature = "flex")]
    if flex::applies_inference::<B>(&x, &weight) {
        return flex::conv2d_inference(x, weight, bias, options);
    }
    burn::tensor::module::conv2d(x, weight, bias, options)
}
