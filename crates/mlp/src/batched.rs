//! The fast engine: networks are trained 8 at a time in a SIMD *pack*, with the network index
//! innermost (`[entry][lane]`), so every arithmetic operation is one 8-wide vector operation
//! whatever the hidden size. All networks of a pack share the data and the batch order (as in the
//! paper); everything else is per lane. Packs run in parallel on a rayon pool.
//!
//! Determinism: lanes never interact, products use explicit `mul_add` (fused on CPUs with FMA,
//! correctly rounded in software otherwise: same bits either way), and posRand draws come from
//! each network's own generator in entry order. So a network's results are the same in any pack,
//! on any thread, at any thread count.

use crate::data::{epoch_order, Dataset};
use crate::{EngineError, EpochRecord, MlpParams, NetworkJob, TrainConfig};
use polarity_core::seed::{self, PolarityRng};
use polarity_core::sign_of;
use rayon::prelude::*;

/// Networks per pack: one AVX-512 register of f32 (two AVX2 registers).
pub const LANES: usize = 8;
type V = [f32; LANES];

/// A trained network: final weights and one record per epoch.
#[derive(Debug, Clone)]
pub struct TrainedNetwork {
    pub params: MlpParams,
    pub records: Vec<EpochRecord>,
}

/// Trains every job; output in job order. `threads` = worker threads (results do not depend on
/// it); `on_pack_done` is called after each pack (for progress bars) with the pack's network count.
pub fn train_many(
    jobs: &[NetworkJob],
    cfg: &TrainConfig,
    train_set: &Dataset,
    val_set: &Dataset,
    shuffle_seed: u64,
    threads: usize,
    on_pack_done: &(dyn Fn(usize) + Sync),
) -> Result<Vec<TrainedNetwork>, EngineError> {
    cfg.validate()?;
    for (k, job) in jobs.iter().enumerate() {
        check_job(k, job, train_set, val_set)?;
    }
    // Packs: consecutive jobs of equal shape, at most LANES each.
    let mut packs: Vec<Vec<usize>> = Vec::new();
    for (k, job) in jobs.iter().enumerate() {
        let same = packs
            .last()
            .is_some_and(|p| p.len() < LANES && jobs[p[0]].params.hidden == job.params.hidden);
        if same {
            packs.last_mut().unwrap().push(k);
        } else {
            packs.push(vec![k]);
        }
    }
    let run = |members: &Vec<usize>| {
        let r = train_pack(jobs, members, cfg, train_set, val_set, shuffle_seed);
        on_pack_done(members.len());
        r
    };
    let results: Vec<Result<Vec<TrainedNetwork>, EngineError>> = if threads <= 1 {
        packs.iter().map(run).collect()
    } else {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| EngineError::Invalid(format!("thread pool: {e}")))?
            .install(|| packs.par_iter().map(run).collect())
    };
    let mut out = Vec::with_capacity(jobs.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

fn check_job(
    k: usize,
    job: &NetworkJob,
    train: &Dataset,
    val: &Dataset,
) -> Result<(), EngineError> {
    let p = &job.params;
    let bad = |m: String| Err(EngineError::Invalid(format!("network {k}: {m}")));
    if p.inputs != train.inputs || p.inputs != val.inputs {
        return bad(format!(
            "{} inputs, data has {}/{}",
            p.inputs, train.inputs, val.inputs
        ));
    }
    if p.w1.len() != p.inputs * p.hidden || p.b1.len() != p.hidden || p.w2.len() != p.hidden {
        return bad("parameter lengths do not match inputs x hidden".into());
    }
    if let Some(t) = &job.template {
        if t.w1.len() != p.w1.len() || t.b1.len() != p.b1.len() || t.w2.len() != p.w2.len() {
            return bad("template lengths do not match the parameters".into());
        }
    }
    if train.is_empty() || val.is_empty() {
        return bad("empty training or validation set".into());
    }
    Ok(())
}

/// One pack's state. Parameters (and Adam moments, gradients, templates) are flattened as
/// `[w1 (h*d), b1 (h), w2 (h), b2 (1)]`, each entry a vector over lanes. Inside a pack w1 is
/// stored unit-major (`[j][i]`, a unit's input weights contiguous, which the forward pass
/// wants); [`Pack::slot`] maps the public `[i][j]` order onto it.
struct Pack {
    d: usize,
    h: usize,
    lanes: usize,
    w: Vec<V>,
    m: Vec<V>,
    v: Vec<V>,
    g: Vec<V>,
    t: Vec<V>,
    frozen: [bool; LANES],
    rngs: Vec<PolarityRng>,
    scratch: Scratch,
}

/// Working memory of the kernels, reused from batch to batch.
#[derive(Default)]
struct Scratch {
    /// The batch's input rows, `[sample][input]`, padded to whole sample blocks.
    rows: Vec<f32>,
    /// Hidden activations `relu(z)`, unit-major: `[unit][sample]`.
    act: Vec<V>,
    /// Output logits, then the loss gradient with respect to them, per sample.
    d_out: Vec<V>,
}

impl Pack {
    fn new(jobs: &[NetworkJob], members: &[usize]) -> Self {
        let p0 = &jobs[members[0]].params;
        let (d, h) = (p0.inputs, p0.hidden);
        let n = d * h + 2 * h + 1;
        let mut w = vec![[0.0; LANES]; n];
        let mut t = vec![[0.0; LANES]; n];
        let mut frozen = [false; LANES];
        let mut rngs = Vec::with_capacity(LANES);
        // Padding lanes replay lane 0 and are discarded.
        for lane in 0..LANES {
            let job = &jobs[members[lane.min(members.len() - 1)]];
            let p = &job.params;
            let flat =
                p.w1.iter()
                    .chain(&p.b1)
                    .chain(&p.w2)
                    .chain(std::iter::once(&p.b2));
            for (k, &x) in flat.enumerate() {
                w[slot(d, h, k)][lane] = x;
            }
            if let Some(tm) = &job.template {
                frozen[lane] = true;
                let flat = tm
                    .w1
                    .iter()
                    .chain(&tm.b1)
                    .chain(&tm.w2)
                    .chain(std::iter::once(&tm.b2));
                for (k, &s) in flat.enumerate() {
                    t[slot(d, h, k)][lane] = f32::from(s);
                }
            }
            rngs.push(seed::rng(job.reset_seed, &[]));
        }
        Self {
            d,
            h,
            lanes: members.len(),
            m: vec![[0.0; LANES]; n],
            v: vec![[0.0; LANES]; n],
            g: vec![[0.0; LANES]; n],
            w,
            t,
            frozen,
            rngs,
            scratch: Scratch::default(),
        }
    }

    fn params(&self, lane: usize) -> MlpParams {
        let (d, h) = (self.d, self.h);
        let col =
            |r: std::ops::Range<usize>| r.map(|k| self.w[slot(d, h, k)][lane]).collect::<Vec<_>>();
        MlpParams {
            inputs: d,
            hidden: h,
            w1: col(0..d * h),
            b1: col(d * h..d * h + h),
            w2: col(d * h + h..d * h + 2 * h),
            b2: self.w[d * h + 2 * h][lane],
        }
    }

    /// Kernel signs of every lane, for the per-epoch flip count.
    fn kernel_signs(&self) -> Vec<[i8; LANES]> {
        let (d, h) = (self.d, self.h);
        self.w[..d * h]
            .iter()
            .chain(&self.w[d * h + h..d * h + 2 * h])
            .map(|x| std::array::from_fn(|l| sign_of(x[l])))
            .collect()
    }
}

/// Storage slot of entry `k` of the public flat order `[w1 [i][j], b1, w2, b2]`.
#[inline]
fn slot(d: usize, h: usize, k: usize) -> usize {
    if k < d * h {
        (k % h) * d + k / h
    } else {
        k
    }
}

fn train_pack(
    jobs: &[NetworkJob],
    members: &[usize],
    cfg: &TrainConfig,
    train_set: &Dataset,
    val_set: &Dataset,
    shuffle_seed: u64,
) -> Result<Vec<TrainedNetwork>, EngineError> {
    let mut pack = Pack::new(jobs, members);
    let (d, h) = (pack.d, pack.h);
    let mut records: Vec<Vec<EpochRecord>> =
        (0..LANES).map(|_| Vec::with_capacity(cfg.epochs)).collect();
    let mut prev = pack.kernel_signs();
    let mut step: u64 = 0;
    for epoch in 0..cfg.epochs {
        let order = epoch_order(train_set.len(), shuffle_seed, epoch);
        let mut loss_sum = [0.0f64; LANES];
        let mut correct = [0u32; LANES];
        let mut resets = [[0u32; 2]; LANES];
        for batch in order.chunks(cfg.batch_size) {
            kernels::batch_gradients(&mut pack, train_set, batch, &mut loss_sum, &mut correct);
            step += 1;
            kernels::adam(&mut pack, cfg, cfg.lr_t(step));
            enforce(&mut pack, cfg, &mut resets).map_err(|(lane, source)| {
                EngineError::Polarity {
                    network: members[lane.min(members.len() - 1)],
                    source,
                }
            })?;
        }
        let (val_loss, val_correct) = kernels::evaluate(&pack, val_set);
        let signs = pack.kernel_signs();
        let mut flips = [[0u32; 2]; LANES];
        for (k, (a, b)) in signs.iter().zip(&prev).enumerate() {
            let layer = usize::from(k >= d * h);
            for l in 0..LANES {
                flips[l][layer] += u32::from(a[l] != b[l]);
            }
        }
        prev = signs;
        let n = train_set.len() as f64;
        for l in 0..LANES {
            records[l].push(EpochRecord {
                train_loss: (loss_sum[l] / n) as f32,
                train_acc: correct[l] as f32 / n as f32,
                val_loss: (val_loss[l] / val_set.len() as f64) as f32,
                val_acc: val_correct[l] as f32 / val_set.len() as f32,
                resets: resets[l],
                flips: flips[l],
            });
        }
    }
    Ok((0..pack.lanes)
        .map(|l| TrainedNetwork {
            params: pack.params(l),
            records: std::mem::take(&mut records[l]),
        })
        .collect())
}

/// Freeze-SGD on every frozen lane; violations are rare, so the vector check is the hot part and
/// the resets themselves run per lane in entry order (the reference's order).
fn enforce(
    pack: &mut Pack,
    cfg: &TrainConfig,
    resets: &mut [[u32; 2]; LANES],
) -> Result<(), (usize, polarity_core::PolarityError)> {
    if !pack.frozen.iter().any(|&f| f) {
        return Ok(());
    }
    // Violations are few: one vector pass over the storage finds the entries that have any,
    // which are then visited in public entry order (w1 row-major, b1, w2, b2), the order of
    // the reference's posRand draws.
    let (d, h) = (pack.d, pack.h);
    let hidden_end = d * h + h;
    let mut flagged: Vec<(usize, usize)> = Vec::new();
    for (at, (w, t)) in pack.w.iter().zip(&pack.t).enumerate() {
        let mut any = false;
        for l in 0..LANES {
            any |= (w[l] * t[l] < 0.0) | w[l].is_nan();
        }
        if any {
            let k = if at < d * h {
                (at % d) * h + at / d
            } else {
                at
            };
            flagged.push((k, at));
        }
    }
    flagged.sort_unstable();
    for (k, at) in flagged {
        let (w, t) = (&mut pack.w[at], &pack.t[at]);
        for l in 0..LANES {
            if !pack.frozen[l] {
                continue;
            }
            if w[l].is_nan() {
                return Err((
                    l,
                    polarity_core::PolarityError::NanWeight {
                        tensor: "mlp parameters (flattened w1, b1, w2, b2)".into(),
                        index: k,
                    },
                ));
            }
            let s = t[l] as i8;
            if polarity_core::reset::violates(w[l], s) {
                w[l] = cfg.reset.reset_value(w[l], s, &mut pack.rngs[l]);
                resets[l][usize::from(k >= hidden_end)] += 1;
            }
        }
    }
    Ok(())
}

/// The hot loops (compiled per instruction set, chosen at run time).
mod kernels;
/// The vector operations the kernels are written in.
mod lanes;
