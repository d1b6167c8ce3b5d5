//! conv2d on `Autodiff<Flex>` with the gradients of [`super::kernels`], as a burn-autodiff
//! operation (`Backward` with its own state), the way burn's backend-extension examples add
//! custom operations. The forward is [`super::kernels::conv2d_forward`] too (one im2col and one
//! GEMM per chunk of images instead of flex's buffers per image and tile).

use super::kernels::{conv2d_bias_grad, conv2d_forward, conv2d_grads, ConvGeometry, Wanted};
use crate::flex_cast::{f32s, from_primitive, primitive};
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::tensor::backend::Backend;
use burn::tensor::ops::{ConvOptions, FloatTensor};
use burn::tensor::{DType, Tensor, TensorData, TensorMetadata};
use std::any::TypeId;

/// The one backend this path serves: the CLI's CPU backend (`Autodiff<Flex>`, no
/// checkpointing).
type Ad = Autodiff<Flex, NoCheckpointing>;

/// Whether [`conv2d`] handles these tensors: `B` is [`Ad`] and both are f32.
pub(super) fn applies<B: Backend>(x: &Tensor<B, 4>, weight: &Tensor<B, 4>) -> bool {
    TypeId::of::<B>() == TypeId::of::<Ad>()
        && x.dtype() == DType::F32
        && weight.dtype() == DType::F32
}

/// Whether [`conv2d_inference`] handles these tensors: `B` is `Flex` itself (no autodiff: the
/// evaluation forward of a trained model, `model.valid()`) and both are f32.
pub(super) fn applies_inference<B: Backend>(x: &Tensor<B, 4>, weight: &Tensor<B, 4>) -> bool {
    TypeId::of::<B>() == TypeId::of::<Flex>()
        && x.dtype() == DType::F32
        && weight.dtype() == DType::F32
}

/// conv2d for `B` = [`Ad`] (checked by the caller with [`applies`]).
pub(super) fn conv2d<B: Backend>(
    x: Tensor<B, 4>,
    weight: Tensor<B, 4>,
    bias: Option<Tensor<B, 1>>,
    options: ConvOptions<2>,
) -> Tensor<B, 4> {
    let y = autodiff_conv2d(
        primitive::<B, Ad, 4>(x),
        primitive::<B, Ad, 4>(weight),
        bias.map(primitive::<B, Ad, 1>),
        options,
    );
    from_primitive::<Ad, B, 4>(y)
}

/// conv2d for `B` = `Flex` (checked by the caller with [`applies_inference`]): the same forward
/// as training's, so a network evaluates with the kernels it was trained with (flex's own conv2d
/// for few channels is a direct loop that took 70 % of `reproduce images --preset cpu`).
pub(super) fn conv2d_inference<B: Backend>(
    x: Tensor<B, 4>,
    weight: Tensor<B, 4>,
    bias: Option<Tensor<B, 1>>,
    options: ConvOptions<2>,
) -> Tensor<B, 4> {
    let y = forward(
        primitive::<B, Flex, 4>(x),
        primitive::<B, Flex, 4>(weight),
        bias.map(primitive::<B, Flex, 1>),
        &options,
    );
    from_primitive::<Flex, B, 4>(y)
}

#[derive(Debug)]
struct Conv2dWithBias;

#[derive(Debug)]
struct Conv2dNoBias;

/// Checkpointed x and weight, and the options.
type State = (NodeId, NodeId, ConvOptions<2>);

impl Backward<Flex, 3> for Conv2dWithBias {
    type State = State;

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [x, w, b] = ops.parents.map(|node| node.map(|n| n.id));
        let dy = grads.consume::<Flex>(&ops.node);
        register(ops.state, [x, w, b], dy, grads, checkpointer);
    }
}

impl Backward<Flex, 2> for Conv2dNoBias {
    type State = State;

    fn backward(
        self,
        ops: Ops<Self::State, 2>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [x, w] = ops.parents.map(|node| node.map(|n| n.id));
        let dy = grads.consume::<Flex>(&ops.node);
        register(ops.state, [x, w, None], dy, grads, checkpointer);
    }
}

/// Computes the gradients of the parents that need one (`[x, weight, bias]`) and registers them.
fn register(
    (x_state, w_state, options): State,
    [node_x, node_w, node_b]: [Option<NodeId>; 3],
    dy: FlexTensor,
    grads: &mut Gradients,
    checkpointer: &mut Checkpointer,
) {
    let x = checkpointer.retrieve_node_output::<FlexTensor>(x_state);
    let w = checkpointer.retrieve_node_output::<FlexTensor>(w_state);
    let wanted = Wanted {
        input: node_x.is_some(),
        weight: node_w.is_some(),
    };
    let (dx, dw, db) = flex_grads(x, w, dy, &options, wanted, node_b.is_some());
    for (node, grad) in [(node_x, dx), (node_w, dw), (node_b, db)] {
        if let (Some(node), Some(grad)) = (node, grad) {
            grads.register::<Flex>(node, grad);
        }
    }
}

fn autodiff_conv2d(
    x: FloatTensor<Ad>,
    weight: FloatTensor<Ad>,
    bias: Option<FloatTensor<Ad>>,
    options: ConvOptions<2>,
) -> FloatTensor<Ad> {
    match bias {
        Some(bias) => match Conv2dWithBias
            .prepare::<NoCheckpointing>([x.node.clone(), weight.node.clone(), bias.node.clone()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = (
                    prep.checkpoint(&x),
                    prep.checkpoint(&weight),
                    options.clone(),
                );
                let y = forward(
                    x.primitive,
                    weight.primitive,
                    Some(bias.primitive),
                    &options,
                );
                prep.finish(state, y)
            }
            OpsKind::UnTracked(prep) => prep.finish(forward(
                x.primitive,
                weight.primitive,
                Some(bias.primitive),
                &options,
            )),
        },
        None => match Conv2dNoBias
            .prepare::<NoCheckpointing>([x.node.clone(), weight.node.clone()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = (
                    prep.checkpoint(&x),
                    prep.checkpoint(&weight),
                    options.clone(),
                );
                let y = forward(x.primitive, weight.primitive, None, &options);
                prep.finish(state, y)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(forward(x.primitive, weight.primitive, None, &options))
            }
        },
    }
}

/// The geometry of a conv2d of `x` (`[N, C, H, W]`) with `w` (`[O, C/g, kh, kw]`).
fn geometry(x: &FlexTensor, w: &FlexTensor, options: &ConvOptions<2>) -> ConvGeometry {
    let [batch, in_channels, in_h, in_w] = x.shape().dims::<4>();
    let [out_channels, _, kh, kw] = w.shape().dims::<4>();
    ConvGeometry {
        batch,
        in_channels,
        in_h,
        in_w,
        out_channels,
        kernel: [kh, kw],
        stride: options.stride,
        padding: options.padding,
        dilation: options.dilation,
        groups: options.groups,
    }
}

fn tensor(values: Vec<f32>, shape: Vec<usize>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}

/// The forward on flex tensors ([`super::kernels::conv2d_forward`]).
fn forward(
    x: FlexTensor,
    w: FlexTensor,
    b: Option<FlexTensor>,
    options: &ConvOptions<2>,
) -> FlexTensor {
    let geo = geometry(&x, &w, options);
    let (x, w) = (x.to_contiguous(), w.to_contiguous());
    let b = b.map(|b| b.to_contiguous());
    let y = conv2d_forward(&geo, f32s(&x), f32s(&w), b.as_ref().map(f32s));
    let [oh, ow] = geo.out_hw();
    tensor(y, vec![geo.batch, geo.out_channels, oh, ow])
}

/// The gradients on flex tensors: f32 contiguous views into [`super::kernels`].
fn flex_grads(
    x: FlexTensor,
    w: FlexTensor,
    dy: FlexTensor,
    options: &ConvOptions<2>,
    wanted: Wanted,
    bias: bool,
) -> (Option<FlexTensor>, Option<FlexTensor>, Option<FlexTensor>) {
    let geo = geometry(&x, &w, options);
    let (x_shape, w_shape) = (x.shape().to_vec(), w.shape().to_vec());
    let (x, w, dy) = (x.to_contiguous(), w.to_contiguous(), dy.to_contiguous());
    let (dx, dw) = conv2d_grads(&geo, f32s(&x), f32s(&w), f32s(&dy), wanted);
    let db = bias.then(|| conv2d_bias_grad(&geo, f32s(&dy)));
    (
        dx.map(|v| tensor(v, x_shape)),
        dw.map(|v| tensor(v, w_shape)),
        db.map(|v| tensor(v, vec![geo.out_channels])),
    )
}
