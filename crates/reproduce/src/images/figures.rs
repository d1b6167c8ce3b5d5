//! The image figures: Fig 2 (error, probability and time against training size), Fig 3
//! (differences to the baseline with significance marks), Supp B.5 (flip ratios of Fluid RAND)
//! and B.6 (initial magnitude histograms).

use crate::images::design::{color, Source, FLUID_RAND};
use crate::images::fig3::compare_with_baseline;
use crate::images::measure::{p_reach, Metric};
use crate::images::runs::Runs;
use polarity_analysis::figures::{
    Figure, HistogramPanel, HistogramSeries, LegendCorner, LinePanel, Marker, Panel, Rgb, Series,
};
use polarity_analysis::stats;
use polarity_images::conditions::Condition;

/// What the figures of one task show.
pub struct View<'a> {
    pub runs: &'a Runs,
    pub task: &'a str,
    pub sizes: &'a [usize],
    pub conditions: &'a [Condition],
    pub source: Source,
    /// The condition every other is compared with in Fig 3 (Frozen IN-Polarity when present).
    pub baseline: Condition,
}

/// Median and IQR of `metric` over sizes for one condition.
pub fn series(v: &View, c: Condition, metric: Metric) -> Series {
    let mut s = Series::line(v.source.label(c), vec![], vec![]).with_color(color(c));
    for &n in v.sizes {
        let Some(runs) = v.runs.get(v.task, n, c) else {
            continue;
        };
        let sum = stats::summarize(&metric.values(runs));
        s.x.push(n as f64);
        s.median.push(sum.median.unwrap_or(f64::NAN));
        s.q25.push(sum.q25.unwrap_or(f64::NAN));
        s.q75.push(sum.q75.unwrap_or(f64::NAN));
    }
    s
}

fn panel(title: &str, y_label: String, series: Vec<Series>) -> LinePanel {
    LinePanel {
        title: title.into(),
        x_label: "training samples".into(),
        y_label,
        log_x: true,
        series,
        ..LinePanel::default()
    }
}

/// Fig 2: error at convergence, P(reach `threshold`) and epochs to `threshold`, against size.
pub fn fig2(v: &View, threshold: f64, title: &str) -> Figure {
    let err = v
        .conditions
        .iter()
        .map(|&c| series(v, c, Metric::Error))
        .collect();
    let time = v
        .conditions
        .iter()
        .map(|&c| series(v, c, Metric::EpochsTo(threshold)))
        .collect();
    let prob = v
        .conditions
        .iter()
        .map(|&c| {
            let (x, y): (Vec<f64>, Vec<f64>) = v
                .sizes
                .iter()
                .filter_map(|&n| {
                    v.runs
                        .get(v.task, n, c)
                        .map(|r| (n as f64, 100.0 * p_reach(r, threshold)))
                })
                .unzip();
            Series::line(v.source.label(c), x, y).with_color(color(c))
        })
        .collect();
    let pct = 100.0 * threshold;
    Figure {
        title: Some(title.into()),
        panels: vec![
            Panel::Line(panel("statistical efficiency", Metric::Error.label(), err)),
            Panel::Line(LinePanel {
                y_range: Some((0.0, 105.0)),
                legend: LegendCorner::LowerRight,
                ..panel(
                    "probability",
                    format!("% trials reaching {pct:.0} % val. accuracy"),
                    prob,
                )
            }),
            Panel::Line(panel(
                "computational efficiency",
                Metric::EpochsTo(threshold).label(),
                time,
            )),
        ],
        panel_width: 560,
        panel_height: 440,
    }
}

/// Fig 3: median(condition) - median(baseline) per size for each other condition, with `*`
/// where the two-sided Mann-Whitney U test is significant after Holm over the ICML family of four
/// comparisons (`fig3::PAPER_FAMILY`; conditions outside it are drawn without marks).
pub fn fig3(v: &View, threshold: f64, title: &str) -> Figure {
    let others: Vec<Condition> = v
        .conditions
        .iter()
        .copied()
        .filter(|&c| c != v.baseline)
        .collect();
    let mut panels = Vec::new();
    for metric in [Metric::Error, Metric::EpochsTo(threshold)] {
        let mut series: Vec<Series> = others
            .iter()
            .map(|&c| Series::line(v.source.label(c), vec![], vec![]).with_color(color(c)))
            .collect();
        let mut markers = Vec::new();
        for &n in v.sizes {
            let Some(base) = v.runs.get(v.task, n, v.baseline) else {
                continue;
            };
            let base = metric.values(base);
            let present: Vec<(usize, (Condition, Vec<f64>))> = others
                .iter()
                .enumerate()
                .filter_map(|(k, &c)| v.runs.get(v.task, n, c).map(|r| (k, (c, metric.values(r)))))
                .collect();
            let values: Vec<(Condition, Vec<f64>)> =
                present.iter().map(|(_, x)| x.clone()).collect();
            for ((k, _), cmp) in present
                .iter()
                .zip(compare_with_baseline(v.baseline, &base, &values))
            {
                series[*k].x.push(n as f64);
                series[*k].median.push(cmp.delta);
                series[*k].q25.push(cmp.delta);
                series[*k].q75.push(cmp.delta);
                if cmp.significant {
                    markers.push(Marker {
                        x: n as f64,
                        text: "*".into(),
                        series: *k,
                    });
                }
            }
        }
        let base_name = v.source.label(v.baseline);
        panels.push(Panel::Line(LinePanel {
            markers,
            ..panel(
                &format!("{} minus {base_name}", short(metric)),
                format!("difference of medians ({})", short(metric)),
                series,
            )
        }));
    }
    Figure {
        title: Some(title.into()),
        panels,
        panel_width: 640,
        panel_height: 440,
    }
}

fn short(m: Metric) -> String {
    match m {
        Metric::Error => "error %".into(),
        Metric::EpochsTo(t) => format!("epochs to {:.0} %", 100.0 * t),
    }
}

/// Supp B.5: per kernel, the fraction of entries whose sign changed between consecutive epochs
/// of Fluid RAND-Polarity (median and IQR over trials), first `epochs` epochs, one line per size.
/// `kernel_sizes[k]` is the number of entries of kernel k.
pub fn flips(v: &View, kernel_sizes: &[u64], epochs: usize) -> Option<Figure> {
    let mut panels = Vec::new();
    for (k, name) in v.runs.kernels.iter().enumerate() {
        let total = *kernel_sizes.get(k)?;
        let mut series = Vec::new();
        for (j, &n) in v.sizes.iter().enumerate() {
            let Some(runs) = v.runs.get(v.task, n, FLUID_RAND) else {
                continue;
            };
            let len = runs
                .iter()
                .map(|r| r.flips[k].len())
                .min()
                .unwrap_or(0)
                .min(epochs);
            let mut s = Series::line(format!("n = {n}"), vec![], vec![])
                .with_color(Rgb::PALETTE[j % Rgb::PALETTE.len()]);
            for e in 0..len {
                let ratios: Vec<f64> = runs
                    .iter()
                    .map(|r| r.flips[k][e] as f64 / total.max(1) as f64)
                    .collect();
                let sum = stats::summarize(&ratios);
                s.x.push(e as f64);
                s.median.push(sum.median.unwrap_or(f64::NAN));
                s.q25.push(sum.q25.unwrap_or(f64::NAN));
                s.q75.push(sum.q75.unwrap_or(f64::NAN));
            }
            series.push(s);
        }
        if series.is_empty() {
            return None;
        }
        panels.push(Panel::Line(LinePanel {
            title: name.clone(),
            x_label: "epoch".into(),
            y_label: "sign-flip ratio".into(),
            series,
            ..LinePanel::default()
        }));
    }
    (!panels.is_empty()).then(|| Figure {
        title: Some(
            "Supp B.5: sign-flip ratio per layer, Fluid RAND-Polarity (median, 25-75 %)".into(),
        ),
        panels,
        panel_width: 360,
        panel_height: 360,
    })
}

/// Supp B.6: histogram of log10 |w| of the initial kernels per condition (exact zeros, which
/// have no logarithm, are counted in the caption by the caller).
pub fn magnitudes(per_condition: &[(String, Rgb, Vec<f64>)]) -> Figure {
    Figure::single(Panel::Histogram(HistogramPanel {
        title: "Supp B.6: initial kernel magnitudes (trial 0)".into(),
        x_label: "log10 |w|".into(),
        y_label: "count".into(),
        bins: 60,
        series: per_condition
            .iter()
            .map(|(label, c, values)| HistogramSeries {
                label: label.clone(),
                values: values.clone(),
                color: Some(*c),
            })
            .collect(),
        legend: LegendCorner::UpperLeft,
    }))
}
