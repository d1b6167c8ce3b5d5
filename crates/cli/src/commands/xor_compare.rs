//! `polarity xor compare`: two XOR result tables of the same cells (polarity's engine and, e.g.,
//! `scripts/official_xor_keras.py`) compared cell by cell, as distributions over trials and, with
//! `--paired`, run for run (docs/decisions.md D-XOR-DATA-12, D-XOR-DATA-13).

use anyhow::Context;
use clap::Args;
use polarity_analysis::metrics::{
    convergence_epoch, epochs_to_threshold_as, reached_as, AccuracyPrecision,
};
use polarity_analysis::stats::{
    mann_whitney_u, percentile, ratio_of_medians_interval, BootstrapOptions, SplitMix64,
};
use polarity_xor::{XorCell, XorRecord};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct CompareArgs {
    /// polarity's results.csv (`polarity xor train --data DIR ...`).
    #[arg(long, value_name = "FILE")]
    ours: PathBuf,
    /// The table to compare with, same columns (scripts/official_xor_keras.py writes them).
    #[arg(long, value_name = "FILE")]
    other: PathBuf,
    /// Validation accuracy threshold for epochs-to-threshold and P(reach).
    #[arg(long, default_value_t = 0.9)]
    threshold: f64,
    /// Equivalence margin: |difference of median epochs to threshold| (epochs).
    #[arg(long, default_value_t = 2.0)]
    margin_epochs: f64,
    /// Equivalence margin: |difference of P(reach)|.
    #[arg(long, default_value_t = 0.15)]
    margin_reach: f64,
    /// Equivalence margin: |difference of median val accuracy at the val-loss minimum|.
    #[arg(long, default_value_t = 0.01)]
    margin_acc: f64,
    /// Bootstrap resamples.
    #[arg(long, default_value_t = 4000)]
    resamples: usize,
    /// Bootstrap seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Also compare the curves of runs with the same cell and trial (the same start, e.g. from
    /// `xor export-starts`) epoch by epoch.
    #[arg(long)]
    paired: bool,
    /// Write the per-cell table as CSV here (atomically); with --paired also the per-run table,
    /// as NAME-paired.csv beside it.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// One run's curves.
#[derive(Debug, Clone, PartialEq)]
pub struct RunCurves {
    pub val_acc: Vec<f64>,
    pub val_loss: Vec<f64>,
}

/// Runs by cell, then by trial.
pub type Table = BTreeMap<XorCell, BTreeMap<usize, RunCurves>>;

/// Reads a results table (the columns of `XorRecord`); every run's epochs must be 0, 1, ...
pub fn read_table(path: &Path) -> anyhow::Result<Table> {
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("reading XOR results table '{}'", path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    anyhow::ensure!(
        header == XorRecord::header(),
        "'{}': header {:?}, expected the XOR result columns {:?}",
        path.display(),
        header,
        XorRecord::header()
    );
    let mut table = Table::new();
    for (k, row) in reader.deserialize::<XorRecord<f64>>().enumerate() {
        let r = row.with_context(|| format!("'{}': data row {k}", path.display()))?;
        let run = table
            .entry(r.cell())
            .or_default()
            .entry(r.trial)
            .or_insert_with(|| RunCurves {
                val_acc: vec![],
                val_loss: vec![],
            });
        anyhow::ensure!(
            r.epoch == run.val_acc.len(),
            "'{}': data row {k}: {} trial {} has epoch {} after {} epochs (expected epochs 0, 1, ... in order)",
            path.display(),
            cell_name(&r.cell()),
            r.trial,
            r.epoch,
            run.val_acc.len()
        );
        run.val_acc.push(r.val_acc);
        run.val_loss.push(r.val_loss);
    }
    Ok(table)
}

pub fn cell_name(c: &XorCell) -> String {
    format!("n={} h={} {} {}", c.n_train, c.hidden, c.reset, c.condition)
}

/// What the comparison decides per metric (docs/decisions.md D-XOR-DATA-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// The 90 % interval of the difference lies within the margin (two one-sided tests at 5 %).
    Agree,
    /// A two-sided test rejects equality at 5 % and the interval leaves the margin.
    Differ,
    /// Neither: the data cannot tell.
    Underpowered,
}

impl Agreement {
    pub fn text(self) -> &'static str {
        match self {
            Self::Agree => "agree",
            Self::Differ => "differ",
            Self::Underpowered => "underpowered",
        }
    }
}

/// Options of the statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompareOptions {
    pub threshold: f64,
    pub margin_epochs: f64,
    pub margin_reach: f64,
    pub margin_acc: f64,
    pub resamples: usize,
    pub seed: u64,
}

/// A difference `other - ours` of one statistic, with bootstrap intervals and the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub ours: f64,
    pub other: f64,
    pub estimate: f64,
    /// 95 % percentile interval (`None` if a resample had no value).
    pub ci95: Option<(f64, f64)>,
    /// 90 % percentile interval, for the equivalence test.
    pub ci90: Option<(f64, f64)>,
    /// Two-sided p-value of the test of equality (Mann-Whitney for per-run values; for a
    /// proportion, none: the 95 % interval decides).
    pub p_value: Option<f64>,
    pub margin: f64,
    pub verdict: Agreement,
}

/// Per-run values of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct RunValues {
    /// Epochs to threshold; a run that never reaches it counts as `epochs` (worst rank, censored).
    pub epochs_censored: Vec<f64>,
    /// Epochs to threshold of the runs that reach it, NaN otherwise (the official nanmedian input).
    pub epochs_reached: Vec<f64>,
    /// 1.0 if `val_acc > threshold` at some epoch.
    pub reached: Vec<f64>,
    /// Validation accuracy at the first minimum of validation loss.
    pub acc_at_min_loss: Vec<f64>,
}

pub fn run_values(runs: &BTreeMap<usize, RunCurves>, threshold: f64) -> RunValues {
    let mut v = RunValues {
        epochs_censored: vec![],
        epochs_reached: vec![],
        reached: vec![],
        acc_at_min_loss: vec![],
    };
    for run in runs.values() {
        let t = epochs_to_threshold_as(&run.val_acc, threshold, AccuracyPrecision::Float32);
        v.epochs_censored
            .push(t.map_or(run.val_acc.len() as f64, |e| e as f64));
        v.epochs_reached.push(t.map_or(f64::NAN, |e| e as f64));
        v.reached.push(f64::from(u8::from(reached_as(
            &run.val_acc,
            threshold,
            AccuracyPrecision::Float32,
        ))));
        let best = convergence_epoch(&run.val_loss);
        v.acc_at_min_loss
            .push(best.map_or(f64::NAN, |e| run.val_acc[e]));
    }
    v
}

fn median_of(values: &[f64]) -> f64 {
    polarity_analysis::stats::median(values).unwrap_or(f64::NAN)
}

fn mean_of(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// `stat(other*) - stat(ours*)` over independent resamples of each side (the resampling scheme of
/// `ratio_of_medians_interval`, docs/decisions.md D-STATS-5).
fn bootstrap_differences(
    ours: &[f64],
    other: &[f64],
    stat: fn(&[f64]) -> f64,
    options: &CompareOptions,
) -> Vec<f64> {
    let mut rng = SplitMix64::new(options.seed);
    let (mut a, mut b) = (vec![0.0; other.len()], vec![0.0; ours.len()]);
    (0..options.resamples)
        .map(|_| {
            for v in a.iter_mut() {
                *v = other[rng.index(other.len())];
            }
            for v in b.iter_mut() {
                *v = ours[rng.index(ours.len())];
            }
            stat(&a) - stat(&b)
        })
        .collect()
}

fn interval(diffs: &[f64], confidence: f64) -> Option<(f64, f64)> {
    if diffs.iter().any(|d| d.is_nan()) || diffs.is_empty() {
        return None;
    }
    let tail = 100.0 * (1.0 - confidence) / 2.0;
    let lo = percentile(diffs, tail).ok()??;
    let hi = percentile(diffs, 100.0 - tail).ok()??;
    Some((lo, hi))
}

/// The verdict from the intervals and the test (docs/decisions.md D-XOR-DATA-13).
pub fn verdict(
    ci90: Option<(f64, f64)>,
    ci95: Option<(f64, f64)>,
    p: Option<f64>,
    margin: f64,
) -> Agreement {
    if let Some((lo, hi)) = ci90 {
        if lo >= -margin && hi <= margin {
            return Agreement::Agree;
        }
    }
    let rejected = match p {
        Some(p) => p < 0.05,
        None => ci95.is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0),
    };
    if rejected {
        Agreement::Differ
    } else {
        Agreement::Underpowered
    }
}

fn difference(
    ours: &[f64],
    other: &[f64],
    stat: fn(&[f64]) -> f64,
    test: bool,
    margin: f64,
    options: &CompareOptions,
) -> Difference {
    let diffs = bootstrap_differences(ours, other, stat, options);
    let (ci90, ci95) = (interval(&diffs, 0.90), interval(&diffs, 0.95));
    let p_value = if test {
        mann_whitney_u(other, ours).ok().map(|m| m.p_value)
    } else {
        None
    };
    Difference {
        ours: stat(ours),
        other: stat(other),
        estimate: stat(other) - stat(ours),
        ci95,
        ci90,
        p_value,
        margin,
        verdict: verdict(ci90, ci95, p_value, margin),
    }
}

/// One cell compared.
#[derive(Debug, Clone, PartialEq)]
pub struct CellComparison {
    pub cell: XorCell,
    pub runs_ours: usize,
    pub runs_other: usize,
    /// Median epochs to threshold, never-reached runs at the worst rank.
    pub epochs: Difference,
    /// Ratio other/ours of the reached-only medians (the official statistic), 95 % interval.
    pub ratio: f64,
    pub ratio_ci95: Option<(f64, f64)>,
    pub p_reach: Difference,
    pub acc_at_min_loss: Difference,
}

pub fn compare_cell(
    cell: XorCell,
    ours: &RunValues,
    other: &RunValues,
    options: &CompareOptions,
) -> anyhow::Result<CellComparison> {
    let ratio = ratio_of_medians_interval(
        &other.epochs_reached,
        &ours.epochs_reached,
        &BootstrapOptions {
            resamples: options.resamples,
            seed: options.seed,
            confidence: 0.95,
        },
    )?;
    Ok(CellComparison {
        cell,
        runs_ours: ours.reached.len(),
        runs_other: other.reached.len(),
        epochs: difference(
            &ours.epochs_censored,
            &other.epochs_censored,
            median_of,
            true,
            options.margin_epochs,
            options,
        ),
        ratio: ratio.estimate,
        ratio_ci95: ratio.interval,
        p_reach: difference(
            &ours.reached,
            &other.reached,
            mean_of,
            false,
            options.margin_reach,
            options,
        ),
        acc_at_min_loss: difference(
            &ours.acc_at_min_loss,
            &other.acc_at_min_loss,
            median_of,
            true,
            options.margin_acc,
            options,
        ),
    })
}

/// Two runs with the same start compared epoch by epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedRun {
    pub cell: XorCell,
    pub trial: usize,
    /// Leading epochs whose val loss agrees within `LOCKSTEP_LOSS` and val accuracy within
    /// `LOCKSTEP_ACC`.
    pub lockstep_epochs: usize,
    pub epochs: usize,
    /// Largest |val loss difference| over the first 10 epochs.
    pub max_loss_diff_10: f64,
    pub epochs_to_threshold: [Option<usize>; 2],
    pub acc_at_min_loss: [f64; 2],
}

/// |val loss difference| still "in lockstep" (float32 training of the same start and batches
/// drifts by rounding; a different trajectory leaves this at once).
pub const LOCKSTEP_LOSS: f64 = 1e-3;
/// |val accuracy difference| still in lockstep: 2 of 1000 validation samples.
pub const LOCKSTEP_ACC: f64 = 0.002 + 1e-9;

pub fn compare_paired(
    cell: XorCell,
    trial: usize,
    a: &RunCurves,
    b: &RunCurves,
    t: f64,
) -> PairedRun {
    let epochs = a.val_acc.len().min(b.val_acc.len());
    let lockstep_epochs = (0..epochs)
        .take_while(|&e| {
            (a.val_loss[e] - b.val_loss[e]).abs() <= LOCKSTEP_LOSS
                && (a.val_acc[e] - b.val_acc[e]).abs() <= LOCKSTEP_ACC
        })
        .count();
    let max_loss_diff_10 = (0..epochs.min(10))
        .map(|e| (a.val_loss[e] - b.val_loss[e]).abs())
        .fold(0.0, f64::max);
    let ett = |r: &RunCurves| epochs_to_threshold_as(&r.val_acc, t, AccuracyPrecision::Float32);
    let acc = |r: &RunCurves| convergence_epoch(&r.val_loss).map_or(f64::NAN, |e| r.val_acc[e]);
    PairedRun {
        cell,
        trial,
        lockstep_epochs,
        epochs,
        max_loss_diff_10,
        epochs_to_threshold: [ett(a), ett(b)],
        acc_at_min_loss: [acc(a), acc(b)],
    }
}

fn fmt_ci(ci: Option<(f64, f64)>, digits: usize) -> String {
    ci.map_or("n/a".into(), |(lo, hi)| {
        format!("[{lo:.digits$}, {hi:.digits$}]")
    })
}

fn fmt_p(p: Option<f64>) -> String {
    p.map_or("-".into(), |p| format!("{p:.3}"))
}

/// The per-cell table as Markdown.
pub fn markdown(rows: &[CellComparison]) -> String {
    let mut s = String::from(
        "| cell | runs (ours/other) | median epochs to t (ours / other; never = worst) | difference [95 %] | MWU p | epochs | ratio of reached medians [95 %] | P(reach) (ours / other) | difference [95 %] | P(reach) | acc at min loss (ours / other) | difference [95 %] | MWU p | acc |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {}/{} | {} / {} | {:+.1} {} | {} | {} | {:.2} {} | {:.2} / {:.2} | {:+.2} {} | {} | {:.3} / {:.3} | {:+.3} {} | {} | {} |",
            cell_name(&r.cell),
            r.runs_ours,
            r.runs_other,
            r.epochs.ours,
            r.epochs.other,
            r.epochs.estimate,
            fmt_ci(r.epochs.ci95, 1),
            fmt_p(r.epochs.p_value),
            r.epochs.verdict.text(),
            r.ratio,
            fmt_ci(r.ratio_ci95, 2),
            r.p_reach.ours,
            r.p_reach.other,
            r.p_reach.estimate,
            fmt_ci(r.p_reach.ci95, 2),
            r.p_reach.verdict.text(),
            r.acc_at_min_loss.ours,
            r.acc_at_min_loss.other,
            r.acc_at_min_loss.estimate,
            fmt_ci(r.acc_at_min_loss.ci95, 3),
            fmt_p(r.acc_at_min_loss.p_value),
            r.acc_at_min_loss.verdict.text(),
        );
    }
    s
}

fn ci_cols(ci: Option<(f64, f64)>) -> [String; 2] {
    ci.map_or([String::new(), String::new()], |(lo, hi)| {
        [lo.to_string(), hi.to_string()]
    })
}

/// The per-cell table as CSV rows (header first).
pub fn csv_rows(rows: &[CellComparison]) -> Vec<Vec<String>> {
    let mut out = vec![[
        "n_train",
        "hidden",
        "reset",
        "condition",
        "runs_ours",
        "runs_other",
        "metric",
        "ours",
        "other",
        "difference",
        "ci95_lo",
        "ci95_hi",
        "ci90_lo",
        "ci90_hi",
        "p_value",
        "margin",
        "verdict",
    ]
    .map(String::from)
    .to_vec()];
    for r in rows {
        let metrics = [
            ("median_epochs_to_threshold", &r.epochs),
            ("p_reach", &r.p_reach),
            ("median_acc_at_min_loss", &r.acc_at_min_loss),
        ];
        for (name, d) in metrics {
            let [lo95, hi95] = ci_cols(d.ci95);
            let [lo90, hi90] = ci_cols(d.ci90);
            out.push(vec![
                r.cell.n_train.to_string(),
                r.cell.hidden.to_string(),
                r.cell.reset.to_string(),
                r.cell.condition.to_string(),
                r.runs_ours.to_string(),
                r.runs_other.to_string(),
                name.into(),
                d.ours.to_string(),
                d.other.to_string(),
                d.estimate.to_string(),
                lo95,
                hi95,
                lo90,
                hi90,
                d.p_value.map_or(String::new(), |p| p.to_string()),
                d.margin.to_string(),
                d.verdict.text().into(),
            ]);
        }
        let [lo, hi] = ci_cols(r.ratio_ci95);
        out.push(vec![
            r.cell.n_train.to_string(),
            r.cell.hidden.to_string(),
            r.cell.reset.to_string(),
            r.cell.condition.to_string(),
            r.runs_ours.to_string(),
            r.runs_other.to_string(),
            "ratio_of_reached_medians".into(),
            String::new(),
            String::new(),
            r.ratio.to_string(),
            lo,
            hi,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    out
}

/// `cmp.csv` -> `cmp-paired.csv`, beside it.
pub fn paired_csv_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or("compare".into(), |s| s.to_string_lossy());
    path.with_file_name(format!("{stem}-paired.csv"))
}

/// The run-for-run table as CSV rows (header first); a threshold never reached is empty.
pub fn paired_csv_rows(rows: &[PairedRun]) -> Vec<Vec<String>> {
    let mut out = vec![[
        "n_train",
        "hidden",
        "reset",
        "condition",
        "trial",
        "epochs",
        "lockstep_epochs",
        "max_val_loss_diff_epochs_0_9",
        "epochs_to_threshold_ours",
        "epochs_to_threshold_other",
        "acc_at_min_loss_ours",
        "acc_at_min_loss_other",
    ]
    .map(String::from)
    .to_vec()];
    let opt = |e: Option<usize>| e.map_or(String::new(), |e| e.to_string());
    for p in rows {
        out.push(vec![
            p.cell.n_train.to_string(),
            p.cell.hidden.to_string(),
            p.cell.reset.to_string(),
            p.cell.condition.to_string(),
            p.trial.to_string(),
            p.epochs.to_string(),
            p.lockstep_epochs.to_string(),
            p.max_loss_diff_10.to_string(),
            opt(p.epochs_to_threshold[0]),
            opt(p.epochs_to_threshold[1]),
            p.acc_at_min_loss[0].to_string(),
            p.acc_at_min_loss[1].to_string(),
        ]);
    }
    out
}

fn write_csv(path: &Path, rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(vec![]);
    for r in rows {
        w.write_record(r)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("writing '{}': {e}", path.display()))?;
    polarity_analysis::atomic::write_atomic(path, &bytes)
        .with_context(|| format!("writing '{}'", path.display()))
}

pub fn run(args: &CompareArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.threshold > 0.0 && args.threshold < 1.0,
        "--threshold {}: expected a value in (0, 1)",
        args.threshold
    );
    for (flag, m) in [
        ("--margin-epochs", args.margin_epochs),
        ("--margin-reach", args.margin_reach),
        ("--margin-acc", args.margin_acc),
    ] {
        anyhow::ensure!(m > 0.0, "{flag} {m}: expected a positive margin");
    }
    anyhow::ensure!(
        args.resamples >= 100,
        "--resamples {}: expected at least 100",
        args.resamples
    );
    let options = CompareOptions {
        threshold: args.threshold,
        margin_epochs: args.margin_epochs,
        margin_reach: args.margin_reach,
        margin_acc: args.margin_acc,
        resamples: args.resamples,
        seed: args.seed,
    };
    let ours = read_table(&args.ours)?;
    let other = read_table(&args.other)?;
    let mut rows = Vec::new();
    let mut paired = Vec::new();
    for (cell, runs) in &ours {
        let Some(other_runs) = other.get(cell) else {
            eprintln!(
                "{}: only in '{}', skipped",
                cell_name(cell),
                args.ours.display()
            );
            continue;
        };
        let (a, b) = (
            run_values(runs, args.threshold),
            run_values(other_runs, args.threshold),
        );
        rows.push(compare_cell(*cell, &a, &b, &options)?);
        if args.paired {
            for (trial, run) in runs {
                if let Some(o) = other_runs.get(trial) {
                    paired.push(compare_paired(*cell, *trial, run, o, args.threshold));
                }
            }
        }
    }
    for cell in other.keys().filter(|c| !ours.contains_key(c)) {
        eprintln!(
            "{}: only in '{}', skipped",
            cell_name(cell),
            args.other.display()
        );
    }
    anyhow::ensure!(!rows.is_empty(), "the two tables have no cell in common");
    println!(
        "threshold {} (float32 rule); margins: {} epochs, {} P(reach), {} accuracy; {} resamples, seed {}\n",
        args.threshold, args.margin_epochs, args.margin_reach, args.margin_acc, args.resamples, args.seed
    );
    print!("{}", markdown(&rows));
    if args.paired {
        println!("\n| cell | trial | lockstep epochs | max abs. val_loss difference, epochs 0-9 | epochs to t (ours / other) | acc at min loss (ours / other) |\n|---|---|---|---|---|---|");
        let show = |e: Option<usize>| e.map_or("never".into(), |e| e.to_string());
        for p in &paired {
            println!(
                "| {} | {} | {}/{} | {:.2e} | {} / {} | {:.3} / {:.3} |",
                cell_name(&p.cell),
                p.trial,
                p.lockstep_epochs,
                p.epochs,
                p.max_loss_diff_10,
                show(p.epochs_to_threshold[0]),
                show(p.epochs_to_threshold[1]),
                p.acc_at_min_loss[0],
                p.acc_at_min_loss[1]
            );
        }
    }
    if let Some(path) = &args.out {
        write_csv(path, &csv_rows(&rows))?;
        eprintln!("wrote {}", path.display());
        if args.paired {
            let paired_path = paired_csv_path(path);
            write_csv(&paired_path, &paired_csv_rows(&paired))?;
            eprintln!("wrote {}", paired_path.display());
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "xor_compare_tests.rs"]
mod tests;
