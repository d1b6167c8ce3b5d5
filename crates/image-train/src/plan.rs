//! The plan of an image run (docs/decisions.md D-PLAN-3): sizes checked against the splits they
//! draw from and the network's layers, and the memory and work of training every condition,
//! from the typed options alone, before any data is read or network built.

use polarity_core::plan::{checked_product, out_of_range, Factor, Plan, PlanError, Speed, Term};
use polarity_images::SplitSizes;
use polarity_models::NetworkConfig;

/// Bytes per parameter while training: weights, gradient, Adam's m and v, the template, the
/// trial's initial weights and the condition's start (7 f32 copies), rounded up.
pub const BYTES_PER_PARAMETER: u64 = 32;
/// Bytes per activation entry of a training batch: the forward value, the ReLU output autodiff
/// keeps beside it and the gradient, f32 each.
pub const BYTES_PER_TRAIN_ACTIVATION: u64 = 12;
/// Bytes per activation entry of a validation batch (forward only; two live layers at a time
/// in practice, every layer counted here).
pub const BYTES_PER_EVAL_ACTIVATION: u64 = 4;
/// Bytes of one epoch's record and result row per kernel column (resets, flips, text).
pub const RECORD_BYTES_PER_KERNEL: u64 = 128;
/// Measured CPU throughput against a network's forward FLOPs per image (2-vCPU AMD EPYC, AVX2,
/// idle, 2026-11-28; bench/README.md): small networks run far below the rate of the big GEMMs.
/// Each point is the whole run's planned FLOPs over its wall time: `reproduce transfer --preset
/// cpu` (small CNN, 28 px: 11,956 GFLOP in 1,067 s), `reproduce images --preset cpu` (AlexNet / 8
/// at 67 px: 19,220 GFLOP in 1,302 s) and the paper AlexNet step at 227 px, two threads (872
/// GFLOP in 10.44 s).
pub const CPU_SPEED_POINTS: [(f64, f64); 3] =
    [(833_040.0, 11.2), (4_459_468.0, 14.8), (2.27e9, 83.5)];

/// The speed for expected times on the CPU for a network of `forward_flops_per_image`:
/// [`CPU_SPEED_POINTS`] interpolated on log-log scales, the end points beyond them.
pub fn cpu_speed(forward_flops_per_image: u64) -> Speed {
    let x = (forward_flops_per_image.max(1) as f64).ln();
    let points = CPU_SPEED_POINTS.map(|(f, g)| (f.ln(), g.ln()));
    let log_speed = match points.iter().position(|&(px, _)| x < px) {
        Some(0) => points[0].1,
        None => points[points.len() - 1].1,
        Some(i) => {
            let ((x0, y0), (x1, y1)) = (points[i - 1], points[i]);
            y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        }
    };
    Speed {
        gflop_per_s: (log_speed.exp() * 10.0).round() / 10.0,
        source: "measured for networks of this size on a 2-vCPU machine (bench/README.md); a GPU \
                 is faster",
    }
}

/// What an image run trains, as typed.
#[derive(Debug, Clone)]
pub struct ImageRunSizes<'a> {
    pub network: &'a NetworkConfig,
    /// Input side the images are resized to.
    pub input_side: usize,
    pub width_divisor: usize,
    pub splits: SplitSizes,
    pub n_train: usize,
    /// Validation images (`None`: the whole test split).
    pub val_size: Option<usize>,
    pub batch_size: usize,
    pub eval_batch_size: usize,
    pub epochs: usize,
    pub conditions: usize,
    /// Whether the network and its activations live in this machine's memory (CPU backends);
    /// on a GPU only the data and records are checked here, the device reports its own limit.
    pub network_on_host: bool,
}

impl ImageRunSizes<'_> {
    /// The CPU speed expected times assume for this network ([`cpu_speed`]); a network whose
    /// shape cannot be computed gets the smallest measured speed (its plan is refused anyway).
    pub fn cpu_speed(&self) -> Speed {
        let flops = self
            .network
            .shape(self.input_side)
            .ok()
            .and_then(|s| s.forward_flops_per_image())
            .unwrap_or(0);
        cpu_speed(flops)
    }

    /// Checks every size against what the run can use and estimates its memory and work.
    pub fn plan(&self) -> Result<Plan, PlanError> {
        let s = &self.splits;
        if self.n_train == 0 || self.n_train > s.train {
            return Err(out_of_range(
                "n-train",
                self.n_train,
                format!(
                    "expected 1 to {} (the images of the training split it draws from)",
                    s.train
                ),
            ));
        }
        let val = self.val_size.unwrap_or(s.test);
        if val == 0 || val > s.test {
            return Err(out_of_range(
                "val-size",
                val,
                format!(
                    "expected 1 to {} (the images of the test split it draws from)",
                    s.test
                ),
            ));
        }
        for (option, value) in [("batch-size", self.batch_size), ("epochs", self.epochs)] {
            if value == 0 {
                return Err(out_of_range(option, value, "expected at least 1"));
            }
        }
        if self.conditions == 0 {
            return Err(out_of_range(
                "conditions",
                0,
                "expected at least one condition",
            ));
        }
        let shape = self.network.shape(self.input_side)?;
        let given = vec![
            Factor::option("input-size", self.input_side),
            Factor::option("width-divisor", self.width_divisor),
        ];
        let overflow = || {
            out_of_range(
                "input-size",
                self.input_side,
                "the network's sizes overflow 64 bits",
            )
        };
        let parameters = shape.parameters().ok_or_else(overflow)?;
        let activations = shape.activations_per_image().ok_or_else(overflow)?;
        let forward = shape.forward_flops_per_image().ok_or_else(overflow)?;
        let kernels = shape.layers.iter().filter(|l| l.parameters > 0).count() as u64;
        let train_batch = self.batch_size.min(self.n_train);
        let eval_batch = self.eval_batch_size.max(1).min(val);
        let records = checked_product(
            "records",
            &[
                Factor::option("epochs", self.epochs),
                Factor::count("conditions", self.conditions),
            ],
        )?;
        let mut memory = vec![
            Term::new(
                "the dataset as read",
                vec![Factor::count("images", s.train as u64 + s.test as u64)],
                s.image_bytes() as u64,
            ),
            Term::new(
                "the network in training",
                vec![Factor::count("parameters", parameters)],
                BYTES_PER_PARAMETER,
            )
            .given(given.clone()),
            Term::new(
                "the activations of a training batch",
                vec![
                    Factor::option("batch-size", train_batch),
                    Factor::count("activation entries per image", activations),
                ],
                BYTES_PER_TRAIN_ACTIVATION,
            )
            .given(given.clone()),
            Term::new(
                "the activations of a validation batch",
                vec![
                    Factor::count("images", eval_batch),
                    Factor::count("activation entries per image", activations),
                ],
                BYTES_PER_EVAL_ACTIVATION,
            )
            .given(given.clone()),
            Term::new(
                "the per-epoch records and rows",
                vec![
                    Factor::option("epochs", self.epochs),
                    Factor::count("conditions", self.conditions),
                    Factor::count("kernels", kernels),
                ],
                RECORD_BYTES_PER_KERNEL,
            ),
        ];
        if !self.network_on_host {
            memory.retain(|t| {
                !t.what.starts_with("the network") && !t.what.starts_with("the activations")
            });
        }
        let images_per_epoch = 3u64
            .saturating_mul(self.n_train as u64)
            .saturating_add(val as u64);
        let work = vec![Term::new(
            "training and validation",
            vec![
                Factor::count("records", records),
                Factor::count(
                    "forward passes per epoch (3 per training image, 1 per validation image)",
                    images_per_epoch,
                ),
            ],
            forward,
        )];
        Ok(Plan {
            memory,
            work,
            networks: self.conditions as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polarity_images::DatasetKind;
    use polarity_models::NetworkKind;

    fn sizes(network: &NetworkConfig) -> ImageRunSizes<'_> {
        ImageRunSizes {
            network,
            input_side: network.input_side(None),
            width_divisor: 1,
            splits: DatasetKind::FashionMnist.split_sizes(),
            n_train: 1000,
            val_size: None,
            batch_size: 1000,
            eval_batch_size: 500,
            epochs: 100,
            conditions: 6,
            network_on_host: true,
        }
    }

    /// The measured points come back exactly, speeds grow with the network between them, and
    /// beyond them the end points hold; the presets' networks get their own measured speeds.
    #[test]
    fn cpu_speed_follows_the_measured_points() {
        for (f, g) in CPU_SPEED_POINTS {
            assert_eq!(cpu_speed(f as u64).gflop_per_s, g);
        }
        let speeds: Vec<f64> = [1e5, 8.4e5, 2e6, 4.5e6, 1e8, 2.27e9, 1e11]
            .iter()
            .map(|&f| cpu_speed(f as u64).gflop_per_s)
            .collect();
        assert!(speeds.windows(2).all(|w| w[0] <= w[1]), "{speeds:?}");
        assert_eq!(speeds[0], 11.2);
        assert_eq!(speeds[6], 83.5);
        // the transfer study's small CNN and the images cpu preset's AlexNet / 8
        let small = NetworkConfig::new(NetworkKind::SmallCnn, 1, Some(28), 1);
        let run = ImageRunSizes {
            input_side: 28,
            ..sizes(&small)
        };
        assert_eq!(run.cpu_speed().gflop_per_s, 11.2);
        let scaled = NetworkConfig::new(NetworkKind::PaperAlexnet, 3, Some(67), 8);
        let run = ImageRunSizes {
            input_side: 67,
            width_divisor: 8,
            ..sizes(&scaled)
        };
        assert_eq!(run.cpu_speed().gflop_per_s, 14.8);
    }

    #[test]
    fn sizes_beyond_the_splits_are_refused_with_the_option() {
        let net = NetworkConfig::new(NetworkKind::SmallCnn, 1, None, 1);
        let err = ImageRunSizes {
            n_train: 60_001,
            ..sizes(&net)
        }
        .plan()
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("--n-train 60001: expected 1 to 60000"),
            "{err}"
        );
        assert!(ImageRunSizes {
            n_train: 60_000,
            ..sizes(&net)
        }
        .plan()
        .is_ok());
        let err = ImageRunSizes {
            val_size: Some(10_001),
            ..sizes(&net)
        }
        .plan()
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("--val-size 10001"), "{err}");
        let err = ImageRunSizes {
            batch_size: 0,
            ..sizes(&net)
        }
        .plan()
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("--batch-size 0"), "{err}");
    }

    #[test]
    fn the_paper_run_fits_a_16_gib_machine_and_a_huge_input_does_not() {
        let limit = polarity_core::MemoryLimit {
            bytes: 16 << 30,
            source: "test".into(),
        };
        let net = NetworkConfig::new(NetworkKind::PaperAlexnet, 3, None, 1);
        let plan = sizes(&net).plan().unwrap();
        plan.check(&limit).unwrap();
        // Parameters: about 62.4 M (fc6 37.8 M, fc7 16.8 M, fc8 4.1 M, conv 3.7 M).
        let params = plan.memory[1].factors[0].value;
        assert!((62_000_000..63_000_000).contains(&params), "{params}");
        let big = NetworkConfig::new(NetworkKind::PaperAlexnet, 3, Some(100_000), 1);
        let err = ImageRunSizes {
            input_side: 100_000,
            ..sizes(&big)
        }
        .plan()
        .unwrap()
        .check(&limit)
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("--input-size 100000"), "{err}");
        // On a GPU the host holds only the data and records.
        let gpu = ImageRunSizes {
            input_side: 100_000,
            network_on_host: false,
            ..sizes(&big)
        };
        assert!(gpu.plan().unwrap().check(&limit).is_ok());
    }

    #[test]
    fn work_is_the_forward_flops_times_the_passes() {
        let net = NetworkConfig::new(NetworkKind::SmallCnn, 1, None, 1);
        let plan = sizes(&net).plan().unwrap();
        // LeNet-5 at 28 (conv1 padded): conv1 6x28x28x25, conv2 16x10x10x150, fc 400x120,
        // 120x84, 84x10 multiply-adds per image.
        let macs: u64 = 6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10;
        let passes: u64 = 100 * 6 * (3 * 1000 + 10_000);
        assert_eq!(plan.work_flops(), (2 * macs * passes) as f64);
    }
}
