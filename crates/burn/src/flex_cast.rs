//! From generic code to burn-flex's concrete tensors and back. The CPU fast paths
//! ([`crate::conv`], [`crate::reset`]) recognise the backend by its type at run time (`TypeId`),
//! then need the same tensor under its concrete type and its f32 elements.

use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorPrimitive};
use std::any::Any;

/// The same tensor under its concrete type. The caller has checked that `A` and `Z` are the same
/// type (`TypeId`).
pub(crate) fn recast<A: Backend, Z: Backend, const D: usize>(t: Tensor<A, D>) -> Tensor<Z, D> {
    let any: Box<dyn Any> = Box::new(t);
    *any.downcast::<Tensor<Z, D>>()
        .expect("flex fast path: backend checked by the caller")
}

/// `t` (of backend `A`, which is `Z`) as `Z`'s float primitive. The caller has checked f32, so
/// the tensor is never quantized.
pub(crate) fn primitive<A: Backend, Z: Backend, const D: usize>(
    t: Tensor<A, D>,
) -> Z::FloatTensorPrimitive {
    match recast::<A, Z, D>(t).into_primitive() {
        TensorPrimitive::Float(t) => t,
        TensorPrimitive::QFloat(_) => unreachable!("flex fast path: f32 checked by the caller"),
    }
}

/// The inverse of [`primitive`]: `Z`'s float primitive as a tensor of `A` (which is `Z`).
pub(crate) fn from_primitive<Z: Backend, A: Backend, const D: usize>(
    t: Z::FloatTensorPrimitive,
) -> Tensor<A, D> {
    recast::<Z, A, D>(Tensor::from_primitive(TensorPrimitive::Float(t)))
}

/// The elements of a contiguous f32 tensor.
pub(crate) fn f32s(t: &FlexTensor) -> &[f32] {
    let (start, end) = t
        .layout()
        .contiguous_offsets()
        .expect("flex fast path: tensor made contiguous");
    &t.storage::<f32>()[start..end]
}
