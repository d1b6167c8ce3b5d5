//! `polarity xor train`: a grid given by flags or a TOML file, through the sweep runner.

use crate::sweep_args::SweepArgs;
use clap::{Args, Subcommand};
use polarity_core::{InitAlignment, ResetMethod};
use polarity_xor::{Condition, DataSource, Pairing, XorConfig};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum XorCommand {
    /// Train a grid (conditions x training sizes x hidden sizes x reset methods x trials); writes
    /// results.parquet (or results.csv; one row per network per epoch) and the resolved
    /// config.toml into --out.
    Train(Box<TrainArgs>),
    /// Write the exact start of a grid's networks (aligned initial weights, templates) and its
    /// per-epoch batch orders as JSON, for training the same networks in another framework
    /// (scripts/official_xor_keras.py --init FILE --batch-order FILE).
    ExportStarts(ExportArgs),
    /// Compare two XOR result tables cell by cell (e.g. polarity's and the Keras script's on the
    /// same data): epochs to threshold, P(reach), accuracy at the val-loss minimum, with
    /// bootstrap intervals, Mann-Whitney and an equivalence verdict.
    Compare(Box<super::xor_compare::CompareArgs>),
}

#[derive(Args)]
pub struct ExportArgs {
    /// The grid: a TOML config (e.g. the config.toml a `xor train` run saved).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Export only the first N trials of every cell.
    #[arg(long)]
    trials: Option<usize>,
    /// JSON file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Args)]
pub struct TrainArgs {
    /// Start from this TOML config (fields as in the saved config.toml); flags below override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Start from the quick preset (10 trials, 5 sizes, 60 epochs) instead of the paper's Fig-1 grid.
    #[arg(long, conflicts_with = "config")]
    quick: bool,
    /// Experiment seed; every random draw derives from it and the draw's coordinates.
    #[arg(long)]
    seed: Option<u64>,
    /// Input dimensions (2 relevant + the rest N(1,1) nuisance).
    #[arg(long)]
    dims: Option<usize>,
    /// Hidden sizes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Training sizes (multiples of 4), comma-separated.
    #[arg(long, value_delimiter = ',')]
    train_sizes: Option<Vec<usize>>,
    /// Validation set size (a multiple of 4).
    #[arg(long)]
    val_size: Option<usize>,
    /// Trials per condition and cell.
    #[arg(long)]
    trials: Option<usize>,
    /// Conditions: frozen-sufficient, frozen-rand, fluid, fluid-sufficient (comma-separated).
    #[arg(long, value_delimiter = ',')]
    conditions: Option<Vec<Condition>>,
    /// Reset methods: posRand, posCon, zero, flip (comma-separated).
    #[arg(long, value_delimiter = ',')]
    reset_methods: Option<Vec<ResetMethod>>,
    /// Magnitude eps of posCon/posRand resets.
    #[arg(long)]
    reset_eps: Option<f32>,
    /// identical: a trial's networks share one initial draw; independent: each draws its own (official XOR code).
    #[arg(long)]
    pairing: Option<Pairing>,
    /// Initial alignment of frozen nets: flip (keeps magnitudes) or reset-method (official XOR code).
    #[arg(long)]
    alignment: Option<InitAlignment>,
    /// Also constrain biases (to their initial signs); the paper never does.
    #[arg(long)]
    constrain_biases: bool,
    /// Epochs per network.
    #[arg(long)]
    epochs: Option<usize>,
    /// Mini-batch size.
    #[arg(long)]
    batch_size: Option<usize>,
    /// Adam learning rate.
    #[arg(long)]
    lr: Option<f32>,
    /// Train and validate on given data instead of drawing it: a folder of the official code's
    /// num_dim=D%sample_size=N.pkl files, or a CSV `set,x1..xD,label` (set: train|val).
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,
    /// Check the plan (sizes, memory, expected time), print its estimate and stop.
    #[arg(long)]
    dry_run: bool,
    /// Format of the per-epoch table: parquet (results.parquet, typed, zstd) or csv (results.csv).
    #[arg(long, value_name = "parquet|csv", default_value = "parquet")]
    format: polarity_sweep::TableFormat,
    #[command(flatten)]
    sweep: SweepArgs,
}

impl TrainArgs {
    fn resolve(&self) -> anyhow::Result<XorConfig> {
        let mut c = match (&self.config, self.quick) {
            (Some(path), _) => XorConfig::from_toml_file(path)?,
            (None, true) => XorConfig::quick(),
            (None, false) => XorConfig::default(),
        };
        macro_rules! set {
            ($($f:ident),*) => { $(if let Some(v) = &self.$f { c.$f = v.clone(); })* };
        }
        set!(
            seed,
            dims,
            hidden,
            train_sizes,
            val_size,
            trials,
            conditions,
            reset_methods
        );
        set!(reset_eps, pairing, alignment, epochs, batch_size, lr);
        c.constrain_biases |= self.constrain_biases;
        if let Some(path) = &self.data {
            // Keep the digest a --config recorded for the same path, so changed data is refused.
            let same = matches!(&c.data, DataSource::Files { path: p, .. } if p == path);
            if !same {
                c.data = DataSource::files(path);
            }
        }
        c.validate()?;
        Ok(c)
    }
}

pub fn run(cmd: XorCommand) -> anyhow::Result<()> {
    match cmd {
        XorCommand::ExportStarts(args) => {
            let mut cfg = XorConfig::from_toml_file(&args.config)?;
            if let Some(t) = args.trials {
                anyhow::ensure!(
                    t >= 1 && t <= cfg.trials,
                    "--trials {t}: expected 1 to the config's {} trials",
                    cfg.trials
                );
                cfg.trials = t;
            }
            let starts = polarity_xor::export::starts(&cfg)?;
            let json = serde_json::to_vec(&starts)?;
            polarity_analysis::atomic::write_atomic(&args.out, &json)
                .map_err(|e| anyhow::anyhow!("writing '{}': {e}", args.out.display()))?;
            eprintln!(
                "{} networks, batch orders of {} training sizes -> {}",
                starts.networks.len(),
                starts.batch_orders.len(),
                args.out.display()
            );
            Ok(())
        }
        XorCommand::Compare(args) => super::xor_compare::run(&args),
        XorCommand::Train(args) => {
            let mut cfg = args.resolve()?;
            let options = args.sweep.options()?;
            let threads = crate::plan_check::threads(options.threads);
            let shards = options.shard.map_or(1, |s| s.count);
            let plan = cfg.plan(threads, shards)?;
            if !crate::plan_check::check(&plan, polarity_xor::plan::speed(threads), args.dry_run)? {
                return Ok(());
            }
            let data = cfg.resolve_data()?;
            eprintln!("data: {}", data.origin);
            // Rows are counted as the table is written, not kept.
            let mut rows = 0usize;
            let outcome = cfg.run_sweep_streaming(&options, args.format, |_, unit_rows| {
                rows += unit_rows.len();
                Ok(())
            })?;
            eprintln!(
                "{} units trained, {} resumed; {} rows -> {}",
                outcome.ran,
                outcome.skipped,
                rows,
                outcome.results_csv.display()
            );
            Ok(())
        }
    }
}
