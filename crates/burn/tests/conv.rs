//! Our conv2d forward and gradients (polarity_burn::conv) held to two independent references on
//! small shapes with stride, padding, dilation and groups: a naive f64 loop over the definition,
//! and burn's own implementation (flex's conv2d and burn-backend's default conv2d backward ops,
//! which flex runs).

use burn::backend::{Autodiff, Flex};
use burn::tensor::backend::Backend;
use burn::tensor::ops::{ConvOptions, ModuleOps};
use burn::tensor::{Tensor, TensorData, TensorPrimitive};
use polarity_burn::conv::kernels::{
    conv2d_bias_grad, conv2d_forward, conv2d_grads, ConvGeometry, Wanted, COL_BUDGET,
};
use proptest::prelude::*;

type Ad = Autodiff<Flex>;

/// Deterministic values in [-1, 1) (a small LCG: no backend RNG, so tests can run in parallel).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

struct Naive {
    y: Vec<f64>,
    dx: Vec<f64>,
    dw: Vec<f64>,
    db: Vec<f64>,
    /// Sums of |term| per entry (the scale of the rounding error).
    y_abs: Vec<f64>,
    dx_abs: Vec<f64>,
    dw_abs: Vec<f64>,
    db_abs: Vec<f64>,
}

/// The definition, in f64: y[n,o,oh,ow] = b[o] + sum over the group's channels and the kernel.
fn naive(geo: &ConvGeometry, x: &[f32], w: &[f32], b: &[f32], dy: &[f32]) -> Naive {
    let [oh_n, ow_n] = geo.out_hw();
    let (c_n, h_n, w_n, o_n) = (geo.in_channels, geo.in_h, geo.in_w, geo.out_channels);
    let (cg, og) = (c_n / geo.groups, o_n / geo.groups);
    let [kh_n, kw_n] = geo.kernel;
    let xi = |n: usize, c: usize, h: usize, w: usize| ((n * c_n + c) * h_n + h) * w_n + w;
    let wi = |o: usize, c: usize, kh: usize, kw: usize| ((o * cg + c) * kh_n + kh) * kw_n + kw;
    let yi = |n: usize, o: usize, h: usize, w: usize| ((n * o_n + o) * oh_n + h) * ow_n + w;
    let mut r = Naive {
        y: vec![0.0; geo.y_len()],
        dx: vec![0.0; geo.x_len()],
        dw: vec![0.0; geo.w_len()],
        db: vec![0.0; o_n],
        y_abs: vec![0.0; geo.y_len()],
        dx_abs: vec![0.0; geo.x_len()],
        dw_abs: vec![0.0; geo.w_len()],
        db_abs: vec![0.0; o_n],
    };
    for n in 0..geo.batch {
        for o in 0..o_n {
            let g = o / og;
            for oh in 0..oh_n {
                for ow in 0..ow_n {
                    let d = dy[yi(n, o, oh, ow)] as f64;
                    let mut acc = b[o] as f64;
                    let mut acc_abs = (b[o] as f64).abs();
                    r.db[o] += d;
                    r.db_abs[o] += d.abs();
                    for c in 0..cg {
                        for kh in 0..kh_n {
                            for kw in 0..kw_n {
                                let ih = (oh * geo.stride[0] + kh * geo.dilation[0]) as isize
                                    - geo.padding[0] as isize;
                                let iw = (ow * geo.stride[1] + kw * geo.dilation[1]) as isize
                                    - geo.padding[1] as isize;
                                if ih < 0 || iw < 0 || ih >= h_n as isize || iw >= w_n as isize {
                                    continue;
                                }
                                let xk = xi(n, g * cg + c, ih as usize, iw as usize);
                                let wk = wi(o, c, kh, kw);
                                acc += x[xk] as f64 * w[wk] as f64;
                                acc_abs += (x[xk] as f64 * w[wk] as f64).abs();
                                r.dx[xk] += w[wk] as f64 * d;
                                r.dx_abs[xk] += (w[wk] as f64 * d).abs();
                                r.dw[wk] += x[xk] as f64 * d;
                                r.dw_abs[wk] += (x[xk] as f64 * d).abs();
                            }
                        }
                    }
                    r.y[yi(n, o, oh, ow)] = acc;
                    r.y_abs[yi(n, o, oh, ow)] = acc_abs;
                }
            }
        }
    }
    r
}

/// Every entry within f32 rounding of the reference: |got - want| <= 1e-5 * (sum |terms| + 1).
fn assert_close(what: &str, got: &[f32], want: &[f64], scale: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, ((g, w), s)) in got.iter().zip(want).zip(scale).enumerate() {
        let tol = 1e-5 * (s + 1.0);
        assert!(
            (*g as f64 - w).abs() <= tol,
            "{what}[{i}]: got {g}, want {w} (tolerance {tol})"
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn geo(
    batch: usize,
    in_channels: usize,
    in_hw: [usize; 2],
    out_channels: usize,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: [usize; 2],
    groups: usize,
) -> ConvGeometry {
    ConvGeometry {
        batch,
        in_channels,
        in_h: in_hw[0],
        in_w: in_hw[1],
        out_channels,
        kernel,
        stride,
        padding,
        dilation,
        groups,
    }
}

/// Stride, padding (including padding wider than the kernel's reach), dilation, groups,
/// rectangular kernels and inputs, a kernel as large as the input.
fn table() -> Vec<ConvGeometry> {
    vec![
        geo(2, 3, [7, 6], 4, [3, 3], [1, 1], [1, 1], [1, 1], 1),
        geo(3, 4, [9, 8], 6, [3, 2], [2, 1], [0, 1], [1, 1], 2),
        geo(1, 2, [11, 11], 3, [5, 5], [4, 4], [2, 2], [1, 1], 1),
        geo(2, 6, [8, 9], 6, [3, 3], [1, 2], [2, 1], [2, 2], 3),
        geo(2, 1, [5, 5], 2, [5, 5], [1, 1], [0, 0], [1, 1], 1),
        geo(1, 2, [4, 4], 2, [3, 3], [3, 3], [3, 3], [1, 1], 1),
        geo(2, 4, [6, 7], 4, [1, 1], [2, 3], [1, 0], [1, 1], 4),
    ]
}

fn check_kernels(geo: &ConvGeometry, seed: u64) {
    let x = values(geo.x_len(), seed);
    let w = values(geo.w_len(), seed + 1);
    let b = values(geo.out_channels, seed + 2);
    let dy = values(geo.y_len(), seed + 3);
    let want = naive(geo, &x, &w, &b, &dy);
    assert_close(
        "y",
        &conv2d_forward(geo, &x, &w, Some(&b)),
        &want.y,
        &want.y_abs,
    );
    let (dx, dw) = conv2d_grads(
        geo,
        &x,
        &w,
        &dy,
        Wanted {
            input: true,
            weight: true,
        },
    );
    assert_close("dx", &dx.expect("dx wanted"), &want.dx, &want.dx_abs);
    assert_close("dw", &dw.expect("dw wanted"), &want.dw, &want.dw_abs);
    assert_close("db", &conv2d_bias_grad(geo, &dy), &want.db, &want.db_abs);
    // Each gradient alone is the same as both together, bit for bit.
    let (dx_only, none) = conv2d_grads(
        geo,
        &x,
        &w,
        &dy,
        Wanted {
            input: true,
            weight: false,
        },
    );
    assert!(none.is_none());
    let (none, dw_only) = conv2d_grads(
        geo,
        &x,
        &w,
        &dy,
        Wanted {
            input: false,
            weight: true,
        },
    );
    assert!(none.is_none());
    let (dx, dw) = conv2d_grads(
        geo,
        &x,
        &w,
        &dy,
        Wanted {
            input: true,
            weight: true,
        },
    );
    assert_eq!(dx_only, dx);
    assert_eq!(dw_only, dw);
}

#[test]
fn kernels_match_the_definition_on_the_table() {
    for (i, geo) in table().iter().enumerate() {
        check_kernels(geo, 10 * i as u64);
    }
}

#[test]
fn weight_gradient_accumulates_over_chunks() {
    // 16 * 3 * 3 rows x 64 * 64 positions per image: several images per chunk, and a batch
    // that ends in a partial chunk.
    let geo = geo(9, 16, [64, 64], 4, [3, 3], [1, 1], [1, 1], [1, 1], 1);
    let chunk = geo.chunk();
    assert!(
        chunk > 1 && chunk < geo.batch && !geo.batch.is_multiple_of(chunk),
        "chunk {chunk}"
    );
    assert!(chunk * 16 * 9 * 64 * 64 <= COL_BUDGET);
    check_kernels(&geo, 99);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn kernels_match_the_definition(
        batch in 1usize..4,
        groups in 1usize..4,
        cpg in 1usize..4,
        opg in 1usize..4,
        k in (1usize..5, 1usize..5),
        stride in (1usize..4, 1usize..4),
        pad in (0usize..4, 0usize..4),
        dil in (1usize..3, 1usize..3),
        extra in (0usize..6, 0usize..6),
        seed in 0u64..1000,
    ) {
        // inputs at least as large as the dilated kernel minus the padding
        let span = |i: usize, k: usize, d: usize, p: usize| (d * (k - 1) + 1).saturating_sub(2 * p).max(1) + i;
        let geo = geo(
            batch, groups * cpg, [span(extra.0, k.0, dil.0, pad.0), span(extra.1, k.1, dil.1, pad.1)],
            groups * opg, [k.0, k.1], [stride.0, stride.1], [pad.0, pad.1], [dil.0, dil.1], groups,
        );
        check_kernels(&geo, seed);
    }
}

// --- against burn's own implementation, through the autodiff graph ---

fn tensor<B: Backend, const D: usize>(v: Vec<f32>, shape: [usize; D]) -> Tensor<B, D> {
    Tensor::from_data(TensorData::new(v, shape), &Default::default())
}

/// A conv2d with burn's signature (ours or burn's).
type ConvFn =
    fn(Tensor<Ad, 4>, Tensor<Ad, 4>, Option<Tensor<Ad, 1>>, ConvOptions<2>) -> Tensor<Ad, 4>;

struct Grads {
    y: Vec<f32>,
    dx: Vec<f32>,
    dw: Vec<f32>,
    db: Option<Vec<f32>>,
}

/// The shapes of x (`[N, C, H, W]`) and the weight (`[O, C/g, kh, kw]`).
fn shapes(geo: &ConvGeometry) -> ([usize; 4], [usize; 4]) {
    (
        [geo.batch, geo.in_channels, geo.in_h, geo.in_w],
        [
            geo.out_channels,
            geo.in_channels / geo.groups,
            geo.kernel[0],
            geo.kernel[1],
        ],
    )
}

/// Forward and the three gradients of `sum(y * r)` with `conv` (ours or burn's).
fn autodiff_grads(geo: &ConvGeometry, seed: u64, bias: bool, conv: ConvFn) -> Grads {
    let [oh, ow] = geo.out_hw();
    let (x_shape, w_shape) = shapes(geo);
    let x = tensor::<Ad, 4>(values(geo.x_len(), seed), x_shape).require_grad();
    let w = tensor::<Ad, 4>(values(geo.w_len(), seed + 1), w_shape).require_grad();
    let b = bias.then(|| {
        tensor::<Ad, 1>(values(geo.out_channels, seed + 2), [geo.out_channels]).require_grad()
    });
    let r = tensor::<Ad, 4>(
        values(geo.y_len(), seed + 3),
        [geo.batch, geo.out_channels, oh, ow],
    );
    let options = ConvOptions::new(geo.stride, geo.padding, geo.dilation, geo.groups);
    let y = conv(x.clone(), w.clone(), b.clone(), options);
    let grads = (y.clone() * r).sum().backward();
    let vec = |t: Tensor<Flex, 4>| t.into_data().to_vec::<f32>().unwrap();
    Grads {
        y: y.into_data().to_vec::<f32>().unwrap(),
        dx: vec(x.grad(&grads).expect("x requires grad")),
        dw: vec(w.grad(&grads).expect("w requires grad")),
        db: b.map(|b| {
            b.grad(&grads)
                .expect("b requires grad")
                .into_data()
                .to_vec()
                .unwrap()
        }),
    }
}

fn assert_near(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1.0);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 2e-5 * scale,
            "{what}[{i}]: ours {g}, burn's {w}"
        );
    }
}

#[test]
fn autodiff_path_matches_burns_conv2d() {
    for (i, geo) in table().iter().enumerate() {
        for bias in [true, false] {
            let ours = autodiff_grads(geo, 7 * i as u64, bias, polarity_burn::conv::conv2d);
            let burns = autodiff_grads(geo, 7 * i as u64, bias, burn::tensor::module::conv2d);
            assert_near("y", &ours.y, &burns.y);
            assert_near("dx", &ours.dx, &burns.dx);
            assert_near("dw", &ours.dw, &burns.dw);
            match (ours.db, burns.db) {
                (Some(a), Some(b)) => assert_near("db", &a, &b),
                (None, None) => {}
                _ => panic!("bias gradient present on one side only"),
            }
        }
    }
}

/// On plain `Flex` (a model's evaluation forward) `conv2d` is the training forward, bit for
/// bit, and near burn's own conv2d (flex's direct loop for few channels included).
#[test]
fn inference_forward_is_the_training_forward() {
    for (i, geo) in table().iter().enumerate() {
        for bias in [true, false] {
            let seed = 7 * i as u64;
            let trained = autodiff_grads(geo, seed, bias, polarity_burn::conv::conv2d).y;
            let (x_shape, w_shape) = shapes(geo);
            let x = tensor::<Flex, 4>(values(geo.x_len(), seed), x_shape);
            let w = tensor::<Flex, 4>(values(geo.w_len(), seed + 1), w_shape);
            let b = bias
                .then(|| tensor::<Flex, 1>(values(geo.out_channels, seed + 2), [geo.out_channels]));
            let options = ConvOptions::new(geo.stride, geo.padding, geo.dilation, geo.groups);
            let run = |conv: fn(_, _, _, _) -> Tensor<Flex, 4>| {
                conv(x.clone(), w.clone(), b.clone(), options.clone())
                    .into_data()
                    .to_vec::<f32>()
                    .unwrap()
            };
            let ours = run(polarity_burn::conv::conv2d);
            let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&ours), bits(&trained), "table row {i}, bias {bias}");
            assert_near("y", &ours, &run(burn::tensor::module::conv2d));
        }
    }
}

#[test]
fn kernels_match_flex_backward_ops() {
    // burn-backend's default conv2d backward ops, called directly on flex tensors.
    for (i, geo) in table().iter().enumerate() {
        let seed = 3 * i as u64;
        let x = values(geo.x_len(), seed);
        let w = values(geo.w_len(), seed + 1);
        let dy = values(geo.y_len(), seed + 3);
        let [oh, ow] = geo.out_hw();
        let flex = |v: &[f32], shape: [usize; 4]| match tensor::<Flex, 4>(v.to_vec(), shape)
            .into_primitive()
        {
            TensorPrimitive::Float(t) => t,
            TensorPrimitive::QFloat(_) => unreachable!("f32"),
        };
        let (x_shape, w_shape) = shapes(geo);
        let y_shape = [geo.batch, geo.out_channels, oh, ow];
        let options = ConvOptions::new(geo.stride, geo.padding, geo.dilation, geo.groups);
        let back = |t| {
            Tensor::<Flex, 4>::from_primitive(TensorPrimitive::Float(t))
                .into_data()
                .to_vec::<f32>()
                .unwrap()
        };
        let dx_burn = back(Flex::conv2d_x_backward(
            flex(&x, x_shape),
            flex(&w, w_shape),
            flex(&dy, y_shape),
            options.clone(),
        ));
        let dw_burn = back(Flex::conv2d_weight_backward(
            flex(&x, x_shape),
            flex(&w, w_shape),
            flex(&dy, y_shape),
            options,
        ));
        let (dx, dw) = conv2d_grads(
            geo,
            &x,
            &w,
            &dy,
            Wanted {
                input: true,
                weight: true,
            },
        );
        assert_near("dx", &dx.unwrap(), &dx_burn);
        assert_near("dw", &dw.unwrap(), &dw_burn);
    }
}

#[test]
fn gradients_do_not_depend_on_the_thread_count() {
    // Large enough for every parallel path: im2col/col2im/transpose above their thresholds, the
    // weight and input GEMMs above gemm's threading threshold, two chunks of images.
    let geo = geo(12, 64, [48, 48], 16, [3, 3], [1, 1], [1, 1], [1, 1], 2);
    assert!(geo.chunk() < geo.batch);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let g = pool.install(|| autodiff_grads(&geo, 5, true, polarity_burn::conv::conv2d));
        (g.y, g.dx, g.dw, g.db)
    };
    let one = run(1);
    for threads in [2, 3] {
        assert!(one == run(threads), "{threads} threads differ from one");
    }
}
