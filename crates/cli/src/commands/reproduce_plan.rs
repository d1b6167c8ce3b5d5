//! The plans of the `reproduce` commands, checked before any data is read or file written
//! (docs/decisions.md D-PLAN-3): every XOR grid of `reproduce xor` at the chosen thread count;
//! for `reproduce images` and `transfer`, the largest run of the grid (sizes against the split,
//! the network at its input side, memory) plus the grid's table and the whole grid's work.

use crate::backend::DeviceKind;
use crate::plan_check;
use polarity_core::plan::{Factor, Plan, Term};
use polarity_image_train::{ImageRunSizes, TrainOptions};
use polarity_images::conditions::{Condition, PolaritySource};
use polarity_images::{DatasetKind, SplitSizes};
use polarity_models::{check_width_divisor, NetworkConfig, NetworkKind};
use polarity_reproduce::transfer::{Arch, TransferStudy};

/// The library names the option of a single run; name the one the user typed here.
pub fn rename_option(
    e: polarity_core::PlanError,
    from: &str,
    to: &str,
) -> polarity_core::PlanError {
    match e {
        polarity_core::PlanError::OutOfRange {
            option,
            value,
            expected,
        } if option == from => polarity_core::PlanError::OutOfRange {
            option: to.to_string(),
            value,
            expected,
        },
        other => other,
    }
}

/// Bytes kept per data draw until the report is written: its claims (about 15, a few hundred
/// bytes of text each) and time ratios, rounded up.
const DRAW_JUDGEMENT_BYTES: u64 = 16 << 10;

/// Bytes of one image result row held while a grid's table is rendered.
const IMAGE_ROW_BYTES: u64 = 1024;

/// `reproduce xor`: every grid's plan at `threads`, and the extra data draws: each draw's grids
/// cost what draw 1's cost (the same grids on other data). The analysis keeps reduced cells, not
/// result tables (docs/decisions.md D-STATS-10), so the draws add work, not memory.
pub fn xor(
    quick: bool,
    seed: u64,
    threads: Option<usize>,
    draws: usize,
    full_draws: bool,
) -> anyhow::Result<()> {
    let threads = plan_check::threads(threads);
    let speed = polarity_xor::plan::speed(threads);
    let mut whole = Plan::default();
    for grid in polarity_reproduce::xor::plan::grids(quick, seed) {
        let plan = grid.config.plan(threads, 1)?;
        // Grids run one after the other: each must fit, the largest is the peak; the work adds up.
        plan_check::check(&plan, speed, false)?;
        whole.networks += plan.networks;
        if plan.memory_bytes() > whole.memory_bytes() {
            whole.memory.clone_from(&plan.memory);
        }
        whole.work.extend(plan.work);
    }
    let extra = Factor::option("data-draws", draws.saturating_sub(1));
    if extra.value > 0 {
        for grid in polarity_reproduce::xor::plan::draw_grids(quick, seed, 1, full_draws) {
            let plan = grid.config.plan(threads, 1)?;
            let per_draw = |t: Term| Term {
                factors: t.factors.into_iter().chain([extra.clone()]).collect(),
                ..t
            };
            whole.networks = whole
                .networks
                .saturating_add(plan.networks.saturating_mul(extra.value));
            whole.work.extend(plan.work.into_iter().map(per_draw));
        }
        whole.memory.push(Term::new(
            "the claims and ratios kept of every data draw",
            vec![extra],
            DRAW_JUDGEMENT_BYTES,
        ));
    }
    plan_check::check(&whole, speed, false)?;
    Ok(())
}

/// The grid's table and work on top of the plan of its largest run.
fn grid_plan(
    run: ImageRunSizes<'_>,
    sizes: &[usize],
    trials: usize,
    conditions: usize,
    directions: usize,
) -> anyhow::Result<Plan> {
    // Named only where there are several (the transfer study's directions).
    let per_direction: Vec<Factor> = (directions > 1)
        .then(|| Factor::count("directions", directions))
        .into_iter()
        .collect();
    let mut plan = run
        .plan()
        .map_err(|e| rename_option(e, "n-train", "sizes"))?;
    let mut work = Vec::new();
    for &n in sizes {
        let one = ImageRunSizes {
            n_train: n,
            ..run.clone()
        }
        .plan()?;
        for t in one.work {
            work.push(Term {
                factors: t
                    .factors
                    .into_iter()
                    .chain([Factor::option("trials", trials)])
                    .chain(per_direction.iter().cloned())
                    .collect(),
                ..t
            });
        }
    }
    plan.work = work;
    plan.networks = (sizes.len() as u64)
        .saturating_mul(trials as u64)
        .saturating_mul(conditions as u64)
        .saturating_mul(directions as u64);
    plan.memory.push(Term::new(
        "the grid's result table",
        [
            Factor::count("sizes", sizes.len()),
            Factor::option("trials", trials),
        ]
        .into_iter()
        .chain(per_direction.iter().cloned())
        .chain([
            Factor::count("conditions", conditions),
            Factor::option("epochs", run.epochs),
        ])
        .collect(),
        IMAGE_ROW_BYTES,
    ));
    Ok(plan)
}

/// `reproduce images` after the preset and overrides are applied.
pub fn images(
    dataset: DatasetKind,
    scale: &polarity_reproduce::images::Scale,
    with_weights: bool,
    device: DeviceKind,
) -> anyhow::Result<()> {
    check_width_divisor(NetworkKind::PaperAlexnet, scale.width_divisor)?;
    let network = NetworkConfig::new(
        NetworkKind::PaperAlexnet,
        3,
        Some(scale.input_size),
        scale.width_divisor,
    );
    let conditions = Condition::ALL
        .iter()
        .filter(|c| with_weights || c.source == PolaritySource::Rand)
        .count();
    let largest = scale.sizes.iter().copied().max().unwrap_or(0);
    let run = ImageRunSizes {
        network: &network,
        input_side: scale.input_size,
        width_divisor: scale.width_divisor,
        splits: dataset.split_sizes(),
        n_train: largest,
        val_size: scale.val_size,
        batch_size: scale.batch_size,
        eval_batch_size: TrainOptions::default().eval_batch_size,
        epochs: scale.epochs,
        conditions,
        network_on_host: device != DeviceKind::Cuda,
    };
    let speed = run.cpu_speed();
    let plan = grid_plan(run, &scale.sizes, scale.trials, conditions, 1)?;
    plan_check::check(&plan, speed, false)?;
    Ok(())
}

/// `reproduce transfer`: each direction's sources and targets draw from half the Fashion-MNIST
/// classes (the direction to MNIST: sources on all ten, targets from the 5,000-image MNIST
/// subset; planned as the larger of the two); every target network trains `steps` steps on its subset tiled to one round of
/// `steps / rounds` batches (an "epoch" of the plan), evaluated on the test images per round.
pub fn transfer(study: &TransferStudy, device: DeviceKind) -> anyhow::Result<()> {
    let full = DatasetKind::FashionMnist.split_sizes();
    // Five of the ten balanced classes: half of each split (6,000 / 1,000 images per class).
    let half = SplitSizes {
        train: full.train / 2,
        test: full.test / 2,
        ..full
    };
    let side = match study.arch {
        Arch::SmallCnn | Arch::WideCnn => full.side,
        Arch::Alexnet => 227,
    };
    let directions = study.directions.list();
    let classes = directions
        .iter()
        .map(|d| d.target_classes.len())
        .max()
        .unwrap_or(5);
    let network = study.network(side, classes);
    let s = &study.scale;
    let sources = s.sources.holdout + s.sources.per_direction * s.sources.images;
    if sources > half.train {
        return Err(polarity_core::plan::out_of_range(
            "sources",
            sources,
            format!(
                "held-out + per-direction x images must be at most {} (the source classes' training images)",
                half.train
            ),
        )
        .into());
    }
    // MNIST subset: 500 images per digit, and the test split needs some of each.
    let per_class_pool = if study.directions.need_mnist() {
        polarity_images::mnist::IMAGES / 10 - 1
    } else {
        half.train / 5
    };
    if let Some(&k) = s.per_class.iter().find(|&&k| k > per_class_pool) {
        return Err(polarity_core::plan::out_of_range(
            "sizes",
            k,
            format!("expected 1 to {per_class_pool} images per class"),
        )
        .into());
    }
    let arms = s.arms.len();
    let positions = |k: usize| s.budget.steps_per_round() * s.budget.batch(classes * k);
    let largest = s.per_class.iter().map(|&k| positions(k)).max().unwrap_or(0);
    let run = ImageRunSizes {
        network: &network,
        input_side: side,
        width_divisor: 1,
        splits: SplitSizes {
            train: half.train.max(largest),
            ..half
        },
        n_train: largest,
        val_size: Some(s.test_size),
        batch_size: s.budget.max_batch,
        eval_batch_size: TrainOptions::default().eval_batch_size,
        epochs: s.budget.rounds,
        conditions: arms,
        network_on_host: device != DeviceKind::Cuda,
    };
    let sizes: Vec<usize> = s.per_class.iter().map(|&k| positions(k)).collect();
    let speed = run.cpu_speed();
    let plan = grid_plan(run, &sizes, s.trials, arms, directions.len())?;
    plan_check::check(&plan, speed, false)?;
    Ok(())
}
