//! Numeric array data as numpy stores it: little- or big-endian `f2`/`f4`/`f8` values in C or
//! Fortran order, converted to row-major `f32`.

/// A numeric array from a file: shape and values as `f32` (C order).
#[derive(Debug, Clone, PartialEq)]
pub struct NpArray {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

pub(crate) fn decode(dtype: &str, raw: &[u8], n: usize) -> Result<Vec<f32>, String> {
    let (order, code) = dtype.split_at(1);
    let big = order == ">";
    let width = match code {
        "f4" => 4,
        "f8" => 8,
        "f2" => 2,
        _ => {
            return Err(format!(
                "numpy dtype '{dtype}' is not a float type (expected f2, f4 or f8)"
            ))
        }
    };
    if raw.len() != n * width {
        return Err(format!(
            "numpy {dtype} array of {n} elements has {} data bytes, expected {}",
            raw.len(),
            n * width
        ));
    }
    Ok(raw
        .chunks_exact(width)
        .map(|b| match width {
            4 => {
                let a: [u8; 4] = b.try_into().expect("4");
                if big {
                    f32::from_be_bytes(a)
                } else {
                    f32::from_le_bytes(a)
                }
            }
            8 => {
                let a: [u8; 8] = b.try_into().expect("8");
                (if big {
                    f64::from_be_bytes(a)
                } else {
                    f64::from_le_bytes(a)
                }) as f32
            }
            _ => {
                let a: [u8; 2] = b.try_into().expect("2");
                half_to_f32(if big {
                    u16::from_be_bytes(a)
                } else {
                    u16::from_le_bytes(a)
                })
            }
        })
        .collect())
}

pub(crate) fn half_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f32::from(h & 0x3ff);
    match exp {
        0 => sign * frac * 2f32.powi(-24),
        31 if frac == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        e => sign * (1.0 + frac / 1024.0) * 2f32.powi(e - 15),
    }
}

pub(crate) fn fortran_to_c(values: &[f32], shape: &[usize]) -> Vec<f32> {
    let n = values.len();
    let mut out = vec![0.0; n];
    // Fortran strides: first index fastest.
    let mut fstride = vec![1usize; shape.len()];
    for k in 1..shape.len() {
        fstride[k] = fstride[k - 1] * shape[k - 1];
    }
    let mut idx = vec![0usize; shape.len()];
    for o in out.iter_mut() {
        *o = values[idx.iter().zip(&fstride).map(|(i, s)| i * s).sum::<usize>()];
        for k in (0..shape.len()).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fortran_order_is_converted() {
        // [[1, 2, 3], [4, 5, 6]] stored column-major.
        assert_eq!(
            fortran_to_c(&[1., 4., 2., 5., 3., 6.], &[2, 3]),
            vec![1., 2., 3., 4., 5., 6.]
        );
    }

    #[test]
    fn half_floats() {
        assert_eq!(half_to_f32(0x3c00), 1.0);
        assert_eq!(half_to_f32(0xc000), -2.0);
        assert_eq!(half_to_f32(0x3555), 0.333_251_95);
    }
}
