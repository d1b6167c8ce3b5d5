//! The XOR grid: its config (TOML, saved beside the results), its units of work, and rows.

use crate::condition::{make_job, Condition, NetCoords, Pairing, StartRules};
use crate::data::{DataOrigin, XorData, PAPER_TRAIN_SIZES, PAPER_VAL_SIZE};
use crate::error::XorError;
use crate::given::read_given;
use crate::record::XorRecord;
use crate::source::DataSource;
use polarity_core::{InitAlignment, ResetMethod, ResetRule};
use polarity_mlp::batched::train_many;
use polarity_mlp::TrainConfig;
use serde::{Deserialize, Serialize};

/// A full XOR experiment. Every field has the paper's default (Fig 1 grid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct XorConfig {
    /// Experiment seed: every random draw derives from it and the draw's coordinates.
    pub seed: u64,
    /// Input dimensions (2 relevant + dims-2 nuisance).
    pub dims: usize,
    pub hidden: Vec<usize>,
    pub train_sizes: Vec<usize>,
    pub val_size: usize,
    pub trials: usize,
    pub conditions: Vec<Condition>,
    pub reset_methods: Vec<ResetMethod>,
    pub reset_eps: f32,
    pub pairing: Pairing,
    pub alignment: InitAlignment,
    /// Also constrain biases (to their initial signs). The paper never does.
    pub constrain_biases: bool,
    /// Std of the TruncatedNormal kernel init.
    pub kernel_std: f32,
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub adam_eps: f32,
    /// Where the training and validation sets come from (docs/decisions.md D-XOR-DATA-7); a
    /// config without it draws draw 0, the data polarity has always drawn.
    pub data: DataSource,
}

impl Default for XorConfig {
    fn default() -> Self {
        let t = TrainConfig::default();
        Self {
            seed: 0,
            dims: 5,
            hidden: vec![64],
            train_sizes: PAPER_TRAIN_SIZES.to_vec(),
            val_size: PAPER_VAL_SIZE,
            trials: 50,
            conditions: vec![
                Condition::FrozenSufficient,
                Condition::FrozenRand,
                Condition::Fluid,
            ],
            reset_methods: vec![ResetMethod::PosRand],
            reset_eps: 1e-3,
            pairing: Pairing::Identical,
            alignment: InitAlignment::Flip,
            constrain_biases: false,
            kernel_std: 0.25,
            epochs: t.epochs,
            batch_size: t.batch_size,
            lr: t.lr,
            beta1: t.beta1,
            beta2: t.beta2,
            adam_eps: t.adam_eps,
            data: DataSource::default(),
        }
    }
}

/// One unit of work: every condition and trial of one (training size, hidden size, reset method).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XorUnit {
    pub n_train: usize,
    pub hidden: usize,
    pub reset: ResetMethod,
}

impl XorUnit {
    /// Stable id, used by the sweep runner's journal.
    pub fn id(&self) -> String {
        format!("n={}/h={}/reset={}", self.n_train, self.hidden, self.reset)
    }
}

impl XorConfig {
    /// Reads a TOML config; unknown fields are errors (naming the file).
    pub fn from_toml_file(path: &std::path::Path) -> Result<Self, XorError> {
        let text = std::fs::read_to_string(path).map_err(|source| XorError::ReadConfig {
            path: path.to_path_buf(),
            source,
        })?;
        let cfg: Self = toml::from_str(&text).map_err(|source| XorError::ParseConfig {
            path: path.to_path_buf(),
            source,
        })?;
        cfg.validate().map_err(|e| XorError::InvalidConfig {
            path: path.to_path_buf(),
            source: Box::new(e),
        })?;
        Ok(cfg)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("config serialises")
    }

    pub fn train_config(&self, method: ResetMethod) -> TrainConfig {
        TrainConfig {
            epochs: self.epochs,
            batch_size: self.batch_size,
            lr: self.lr,
            beta1: self.beta1,
            beta2: self.beta2,
            adam_eps: self.adam_eps,
            reset: ResetRule::new(method, self.reset_eps),
        }
    }

    pub fn validate(&self) -> Result<(), XorError> {
        fn no_dupes<T: PartialEq + std::fmt::Debug>(
            field: &'static str,
            v: &[T],
        ) -> Result<(), XorError> {
            if v.is_empty() {
                return Err(XorError::EmptyField { field });
            }
            for (i, a) in v.iter().enumerate() {
                if v[..i].contains(a) {
                    let value = format!("{a:?}");
                    return Err(XorError::Duplicate { field, value });
                }
            }
            Ok(())
        }
        if self.dims < 2 {
            return Err(XorError::Dims(self.dims));
        }
        no_dupes("hidden", &self.hidden)?;
        no_dupes("train_sizes", &self.train_sizes)?;
        no_dupes("conditions", &self.conditions)?;
        no_dupes("reset_methods", &self.reset_methods)?;
        if let Some(h) = self.hidden.iter().find(|&&h| h == 0) {
            return Err(XorError::ZeroHidden(*h));
        }
        // The generator balances the four cells; given data is taken as it is.
        let drawn = matches!(self.data, DataSource::Drawn { .. });
        for &n in self.train_sizes.iter().chain([&self.val_size]) {
            if n == 0 || (drawn && !n.is_multiple_of(4)) {
                return Err(XorError::ConfigSetSize(n));
            }
        }
        if self.trials == 0 {
            return Err(XorError::Zero("trials"));
        }
        if self.epochs == 0 {
            return Err(XorError::Zero("epochs"));
        }
        self.train_config(self.reset_methods[0]).validate()?;
        Ok(())
    }

    /// Units in canonical order: reset method, training size, hidden size.
    pub fn units(&self) -> Vec<XorUnit> {
        let mut units = Vec::new();
        for &reset in &self.reset_methods {
            for &n_train in &self.train_sizes {
                for &hidden in &self.hidden {
                    units.push(XorUnit {
                        n_train,
                        hidden,
                        reset,
                    });
                }
            }
        }
        units
    }

    pub fn networks_per_unit(&self) -> usize {
        self.conditions.len() * self.trials
    }

    pub(crate) fn start_rules(&self, reset: ResetMethod) -> StartRules {
        StartRules {
            experiment_seed: self.seed,
            dims: self.dims,
            kernel_std: self.kernel_std,
            pairing: self.pairing,
            alignment: self.alignment,
            reset: ResetRule::new(reset, self.reset_eps),
            constrain_biases: self.constrain_biases,
        }
    }

    /// Trains one unit; rows ordered by condition (config order), trial, epoch.
    pub fn run_unit(
        &self,
        data: &XorData,
        unit: XorUnit,
        threads: usize,
        on_networks_done: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<String>>, XorError> {
        let rules = self.start_rules(unit.reset);
        let mut coords = Vec::new();
        for &condition in &self.conditions {
            for trial in 0..self.trials {
                coords.push(NetCoords {
                    hidden: unit.hidden,
                    n_train: unit.n_train,
                    condition,
                    trial,
                });
            }
        }
        let jobs = coords
            .iter()
            .map(|&at| make_job(&rules, at))
            .collect::<Result<Vec<_>, _>>()?;
        let train = data.train(unit.n_train)?;
        let shuffle_seed = self.shuffle_seed(unit.n_train);
        let trained = train_many(
            &jobs,
            &self.train_config(unit.reset),
            &train,
            &data.val,
            shuffle_seed,
            threads,
            on_networks_done,
        )
        .map_err(|source| XorError::Training {
            unit: unit.id(),
            source,
        })?;
        // Sized from what was trained, never from a typed size (docs/decisions.md D-PLAN-3).
        let mut rows = Vec::with_capacity(trained.iter().map(|n| n.records.len()).sum());
        for (at, net) in coords.iter().zip(&trained) {
            for (epoch, r) in net.records.iter().enumerate() {
                let record = XorRecord {
                    n_train: at.n_train,
                    hidden: at.hidden,
                    reset: unit.reset,
                    condition: at.condition,
                    trial: at.trial,
                    epoch,
                    train_loss: r.train_loss,
                    train_acc: r.train_acc,
                    val_loss: r.val_loss,
                    val_acc: r.val_acc,
                    resets_hidden: r.resets[0],
                    resets_output: r.resets[1],
                    flips_hidden: r.flips[0],
                    flips_output: r.flips[1],
                };
                rows.push(record.row());
            }
        }
        Ok(rows)
    }

    /// The experiment's data: drawn, or read from files and checked against the grid (input
    /// dimensions, validation size, a training set for every training size) and against the
    /// recorded sha256, if any.
    pub fn data(&self) -> Result<XorData, XorError> {
        match &self.data {
            DataSource::Drawn { draw } => {
                XorData::drawn(self.seed, *draw, self.dims, self.val_size)
            }
            DataSource::Files { path, sha256 } => {
                let given = read_given(path)?;
                if let Some(expected) = sha256 {
                    if *expected != given.summary.sha256 {
                        return Err(XorError::DataChecksum {
                            path: path.clone(),
                            expected: expected.clone(),
                            found: given.summary.sha256,
                        });
                    }
                }
                given.check_grid(self.dims, self.val_size, &self.train_sizes)?;
                Ok(XorData::given(given))
            }
        }
    }

    /// Reads the data and records in the config what identifies it: for files without a
    /// recorded sha256, the one just read, so that the saved config.toml pins the data.
    pub fn resolve_data(&mut self) -> Result<XorData, XorError> {
        let data = self.data()?;
        if let (DataSource::Files { sha256, .. }, DataOrigin::Given(summary)) =
            (&mut self.data, &data.origin)
        {
            *sha256 = Some(summary.sha256.clone());
        }
        Ok(data)
    }
}

impl XorConfig {
    /// A small grid for a first look and for CI: 10 trials, 5 sizes, 60 epochs.
    pub fn quick() -> Self {
        Self {
            trials: 10,
            train_sizes: vec![20, 40, 60, 100, 500],
            epochs: 60,
            ..Self::default()
        }
    }

    /// The sweep (config text, header, units) for the runner.
    pub fn sweep(&self) -> Result<polarity_sweep::Sweep, XorError> {
        let units = self
            .units()
            .iter()
            .map(|u| {
                polarity_sweep::Unit::new([
                    ("n", u.n_train.to_string()),
                    ("h", u.hidden.to_string()),
                    ("reset", u.reset.to_string()),
                ])
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(polarity_sweep::Sweep::new(
            self.to_toml(),
            polarity_sweep::ConfigFormat::Toml,
            XorRecord::header(),
            units,
        )?
        .with_kinds(XorRecord::kinds())?)
    }

    /// Runs (a shard of) the grid through the sweep runner: resumable, shardable, atomic; writes
    /// `results.csv` and returns its rows.
    pub fn run_sweep(
        &self,
        options: &polarity_sweep::RunOptions,
    ) -> Result<polarity_sweep::RunOutcome, XorError> {
        let mut rows = Vec::new();
        let mut outcome =
            self.run_sweep_streaming(options, polarity_sweep::TableFormat::Csv, |_, unit_rows| {
                rows.extend(unit_rows);
                Ok(())
            })?;
        outcome.rows = rows;
        Ok(outcome)
    }

    /// [`XorConfig::run_sweep`] writing the table in `format`, handing each unit's rows to
    /// `on_unit` as the table is written instead of keeping them (`polarity_sweep::run_streaming`).
    pub fn run_sweep_streaming(
        &self,
        options: &polarity_sweep::RunOptions,
        format: polarity_sweep::TableFormat,
        on_unit: impl FnMut(&str, Vec<Vec<String>>) -> Result<(), polarity_sweep::BoxError>,
    ) -> Result<polarity_sweep::RunOutcome, XorError> {
        self.validate()?;
        let mut cfg = self.clone();
        let data = cfg.resolve_data()?;
        let cfg = &cfg;
        let sweep = cfg.sweep()?.with_format(format);
        let work = |unit: &polarity_sweep::Unit| -> Result<_, XorError> {
            let u = XorUnit {
                n_train: unit.parse("n")?,
                hidden: unit.parse("h")?,
                reset: unit.get("reset").unwrap_or_default().parse()?,
            };
            // Units run in parallel on the runner's threads; each trains on one thread.
            cfg.run_unit(&data, u, 1, &|_| {})
        };
        Ok(polarity_sweep::run_streaming(
            &sweep, options, work, on_unit,
        )?)
    }
}
