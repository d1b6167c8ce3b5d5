//! The small pickle machine the Caffe AlexNet file needs: dicts, lists, tuples, strings
//! (Python 2 `str`, Python 3 `bytes`/`str`, `_codecs.encode` for protocol-2 bytes) and numpy
//! arrays (`numpy.core.multiarray._reconstruct` + `BUILD`), and the structure of a legacy
//! `torch.save` file (persistent ids, `OrderedDict`). Anything else is a clear error
//! naming the opcode and its byte offset. No code from the file is ever run: globals are only
//! recognised by name.

use crate::array::{decode, fortran_to_c, latin1, NpArray};
use crate::FormatError;
use std::collections::HashMap;
use std::rc::Rc;

/// A Python object as far as these files need.
#[derive(Debug, Clone)]
pub enum PyValue {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Rc<Vec<u8>>),
    Tuple(Vec<PyValue>),
    List(Vec<PyValue>),
    Dict(Vec<(PyValue, PyValue)>),
    Global {
        module: String,
        name: String,
    },
    Reduce {
        callable: Box<PyValue>,
        args: Box<PyValue>,
    },
    Built {
        object: Box<PyValue>,
        state: Box<PyValue>,
    },
    Array(Rc<NpArray>),
    /// A persistent id (`BINPERSID`): in `torch.save` files, a reference to a tensor storage.
    Persistent(Box<PyValue>),
}

impl PyValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug)]
enum Item {
    Value(PyValue),
    Mark,
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.data.len())
            .ok_or_else(|| {
                format!(
                    "pickle truncated: needed {n} bytes at offset {} of {}",
                    self.pos,
                    self.data.len()
                )
            })?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<usize, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]) as usize)
    }
    fn u32(&mut self) -> Result<usize, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    fn i32(&mut self) -> Result<i64, String> {
        let b = self.take(4)?;
        Ok(i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    }
    fn u64(&mut self) -> Result<usize, String> {
        let b = self.take(8)?;
        usize::try_from(u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .map_err(|_| "length does not fit in memory".to_string())
    }
    fn line(&mut self) -> Result<String, String> {
        let rest = &self.data[self.pos..];
        let n = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| format!("pickle truncated: no newline after offset {}", self.pos))?;
        let s = String::from_utf8_lossy(&rest[..n]).into_owned();
        self.pos += n + 1;
        Ok(s)
    }
}

fn pop_value(stack: &mut Vec<Item>, op: u8, at: usize) -> Result<PyValue, String> {
    match stack.pop() {
        Some(Item::Value(v)) => Ok(v),
        _ => Err(format!(
            "pickle opcode 0x{op:02x} at offset {at}: stack underflow"
        )),
    }
}

fn pop_mark(stack: &mut Vec<Item>, op: u8, at: usize) -> Result<Vec<PyValue>, String> {
    let mut out = Vec::new();
    loop {
        match stack.pop() {
            Some(Item::Mark) => break,
            Some(Item::Value(v)) => out.push(v),
            None => return Err(format!("pickle opcode 0x{op:02x} at offset {at}: no MARK")),
        }
    }
    out.reverse();
    Ok(out)
}

fn top_mut(stack: &mut [Item], op: u8, at: usize) -> Result<&mut PyValue, String> {
    match stack.last_mut() {
        Some(Item::Value(v)) => Ok(v),
        _ => Err(format!(
            "pickle opcode 0x{op:02x} at offset {at}: no object to add to"
        )),
    }
}

/// Runs the pickle in `data` and returns the object it builds.
pub fn read_pickle(data: &[u8]) -> Result<PyValue, FormatError> {
    run(data).map(|(v, _)| v).map_err(FormatError)
}

/// Runs the pickle at the start of `data` and returns the object and the number of bytes it
/// took (up to and including its STOP), for files that hold several pickles in a row.
pub fn read_pickle_prefix(data: &[u8]) -> Result<(PyValue, usize), FormatError> {
    run(data).map_err(FormatError)
}

fn run(data: &[u8]) -> Result<(PyValue, usize), String> {
    let mut c = Cursor { data, pos: 0 };
    let mut stack: Vec<Item> = Vec::new();
    let mut memo: HashMap<usize, PyValue> = HashMap::new();
    loop {
        let at = c.pos;
        let op = c.u8()?;
        let push = |stack: &mut Vec<Item>, v: PyValue| stack.push(Item::Value(v));
        match op {
            0x80 => {
                c.u8()?; // PROTO
            }
            0x95 => {
                c.u64()?; // FRAME
            }
            b'.' => return Ok((pop_value(&mut stack, op, at)?, c.pos)),
            b'(' => stack.push(Item::Mark),
            b'N' => push(&mut stack, PyValue::None),
            0x88 => push(&mut stack, PyValue::Bool(true)),
            0x89 => push(&mut stack, PyValue::Bool(false)),
            b'K' => {
                let v = c.u8()?;
                push(&mut stack, PyValue::Int(i64::from(v)))
            }
            b'M' => {
                let v = c.u16()?;
                push(&mut stack, PyValue::Int(v as i64))
            }
            b'J' => {
                let v = c.i32()?;
                push(&mut stack, PyValue::Int(v))
            }
            0x8a => {
                // LONG1: little-endian two's complement of n bytes
                let n = c.u8()? as usize;
                let b = c.take(n)?;
                if n > 8 {
                    return Err(format!(
                        "pickle LONG1 of {n} bytes at offset {at} does not fit in i64"
                    ));
                }
                let mut v: i64 = 0;
                for (i, &x) in b.iter().enumerate() {
                    v |= i64::from(x) << (8 * i);
                }
                if n > 0 && n < 8 && b[n - 1] & 0x80 != 0 {
                    v -= 1i64 << (8 * n);
                }
                push(&mut stack, PyValue::Int(v))
            }
            b'G' => {
                let b = c.take(8)?;
                push(
                    &mut stack,
                    PyValue::Float(f64::from_be_bytes(b.try_into().expect("8"))),
                )
            }
            // Python 2 str: raw bytes; kept as bytes (array data) and readable as latin-1 text.
            b'U' => {
                let n = c.u8()? as usize;
                let b = c.take(n)?;
                push(&mut stack, PyValue::Bytes(Rc::new(b.to_vec())))
            }
            b'T' => {
                let n = c.u32()?;
                let b = c.take(n)?;
                push(&mut stack, PyValue::Bytes(Rc::new(b.to_vec())))
            }
            b'C' => {
                let n = c.u8()? as usize;
                let b = c.take(n)?;
                push(&mut stack, PyValue::Bytes(Rc::new(b.to_vec())))
            }
            b'B' => {
                let n = c.u32()?;
                let b = c.take(n)?;
                push(&mut stack, PyValue::Bytes(Rc::new(b.to_vec())))
            }
            0x8e => {
                let n = c.u64()?;
                let b = c.take(n)?;
                push(&mut stack, PyValue::Bytes(Rc::new(b.to_vec())))
            }
            0x8c | b'X' | 0x8d => {
                let n = match op {
                    0x8c => c.u8()? as usize,
                    b'X' => c.u32()?,
                    _ => c.u64()?,
                };
                let b = c.take(n)?;
                let s = String::from_utf8(b.to_vec())
                    .map_err(|_| format!("pickle string at offset {at} is not UTF-8"))?;
                push(&mut stack, PyValue::Str(s))
            }
            b')' => push(&mut stack, PyValue::Tuple(Vec::new())),
            b']' => push(&mut stack, PyValue::List(Vec::new())),
            b'}' => push(&mut stack, PyValue::Dict(Vec::new())),
            b't' => {
                let items = pop_mark(&mut stack, op, at)?;
                push(&mut stack, PyValue::Tuple(items))
            }
            b'l' => {
                let items = pop_mark(&mut stack, op, at)?;
                push(&mut stack, PyValue::List(items))
            }
            b'd' => {
                let items = pop_mark(&mut stack, op, at)?;
                let pairs = items
                    .chunks(2)
                    .filter(|p| p.len() == 2)
                    .map(|p| (p[0].clone(), p[1].clone()))
                    .collect();
                push(&mut stack, PyValue::Dict(pairs))
            }
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(pop_value(&mut stack, op, at)?);
                }
                items.reverse();
                push(&mut stack, PyValue::Tuple(items))
            }
            b'a' => {
                let v = pop_value(&mut stack, op, at)?;
                match top_mut(&mut stack, op, at)? {
                    PyValue::List(l) => l.push(v),
                    other => {
                        return Err(format!(
                            "pickle APPEND at offset {at} to a non-list {other:?}"
                        ))
                    }
                }
            }
            b'e' => {
                let items = pop_mark(&mut stack, op, at)?;
                match top_mut(&mut stack, op, at)? {
                    PyValue::List(l) => l.extend(items),
                    other => {
                        return Err(format!(
                            "pickle APPENDS at offset {at} to a non-list {other:?}"
                        ))
                    }
                }
            }
            b's' => {
                let v = pop_value(&mut stack, op, at)?;
                let k = pop_value(&mut stack, op, at)?;
                match top_mut(&mut stack, op, at)? {
                    PyValue::Dict(d) => d.push((k, v)),
                    other => {
                        return Err(format!(
                            "pickle SETITEM at offset {at} on a non-dict {other:?}"
                        ))
                    }
                }
            }
            b'u' => {
                let items = pop_mark(&mut stack, op, at)?;
                match top_mut(&mut stack, op, at)? {
                    PyValue::Dict(d) => d.extend(
                        items
                            .chunks(2)
                            .filter(|p| p.len() == 2)
                            .map(|p| (p[0].clone(), p[1].clone())),
                    ),
                    other => {
                        return Err(format!(
                            "pickle SETITEMS at offset {at} on a non-dict {other:?}"
                        ))
                    }
                }
            }
            b'q' | b'r' | 0x94 => {
                let key = match op {
                    b'q' => c.u8()? as usize,
                    b'r' => c.u32()?,
                    _ => memo.len(),
                };
                // The memo keeps the value as it is now; the numpy pickles only re-use
                // objects that are complete when memoised (dtypes, classes, strings).
                let v = match stack.last() {
                    Some(Item::Value(v)) => v.clone(),
                    _ => return Err(format!("pickle PUT at offset {at} with an empty stack")),
                };
                memo.insert(key, v);
            }
            b'h' | b'j' => {
                let key = if op == b'h' {
                    c.u8()? as usize
                } else {
                    c.u32()?
                };
                let v = memo.get(&key).cloned().ok_or_else(|| {
                    format!("pickle GET of unknown memo key {key} at offset {at}")
                })?;
                push(&mut stack, v)
            }
            b'c' => {
                let module = c.line()?;
                let name = c.line()?;
                push(&mut stack, PyValue::Global { module, name })
            }
            0x93 => {
                let name = pop_value(&mut stack, op, at)?;
                let module = pop_value(&mut stack, op, at)?;
                match (module, name) {
                    (PyValue::Str(module), PyValue::Str(name)) => {
                        push(&mut stack, PyValue::Global { module, name })
                    }
                    _ => {
                        return Err(format!(
                            "pickle STACK_GLOBAL at offset {at} without two strings"
                        ))
                    }
                }
            }
            b'R' | 0x81 => {
                let args = pop_value(&mut stack, op, at)?;
                let callable = pop_value(&mut stack, op, at)?;
                push(&mut stack, reduce(callable, args)?)
            }
            b'Q' => {
                let pid = pop_value(&mut stack, op, at)?;
                push(&mut stack, PyValue::Persistent(Box::new(pid)))
            }
            b'b' => {
                let state = pop_value(&mut stack, op, at)?;
                let object = pop_value(&mut stack, op, at)?;
                push(&mut stack, build(object, state)?)
            }
            _ => {
                return Err(format!(
                    "unsupported pickle opcode 0x{op:02x} ('{}') at offset {at}",
                    char::from(op).escape_default()
                ))
            }
        }
    }
}

fn is_global(v: &PyValue, module: &[&str], name: &str) -> bool {
    matches!(v, PyValue::Global { module: m, name: n } if module.contains(&m.as_str()) && n == name)
}

const MULTIARRAY: [&str; 2] = ["numpy.core.multiarray", "numpy._core.multiarray"];

fn reduce(callable: PyValue, args: PyValue) -> Result<PyValue, String> {
    // Protocol 2 in Python 3 pickles bytes as _codecs.encode(latin-1 text, 'latin1').
    if is_global(&callable, &["_codecs"], "encode") {
        if let PyValue::Tuple(a) = &args {
            if let Some(PyValue::Str(s)) = a.first() {
                let bytes: Result<Vec<u8>, String> = s
                    .chars()
                    .map(|ch| {
                        u8::try_from(u32::from(ch))
                            .map_err(|_| "non-latin-1 text in _codecs.encode".to_string())
                    })
                    .collect();
                return Ok(PyValue::Bytes(Rc::new(bytes?)));
            }
        }
    }
    // An empty OrderedDict (torch state dicts) filled by SETITEMS like a dict.
    if is_global(&callable, &["collections"], "OrderedDict")
        && matches!(&args, PyValue::Tuple(a) if a.is_empty())
    {
        return Ok(PyValue::Dict(Vec::new()));
    }
    if is_global(&callable, &["__builtin__", "builtins"], "bytes") {
        if let PyValue::Tuple(a) = &args {
            if a.is_empty() {
                return Ok(PyValue::Bytes(Rc::new(Vec::new())));
            }
        }
    }
    Ok(PyValue::Reduce {
        callable: Box::new(callable),
        args: Box::new(args),
    })
}

/// The dtype string (e.g. `<f4`) of a `numpy.dtype(...)` object, built or not.
fn dtype_of(v: &PyValue) -> Option<String> {
    let (reduce, state) = match v {
        PyValue::Built { object, state } => (object.as_ref(), Some(state.as_ref())),
        other => (other, None),
    };
    let PyValue::Reduce { callable, args } = reduce else {
        return None;
    };
    if !is_global(callable, &["numpy"], "dtype") {
        return None;
    }
    let PyValue::Tuple(a) = args.as_ref() else {
        return None;
    };
    let code = match a.first()? {
        PyValue::Str(s) => s.clone(),
        PyValue::Bytes(b) => latin1(b),
        _ => return None,
    };
    // Byte order from the state (3, '<', ...); a memoised dtype may come without its state,
    // then the order is little-endian (what numpy writes on every common platform).
    let order = match state {
        Some(PyValue::Tuple(s)) => match s.get(1) {
            Some(PyValue::Str(o)) => o.clone(),
            Some(PyValue::Bytes(o)) => latin1(o),
            _ => "<".into(),
        },
        _ => "<".into(),
    };
    Some(format!("{order}{code}"))
}

fn build(object: PyValue, state: PyValue) -> Result<PyValue, String> {
    // numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') followed by BUILD with
    // (version, shape, dtype, fortran_order, data).
    if let PyValue::Reduce { callable, .. } = &object {
        if is_global(callable, &MULTIARRAY, "_reconstruct") {
            return array_from_state(&state);
        }
    }
    Ok(PyValue::Built {
        object: Box::new(object),
        state: Box::new(state),
    })
}

fn array_from_state(state: &PyValue) -> Result<PyValue, String> {
    let PyValue::Tuple(s) = state else {
        return Err("numpy array state is not a tuple".into());
    };
    if s.len() != 5 {
        return Err(format!(
            "numpy array state has {} fields, expected 5",
            s.len()
        ));
    }
    let PyValue::Tuple(dims) = &s[1] else {
        return Err("numpy array shape is not a tuple".into());
    };
    let shape: Vec<usize> = dims
        .iter()
        .map(|d| match d {
            PyValue::Int(n) if *n >= 0 => Ok(*n as usize),
            other => Err(format!("numpy array dimension {other:?}")),
        })
        .collect::<Result<_, _>>()?;
    let fortran = matches!(s[3], PyValue::Bool(true) | PyValue::Int(1));
    let dtype = dtype_of(&s[2]).ok_or("numpy array without a readable dtype")?;
    if dtype.contains('O') {
        // An object array: its elements are the pickled list in the data field.
        return match &s[4] {
            PyValue::List(items) if shape.iter().product::<usize>() == 1 && items.len() == 1 => {
                Ok(items[0].clone())
            }
            PyValue::List(items) => Ok(PyValue::List(items.clone())),
            other => Err(format!("object array data is {other:?}, expected a list")),
        };
    }
    let PyValue::Bytes(raw) = &s[4] else {
        return Err(format!("numpy {dtype} array data is not raw bytes"));
    };
    let values = decode(&dtype, raw, shape.iter().product())?;
    let values = if fortran {
        fortran_to_c(&values, &shape)
    } else {
        values
    };
    Ok(PyValue::Array(Rc::new(NpArray { shape, values })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python2_style_pickle_with_binstring_and_memoised_dtype() {
        // Hand-assembled as Python 2's cPickle protocol 2 writes a dict {'a': [array]}:
        // SHORT_BINSTRING keys/data, the dtype memoised before BUILD and fetched again.
        let mut p: Vec<u8> = vec![0x80, 2, b'}', b'q', 0, b'U', 1, b'a', b']', b'q', 1, b'('];
        let reconstruct = |p: &mut Vec<u8>, data: &[u8], dtype_first: bool| {
            p.extend_from_slice(b"cnumpy.core.multiarray\n_reconstruct\n");
            p.extend_from_slice(b"cnumpy\nndarray\nK\x00\x85U\x01b\x87R(K\x01K\x02\x85");
            if dtype_first {
                p.extend_from_slice(b"cnumpy\ndtype\nU\x02f4K\x00K\x01\x87Rq\x08(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb");
            } else {
                p.extend_from_slice(b"h\x08");
            }
            p.extend_from_slice(&[0x89, b'U', data.len() as u8]);
            p.extend_from_slice(data);
            p.extend_from_slice(b"tb");
        };
        let a: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let b: Vec<u8> = [0.25f32, 3.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        reconstruct(&mut p, &a, true);
        reconstruct(&mut p, &b, false);
        p.extend_from_slice(b"es.");
        let v = read_pickle(&p).unwrap();
        let PyValue::Dict(d) = v else { panic!("{v:?}") };
        assert_eq!(d.len(), 1);
        let PyValue::List(l) = &d[0].1 else { panic!() };
        let arrays: Vec<Vec<f32>> = l
            .iter()
            .map(|x| match x {
                PyValue::Array(a) => a.values.clone(),
                o => panic!("{o:?}"),
            })
            .collect();
        assert_eq!(arrays, vec![vec![1.5, -2.0], vec![0.25, 3.0]]);
    }

    #[test]
    fn unsupported_opcode_and_truncation_are_named() {
        let e = read_pickle(&[0x80, 2, b'P']).unwrap_err().to_string();
        assert!(e.contains("0x50") && e.contains("offset 2"), "{e}");
        let e = read_pickle(&[0x80, 2, b'U', 5, b'a'])
            .unwrap_err()
            .to_string();
        assert!(e.contains("truncated"), "{e}");
    }
}
