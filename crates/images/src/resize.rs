//! Bilinear resize with the semantics of `tf.image.resize(method="bilinear", antialias=False)`
//! (TF2: half-pixel centres, no corner alignment), as the paper's preprocessing used.
//!
//! For each output coordinate `o` along an axis of input size `n_in` and output size `n_out`,
//! TF's kernel computes, in f32:
//! `src = (o + 0.5) * (n_in / n_out) - 0.5`, `lower = max(floor(src), 0)`,
//! `upper = min(ceil(src), n_in - 1)`, `lerp = src - floor(src)`,
//! then interpolates along x first (`top = tl + (tr - tl) * x_lerp`, same for the bottom row) and
//! along y last (`top + (bottom - top) * y_lerp`). This module follows the same arithmetic, so
//! results agree with TF up to f32 rounding of the compiler's choice. Without antialiasing,
//! downscaling samples (it does not average over the whole footprint), as TF does.

/// One output coordinate's two input neighbours and the weight of the upper one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tap {
    pub lower: usize,
    pub upper: usize,
    pub lerp: f32,
}

/// The taps of an axis resized from `n_in` to `n_out` samples.
pub fn axis_taps(n_in: usize, n_out: usize) -> Vec<Tap> {
    assert!(n_in > 0 && n_out > 0, "resize axes must be non-empty");
    let scale = n_in as f32 / n_out as f32;
    (0..n_out)
        .map(|o| {
            let src = (o as f32 + 0.5) * scale - 0.5;
            let floor = src.floor();
            Tap {
                lower: (floor.max(0.0)) as usize,
                upper: (src.ceil() as usize).min(n_in - 1),
                lerp: src - floor,
            }
        })
        .collect()
}

/// Resizes single-channel `[H, W]` planes; precomputes the taps once for many images.
#[derive(Clone, Debug)]
pub struct Resizer {
    in_h: usize,
    in_w: usize,
    out_h: usize,
    out_w: usize,
    ys: Vec<Tap>,
    xs: Vec<Tap>,
}

impl Resizer {
    pub fn new(in_h: usize, in_w: usize, out_h: usize, out_w: usize) -> Self {
        Resizer {
            in_h,
            in_w,
            out_h,
            out_w,
            ys: axis_taps(in_h, out_h),
            xs: axis_taps(in_w, out_w),
        }
    }

    /// Scratch length `resize_plane` needs.
    pub fn scratch_len(&self) -> usize {
        self.in_h * self.out_w
    }

    /// Resizes `src` (`in_h * in_w`) into `out` (`out_h * out_w`).
    pub fn resize_plane(&self, src: &[f32], scratch: &mut [f32], out: &mut [f32]) {
        assert_eq!(src.len(), self.in_h * self.in_w, "input plane size");
        assert_eq!(out.len(), self.out_h * self.out_w, "output plane size");
        let scratch = &mut scratch[..self.scratch_len()];
        // Horizontal pass on every input row; the vertical pass then mixes two such rows.
        for (row, tmp) in src
            .chunks_exact(self.in_w)
            .zip(scratch.chunks_exact_mut(self.out_w))
        {
            for (t, x) in tmp.iter_mut().zip(&self.xs) {
                let (l, r) = (row[x.lower], row[x.upper]);
                *t = l + (r - l) * x.lerp;
            }
        }
        for (out_row, y) in out.chunks_exact_mut(self.out_w).zip(&self.ys) {
            let top = &scratch[y.lower * self.out_w..(y.lower + 1) * self.out_w];
            let bottom = &scratch[y.upper * self.out_w..(y.upper + 1) * self.out_w];
            for ((o, &t), &b) in out_row.iter_mut().zip(top).zip(bottom) {
                *o = t + (b - t) * y.lerp;
            }
        }
    }
}

/// Resizes a channel-first `[C, H, W]` image to `[C, out_h, out_w]`.
pub fn resize_bilinear(
    src: &[f32],
    channels: usize,
    (in_h, in_w): (usize, usize),
    (out_h, out_w): (usize, usize),
) -> Vec<f32> {
    let resizer = Resizer::new(in_h, in_w, out_h, out_w);
    let mut scratch = vec![0.0; resizer.scratch_len()];
    let mut out = vec![0.0; channels * out_h * out_w];
    for (plane, out_plane) in src
        .chunks_exact(in_h * in_w)
        .zip(out.chunks_exact_mut(out_h * out_w))
    {
        resizer.resize_plane(plane, &mut scratch, out_plane);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn assert_close(a: &[f32], b: &[f32], tol: f32) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= tol, "index {i}: {x} vs {y}");
        }
    }

    #[test]
    fn one_row_upscaled_by_hand() {
        // [0, 10] to width 4, scale 0.5: src = -0.25, 0.25, 0.75, 1.25 -> clamped ends.
        let out = resize_bilinear(&[0.0, 10.0], 1, (1, 2), (1, 4));
        assert_close(&out, &[0.0, 2.5, 7.5, 10.0], 1e-6);
    }

    #[test]
    fn downscale_by_two_averages_pairs() {
        // scale 2: src = 0.5 and 2.5, i.e. the midpoints of pixel pairs (no antialias needed).
        let out = resize_bilinear(&[1.0, 3.0, 10.0, 30.0], 1, (1, 4), (1, 2));
        assert_close(&out, &[2.0, 20.0], 1e-6);
    }

    #[test]
    fn two_by_two_to_three_by_three_by_hand() {
        // scale 2/3: src = -1/6, 1/2, 7/6 -> neighbours (0, 0), (0, 1) with weight 1/2, (1, 1).
        // Input [[0, 6], [12, 18]]: x-pass rows -> [0, 3, 6] and [12, 15, 18];
        // y-pass -> row 0, the mean of both rows, row 1.
        let out = resize_bilinear(&[0.0, 6.0, 12.0, 18.0], 1, (2, 2), (3, 3));
        let expected = [0.0, 3.0, 6.0, 6.0, 9.0, 12.0, 12.0, 15.0, 18.0];
        assert_close(&out, &expected, 1e-5);
    }

    #[test]
    fn same_size_is_the_identity_and_constants_stay_constant() {
        let mut rng = polarity_core::seed::rng(1, &[]);
        let src: Vec<f32> = (0..2 * 5 * 7)
            .map(|_| rng.random_range(-3.0..3.0))
            .collect();
        assert_eq!(resize_bilinear(&src, 2, (5, 7), (5, 7)), src);
        let constant = resize_bilinear(&[4.25; 28 * 28], 1, (28, 28), (227, 227));
        assert!(constant.iter().all(|&v| v == 4.25));
    }

    /// A second implementation written from the formula (f64, per pixel, clamping the source
    /// coordinate into [0, n-1] instead of clamping the neighbour indices), for random images
    /// and sizes including the paper's 28 -> 227 and 32 -> 227 and downscales.
    #[test]
    fn matches_direct_formula_on_random_images() {
        fn direct(src: &[f32], (ih, iw): (usize, usize), (oh, ow): (usize, usize)) -> Vec<f32> {
            let coord = |o: usize, n_in: usize, n_out: usize| {
                let s = (o as f64 + 0.5) * n_in as f64 / n_out as f64 - 0.5;
                let s = s.clamp(0.0, (n_in - 1) as f64);
                let l = s.floor() as usize;
                (l, (l + 1).min(n_in - 1), s - l as f64)
            };
            let mut out = Vec::new();
            for oy in 0..oh {
                let (y0, y1, wy) = coord(oy, ih, oh);
                for ox in 0..ow {
                    let (x0, x1, wx) = coord(ox, iw, ow);
                    let p = |y: usize, x: usize| f64::from(src[y * iw + x]);
                    let top = p(y0, x0) * (1.0 - wx) + p(y0, x1) * wx;
                    let bottom = p(y1, x0) * (1.0 - wx) + p(y1, x1) * wx;
                    out.push((top * (1.0 - wy) + bottom * wy) as f32);
                }
            }
            out
        }
        let mut rng = polarity_core::seed::rng(2, &[]);
        for (inp, outp) in [
            ((28, 28), (227, 227)),
            ((32, 32), (227, 227)),
            ((5, 3), (2, 7)),
            ((9, 9), (4, 4)),
            ((1, 6), (3, 6)),
        ] {
            let src: Vec<f32> = (0..inp.0 * inp.1)
                .map(|_| rng.random_range(-2.0..5.0))
                .collect();
            let ours = resize_bilinear(&src, 1, inp, outp);
            // f32 coordinates vs f64: weights differ by ~1e-6 relative; values are O(5).
            assert_close(&ours, &direct(&src, inp, outp), 1e-4);
        }
    }

    #[test]
    fn taps_for_28_to_227() {
        let taps = axis_taps(28, 227);
        // o = 0: src = 0.5 * 28/227 - 0.5 < 0 -> both neighbours 0.
        assert_eq!((taps[0].lower, taps[0].upper), (0, 0));
        // o = 113: src = 113.5 * 28/227 - 0.5 = 14 - 0.5 = 13.5 -> 13 and 14, lerp 0.5.
        assert_eq!((taps[113].lower, taps[113].upper), (13, 14));
        assert!((taps[113].lerp - 0.5).abs() < 1e-5);
        // o = 10: src = 10.5 * 28/227 - 0.5 = 0.7952... -> 0 and 1.
        assert_eq!((taps[10].lower, taps[10].upper), (0, 1));
        assert!((taps[10].lerp - (294.0 / 227.0 - 0.5) as f32).abs() < 1e-5);
        // o = 226: src = 226.5 * 28/227 - 0.5 = 27.438 -> 27 and min(28, 27) = 27.
        assert_eq!((taps[226].lower, taps[226].upper), (27, 27));
    }
}
