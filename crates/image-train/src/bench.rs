//! Timing training steps: the same step as training ([`Learner`]), repeated on one batch. Used
//! by `polarity images bench` and by the GPU check (which also compares the losses and weights
//! of two backends).

use crate::batches::tensors;
use crate::learner::Learner;
use crate::Error;
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{Distribution, ElementConversion, Int, Tensor, TensorData};
use polarity_burn::{kernel_template, named_values, KerasAdam, ResetRule, Selection};
use polarity_core::NamedTensors;
use polarity_images::Batch;
use polarity_models::{NetworkConfig, NetworkJob, TrainableClassifier};
use std::time::Instant;

/// The batch every step trains on.
#[derive(Debug, Clone)]
pub enum StepBatch {
    /// `batch_size` images of the network's input shape drawn from Normal(0, 1) by the
    /// backend's generator, labels `i % 10`.
    Random { batch_size: usize, side: usize },
    /// Given images and labels.
    Given(Batch),
}

/// How the steps run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepOptions {
    /// Timed steps.
    pub steps: usize,
    /// One untimed step first (compilation, allocation).
    pub warmup: bool,
    /// Freeze-SGD with the network's own initial kernel signs and this rule; `None`: plain Adam.
    pub freeze: Option<ResetRule>,
    /// Read every step's loss back (a host synchronisation before the backward pass).
    pub record_loss: bool,
    pub lr: f64,
}

/// What the steps did.
#[derive(Debug, Clone, PartialEq)]
pub struct StepTrace {
    /// The loss of every timed step (empty unless `record_loss`).
    pub losses: Vec<f32>,
    /// Wall-clock seconds of every timed step, the device synchronised at its end.
    pub seconds: Vec<f64>,
    /// This process's CPU seconds of every timed step, where the platform reports them
    /// (Linux).
    pub cpu_seconds: Vec<Option<f64>>,
    /// Every parameter after the last step.
    pub weights: NamedTensors,
}

struct StepJob<'a, B: AutodiffBackend> {
    batch: &'a StepBatch,
    options: &'a StepOptions,
    channels: usize,
    device: &'a B::Device,
}

impl<B: AutodiffBackend> NetworkJob<B> for StepJob<'_, B> {
    type Output = Result<StepTrace, Error>;
    fn run<M: TrainableClassifier<B>>(self, mut model: M) -> Self::Output {
        let device = self.device;
        let opts = self.options;
        let (x, y) = match self.batch {
            StepBatch::Given(b) => tensors::<B>(b.clone(), device),
            StepBatch::Random { batch_size, side } => {
                let n = *batch_size;
                let x = Tensor::<B, 4>::random(
                    [n, self.channels, *side, *side],
                    Distribution::Normal(0.0, 1.0),
                    device,
                );
                let labels: Vec<i64> = (0..n as i64).map(|i| i % 10).collect();
                let y = Tensor::<B, 1, Int>::from_data(TensorData::new(labels, [n]), device);
                (x, y)
            }
        };
        let template = opts
            .freeze
            .map(|_| kernel_template::<B, M>(&model, "step init"));
        let mut learner = Learner::<B, M>::new(
            &model,
            template.as_ref(),
            opts.freeze.unwrap_or_default(),
            KerasAdam::default(),
            opts.lr,
            device,
        )?;
        let mut trace = StepTrace {
            losses: Vec::new(),
            seconds: Vec::new(),
            cpu_seconds: Vec::new(),
            weights: NamedTensors::default(),
        };
        let first_timed = usize::from(opts.warmup);
        for i in 0..first_timed + opts.steps {
            let t0 = Instant::now();
            let cpu0 = process_cpu_seconds();
            let (_, loss) = learner.forward(&model, x.clone(), y.clone());
            if opts.record_loss && i >= first_timed {
                trace.losses.push(loss.clone().into_scalar().elem());
            }
            model = learner.step(model, loss);
            // Wait for the device so the time covers the whole step.
            B::sync(device).map_err(|e| Error::Backend(format!("{e:?}")))?;
            if i >= first_timed {
                trace.seconds.push(t0.elapsed().as_secs_f64());
                trace
                    .cpu_seconds
                    .push(process_cpu_seconds().zip(cpu0).map(|(b, a)| b - a));
            }
        }
        trace.weights = named_values::<B, M>(&model, Selection::All);
        Ok(trace)
    }
}

/// Builds `network` with `init` and runs training steps on one batch (see [`StepOptions`]).
pub fn repeat_step<B: AutodiffBackend>(
    network: &NetworkConfig,
    init: &NamedTensors,
    batch: &StepBatch,
    options: &StepOptions,
    device: &B::Device,
) -> Result<StepTrace, Error> {
    let job = StepJob::<B> {
        batch,
        options,
        channels: network.in_channels(),
        device,
    };
    network.run_with::<B, _>(init, device, job)?
}

/// This process's CPU time in seconds (Linux; `None` elsewhere): the nanosecond run times of
/// its threads from `/proc/self/task/*/schedstat` (a step of the small CNN takes milliseconds,
/// below the 10 ms ticks of `/proc/self/stat`, which is the fallback). CPU time is what a step
/// costs when other processes share the machine and stretch the wall-clock time.
fn process_cpu_seconds() -> Option<f64> {
    thread_run_seconds().or_else(process_tick_seconds)
}

/// Sum of the first field (time on a CPU, ns) of every thread's schedstat.
fn thread_run_seconds() -> Option<f64> {
    let ns: u64 = std::fs::read_dir("/proc/self/task")
        .ok()?
        .flatten()
        // a thread that ended since the listing is skipped
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Some(ns as f64 * 1e-9)
}

/// User + system time from `/proc/self/stat` (clock ticks at the usual 100 Hz).
fn process_tick_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
