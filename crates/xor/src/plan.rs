//! The XOR grid's plan (docs/decisions.md D-PLAN-3): what a run of the grid holds in memory at its
//! peak and how much work it is, from the typed config alone, checked before any data is drawn or
//! file written.

use crate::bench::flops_per_epoch;
use crate::error::XorError;
use crate::XorConfig;
use polarity_core::plan::{checked_product, out_of_range, Factor, Plan, Speed, Term};
use polarity_core::MemoryLimit;

/// Bytes per parameter of a network while it trains: weights, template, Adam's m and v, the
/// gradient, the job's start weights and the trained weights (7 f32 copies), rounded up.
pub const BYTES_PER_PARAMETER: u64 = 32;
/// Bytes of one result row held in memory (14 `String` fields in a `Vec`, with allocator
/// overhead); measured layout: 24 B per `String` + its heap block, 24 B per `Vec`.
pub const ROW_BYTES: u64 = 768;
/// Bytes per row of the Parquet row group being buffered (typed values, text as byte arrays, and
/// the column writers' pages), rounded up.
pub const PARQUET_ROW_BYTES: u64 = 256;
/// Bytes per training/validation sample and input dimension (f32 input and the label, rounded).
pub const SAMPLE_BYTES_PER_DIM: u64 = 8;
/// A lower bound on one row's JSON in the journal: a unit whose rows surely exceed the journal's
/// 4 GiB frame limit is refused up front.
pub const JSON_ROW_MIN_BYTES: u64 = 100;
/// At most this many worker threads.
pub const MAX_THREADS: usize = 1024;
/// The speed used for the expected time: a nominal single-thread figure for the trial-batched
/// engine, times the threads; `polarity bench xor` measures the real one.
pub const NOMINAL_GFLOP_PER_THREAD: f64 = 15.0;

impl XorConfig {
    /// The plan of running this grid on `threads` worker threads as one of `shards` shards.
    /// Refuses (naming the option and value) what the task cannot use; the memory check against
    /// the machine's limit is [`Plan::check`].
    pub fn plan(&self, threads: usize, shards: usize) -> Result<Plan, XorError> {
        self.validate()?;
        if threads == 0 || threads > MAX_THREADS {
            return Err(
                out_of_range("threads", threads, format!("expected 1 to {MAX_THREADS}")).into(),
            );
        }
        let units_all = checked_product(
            "units",
            &[
                Factor::option("reset-methods", self.reset_methods.len()),
                Factor::option("train-sizes", self.train_sizes.len()),
                Factor::option("hidden", self.hidden.len()),
            ],
        )?;
        let units = units_all.div_ceil(shards.max(1) as u64);
        let parallel = (threads as u64).min(units).max(1);
        let trials = Factor::option("trials", self.trials);
        let conditions = Factor::count("conditions", self.conditions.len());
        let epochs = Factor::option("epochs", self.epochs);
        let nets_per_unit =
            checked_product("networks per unit", &[conditions.clone(), trials.clone()])?;
        let networks = checked_product(
            "networks",
            &[
                Factor::count("units", units),
                Factor::count("networks per unit", nets_per_unit),
            ],
        )?;
        // A unit is one journal frame: rows surely beyond its 4 GiB limit are refused here.
        let frame = Plan {
            memory: vec![Term::new(
                "one unit's rows in the journal (at least)",
                vec![epochs.clone(), trials.clone(), conditions.clone()],
                JSON_ROW_MIN_BYTES,
            )],
            ..Plan::default()
        };
        frame.check(&MemoryLimit {
            bytes: u64::from(u32::MAX),
            source: "the journal's frame limit per unit; use fewer epochs or trials, or more hidden or training sizes".into(),
        })?;
        let hidden = *self.hidden.iter().max().expect("validated: not empty");
        let max_train = *self.train_sizes.iter().max().expect("validated: not empty");
        let threads_f = Factor::count("units in parallel", parallel);
        let memory = vec![
            Term::new(
                "the validation set",
                vec![
                    Factor::option("val-size", self.val_size),
                    Factor::option("dims", self.dims),
                ],
                SAMPLE_BYTES_PER_DIM,
            ),
            Term::new(
                "the training sets of the units in parallel",
                vec![
                    Factor::option("train-sizes", max_train),
                    Factor::option("dims", self.dims),
                    threads_f.clone(),
                ],
                SAMPLE_BYTES_PER_DIM,
            ),
            Term::new(
                "the networks of the units in parallel",
                vec![
                    Factor::option("hidden", hidden),
                    // (dims + 2) h + 1 <= (dims + 3) h parameters per network.
                    Factor::count("(dims + 3)", (self.dims as u64).saturating_add(3)),
                    trials.clone(),
                    conditions.clone(),
                    threads_f.clone(),
                ],
                BYTES_PER_PARAMETER,
            )
            .given(vec![Factor::option("dims", self.dims)]),
            // The runner keeps no rows (docs/decisions.md D-SWEEP-7): those of the units in
            // flight, and of the one unit being written to the table, are all it holds.
            Term::new(
                "the result rows of the units in flight and the unit being written",
                vec![
                    epochs.clone(),
                    trials.clone(),
                    conditions.clone(),
                    Factor::count("units in parallel + 1", parallel + 1),
                ],
                ROW_BYTES,
            ),
            Term::new(
                "the Parquet row group being buffered",
                vec![Factor::count(
                    "rows per row group",
                    polarity_sweep::table::ROW_GROUP_ROWS,
                )],
                PARQUET_ROW_BYTES,
            ),
        ];
        let mut work = Vec::new();
        for &n_train in &self.train_sizes {
            for &h in &self.hidden {
                let per_epoch =
                    flops_per_epoch(self.dims, h, n_train, self.batch_size, self.val_size);
                work.push(Term::new(
                    format!("training n={n_train}, h={h}"),
                    vec![
                        epochs.clone(),
                        trials.clone(),
                        conditions.clone(),
                        Factor::option("reset-methods", self.reset_methods.len()),
                    ],
                    if per_epoch >= u64::MAX as f64 {
                        u64::MAX
                    } else {
                        per_epoch as u64
                    },
                ));
            }
        }
        Ok(Plan {
            memory,
            work,
            networks,
        })
    }
}

/// The speed the expected time of `threads` threads assumes.
pub fn speed(threads: usize) -> Speed {
    Speed {
        gflop_per_s: NOMINAL_GFLOP_PER_THREAD * threads.max(1) as f64,
        source: "nominal 15 GFLOP/s per thread (bench/README.md measured 36 on one 2-vCPU EPYC thread); `polarity bench xor` measures this machine",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(bytes: u64) -> MemoryLimit {
        MemoryLimit {
            bytes,
            source: "test".into(),
        }
    }

    #[test]
    fn networks_and_rows_match_a_brute_force_count_of_the_grid() {
        let cfg = XorConfig {
            hidden: vec![4, 8, 16],
            train_sizes: vec![8, 20],
            trials: 3,
            epochs: 7,
            ..XorConfig::default()
        };
        let plan = cfg.plan(2, 1).unwrap();
        let mut networks = 0u64;
        for _unit in cfg.units() {
            for _c in &cfg.conditions {
                for _t in 0..cfg.trials {
                    networks += 1;
                }
            }
        }
        assert_eq!(plan.networks, networks);
        // Rows: those of the two units in flight and of the unit being written, not the grid's.
        let rows = plan
            .memory
            .iter()
            .find(|t| t.what.starts_with("the result rows"))
            .unwrap();
        assert_eq!(
            rows.total(),
            Some(3 * cfg.networks_per_unit() as u64 * cfg.epochs as u64 * ROW_BYTES)
        );
        // Work: the sum over the grid of the bench's per-epoch FLOPs.
        let mut flops = 0.0;
        for u in cfg.units() {
            flops += (cfg.networks_per_unit() * cfg.epochs) as f64
                * flops_per_epoch(cfg.dims, u.hidden, u.n_train, cfg.batch_size, cfg.val_size)
                    .floor();
        }
        assert!(
            (plan.work_flops() - flops).abs() <= 1e-9 * flops,
            "{} vs {flops}",
            plan.work_flops()
        );
        // Network state: at least (dims + 2) h + 1 parameters of the largest network per network.
        let nets = plan
            .memory
            .iter()
            .find(|t| t.what.starts_with("the networks"))
            .unwrap();
        let per_network = nets.total().unwrap() / (cfg.networks_per_unit() as u64 * 2);
        assert!(
            per_network >= (5 * 16 + 2 * 16 + 1) * BYTES_PER_PARAMETER,
            "{per_network}"
        );
    }

    #[test]
    fn the_paper_grid_fits_a_small_machine_and_an_extra_zero_in_hidden_does_not() {
        let paper = XorConfig::default();
        assert!(paper.plan(2, 1).unwrap().check(&limit(1 << 30)).is_ok());
        let typo = XorConfig {
            hidden: vec![1_000_000_000],
            ..XorConfig::default()
        };
        let err = typo
            .plan(2, 1)
            .unwrap()
            .check(&limit(20 << 30))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("--hidden 1000000000"), "{err}");
    }

    #[test]
    fn sizes_that_overflow_are_refused_with_the_option() {
        let cfg = XorConfig {
            hidden: vec![usize::MAX / 2],
            ..XorConfig::default()
        };
        let err = cfg
            .plan(1, 1)
            .unwrap()
            .check(&limit(u64::MAX - 1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--hidden"), "{err}");
        let cfg = XorConfig {
            epochs: usize::MAX / 4,
            ..XorConfig::default()
        };
        let err = cfg.plan(1, 1).unwrap_err().to_string();
        assert!(err.contains("--epochs"), "{err}");
    }

    #[test]
    fn a_unit_beyond_the_journal_frame_is_refused() {
        // 3 conditions x 50 trials x 300000 epochs x 100 B = 4.5 GB > 4 GiB.
        let cfg = XorConfig {
            epochs: 300_000,
            ..XorConfig::default()
        };
        let err = cfg.plan(1, 1).unwrap_err().to_string();
        assert!(err.starts_with("--epochs 300000, --trials 50"), "{err}");
        assert!(err.contains("frame limit"), "{err}");
        let cfg = XorConfig {
            epochs: 250_000,
            ..XorConfig::default()
        };
        assert!(cfg.plan(1, 1).is_ok());
    }

    #[test]
    fn threads_out_of_range_and_shards_reduce_the_table() {
        let cfg = XorConfig::default();
        assert!(cfg
            .plan(0, 1)
            .unwrap_err()
            .to_string()
            .contains("--threads 0"));
        assert!(cfg.plan(MAX_THREADS + 1, 1).is_err());
        let whole = cfg.plan(1, 1).unwrap();
        let half = cfg.plan(1, 2).unwrap();
        // 11 units in 2 shards: at most 6 units, 150 networks each.
        assert_eq!(whole.networks, 11 * 150);
        assert_eq!(half.networks, 6 * 150);
    }
}
