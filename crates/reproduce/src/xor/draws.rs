//! The claims over data draws (docs/decisions.md D-CLAIM-7): the XOR claims judged on each draw's
//! grids, lined up by `polarity_analysis::claims::draws`, as a report section, a CSV and a figure
//! of the time ratios' distribution over draws against the paper's values.

use super::claims::{time_ratios, xor_claims, Claim, TheoryPoints, TIME_RATIO_CLAIMS};
use super::table::Runs;
use crate::{Context, Result};
use polarity_analysis::claims::draws::{over_draws, ClaimOverDraws};
use polarity_analysis::figures::{
    write_figure, Figure, LegendCorner, LinePanel, Panel, Rgb, Series,
};
use polarity_analysis::report::Report;
use std::collections::BTreeMap;
use std::path::Path;

/// One draw's claims (official semantics) and time ratios: all the report needs of a draw, so
/// a draw's result tables can be dropped as soon as it is judged (memory stays that of one grid).
pub struct DrawJudgement {
    pub claims: Vec<Claim>,
    pub effects: BTreeMap<String, f64>,
}

impl DrawJudgement {
    /// Judges a draw from its official Fig-1 grid and, with full draws, its Fig-4 grid (without
    /// it, only the Fig-1 claims).
    pub fn of(fig1: &Runs, fig4: Option<&Runs>, theory: &TheoryPoints) -> Self {
        let empty = Runs::default();
        let claims = xor_claims(fig1, fig4.unwrap_or(&empty), theory)
            .into_iter()
            .filter(|c| fig4.is_some() || c.id.starts_with('1'))
            .collect();
        Self {
            claims,
            effects: time_ratios(fig1),
        }
    }
}

/// Every draw's claims, lined up.
pub fn claims_over_draws(draws: &[&DrawJudgement]) -> Result<Vec<ClaimOverDraws>> {
    let per_draw: Vec<Vec<Claim>> = draws.iter().map(|d| d.claims.clone()).collect();
    let effects: Vec<_> = draws.iter().map(|d| d.effects.clone()).collect();
    over_draws(&per_draw, &effects).context("lining up the claims of the data draws")
}

fn pct(x: f64) -> String {
    format!("{:.0} %", 100.0 * x)
}

/// The section, `claims-draws.csv` and `figures/ratio-draws.{svg,png}`.
pub fn section(
    report: &mut Report,
    out: &Path,
    draws: &[&DrawJudgement],
    full: bool,
) -> Result<()> {
    let over = claims_over_draws(draws)?;
    let k = draws.len();
    report.heading(2, format!("Claims over {k} data draws"))?;
    report.paragraph(format!(
        "The paper's numbers come from one draw of the XOR data (docs/decisions.md D-XOR-DATA-6). Here the {} grid is repeated \
         on {k} independent draws of the generator (draw 0 is the main grids' data; draw k's data depends only on the seed and k) \
         and every claim is judged on each draw under the official semantics. Verdicts per draw: H holds, C consistent, \
         D does not hold, U underpowered, - not measured (docs/decisions.md D-CLAIM-5, D-CLAIM-7). The effect is the ratio \
         of median epochs to 90 % (reached-only, as the paper), over the draws where it is defined.",
        if full { "official Fig-1 and Fig-4" } else { "official Fig-1" }
    ));
    let rows = over
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.statement.clone(),
                c.paper.clone(),
                format!("`{}`", c.verdict_codes()),
                if c.judged() == 0 {
                    "-".into()
                } else {
                    format!(
                        "{}/{} ({})",
                        c.holding(),
                        c.judged(),
                        pct(c.holds_fraction())
                    )
                },
                c.effect.as_ref().map_or("-".into(), |s| {
                    format!(
                        "{} [{} - {}]{}",
                        pct(s.median),
                        pct(s.p5),
                        pct(s.p95),
                        if s.undefined > 0 {
                            format!(
                                "; undefined in {} draws (Fluid's median never reached 90 %)",
                                s.undefined
                            )
                        } else {
                            String::new()
                        }
                    )
                }),
            ]
        })
        .collect();
    report.table(
        "",
        [
            "id",
            "claim",
            "paper",
            "verdict per draw",
            "holds in",
            "effect: median [5 % - 95 %] over draws",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    )?;
    write_csv(&out.join("claims-draws.csv"), &over)?;
    let figure = ratio_figure(&over);
    write_figure(&figure, &out.join("figures").join("ratio-draws"))
        .context("drawing ratio-draws")?;
    report.image("figures/ratio-draws.png", "time ratios over data draws");
    Ok(())
}

fn write_csv(path: &Path, over: &[ClaimOverDraws]) -> Result<()> {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut text = String::from("id,draw,verdict,effect\n");
    for c in over {
        for (k, (v, e)) in c.verdicts.iter().zip(&c.effects).enumerate() {
            let effect = if e.is_nan() {
                String::new()
            } else {
                e.to_string()
            };
            text.push_str(&format!("{},{k},{},{effect}\n", q(&c.id), q(&v.text())));
        }
    }
    polarity_analysis::atomic::write_atomic(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// Per time-ratio claim, the empirical distribution function of the ratio over draws with the
/// paper's value as a vertical line.
pub fn ratio_figure(over: &[ClaimOverDraws]) -> Figure {
    let panels = TIME_RATIO_CLAIMS
        .iter()
        .filter_map(|(id, n, paper_pct)| {
            let c = over.iter().find(|c| c.id == *id)?;
            let mut values: Vec<f64> = c
                .effects
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .map(|v| 100.0 * v)
                .collect();
            values.sort_by(f64::total_cmp);
            let total = c.effects.len() as f64;
            // A step function: each draw's ratio raises the fraction by 1 / draws.
            let (mut x, mut y) = (Vec::new(), Vec::new());
            for (i, v) in values.iter().enumerate() {
                x.extend([*v, *v]);
                y.extend([100.0 * i as f64 / total, 100.0 * (i + 1) as f64 / total]);
            }
            Some(Panel::Line(LinePanel {
                title: format!(
                    "{id}: n = {n} ({} of {} draws defined)",
                    values.len(),
                    c.effects.len()
                ),
                x_label: "Frozen sufficient / Fluid median epochs to 90 % (%)".into(),
                y_label: "% of draws with a ratio at most x".into(),
                log_x: false,
                y_range: Some((0.0, 105.0)),
                series: vec![
                    Series::line("over draws", x, y).with_color(Rgb::RED),
                    Series::line(
                        format!("paper: {paper_pct:.0} %"),
                        vec![*paper_pct, *paper_pct],
                        vec![0.0, 100.0],
                    )
                    .with_color(Rgb::GREY),
                ],
                markers: vec![],
                legend: LegendCorner::LowerRight,
            }))
        })
        .collect();
    Figure {
        title: Some("Time ratio over data draws against the paper's value".into()),
        panels,
        panel_width: 620,
        panel_height: 440,
    }
}
