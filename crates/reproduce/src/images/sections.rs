//! Report sections both studies write for each task: Fig 2 and 3 with their tables, the
//! threshold tables (Supp B.2/B.4), flips (B.5), initial magnitudes (B.6) and the claims.

use crate::images::claims::Claim;
use crate::images::fig3::{compare_with_baseline, PAPER_FAMILY};
use crate::images::figures::{self, View};
use crate::images::measure::{cell_text, fmt_delta, fmt_p, p_reach, Metric};
use crate::{Context, Result};
use polarity_analysis::figures::{write_figure, Figure, Rgb};
use polarity_analysis::report::Report;
use polarity_analysis::stats;
use polarity_images::conditions::Condition;
use std::path::Path;

/// The notebook's threshold list (Supp B.2/B.4).
pub const THRESHOLDS: [f64; 8] = [0.45, 0.50, 0.55, 0.60, 0.75, 0.80, 0.82, 0.85];

/// Writes `figure` under `<out>/figures/<stem>` and adds it to the report.
pub fn add_figure(
    report: &mut Report,
    out: &Path,
    figure: &Figure,
    stem: &str,
    alt: &str,
) -> Result<()> {
    write_figure(figure, &out.join("figures").join(stem))
        .with_context(|| format!("drawing {stem}"))?;
    report.image(format!("figures/{stem}.png"), alt);
    Ok(())
}

fn names(v: &View) -> Vec<String> {
    v.conditions.iter().map(|&c| v.source.label(c)).collect()
}

/// Fig 2 with the table of errors at convergence and of P(reach `threshold`).
pub fn fig2(report: &mut Report, out: &Path, v: &View, threshold: f64, tag: &str) -> Result<()> {
    report.heading(
        3,
        "Fig 2: error, probability and time against training size",
    )?;
    let f = figures::fig2(
        v,
        threshold,
        &format!("{}: median and 25-75 % over trials", v.task),
    );
    add_figure(report, out, &f, &format!("fig2-{tag}"), "Fig 2")?;
    let mut header = vec!["n".to_string()];
    header.extend(names(v));
    let rows = v
        .sizes
        .iter()
        .map(|&n| {
            let mut r = vec![n.to_string()];
            for &c in v.conditions {
                r.push(v.runs.get(v.task, n, c).map_or("-".into(), |runs| {
                    format!(
                        "{}; P(>{:.0} %) = {:.0} %",
                        cell_text(&stats::summarize(&Metric::Error.values(runs)), 2),
                        100.0 * threshold,
                        100.0 * p_reach(runs, threshold)
                    )
                }));
            }
            r
        })
        .collect();
    report.table("Validation error (%) at convergence, median [25 %, 75 %], and the share of trials reaching the threshold", header, rows)?;
    Ok(())
}

/// Fig 3 with the table of differences, Mann-Whitney U + Holm and paired Wilcoxon p-values.
pub fn fig3(report: &mut Report, out: &Path, v: &View, threshold: f64, tag: &str) -> Result<()> {
    let base = v.source.label(v.baseline);
    report.heading(3, format!("Fig 3: differences to {base}"))?;
    let others: Vec<Condition> = v
        .conditions
        .iter()
        .copied()
        .filter(|&c| c != v.baseline)
        .collect();
    let outside: Vec<String> = others
        .iter()
        .filter(|c| !PAPER_FAMILY.contains(c))
        .map(|&c| v.source.label(c))
        .collect();
    report.paragraph(format!(
        "Median of each condition minus the median of {base}, per training size. `*` in the figure and \
         in the table: two-sided Mann-Whitney U test against {base}, Holm-adjusted over the ICML code's \
         family of four comparisons at that size ({}), p <= 0.05 step-down; a comparison that cannot be \
         tested (a condition that never reached the threshold) stays in the family with p = NaN (counted in m, as \
         statsmodels' multipletests does; docs/decisions.md D-STATS-8).{} The paired Wilcoxon \
         signed-rank test (trial i against trial i) is given where both networks start from the same \
         random magnitudes.",
        PAPER_FAMILY.map(|c| v.source.label(c)).join(", "),
        if outside.is_empty() {
            String::new()
        } else {
            format!(
                " {} is drawn too but is not one of the four: its p-value is the unadjusted one, marked \
                 \"raw, outside the family\", and never starred.",
                outside.join(", ")
            )
        }
    ));
    add_figure(
        report,
        out,
        &figures::fig3(v, threshold, &format!("{}: differences to {base}", v.task)),
        &format!("fig3-{tag}"),
        "Fig 3",
    )?;
    for metric in [Metric::Error, Metric::EpochsTo(threshold)] {
        let mut header = vec!["n".to_string()];
        for &c in &others {
            header.push(if PAPER_FAMILY.contains(&c) {
                format!("{} (Δ; p MWU-Holm; p Wilcoxon)", v.source.label(c))
            } else {
                format!(
                    "{} (Δ; p MWU raw, outside the family; p Wilcoxon)",
                    v.source.label(c)
                )
            });
        }
        let mut rows = Vec::new();
        for &n in v.sizes {
            let Some(b) = v.runs.get(v.task, n, v.baseline) else {
                continue;
            };
            let present: Vec<(usize, (Condition, Vec<f64>))> = others
                .iter()
                .enumerate()
                .filter_map(|(k, &c)| v.runs.get(v.task, n, c).map(|r| (k, (c, metric.values(r)))))
                .collect();
            let values: Vec<(Condition, Vec<f64>)> =
                present.iter().map(|(_, x)| x.clone()).collect();
            let cmps = compare_with_baseline(v.baseline, &metric.values(b), &values);
            let mut r = vec![n.to_string(); 1];
            r.extend(std::iter::repeat_n("-".to_string(), others.len()));
            for ((k, _), c) in present.iter().zip(cmps) {
                let p = match c.p_holm {
                    Some(p) => format!("{}{}", fmt_p(p), if c.significant { " *" } else { "" }),
                    None => format!("{} raw", fmt_p(c.p_mwu)),
                };
                r[1 + k] = format!(
                    "{}; {p}; {}",
                    fmt_delta(c.delta, 2),
                    c.p_wilcoxon.map_or("-".into(), fmt_p)
                );
            }
            rows.push(r);
        }
        report.table(
            format!("Differences to {base}: {}", metric.label()),
            header,
            rows,
        )?;
    }
    Ok(())
}

/// Supp B.2/B.4: median epochs to each threshold of the notebook's list and the share of
/// trials reaching it.
pub fn thresholds(report: &mut Report, v: &View) -> Result<()> {
    report.heading(3, "Supp B.2 / B.4: epochs to each threshold")?;
    report.paragraph("Median first epoch (0-based) with validation accuracy >= t over the trials that reach it, \
        and how many trials reached it (`k/N`); `-` where none did.");
    let mut header = vec!["t".to_string(), "n".to_string()];
    header.extend(names(v));
    let mut rows = Vec::new();
    for t in THRESHOLDS {
        for &n in v.sizes {
            let mut r = vec![format!("{t:.2}"), n.to_string()];
            for &c in v.conditions {
                r.push(v.runs.get(v.task, n, c).map_or("-".into(), |runs| {
                    let s = stats::summarize(&Metric::EpochsTo(t).values(runs));
                    let m = s.median.map_or("-".into(), |m| format!("{m:.1}"));
                    format!("{m} ({}/{})", s.n, s.n + s.missing)
                }));
            }
            rows.push(r);
        }
    }
    report.table(
        "Median epochs to threshold (trials reaching it)",
        header,
        rows,
    )?;
    Ok(())
}

/// Supp B.5 (flip ratios of Fluid RAND) and B.6 (initial magnitudes).
/// Every figure section of one task: Fig 2, Fig 3, the epochs-to-threshold tables (Supp B.2 /
/// B.4), sign flips (B.5) and initial kernel magnitudes (B.6).
#[allow(clippy::too_many_arguments)]
pub fn task_figures(
    report: &mut Report,
    out: &Path,
    v: &View,
    threshold: f64,
    kernel_sizes: &[u64],
    (magnitudes, zeros): &crate::images::study::Magnitudes,
    tag: &str,
) -> Result<()> {
    fig2(report, out, v, threshold, tag)?;
    fig3(report, out, v, threshold, tag)?;
    thresholds(report, v)?;
    flips_and_magnitudes(report, out, v, kernel_sizes, magnitudes, zeros, tag)
}

/// The data files of a report's Data section: "`name` sha256 0123abcd, ...".
pub fn data_files(data: &polarity_images::Dataset) -> String {
    data.provenance
        .files
        .iter()
        .map(|f| {
            let name = f
                .path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            format!("`{name}` sha256 {}", short_hash(&f.content_sha256))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn flips_and_magnitudes(
    report: &mut Report,
    out: &Path,
    v: &View,
    kernel_sizes: &[u64],
    magnitudes: &[(String, Rgb, Vec<f64>)],
    zeros: &[(String, usize)],
    tag: &str,
) -> Result<()> {
    report.heading(3, "Supp B.5: sign flips of Fluid RAND-Polarity")?;
    match figures::flips(v, kernel_sizes, 50) {
        Some(f) => add_figure(report, out, &f, &format!("suppB5-{tag}"), "Supp B.5")?,
        None => {
            report.paragraph("Fluid RAND-Polarity was not run: no flip ratios.");
        }
    }
    report.heading(3, "Supp B.6: initial kernel magnitudes")?;
    add_figure(
        report,
        out,
        &figures::magnitudes(magnitudes),
        &format!("suppB6-{tag}"),
        "Supp B.6",
    )?;
    let zero_text: Vec<String> = zeros.iter().map(|(c, z)| format!("{c}: {z}")).collect();
    report.paragraph(format!(
        "Kernel entries of trial 0 at the start of training, per condition (log10 |w|; exact zeros have no \
         logarithm and are not drawn: {}). Every condition except the weight-transfer ones starts from the \
         same magnitudes (IN-Polarity flips signs only).",
        zero_text.join(", ")
    ));
    Ok(())
}

pub fn claim_header() -> Vec<String> {
    [
        "id",
        "claim",
        "paper (docs/decisions.md D-CLAIM-2)",
        "measured",
        "verdict",
        "test",
    ]
    .map(String::from)
    .to_vec()
}

pub fn claim_rows(claims: &[Claim]) -> Vec<Vec<String>> {
    claims
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.statement.clone(),
                c.paper.clone(),
                c.measured.clone(),
                format!("**{}**", c.verdict.text()),
                c.test.clone(),
            ]
        })
        .collect()
}

/// `claims.csv`: one row per claim (task first).
pub fn write_claims_csv(path: &Path, claims: &[(String, Claim)]) -> Result<()> {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut text = String::from("task,id,claim,paper,measured,verdict,test\n");
    for (task, c) in claims {
        let fields = [
            task.as_str(),
            &c.id,
            &c.statement,
            &c.paper,
            &c.measured,
            &c.verdict.text(),
            &c.test,
        ];
        text.push_str(&fields.map(q).join(","));
        text.push('\n');
    }
    polarity_analysis::atomic::write_atomic(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// The first 16 hex digits of a hash (all of it when shorter).
pub fn short_hash(h: &str) -> &str {
    h.get(..16).unwrap_or(h)
}
