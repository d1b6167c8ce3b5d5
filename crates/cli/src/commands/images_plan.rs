//! The plans of the `images` subcommands, checked before any data is read or network built
//! (docs/decisions.md D-PLAN-3): sizes against the splits and the network's layers, memory
//! against this machine's limit.

use super::images::{parse_conditions, BenchArgs, GpuCheckArgs, TrainArgs};
use super::reproduce_plan::rename_option;
use crate::backend::DeviceKind;
use crate::plan_check;
use polarity_core::plan::out_of_range;
use polarity_image_train::{ImageRunSizes, TrainOptions};
use polarity_images::DatasetKind;
use polarity_models::{check_width_divisor, NetworkConfig, NetworkKind};

/// `images train`: whether to go on (false after `--dry-run`).
pub fn train(a: &TrainArgs) -> anyhow::Result<bool> {
    let conditions = parse_conditions(&a.conditions)?;
    let kind = NetworkKind::from(a.network);
    check_width_divisor(kind, a.width_divisor)?;
    let splits = a.dataset.split_sizes();
    let network = NetworkConfig::new(
        kind,
        kind.input_channels(splits.channels),
        a.input_size,
        a.width_divisor,
    );
    let run = ImageRunSizes {
        network: &network,
        input_side: network.input_side(a.input_size),
        width_divisor: a.width_divisor,
        splits,
        n_train: a.n_train,
        val_size: a.val_size,
        batch_size: a.batch_size,
        eval_batch_size: TrainOptions::default().eval_batch_size,
        epochs: a.epochs,
        conditions: conditions.len(),
        network_on_host: a.device != DeviceKind::Cuda,
    };
    let plan = run.plan()?;
    plan_check::check(&plan, run.cpu_speed(), a.dry_run)
}

/// `images bench`: a batch of random images through one training step.
pub fn bench(a: &BenchArgs) -> anyhow::Result<()> {
    let kind = NetworkKind::from(a.network);
    let channels = kind.input_channels(a.channels);
    let network = NetworkConfig::new(kind, channels, a.input_size, 1);
    let splits = polarity_images::SplitSizes {
        // Random images: no split to draw from, so the batch is the only bound.
        train: a.batch_size.max(1),
        test: 1,
        channels,
        side: 1,
    };
    let run = ImageRunSizes {
        network: &network,
        input_side: network.input_side(a.input_size),
        width_divisor: 1,
        splits,
        n_train: a.batch_size,
        val_size: Some(1),
        batch_size: a.batch_size,
        eval_batch_size: 1,
        epochs: a.steps.max(1),
        conditions: 1,
        network_on_host: a.device != DeviceKind::Cuda,
    };
    let plan = run
        .plan()
        .map_err(|e| rename_option(e, "n-train", "batch-size"))?;
    plan_check::check(&plan, run.cpu_speed(), false)?;
    Ok(())
}

/// `images gpu-check`: the paper AlexNet on a batch of the first training images.
pub fn gpu_check(a: &GpuCheckArgs) -> anyhow::Result<()> {
    let splits = DatasetKind::FashionMnist.split_sizes();
    if a.batch == 0 || a.batch > splits.train {
        return Err(out_of_range(
            "batch",
            a.batch,
            format!(
                "expected 1 to {} (the Fashion-MNIST training split)",
                splits.train
            ),
        )
        .into());
    }
    for (option, value) in [("steps", a.steps), ("timed-steps", a.timed_steps)] {
        if value == 0 {
            return Err(out_of_range(option, 0, "expected at least 1").into());
        }
    }
    let network = NetworkConfig::new(NetworkKind::PaperAlexnet, 3, None, 1);
    let run = ImageRunSizes {
        network: &network,
        input_side: network.input_side(None),
        width_divisor: 1,
        splits,
        n_train: a.batch,
        val_size: Some(1),
        batch_size: a.batch,
        eval_batch_size: 1,
        epochs: a.steps.saturating_add(a.timed_steps),
        conditions: 1,
        // The CPU run (unless --no-cpu) holds the network in this machine's memory.
        network_on_host: !a.no_cpu || a.device != DeviceKind::Cuda,
    };
    let plan = run
        .plan()
        .map_err(|e| rename_option(e, "n-train", "batch"))?;
    plan_check::check(&plan, run.cpu_speed(), false)?;
    Ok(())
}
