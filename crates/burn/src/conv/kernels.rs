//! The three gradients of a 2-D convolution on contiguous f32 NCHW slices (no burn types here,
//! so the tests hold them to a naive reference directly).
//!
//! Images are processed in chunks whose column matrix fits [`COL_BUDGET`] floats. Per chunk and
//! group: one im2col of the chunk's images into a `[Kc, chunk * P]` matrix (`Kc = C/g * kh * kw`
//! rows, `P = oh * ow` output positions per image), one GEMM that accumulates
//! `dY_g [Og, chunk * P] x col^T` into `dW_g`, then (reusing the same buffer) one GEMM
//! `W_g^T [Kc, Og] x dY_g` and a row-wise col2im into `dX`. `dY` is first laid out as
//! `[O, chunk * P]` so each GEMM's inner dimension covers the whole chunk.
//!
//! Results do not depend on the thread count: the chunk size is fixed by the shapes, gemm splits
//! its work over rows and columns of the output (never over the summed dimension), and every
//! parallel loop here writes disjoint outputs in a fixed order (docs/decisions.md D-TRAIN-9).

use rayon::prelude::*;

/// Floats the column matrix of one chunk may hold (16 MiB): bounds the chunk's memory; does
/// not depend on the thread count, so neither do the results.
pub const COL_BUDGET: usize = 4 << 20;

/// Below this many floats of work, a loop stays on the calling thread.
const PARALLEL_MIN: usize = 1 << 15;

/// The geometry of one 2-D convolution, NCHW, weight `[O, C/groups, kh, kw]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeometry {
    pub batch: usize,
    pub in_channels: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub out_channels: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub dilation: [usize; 2],
    pub groups: usize,
}

impl ConvGeometry {
    /// Output height and width (as burn's `calculate_conv_output_size`).
    pub fn out_hw(&self) -> [usize; 2] {
        let side = |i: usize| {
            let span = self.dilation[i] * (self.kernel[i] - 1) + 1;
            let padded = [self.in_h, self.in_w][i] + 2 * self.padding[i];
            (padded - span) / self.stride[i] + 1
        };
        [side(0), side(1)]
    }

    /// Input channels per group.
    fn group_in(&self) -> usize {
        self.in_channels / self.groups
    }

    /// Output channels per group.
    fn group_out(&self) -> usize {
        self.out_channels / self.groups
    }

    /// Rows of the column matrix: `C/g * kh * kw`.
    fn col_rows(&self) -> usize {
        self.group_in() * self.kernel[0] * self.kernel[1]
    }

    /// Output positions per image.
    fn positions(&self) -> usize {
        let [oh, ow] = self.out_hw();
        oh * ow
    }

    /// Images per chunk: as many as fit [`COL_BUDGET`], at least one.
    pub fn chunk(&self) -> usize {
        let per_image = (self.col_rows() * self.positions()).max(1);
        (COL_BUDGET / per_image).clamp(1, self.batch.max(1))
    }

    pub fn x_len(&self) -> usize {
        self.batch * self.in_channels * self.in_h * self.in_w
    }

    pub fn w_len(&self) -> usize {
        self.out_channels * self.col_rows()
    }

    pub fn y_len(&self) -> usize {
        self.batch * self.out_channels * self.positions()
    }
}

/// The gradients to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    pub input: bool,
    pub weight: bool,
}

/// `(dX, dW)` for `y = conv(x, w)` given `dY`, each `Some` where wanted. Panics if a slice's
/// length does not match `geo` (a bug in the caller, which holds burn tensors of these shapes).
pub fn conv2d_grads(
    geo: &ConvGeometry,
    x: &[f32],
    w: &[f32],
    dy: &[f32],
    wanted: Wanted,
) -> (Option<Vec<f32>>, Option<Vec<f32>>) {
    assert_eq!(x.len(), geo.x_len(), "conv2d_grads: x length");
    assert_eq!(w.len(), geo.w_len(), "conv2d_grads: weight length");
    assert_eq!(dy.len(), geo.y_len(), "conv2d_grads: dy length");
    let mut dx = wanted.input.then(|| vec![0.0f32; geo.x_len()]);
    let mut dw = wanted.weight.then(|| vec![0.0f32; geo.w_len()]);
    if !(wanted.input || wanted.weight) || geo.batch == 0 {
        return (dx, dw);
    }
    let rows = geo.col_rows();
    let p = geo.positions();
    let chunk = geo.chunk();
    let (og, o) = (geo.group_out(), geo.out_channels);
    let image_in = geo.in_channels * geo.in_h * geo.in_w;
    let mut col = vec![0.0f32; rows * chunk * p];
    let mut dyt = vec![0.0f32; o * chunk * p];
    for (index, n0) in (0..geo.batch).step_by(chunk).enumerate() {
        let images = chunk.min(geo.batch - n0);
        let cols = images * p;
        transpose_dy(
            &dy[n0 * o * p..(n0 + images) * o * p],
            o,
            p,
            &mut dyt[..o * cols],
        );
        for g in 0..geo.groups {
            let col = &mut col[..rows * cols];
            let dyt_g = &dyt[g * og * cols..(g + 1) * og * cols];
            if let Some(dw) = dw.as_mut() {
                im2col(geo, &x[n0 * image_in..(n0 + images) * image_in], g, col);
                let dw_g = &mut dw[g * og * rows..(g + 1) * og * rows];
                // dW_g [Og, Kc] (+)= dY_g [Og, cols] x col^T [cols, Kc]
                gemm_f32(
                    og,
                    rows,
                    cols,
                    Strided::row_major(dw_g.as_mut_ptr(), rows),
                    index > 0,
                    Strided::row_major(dyt_g.as_ptr(), cols),
                    Strided::col_major(col.as_ptr(), cols),
                );
            }
            if let Some(dx) = dx.as_mut() {
                let w_g = &w[g * og * rows..(g + 1) * og * rows];
                // col [Kc, cols] = W_g^T [Kc, Og] x dY_g [Og, cols]
                gemm_f32(
                    rows,
                    cols,
                    og,
                    Strided::row_major(col.as_mut_ptr(), cols),
                    false,
                    Strided::col_major(w_g.as_ptr(), rows),
                    Strided::row_major(dyt_g.as_ptr(), cols),
                );
                col2im(
                    geo,
                    col,
                    g,
                    &mut dx[n0 * image_in..(n0 + images) * image_in],
                );
            }
        }
    }
    (dx, dw)
}

/// `y = conv(x, w) + b`, `[N, O, oh, ow]`: per chunk and group one im2col and one GEMM
/// `W_g [Og, Kc] x col [Kc, chunk * P]`, then the chunk's `[O, chunk * P]` result laid out per
/// image with the bias added. Two buffers per call, none per image or tile.
pub fn conv2d_forward(geo: &ConvGeometry, x: &[f32], w: &[f32], b: Option<&[f32]>) -> Vec<f32> {
    assert_eq!(x.len(), geo.x_len(), "conv2d_forward: x length");
    assert_eq!(w.len(), geo.w_len(), "conv2d_forward: weight length");
    if let Some(b) = b {
        assert_eq!(b.len(), geo.out_channels, "conv2d_forward: bias length");
    }
    let mut y = vec![0.0f32; geo.y_len()];
    if geo.batch == 0 {
        return y;
    }
    let rows = geo.col_rows();
    let p = geo.positions();
    let chunk = geo.chunk();
    let (og, o) = (geo.group_out(), geo.out_channels);
    let image_in = geo.in_channels * geo.in_h * geo.in_w;
    let mut col = vec![0.0f32; rows * chunk * p];
    let mut yt = vec![0.0f32; o * chunk * p];
    for n0 in (0..geo.batch).step_by(chunk) {
        let images = chunk.min(geo.batch - n0);
        let cols = images * p;
        for g in 0..geo.groups {
            let col = &mut col[..rows * cols];
            im2col(geo, &x[n0 * image_in..(n0 + images) * image_in], g, col);
            let w_g = &w[g * og * rows..(g + 1) * og * rows];
            let yt_g = &mut yt[g * og * cols..(g + 1) * og * cols];
            // yt_g [Og, cols] = W_g [Og, Kc] x col [Kc, cols]
            gemm_f32(
                og,
                cols,
                rows,
                Strided::row_major(yt_g.as_mut_ptr(), cols),
                false,
                Strided::row_major(w_g.as_ptr(), rows),
                Strided::row_major(col.as_ptr(), cols),
            );
        }
        untranspose_y(
            &yt[..o * cols],
            o,
            p,
            b,
            &mut y[n0 * o * p..(n0 + images) * o * p],
        );
    }
    y
}

/// `yt [O, images * P]` -> `y [images, O, P]`, plus `b[o]` where given.
fn untranspose_y(yt: &[f32], o: usize, p: usize, b: Option<&[f32]>, y: &mut [f32]) {
    let cols = yt.len() / o.max(1);
    let plane = |(i, out): (usize, &mut [f32])| {
        let (n, c) = (i / o, i % o);
        let src = &yt[c * cols + n * p..c * cols + (n + 1) * p];
        match b {
            Some(b) => {
                for (d, s) in out.iter_mut().zip(src) {
                    *d = s + b[c];
                }
            }
            None => out.copy_from_slice(src),
        }
    };
    if y.len() >= PARALLEL_MIN {
        y.par_chunks_mut(p).enumerate().for_each(plane);
    } else {
        y.chunks_mut(p).enumerate().for_each(plane);
    }
}

/// `dB[o] = sum over images and positions of dY[n, o, :]`, summed image by image in a fixed
/// order (eight lanes within a plane).
pub fn conv2d_bias_grad(geo: &ConvGeometry, dy: &[f32]) -> Vec<f32> {
    assert_eq!(dy.len(), geo.y_len(), "conv2d_bias_grad: dy length");
    let (o, p) = (geo.out_channels, geo.positions());
    let channel = |c: usize| -> f32 {
        (0..geo.batch)
            .map(|n| lane_sum(&dy[(n * o + c) * p..(n * o + c + 1) * p]))
            .fold(0.0, |acc, s| acc + s)
    };
    if dy.len() >= PARALLEL_MIN {
        (0..o).into_par_iter().map(channel).collect()
    } else {
        (0..o).map(channel).collect()
    }
}

/// Sum of a slice in eight interleaved lanes, combined pairwise (vectorisable, fixed order).
fn lane_sum(v: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut blocks = v.chunks_exact(8);
    for block in &mut blocks {
        for (lane, x) in lanes.iter_mut().zip(block) {
            *lane += x;
        }
    }
    for (lane, x) in lanes.iter_mut().zip(blocks.remainder()) {
        *lane += x;
    }
    let [a, b, c, d, e, f, g, h] = lanes;
    ((a + e) + (c + g)) + ((b + f) + (d + h))
}

/// `dy [images, O, P]` -> `dyt [O, images * P]`.
fn transpose_dy(dy: &[f32], o: usize, p: usize, dyt: &mut [f32]) {
    let images = dy.len() / (o * p).max(1);
    let row = |(c, out): (usize, &mut [f32])| {
        for n in 0..images {
            out[n * p..(n + 1) * p].copy_from_slice(&dy[(n * o + c) * p..(n * o + c + 1) * p]);
        }
    };
    let cols = images * p;
    if dy.len() >= PARALLEL_MIN {
        dyt.par_chunks_mut(cols).enumerate().for_each(row);
    } else {
        dyt.chunks_mut(cols).enumerate().for_each(row);
    }
}

/// Where the kernel offset `k` (dilated) lands for each output position along one axis: the
/// range of outputs whose input index `o * stride + k * dilation - pad` is inside `[0, len)`.
fn valid_outputs(
    out: usize,
    len: usize,
    stride: usize,
    offset: usize,
    pad: usize,
) -> (usize, usize) {
    // first o with o * stride + offset >= pad
    let lo = pad.saturating_sub(offset).div_ceil(stride).min(out);
    // last o with o * stride + offset - pad < len
    let hi = if offset >= pad + len {
        0
    } else {
        ((len + pad - offset - 1) / stride + 1).min(out)
    };
    (lo, hi.max(lo))
}

/// Column matrix of group `g` for the images of `x` (`[images, C, H, W]`): row
/// `(c, kh, kw)`, column `n * P + oh * OW + ow`, zero where the kernel reads padding.
fn im2col(geo: &ConvGeometry, x: &[f32], g: usize, col: &mut [f32]) {
    let [oh_n, ow_n] = geo.out_hw();
    let p = oh_n * ow_n;
    let [kh_n, kw_n] = geo.kernel;
    let (h, w) = (geo.in_h, geo.in_w);
    let plane = h * w;
    let image = geo.in_channels * plane;
    let images = x.len() / image.max(1);
    let cols = images * p;
    let fill = |(r, row): (usize, &mut [f32])| {
        let c = g * geo.group_in() + r / (kh_n * kw_n);
        let kh = (r / kw_n) % kh_n;
        let kw = r % kw_n;
        let (h_lo, h_hi) =
            valid_outputs(oh_n, h, geo.stride[0], kh * geo.dilation[0], geo.padding[0]);
        let (w_lo, w_hi) =
            valid_outputs(ow_n, w, geo.stride[1], kw * geo.dilation[1], geo.padding[1]);
        for n in 0..images {
            let src = &x[n * image + c * plane..n * image + (c + 1) * plane];
            let dst = &mut row[n * p..(n + 1) * p];
            dst[..h_lo * ow_n].fill(0.0);
            dst[h_hi * ow_n..].fill(0.0);
            for oh in h_lo..h_hi {
                let ih = oh * geo.stride[0] + kh * geo.dilation[0] - geo.padding[0];
                let out = &mut dst[oh * ow_n..(oh + 1) * ow_n];
                out[..w_lo].fill(0.0);
                out[w_hi..].fill(0.0);
                if w_lo == w_hi {
                    continue;
                }
                let iw0 = w_lo * geo.stride[1] + kw * geo.dilation[1] - geo.padding[1];
                let line = &src[ih * w..(ih + 1) * w];
                if geo.stride[1] == 1 {
                    out[w_lo..w_hi].copy_from_slice(&line[iw0..iw0 + (w_hi - w_lo)]);
                } else {
                    for (d, s) in out[w_lo..w_hi]
                        .iter_mut()
                        .zip(line[iw0..].iter().step_by(geo.stride[1]))
                    {
                        *d = *s;
                    }
                }
            }
        }
    };
    if col.len() >= PARALLEL_MIN {
        col.par_chunks_mut(cols).enumerate().for_each(fill);
    } else {
        col.chunks_mut(cols).enumerate().for_each(fill);
    }
}

/// Adds the column matrix of group `g` back into `dx` (`[images, C, H, W]`), one input channel
/// per task: each entry of `dx` receives its terms in the fixed order (kh, kw, oh, ow).
fn col2im(geo: &ConvGeometry, col: &[f32], g: usize, dx: &mut [f32]) {
    let [oh_n, ow_n] = geo.out_hw();
    let p = oh_n * ow_n;
    let [kh_n, kw_n] = geo.kernel;
    let (h, w) = (geo.in_h, geo.in_w);
    let plane = h * w;
    let per_group = geo.group_in();
    let images = dx.len() / (geo.in_channels * plane).max(1);
    let cols = images * p;
    let add = |(task, dst): (usize, &mut [f32])| {
        // tasks run over (image, channel of this group) planes
        let (n, c) = (task / per_group, task % per_group);
        for kh in 0..kh_n {
            let (h_lo, h_hi) =
                valid_outputs(oh_n, h, geo.stride[0], kh * geo.dilation[0], geo.padding[0]);
            for kw in 0..kw_n {
                let (w_lo, w_hi) =
                    valid_outputs(ow_n, w, geo.stride[1], kw * geo.dilation[1], geo.padding[1]);
                if w_lo == w_hi {
                    continue;
                }
                let r = (c * kh_n + kh) * kw_n + kw;
                let src = &col[r * cols + n * p..r * cols + (n + 1) * p];
                for oh in h_lo..h_hi {
                    let ih = oh * geo.stride[0] + kh * geo.dilation[0] - geo.padding[0];
                    let iw0 = w_lo * geo.stride[1] + kw * geo.dilation[1] - geo.padding[1];
                    let line = &mut dst[ih * w..(ih + 1) * w];
                    let terms = &src[oh * ow_n + w_lo..oh * ow_n + w_hi];
                    if geo.stride[1] == 1 {
                        for (d, s) in line[iw0..iw0 + terms.len()].iter_mut().zip(terms) {
                            *d += s;
                        }
                    } else {
                        for (d, s) in line[iw0..].iter_mut().step_by(geo.stride[1]).zip(terms) {
                            *d += s;
                        }
                    }
                }
            }
        }
    };
    // The group's channel planes of every image, as one list of disjoint `plane`-sized slices.
    let planes: Vec<&mut [f32]> = dx
        .chunks_mut(geo.in_channels * plane)
        .flat_map(|image| {
            image[g * per_group * plane..(g + 1) * per_group * plane].chunks_mut(plane)
        })
        .collect();
    if col.len() >= PARALLEL_MIN {
        planes.into_par_iter().enumerate().for_each(add);
    } else {
        planes.into_iter().enumerate().for_each(add);
    }
}

/// A matrix operand: pointer, row stride and column stride (in elements).
#[derive(Clone, Copy)]
struct Strided<P> {
    ptr: P,
    row_stride: isize,
    col_stride: isize,
}

impl<P> Strided<P> {
    /// Rows of `row_len` contiguous entries.
    fn row_major(ptr: P, row_len: usize) -> Self {
        Self {
            ptr,
            row_stride: row_len as isize,
            col_stride: 1,
        }
    }

    /// The transpose of rows of `row_len` contiguous entries (columns contiguous).
    fn col_major(ptr: P, col_len: usize) -> Self {
        Self {
            ptr,
            row_stride: 1,
            col_stride: col_len as isize,
        }
    }
}

/// `dst [m, n] = (accumulate ? dst : 0) + lhs [m, k] x rhs [k, n]` with the `gemm` crate (the
/// one burn-flex uses), multi-threaded above flex's own threshold.
fn gemm_f32(
    m: usize,
    n: usize,
    k: usize,
    dst: Strided<*mut f32>,
    accumulate: bool,
    lhs: Strided<*const f32>,
    rhs: Strided<*const f32>,
) {
    let parallelism = if m * n * k >= 192 * 192 * 192 && rayon::current_num_threads() > 1 {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: every caller passes pointers into slices of at least m*n, m*k and k*n entries
    // laid out with the given strides (checked by the slice bounds at the call sites), and dst
    // does not alias lhs or rhs.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.ptr,
            dst.col_stride,
            dst.row_stride,
            accumulate,
            lhs.ptr,
            lhs.col_stride,
            lhs.row_stride,
            rhs.ptr,
            rhs.col_stride,
            rhs.row_stride,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}
