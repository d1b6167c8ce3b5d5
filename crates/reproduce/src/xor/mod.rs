//! `polarity reproduce xor`: the XOR half of the paper, from runs to report.

pub mod claims;
pub mod draws;
pub mod figures;
pub mod measure;
pub mod plan;
pub mod resources;
pub mod table;

use crate::{Context, Observer, Result};
use claims::{xor_claims, Claim, TheoryPoints};
use figures::{line_panel, row, Metric, CONDITIONS, FLUID, POS_RAND};
use measure::{holm, mwu_p, wilcoxon_p, CellValues};
use plan::{Grid, Semantics};
use polarity_analysis::claims::fmt_p;
use polarity_analysis::figures::write_figure;
use polarity_analysis::report::Report;
use polarity_core::ResetMethod;
use polarity_sweep::{RunOptions, TableFormat};
use polarity_xor::{Condition, DataOrigin, DataSource};
use std::path::{Path, PathBuf};
use std::time::Instant;
use table::Runs;

/// What `reproduce xor` needs to know.
#[derive(Debug, Clone)]
pub struct XorReproduction {
    pub out: PathBuf,
    pub quick: bool,
    pub resume: bool,
    pub threads: Option<usize>,
    pub seed: u64,
    /// The data every grid trains on: drawn from the seed (default), or given as files
    /// (docs/decisions.md D-XOR-DATA-7).
    pub data: DataSource,
    /// Data draws the claims are judged on, draw 0 (the main grids' data) included; 1 judges the
    /// main draw only (docs/decisions.md D-CLAIM-7). [`plan::default_data_draws`] is the default.
    pub data_draws: usize,
    /// Repeat every grid on each draw, not only the official Fig-1 grid.
    pub full_draws: bool,
    /// Each grid's per-epoch table: Parquet (the default) or CSV (docs/decisions.md D-SWEEP-8).
    pub format: TableFormat,
}

/// A finished grid: its runs and how long it took.
struct Done {
    grid: Grid,
    runs: Runs,
    seconds: f64,
    ran: usize,
    config_hash: String,
    /// Where the grid's data came from, with its digest for given files.
    data: DataOrigin,
}

impl XorReproduction {
    /// Runs (or resumes) every grid, then writes figures, claims and the report; returns the
    /// report's path.
    pub fn run(&self, observer: &dyn Observer) -> Result<PathBuf> {
        let start = Instant::now();
        let mut done = Vec::new();
        for mut grid in plan::grids(self.quick, self.seed) {
            // The main grids train on the run's data; draws k > 0 carry their own drawn source.
            grid.config.data = self.data.clone();
            done.push(self.run_grid(grid, observer)?);
        }
        let theory = theory_points()?;
        // Each draw is judged as soon as its grids ran and its tables are dropped: the report
        // keeps a draw's claims and ratios, not its rows.
        let mut drawn = Vec::new();
        let mut judged = Vec::new();
        for draw in 1..self.data_draws {
            let mut grids = Vec::new();
            for grid in plan::draw_grids(self.quick, self.seed, draw as u64, self.full_draws) {
                grids.push(self.run_grid(grid, observer)?);
            }
            let runs = |name: &str| {
                grids
                    .iter()
                    .find(|d| d.grid.name == format!("draw-{draw}/{name}"))
                    .map(|d| &d.runs)
            };
            let fig1 = runs("fig1-official")
                .with_context(|| format!("draw {draw}: its Fig-1 grid did not run"))?;
            judged.push(draws::DrawJudgement::of(
                fig1,
                runs("fig4-official"),
                &theory.points,
            ));
            drawn.extend(grids.into_iter().map(|mut d| {
                d.runs = Runs::default();
                d
            }));
        }
        self.report(&done, &drawn, &judged, &theory, start)
    }

    /// Runs (or resumes) one grid under `runs/<grid name>`.
    fn run_grid(&self, mut grid: Grid, observer: &dyn Observer) -> Result<Done> {
        // Read (and check) the data first so that the config, and its hash, record the digest
        // of given files.
        let data = grid
            .config
            .resolve_data()
            .with_context(|| format!("reading the data of grid {}", grid.name))?;
        let start = Instant::now();
        let options = RunOptions {
            out: self.out.join("runs").join(&grid.name),
            resume: self.resume,
            shard: None,
            threads: self.threads,
            progress: observer.sweep(),
            keep_journal: false,
            one_unit_at_a_time: false,
        };
        observer.stage(&format!(
            "{}: {} networks",
            grid.name,
            grid.config.units().len() * grid.config.networks_per_unit()
        ));
        // Each unit's rows are reduced as the runner writes the table, then dropped
        // (docs/decisions.md D-STATS-10).
        let mut runs = Runs::new(grid.config.dims);
        let outcome = grid
            .config
            .run_sweep_streaming(&options, self.format, |_, rows| {
                runs.add_unit(&rows).map_err(Into::into)
            })
            .with_context(|| format!("running grid {}", grid.name))?;
        let seconds = start.elapsed().as_secs_f64();
        let config_hash = grid
            .config
            .sweep()
            .context("describing the sweep")?
            .config_hash();
        Ok(Done {
            grid,
            runs,
            seconds,
            ran: outcome.ran,
            config_hash,
            data: data.origin,
        })
    }

    fn report(
        &self,
        done: &[Done],
        drawn: &[Done],
        judged: &[draws::DrawJudgement],
        theory: &Theory,
        start: Instant,
    ) -> Result<PathBuf> {
        let figdir = self.out.join("figures");
        std::fs::create_dir_all(&figdir)?;
        let find = |name: &str| done.iter().find(|d| d.grid.name == name).expect("grid ran");
        let mut report =
            Report::new("polarity: reproduction of the XOR experiments (Wang et al., ICML 2023)");
        report.paragraph(format!(
            "Preset: **{}**. Main results use the **{}** so that numbers are comparable with the paper; \
             the ablation repeats Fig 1 and Fig 4 under the **{}**. Seed {}. All runs: Adam lr 0.03, batch 32, \
             100 epochs, posRand eps 0.001 (Supp B.1: all four methods), validation on 1000 fixed samples; \
             thresholds and metrics as the official notebooks (docs/decisions.md D-METRIC-1 to D-METRIC-3), with accuracies \
             compared as float32 like the official pipeline, so 900/1000 does not reach 90 % (D-METRIC-5).",
            if self.quick { "quick (fewer trials and sizes; not the paper's grid)" } else { "paper (50 trials, the paper's grids)" },
            Semantics::Official.describe(),
            Semantics::Clean.describe(),
            self.seed
        ));
        if let Some(d) = done.first() {
            report.paragraph(match &d.data {
                DataOrigin::Drawn { .. } => format!(
                    "Data: {} (docs/decisions.md D-XOR-DATA-4, D-XOR-DATA-7); every grid trains on it.",
                    d.data
                ),
                DataOrigin::Given(_) => format!(
                    "Data: **given**, {}; every grid trains on it, in file order, with the \
                     batch order of the seed (docs/decisions.md D-XOR-DATA-8).",
                    d.data
                ),
            });
        }
        let mut runs_table = Vec::new();
        for d in done.iter().chain(drawn) {
            runs_table.push(vec![
                d.grid.name.clone(),
                d.grid.semantics.describe().into(),
                (d.grid.config.units().len() * d.grid.config.networks_per_unit()).to_string(),
                if d.ran == 0 {
                    "resumed (no new work)".into()
                } else {
                    format!("{:.1}", d.seconds)
                },
                format!("runs/{}/{}", d.grid.name, self.format.file_name()),
                d.config_hash[..12].to_string(),
            ]);
        }
        report.table(
            "Runs",
            [
                "grid",
                "semantics",
                "networks",
                "wall time (s)",
                "table",
                "config sha256",
            ]
            .map(String::from)
            .to_vec(),
            runs_table,
        )?;
        report.paragraph(resources::Resources::measure(&self.out, start).sentence());

        // Claims: official semantics with the clean design beside it.
        let official = xor_claims(
            &find("fig1-official").runs,
            &find("fig4-official").runs,
            &theory.points,
        );
        let clean = xor_claims(
            &find("fig1-clean").runs,
            &find("fig4-clean").runs,
            &theory.points,
        );
        report.heading(2, "Claims")?;
        report.paragraph("Each quantitative XOR claim of the paper (docs/decisions.md D-CLAIM-1) next to our measurement and a verdict: \
            holds, consistent, does not hold, underpowered (with the trials a power calculation asks for) or not measured (D-CLAIM-5). \
            Runs that never reach a threshold count as censored (worst rank) in the tests; the reached-only result is shown beside it (D-STATS-7). \
            The test column names each Holm family and marks the project's own thresholds. \
            The last column repeats the verdict under the clean design (identical initial weights, flip alignment).");
        report.table("", claim_header(), claim_rows(&official, &clean))?;
        write_claims_csv(&self.out.join("claims.csv"), &official, &clean)?;
        if self.data_draws > 1 {
            // Draw 0 is the main grids' data.
            let main = draws::DrawJudgement::of(
                &find("fig1-official").runs,
                self.full_draws.then(|| &find("fig4-official").runs),
                &theory.points,
            );
            let all: Vec<&draws::DrawJudgement> = std::iter::once(&main).chain(judged).collect();
            draws::section(&mut report, &self.out, &all, self.full_draws)?;
        }

        for sem in [Semantics::Official, Semantics::Clean] {
            let fig1 = &find(&format!("fig1-{}", sem.name())).runs;
            let fig4 = &find(&format!("fig4-{}", sem.name())).runs;
            let tag = sem.name();
            report.heading(2, format!("Fig 1 ({})", sem.describe()))?;
            let sizes = sizes_of(fig1);
            let shown: Vec<usize> = sizes.iter().copied().filter(|&n| n >= 40).collect();
            let f1 = row(
                "Fig 1: XOR-5D, 64 hidden units (median, 25-75 %; * = differs from Fluid, Mann-Whitney U, Holm)",
                vec![
                    line_panel(fig1, "B: computational efficiency", 64, &shown, Metric::Epochs, &CONDITIONS),
                    line_panel(fig1, "C: statistical efficiency", 64, &sizes, Metric::Error, &CONDITIONS),
                ],
            );
            self.figure(&mut report, &f1, &format!("fig1-{tag}"), "Fig 1B and 1C")?;
            let paired = sem == Semantics::Clean;
            report.table(
                "Epochs to 90 % validation accuracy (h = 64)",
                table_header(paired),
                table_rows(fig1, 64, &sizes, Metric::Epochs, paired),
            )?;
            report.table(
                "Validation error (%) at convergence (h = 64)",
                table_header(paired),
                table_rows(fig1, 64, &sizes, Metric::Error, paired),
            )?;

            report.heading(2, format!("Fig 4 ({})", sem.describe()))?;
            let f4a = figures::fig4a(fig4, &theory.series, 500);
            self.figure(&mut report, &f4a, &format!("fig4a-{tag}"), "Fig 4A")?;
            let sizes4 = sizes_of(fig4);
            for (h, name) in [(10, "B"), (20, "C")] {
                if fig4.cells().any(|c| c.hidden == h) {
                    let f = row(
                        &format!("Fig 4{name}: {h} hidden units"),
                        vec![
                            line_panel(
                                fig4,
                                "P(learning)",
                                h,
                                &sizes4,
                                Metric::Reach90,
                                &CONDITIONS,
                            ),
                            line_panel(
                                fig4,
                                "computational efficiency",
                                h,
                                &sizes4,
                                Metric::Epochs,
                                &CONDITIONS,
                            ),
                            line_panel(
                                fig4,
                                "statistical efficiency",
                                h,
                                &sizes4,
                                Metric::Error,
                                &CONDITIONS,
                            ),
                        ],
                    );
                    self.figure(
                        &mut report,
                        &f,
                        &format!("fig4{}-{tag}", name.to_lowercase()),
                        &format!("Fig 4{name}"),
                    )?;
                }
            }
            let hidden: Vec<usize> = {
                let mut h: Vec<usize> = fig4.cells().map(|c| c.hidden).collect();
                h.sort_unstable();
                h.dedup();
                h
            };
            let d_sizes: Vec<usize> = sizes4
                .iter()
                .copied()
                .filter(|n| (60..=100).contains(n))
                .collect();
            self.figure(
                &mut report,
                &figures::fig4d(fig4, &hidden, &d_sizes),
                &format!("fig4d-{tag}"),
                "Fig 4D",
            )?;
            report.table(
                "P(val. acc. > 95 % at any epoch), 500 samples, by hidden size",
                [
                    "hidden",
                    "Frozen sufficient",
                    "Frozen RAND",
                    "Fluid",
                    "Theorem D.1 (d = 5)",
                    "oracle truth",
                ]
                .map(String::from)
                .to_vec(),
                capacity_rows(fig4, &theory.points),
            )?;
        }

        let b1 = &find("suppB1-official").runs;
        report.heading(2, "Supp B.1: reset methods (official semantics)")?;
        // In name order, as the report has always listed them.
        let methods: Vec<ResetMethod> = {
            let mut m: Vec<ResetMethod> = b1.distinct(|c| c.reset);
            m.sort_by_key(|r| r.name());
            m
        };
        self.figure(
            &mut report,
            &figures::supp_b1(b1, &sizes_of(b1), &methods),
            "suppB1",
            "Supp B.1",
        )?;

        report.heading(2, "Sign flips per layer")?;
        let fig1 = &find("fig1-official").runs;
        let flip_sizes: Vec<usize> = sizes_of(fig1)
            .into_iter()
            .filter(|n| [20, 60, 100, 500].contains(n))
            .collect();
        self.figure(
            &mut report,
            &figures::flips(fig1, 64, &flip_sizes),
            "flips",
            "flip ratios",
        )?;
        report.paragraph("Frozen nets flip no signs by construction (a reset restores the template sign; posRand \
            can leave an exact zero, which np.sign counts as a change only if the weight was nonzero before).");

        report.heading(2, "Theory")?;
        let show = |n: Option<u32>| n.map_or("not within 30".to_string(), |n| n.to_string());
        report.paragraph(format!(
            "Smallest number of hidden units with probability > 0.99: Theorem D.1 as printed (d = 5): {}; \
             Lemma D.1's condition: {}; oracle truth (cell centres): {}. See `polarity theory xor` and the theory README.",
            show(theory.first_above.0),
            show(theory.first_above.1),
            show(theory.first_above.2)
        ));
        let files = report.write(&self.out, "report")?;
        Ok(files.markdown)
    }

    fn figure(
        &self,
        report: &mut Report,
        f: &polarity_analysis::figures::Figure,
        stem: &str,
        alt: &str,
    ) -> Result<()> {
        write_figure(f, &self.out.join("figures").join(stem))
            .with_context(|| format!("drawing {stem}"))?;
        report.image(format!("figures/{stem}.png"), alt);
        Ok(())
    }
}

fn sizes_of(runs: &Runs) -> Vec<usize> {
    let mut s: Vec<usize> = runs.cells().map(|c| c.n_train).collect();
    s.sort_unstable();
    s.dedup();
    s
}

fn table_header(paired: bool) -> Vec<String> {
    let mut h: Vec<String> = [
        "n",
        "Frozen sufficient",
        "Frozen RAND",
        "Fluid",
        "p suff. vs Fluid (MWU; Holm family: the sizes of this table)",
        "p RAND vs Fluid (MWU; Holm family: the sizes of this table)",
    ]
    .map(String::from)
    .to_vec();
    if paired {
        h.push("p RAND vs Fluid (paired Wilcoxon)".into());
    }
    h
}

fn table_rows(
    runs: &Runs,
    hidden: usize,
    sizes: &[usize],
    metric: Metric,
    paired: bool,
) -> Vec<Vec<String>> {
    let get = |n: usize, c: Condition| runs.get(n, hidden, POS_RAND, c);
    let values = |v: &CellValues| {
        if matches!(metric, Metric::Epochs) {
            v.epochs_to_90.clone()
        } else {
            v.error.clone()
        }
    };
    let mut p_suff = Vec::new();
    let mut p_rand = Vec::new();
    for &n in sizes {
        let fl = get(n, FLUID).map(values).unwrap_or_default();
        p_suff.push(get(n, figures::FROZEN_SUFF).map_or(f64::NAN, |v| mwu_p(&values(v), &fl)));
        p_rand.push(get(n, figures::FROZEN_RAND).map_or(f64::NAN, |v| mwu_p(&values(v), &fl)));
    }
    let (p_suff, p_rand) = (holm(&p_suff), holm(&p_rand));
    let mark = |p: f64| {
        if p < 0.05 {
            format!("{} *", fmt_p(p))
        } else {
            fmt_p(p)
        }
    };
    sizes
        .iter()
        .enumerate()
        .map(|(k, &n)| {
            let mut r = vec![n.to_string()];
            for c in CONDITIONS {
                r.push(get(n, c).map_or("-".into(), |v| {
                    measure::cell_text(&polarity_analysis::stats::summarize(&values(v)))
                }));
            }
            r.push(mark(p_suff[k]));
            r.push(mark(p_rand[k]));
            if paired {
                let p = match (get(n, figures::FROZEN_RAND), get(n, FLUID)) {
                    (Some(a), Some(b)) => wilcoxon_p(&values(a), &values(b)),
                    _ => f64::NAN,
                };
                r.push(fmt_p(p));
            }
            r
        })
        .collect()
}

fn capacity_rows(fig4: &Runs, th: &TheoryPoints) -> Vec<Vec<String>> {
    let mut hidden: Vec<usize> = fig4
        .cells()
        .filter(|c| c.n_train == 500)
        .map(|c| c.hidden)
        .collect();
    hidden.dedup();
    hidden
        .iter()
        .map(|&h| {
            let mut r = vec![h.to_string()];
            for c in CONDITIONS {
                r.push(fig4.get(500, h, POS_RAND, c).map_or("-".into(), |cv| {
                    format!(
                        "{:.0} % ({}/{})",
                        100.0 * cv.p95(),
                        cv.reached_95.iter().filter(|b| **b).count(),
                        cv.reached_95.len()
                    )
                }));
            }
            let k = th.units.iter().position(|&u| u == h);
            r.push(k.map_or("-".into(), |k| format!("{:.2} %", 100.0 * th.theorem_d1[k])));
            r.push(k.map_or("-".into(), |k| format!("{:.2} %", 100.0 * th.truth[k])));
            r
        })
        .collect()
}

fn claim_header() -> Vec<String> {
    [
        "id",
        "claim",
        "paper",
        "measured (official semantics)",
        "verdict",
        "test",
        "clean design",
    ]
    .map(String::from)
    .to_vec()
}

fn claim_rows(official: &[Claim], clean: &[Claim]) -> Vec<Vec<String>> {
    official
        .iter()
        .zip(clean)
        .map(|(a, b)| {
            vec![
                a.id.clone(),
                a.statement.clone(),
                a.paper.clone(),
                a.measured.clone(),
                format!("**{}**", a.verdict.text()),
                a.test.clone(),
                format!("{} ({})", b.verdict.text(), b.measured),
            ]
        })
        .collect()
}

fn write_claims_csv(path: &Path, official: &[Claim], clean: &[Claim]) -> Result<()> {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut text =
        String::from("id,claim,paper,measured,verdict,test,clean_measured,clean_verdict\n");
    for (a, b) in official.iter().zip(clean) {
        text.push_str(
            &[
                q(&a.id),
                q(&a.statement),
                q(&a.paper),
                q(&a.measured),
                q(&a.verdict.text()),
                q(&a.test),
                q(&b.measured),
                q(&b.verdict.text()),
            ]
            .join(","),
        );
        text.push('\n');
    }
    polarity_analysis::atomic::write_atomic(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// Theory curves for the figure and the claims.
struct Theory {
    points: TheoryPoints,
    series: Vec<(String, Vec<f64>, Vec<f64>)>,
    first_above: (Option<u32>, Option<u32>, Option<u32>),
}

fn theory_points() -> Result<Theory> {
    use polarity_theory::exact::to_f64;
    let curves =
        polarity_theory::curves::xor_curves(30, 5, false).context("computing the theory curves")?;
    let units: Vec<usize> = curves.rows.iter().map(|r| r.units as usize).collect();
    let d1: Vec<f64> = curves.rows.iter().map(|r| to_f64(&r.theorem_d1)).collect();
    let lemma: Vec<f64> = curves.rows.iter().map(|r| to_f64(&r.lemma_d1)).collect();
    let truth: Vec<f64> = curves.rows.iter().map(|r| to_f64(&r.truth)).collect();
    let x: Vec<f64> = units.iter().map(|&u| u as f64).collect();
    let first = curves.first_above();
    let table = polarity_theory::truth::PresenceTable::centres()
        .context("computing the representability table")?;
    let sufficient = units
        .iter()
        .map(|&u| sufficient_probability(&table, u as u32))
        .collect();
    let fluid_min_units = polarity_theory::classes::ClassSet::all()
        .filter(|s| table.representable(*s))
        .map(|s| s.len() as usize)
        .min();
    Ok(Theory {
        series: vec![
            (
                "Theorem D.1 as printed (d = 5)".into(),
                x.clone(),
                d1.clone(),
            ),
            ("Lemma D.1 condition".into(), x.clone(), lemma),
            ("oracle: representable".into(), x, truth.clone()),
        ],
        points: TheoryPoints {
            units,
            theorem_d1: d1,
            truth,
            sufficient,
            fluid_min_units,
        },
        first_above: (first.theorem_d1, first.lemma_d1, first.truth),
    })
}

/// P(a sufficient-template net with `n` hidden units can represent XOR): its units' sign classes
/// are uniform over the four compatible classes (docs/decisions.md D-RESET-6), so sum, over the
/// representable sets S of compatible classes, P(exactly the classes of S occur) =
/// sum over T in S of (-1)^(|S|-|T|) (|T| / 4)^n (inclusion-exclusion).
fn sufficient_probability(table: &polarity_theory::truth::PresenceTable, n: u32) -> f64 {
    use polarity_theory::classes::{ClassSet, SignClass};
    let compatible: Vec<SignClass> = SignClass::all().filter(|c| c.is_compatible()).collect();
    let all = ClassSet::of(&compatible);
    let exactly = |s: ClassSet| -> f64 {
        s.subsets()
            .map(|t| {
                let sign = if (s.len() - t.len()).is_multiple_of(2) {
                    1.0
                } else {
                    -1.0
                };
                sign * (f64::from(t.len()) / compatible.len() as f64).powi(n as i32)
            })
            .sum()
    };
    all.subsets()
        .filter(|s| !s.is_empty() && table.representable(*s))
        .map(exactly)
        .sum()
}
