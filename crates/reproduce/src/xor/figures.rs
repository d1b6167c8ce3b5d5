//! The XOR figures: Fig 1B/1C, Fig 4A-D, Supp B.1 and per-layer flip ratios.

use super::measure::{beats_fluid, holm, mwu_p, CellValues, FourDMetric};
use super::table::Runs;
use polarity_analysis::figures::{
    Category, Figure, GridPanel, LegendCorner, LinePanel, Marker, Panel, Rgb, Series,
};
use polarity_analysis::stats;
use polarity_core::ResetMethod;
use polarity_xor::Condition;

/// The main reset method (the paper's figures use posRand).
pub const POS_RAND: ResetMethod = ResetMethod::PosRand;
pub const FROZEN_SUFF: Condition = Condition::FrozenSufficient;
pub const FROZEN_RAND: Condition = Condition::FrozenRand;
pub const FLUID: Condition = Condition::Fluid;

/// The paper's colours and legend names for the three XOR conditions.
pub fn style(condition: Condition) -> (&'static str, Rgb) {
    match condition {
        FROZEN_SUFF => ("Frozen sufficient-Polarity", Rgb::RED),
        FROZEN_RAND => ("Frozen RAND-Polarity", Rgb::GREEN),
        _ => ("Fluid", Rgb::BLUE),
    }
}

pub const CONDITIONS: [Condition; 3] = [FROZEN_SUFF, FROZEN_RAND, FLUID];

/// Which metric a panel shows.
#[derive(Debug, Clone, Copy)]
pub enum Metric {
    Epochs,
    Error,
    Reach90,
}

impl Metric {
    fn values(self, c: &CellValues) -> Vec<f64> {
        match self {
            Self::Epochs => c.epochs_to_90.clone(),
            Self::Error => c.error.clone(),
            Self::Reach90 => vec![100.0 * c.p90()],
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Epochs => "epochs to 90 % validation accuracy",
            Self::Error => "validation error at convergence (%)",
            Self::Reach90 => "% trials reaching 90 % val. accuracy",
        }
    }
}

/// Median and IQR of `metric` over training sizes for one condition.
pub fn series(
    runs: &Runs,
    hidden: usize,
    reset: ResetMethod,
    condition: Condition,
    sizes: &[usize],
    metric: Metric,
) -> Series {
    let (label, color) = style(condition);
    let mut s = Series::line(label, vec![], vec![]).with_color(color);
    for &n in sizes {
        let Some(cell) = runs.get(n, hidden, reset, condition) else {
            continue;
        };
        let sum = stats::summarize(&metric.values(cell));
        s.x.push(n as f64);
        s.median.push(sum.median.unwrap_or(f64::NAN));
        s.q25.push(sum.q25.unwrap_or(f64::NAN));
        s.q75.push(sum.q75.unwrap_or(f64::NAN));
    }
    s
}

/// `*` above each size where a frozen condition differs from Fluid (Mann-Whitney U two-sided,
/// Holm over the sizes of the panel, alpha 0.05).
fn markers(
    runs: &Runs,
    hidden: usize,
    sizes: &[usize],
    metric: Metric,
    series_conditions: &[Condition],
) -> Vec<Marker> {
    let mut out = Vec::new();
    if matches!(metric, Metric::Reach90) {
        return out; // no test on probabilities, as in the paper
    }
    for (k, cond) in series_conditions.iter().enumerate() {
        if *cond == FLUID {
            continue;
        }
        let ps: Vec<f64> = sizes
            .iter()
            .map(|&n| {
                match (
                    runs.get(n, hidden, POS_RAND, *cond),
                    runs.get(n, hidden, POS_RAND, FLUID),
                ) {
                    (Some(a), Some(b)) => mwu_p(&metric.values(a), &metric.values(b)),
                    _ => f64::NAN,
                }
            })
            .collect();
        for (&n, p) in sizes.iter().zip(holm(&ps)) {
            if p < 0.05 {
                out.push(Marker {
                    x: n as f64,
                    text: "*".into(),
                    series: k,
                });
            }
        }
    }
    out
}

pub fn line_panel(
    runs: &Runs,
    title: &str,
    hidden: usize,
    sizes: &[usize],
    metric: Metric,
    conditions: &[Condition],
) -> Panel {
    Panel::Line(LinePanel {
        title: title.into(),
        x_label: "training samples".into(),
        y_label: metric.label().into(),
        log_x: true,
        y_range: match metric {
            Metric::Reach90 => Some((0.0, 105.0)),
            _ => None,
        },
        series: conditions
            .iter()
            .map(|&c| series(runs, hidden, POS_RAND, c, sizes, metric))
            .collect(),
        markers: markers(runs, hidden, sizes, metric, conditions),
        legend: match metric {
            Metric::Reach90 => LegendCorner::LowerRight,
            _ => LegendCorner::UpperRight,
        },
    })
}

pub fn row(title: &str, panels: Vec<Panel>) -> Figure {
    Figure {
        title: Some(title.into()),
        panels,
        panel_width: 620,
        panel_height: 440,
    }
}

/// Fig 4A: theory curves and simulated P(val acc > 95 % at any epoch), against the true hidden size.
pub fn fig4a(runs: &Runs, theory: &[(String, Vec<f64>, Vec<f64>)], n_train: usize) -> Figure {
    let colors = [Rgb::GREEN, Rgb::ORANGE, Rgb::PURPLE];
    let theory_series = theory
        .iter()
        .zip(colors)
        .map(|((label, x, y), c)| {
            Series::line(
                label.clone(),
                x.clone(),
                y.iter().map(|p| 100.0 * p).collect(),
            )
            .with_color(c)
        })
        .collect();
    let hidden: Vec<usize> = {
        let mut h: Vec<usize> = runs
            .cells()
            .filter(|c| c.n_train == n_train)
            .map(|c| c.hidden)
            .collect();
        h.dedup();
        h
    };
    let sim: Vec<Series> = CONDITIONS
        .iter()
        .map(|cond| {
            let (label, color) = style(*cond);
            let (x, y): (Vec<f64>, Vec<f64>) = hidden
                .iter()
                .filter_map(|&h| {
                    runs.get(n_train, h, POS_RAND, *cond)
                        .map(|r| (h as f64, 100.0 * r.p95()))
                })
                .unzip();
            Series::line(label, x, y).with_color(color)
        })
        .collect();
    let panel = |title: &str, series| {
        Panel::Line(LinePanel {
            title: title.into(),
            x_label: "hidden units".into(),
            y_label: "% networks that learn XOR".into(),
            log_x: false,
            y_range: Some((0.0, 105.0)),
            series,
            markers: vec![],
            legend: LegendCorner::LowerRight,
        })
    };
    // The official figure draws the simulation one unit to the left (x = k shows h = k + 1,
    // docs/decisions.md D-CLAIM-8): the same curves, shifted, for comparison with the paper.
    let as_plotted = sim
        .iter()
        .map(|s: &Series| {
            let mut shifted = s.clone();
            shifted.x.iter_mut().for_each(|x| *x -= 1.0);
            shifted
        })
        .collect();
    row(
        "Fig 4A: probability of learning vs network size",
        vec![
            panel("theory (random polarity)", theory_series),
            panel(
                &format!("simulation: % trials > 95 % val. acc. (n = {n_train})"),
                sim,
            ),
            panel(
                "simulation as the paper plotted it (x = k shows h = k + 1)",
                as_plotted,
            ),
        ],
    )
}

/// Fig 4D: for each (hidden, size) cell, whether Frozen sufficient and/or Frozen RAND beat Fluid,
/// scored as the official notebook ([`beats_fluid`], docs/decisions.md D-CLAIM-6).
pub fn fig4d(runs: &Runs, hidden: &[usize], sizes: &[usize]) -> Figure {
    let categories = vec![
        Category {
            label: "neither".into(),
            color: Rgb::WHITE,
        },
        Category {
            label: "sufficient beats Fluid".into(),
            color: Rgb::RED,
        },
        Category {
            label: "RAND beats Fluid".into(),
            color: Rgb::GREEN,
        },
        Category {
            label: "both".into(),
            color: Rgb::YELLOW,
        },
    ];
    let beats = |metric: FourDMetric, cond: Condition, h: usize, n: usize| -> bool {
        match (
            runs.get(n, h, POS_RAND, cond),
            runs.get(n, h, POS_RAND, FLUID),
        ) {
            (Some(a), Some(b)) => beats_fluid(metric, a, b),
            _ => false,
        }
    };
    let panels = FourDMetric::ALL
        .iter()
        .map(|&m| {
            let cells = hidden
                .iter()
                .map(|&h| {
                    sizes
                        .iter()
                        .map(|&n| {
                            usize::from(beats(m, FROZEN_SUFF, h, n))
                                + 2 * usize::from(beats(m, FROZEN_RAND, h, n))
                        })
                        .collect()
                })
                .collect();
            Panel::Grid(GridPanel {
                title: m.title().into(),
                x_label: "training samples".into(),
                y_label: "hidden units".into(),
                x_ticks: sizes.iter().map(|n| n.to_string()).collect(),
                y_ticks: hidden.iter().map(|h| h.to_string()).collect(),
                categories: categories.clone(),
                cells,
            })
        })
        .collect();
    Figure {
        title: Some("Fig 4D: where frozen nets beat Fluid".into()),
        panels,
        panel_width: 520,
        panel_height: 720,
    }
}

/// Supp B.1: the four reset methods (Frozen sufficient and Frozen RAND) against Fluid.
pub fn supp_b1(runs: &Runs, sizes: &[usize], methods: &[ResetMethod]) -> Figure {
    let palette = [Rgb::RED, Rgb::ORANGE, Rgb::PURPLE, Rgb::BROWN];
    let panel = |cond: Condition, metric: Metric| {
        let mut series: Vec<Series> = methods
            .iter()
            .zip(palette)
            .map(|(m, c)| {
                let mut s = series(runs, 64, *m, cond, sizes, metric);
                s.label = format!("{} ({m})", style(cond).0);
                s.with_color(c)
            })
            .collect();
        series.push(series_fluid(runs, sizes, metric));
        Panel::Line(LinePanel {
            title: format!("{}: {}", style(cond).0, metric.label()),
            x_label: "training samples".into(),
            y_label: metric.label().into(),
            log_x: true,
            y_range: None,
            series,
            markers: vec![],
            legend: LegendCorner::UpperRight,
        })
    };
    row(
        "Supp B.1: reset methods (h = 64)",
        vec![
            panel(FROZEN_SUFF, Metric::Epochs),
            panel(FROZEN_RAND, Metric::Epochs),
            panel(FROZEN_SUFF, Metric::Error),
        ],
    )
}

fn series_fluid(runs: &Runs, sizes: &[usize], metric: Metric) -> Series {
    series(runs, 64, POS_RAND, FLUID, sizes, metric)
}

/// Per-layer sign-flip ratio per epoch (Supp B.5 measure) of Fluid nets, first 50 epochs: the
/// per-epoch quantiles over trials kept by the reduction ([`super::table::ReducedCell`]).
pub fn flips(runs: &Runs, hidden: usize, sizes: &[usize]) -> Figure {
    let palette = [Rgb::BLUE, Rgb::ORANGE, Rgb::PURPLE, Rgb::BROWN, Rgb::GREY];
    let layer_panel = |layer: usize| {
        let series = sizes
            .iter()
            .zip(palette)
            .filter_map(|(&n, c)| {
                let cell = runs.cell(n, hidden, POS_RAND, FLUID)?;
                let mut s = Series::line(format!("n = {n}"), vec![], vec![]).with_color(c);
                for (e, q) in cell.flip_ratios[layer].iter().take(50).enumerate() {
                    s.x.push((e + 1) as f64);
                    s.median.push(q.median);
                    s.q25.push(q.q25);
                    s.q75.push(q.q75);
                }
                Some(s)
            })
            .collect();
        Panel::Line(LinePanel {
            title: format!(
                "{} layer kernel",
                if layer == 0 { "hidden" } else { "output" }
            ),
            x_label: "epoch".into(),
            y_label: "fraction of weights whose sign flipped".into(),
            log_x: false,
            y_range: None,
            series,
            markers: vec![],
            legend: LegendCorner::UpperRight,
        })
    };
    row(
        &format!("Sign flips per epoch, Fluid nets (h = {hidden}; median, 25-75 %)"),
        vec![layer_panel(0), layer_panel(1)],
    )
}
