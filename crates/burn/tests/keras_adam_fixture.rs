//! `KerasAdam` held to real Keras: the fixture `crates/mlp/tests/fixtures/keras_mlp_steps.json`
//! (written by `crates/mlp/scripts/make_keras_fixture.py` with tensorflow-cpu 2.15.1 / Keras
//! 2.15.0) records six Adam steps (lr 0.03, beta_1 0.9, beta_2 0.999, epsilon 1e-7) of
//! `Dense(8, relu) -> Dense(1, sigmoid)` with binary cross-entropy, from fixed initial weights
//! on fixed batches. The same network built from burn `Linear` layers (weights `[in, out]`, as
//! Keras' kernels), started from the same weights and stepped with `KerasAdam` on the same
//! batches, must end every step on Keras' weights and report Keras' batch losses. burn's own
//! `Adam` (PyTorch's epsilon placement) must not.
//!
//! The fixture is read with the small JSON reader at the bottom (this crate keeps serde_json
//! out of its dependencies).

use burn::backend::{Autodiff, Flex};
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::tensor::{Tensor, TensorData};
use polarity_burn::{named_values, set_param_values, KerasAdam, NamedTensors, Selection};

type B = Autodiff<Flex>;

mod common;
use common::{bce, Mlp};

/// Tolerance on every weight after step `k`: `k * STEP_ATOL`, absolute. The budget of
/// `crates/mlp/tests/keras_fixture.rs`, for the same reason: Keras 2.15 multiplies its moment
/// updates by `1 - beta` evaluated in double (`1 - 0.999` -> 0.001f32) while its `lr_t`, and
/// `KerasAdam`, use the float32 betas (`1 - 0.999f32` = 0.0010000229), so Keras' steps are up
/// to 1.15e-5 larger relative: 0.03 * 1.15e-5 = 3.5e-7 per step, plus float32 rounding.
const STEP_ATOL: f32 = 4e-7;

/// Relative tolerance on a batch loss: float32 forward passes and means over at most 32
/// samples; the weights it is computed from already differ by up to `k * STEP_ATOL`, which
/// moves the loss by about 1e-7 relative on these batches.
const LOSS_RTOL: f32 = 1e-6;

struct Fixture {
    inputs: usize,
    hidden: usize,
    lr: f64,
    adam: KerasAdam,
    initial: NamedTensors,
    batches: Vec<(Vec<f32>, Vec<f32>)>,
    /// Per step: Keras' batch loss (weights before the step) and the weights after it.
    steps: Vec<(f32, NamedTensors)>,
}

fn fixture() -> Fixture {
    let json = Json::parse(include_str!(
        "../../mlp/tests/fixtures/keras_mlp_steps.json"
    ));
    let network = json.get("network");
    let (inputs, hidden) = (network.get("inputs").usize(), network.get("hidden").usize());
    let weights = |w: &Json| {
        let mut t = NamedTensors::default();
        t.insert("hidden.weight", vec![inputs, hidden], w.get("w1").f32s());
        t.insert("hidden.bias", vec![hidden], w.get("b1").f32s());
        t.insert("output.weight", vec![hidden, 1], w.get("w2").f32s());
        t.insert("output.bias", vec![1], vec![w.get("b2").f32()]);
        t
    };
    let adam = json.get("adam");
    Fixture {
        inputs,
        hidden,
        lr: adam.get("learning_rate").num(),
        adam: KerasAdam {
            beta_1: adam.get("beta_1").f32(),
            beta_2: adam.get("beta_2").f32(),
            epsilon: adam.get("epsilon").f32(),
        },
        initial: weights(json.get("initial")),
        batches: json
            .get("batches")
            .arr()
            .iter()
            .map(|b| (b.get("x").f32s(), b.get("y").f32s()))
            .collect(),
        steps: json
            .get("steps")
            .arr()
            .iter()
            .map(|s| (s.get("batch_loss").f32(), weights(s)))
            .collect(),
    }
}

/// Trains the burn network over the fixture's batches with `optim`: per step, the batch loss
/// (before the step) and the weights after it.
fn run<O: Optimizer<Mlp<B>, B>>(fx: &Fixture, mut optim: O) -> Vec<(f32, NamedTensors)> {
    let device = Default::default();
    let mut model = set_param_values(
        Mlp::<B>::new(fx.inputs, fx.hidden, &device),
        &fx.initial,
        &device,
    )
    .unwrap();
    let mut out = Vec::new();
    for (x, y) in &fx.batches {
        let n = y.len();
        let x = Tensor::<B, 2>::from_data(TensorData::new(x.clone(), [n, fx.inputs]), &device);
        let y = Tensor::<B, 2>::from_data(TensorData::new(y.clone(), [n, 1]), &device);
        let loss = bce(model.logits(x), y);
        let loss_value = loss.clone().into_scalar();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(fx.lr, model, grads);
        out.push((loss_value, named_values::<B, _>(&model, Selection::All)));
    }
    out
}

/// Largest absolute difference over all parameters.
fn max_diff(a: &NamedTensors, b: &NamedTensors) -> f32 {
    assert_eq!(a.names().collect::<Vec<_>>(), b.names().collect::<Vec<_>>());
    let mut worst = 0.0f32;
    for name in a.names() {
        let ((sa, va), (sb, vb)) = (a.get(name).unwrap(), b.get(name).unwrap());
        assert_eq!(sa, sb, "{name}");
        for (x, y) in va.iter().zip(vb) {
            worst = worst.max((x - y).abs());
        }
    }
    worst
}

#[test]
fn keras_adam_follows_keras_step_by_step() {
    let fx = fixture();
    assert_eq!(fx.steps.len(), fx.batches.len());
    let ours = run(&fx, fx.adam.init::<B, Mlp<B>>());
    for (k, ((loss, w), (keras_loss, keras_w))) in (1..).zip(ours.iter().zip(&fx.steps)) {
        let dw = max_diff(w, keras_w);
        let tol = k as f32 * STEP_ATOL;
        assert!(dw <= tol, "step {k}: max |w - w_keras| = {dw:e} > {tol:e}");
        let rel = (loss - keras_loss).abs() / keras_loss;
        assert!(
            rel <= LOSS_RTOL,
            "step {k}: batch loss {loss} vs Keras {keras_loss}"
        );
    }
}

#[test]
fn burns_adam_does_not_match_keras() {
    // PyTorch's placement, `w -= lr * m_hat / (sqrt(v_hat) + eps)`, even with Keras' epsilon:
    // the fixture's fourth input is at scale 1e-5, so its kernel row's sqrt(v) is of the order
    // of epsilon and the placement changes those steps by O(1).
    let fx = fixture();
    let config = AdamConfig::new()
        .with_beta_1(fx.adam.beta_1)
        .with_beta_2(fx.adam.beta_2)
        .with_epsilon(fx.adam.epsilon);
    let theirs = run(&fx, config.init::<B, Mlp<B>>());
    for (k, ((_, w), (_, keras_w))) in (1..).zip(theirs.iter().zip(&fx.steps)) {
        let dw = max_diff(w, keras_w);
        let tol = k as f32 * STEP_ATOL;
        assert!(
            dw > 100.0 * tol,
            "burn's Adam would pass at step {k}: {dw:e} vs tolerance {tol:e}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal JSON reader, enough for the fixture (numbers, strings without escapes beyond `\x`,
// arrays, objects, true/false/null). Panics on anything malformed: the input is a fixture.

#[derive(Debug)]
enum Json {
    Num(f64),
    Str,
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
    Lit,
}

impl Json {
    fn parse(text: &str) -> Json {
        let mut r = Reader {
            s: text.as_bytes(),
            i: 0,
        };
        let v = r.value();
        r.skip_ws();
        assert_eq!(r.i, r.s.len(), "trailing characters in the fixture");
        v
    }
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("fixture: no key '{key}'")),
            other => panic!("fixture: '{key}' looked up in {other:?}"),
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(v) => v,
            other => panic!("fixture: expected an array, found {other:?}"),
        }
    }
    fn num(&self) -> f64 {
        match self {
            Json::Num(x) => *x,
            other => panic!("fixture: expected a number, found {other:?}"),
        }
    }
    /// The fixture writes each float32 as the shortest decimal that reads back as itself.
    fn f32(&self) -> f32 {
        self.num() as f32
    }
    fn f32s(&self) -> Vec<f32> {
        self.arr().iter().map(Json::f32).collect()
    }
    fn usize(&self) -> usize {
        let x = self.num();
        assert!(x >= 0.0 && x.fract() == 0.0, "fixture: {x} is not a count");
        x as usize
    }
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        let hit = self.s.get(self.i) == Some(&c);
        self.i += usize::from(hit);
        hit
    }
    fn string(&mut self) -> String {
        assert!(
            self.eat(b'"'),
            "fixture: expected a string at byte {}",
            self.i
        );
        let start = self.i;
        while self.s[self.i] != b'"' {
            self.i += if self.s[self.i] == b'\\' { 2 } else { 1 };
        }
        self.i += 1;
        String::from_utf8_lossy(&self.s[start..self.i - 1]).into_owned()
    }
    fn list<T>(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let mut out = Vec::new();
        if self.eat(close) {
            return out;
        }
        loop {
            out.push(item(self));
            if self.eat(close) {
                return out;
            }
            assert!(self.eat(b','), "fixture: expected ',' at byte {}", self.i);
        }
    }
    fn value(&mut self) -> Json {
        self.skip_ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                Json::Obj(self.list(b'}', |r| {
                    let k = r.string();
                    assert!(r.eat(b':'), "fixture: expected ':' at byte {}", r.i);
                    (k, r.value())
                }))
            }
            b'[' => {
                self.i += 1;
                Json::Arr(self.list(b']', Self::value))
            }
            b'"' => {
                self.string();
                Json::Str
            }
            b't' | b'f' | b'n' => {
                while self.i < self.s.len() && self.s[self.i].is_ascii_alphabetic() {
                    self.i += 1;
                }
                Json::Lit
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                    )
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                Json::Num(
                    text.parse()
                        .unwrap_or_else(|_| panic!("fixture: bad number '{text}'")),
                )
            }
        }
    }
}
