//! Median line + 25-75 % band panels (Fig 1B/1C, 4A-C, Supp B.1, flip ratios).

use super::render::{legend_position, render_error, rgb, text_style};
use super::{format_tick, FigureError, LinePanel, Rgb, Series};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

pub(super) fn validate(p: &LinePanel) -> Result<(), String> {
    if p.series.is_empty() {
        return Err(format!("line panel '{}' has no series", p.title));
    }
    for s in &p.series {
        let n = s.x.len();
        for (field, len) in [
            ("median", s.median.len()),
            ("q25", s.q25.len()),
            ("q75", s.q75.len()),
        ] {
            if len != n {
                return Err(format!(
                    "series '{}': {field} has {len} values but x has {n}",
                    s.label
                ));
            }
        }
        if let Some(bad) =
            s.x.iter()
                .find(|x| !x.is_finite() || (p.log_x && **x <= 0.0))
        {
            let need = if p.log_x {
                "finite and > 0 on a log axis"
            } else {
                "finite"
            };
            return Err(format!(
                "series '{}': x value {bad} must be {need}",
                s.label
            ));
        }
    }
    for m in &p.markers {
        if m.series >= p.series.len() {
            return Err(format!(
                "marker '{}' refers to series {} of {}",
                m.text,
                m.series,
                p.series.len()
            ));
        }
        if !m.x.is_finite() || (p.log_x && m.x <= 0.0) {
            return Err(format!(
                "marker '{}' at x = {} is not a valid x",
                m.text, m.x
            ));
        }
    }
    if let Some((lo, hi)) = p.y_range {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(format!("y_range ({lo}, {hi}) must be finite with lo < hi"));
        }
    }
    Ok(())
}

fn color_of(series: &Series, index: usize) -> Rgb {
    series
        .color
        .unwrap_or(Rgb::PALETTE[index % Rgb::PALETTE.len()])
}

/// Data extent along x, padded (multiplicatively on a log axis).
fn x_extent(p: &LinePanel) -> (f64, f64) {
    let xs = p
        .series
        .iter()
        .flat_map(|s| s.x.iter().copied())
        .chain(p.markers.iter().map(|m| m.x));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if !lo.is_finite() {
        return if p.log_x { (1.0, 10.0) } else { (0.0, 1.0) };
    }
    if p.log_x {
        let pad = if hi > lo { (hi / lo).powf(0.04) } else { 2.0 };
        (lo / pad, hi * pad)
    } else {
        let pad = if hi > lo { 0.03 * (hi - lo) } else { 1.0 };
        (lo - pad, hi + pad)
    }
}

/// Data extent along y (bands included) before room for markers.
fn y_extent(p: &LinePanel) -> (f64, f64) {
    if let Some(range) = p.y_range {
        return range;
    }
    let ys = p
        .series
        .iter()
        .flat_map(|s| s.median.iter().chain(&s.q25).chain(&s.q75).copied());
    let (lo, hi) = ys
        .filter(|y| y.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        0.5_f64.max(0.05 * hi.abs())
    };
    (lo - pad, hi + pad)
}

/// Series indices that carry markers, in first-use order: each gets its own row above the data.
fn marker_rows(p: &LinePanel) -> Vec<usize> {
    let mut rows = Vec::new();
    for m in &p.markers {
        if !rows.contains(&m.series) {
            rows.push(m.series);
        }
    }
    rows
}

const MARKER_ROW: f64 = 0.07;

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &LinePanel,
) -> Result<(), FigureError> {
    let (x0, x1) = x_extent(p);
    let (y0, data_top) = y_extent(p);
    let rows = marker_rows(p);
    let y1 = data_top + (data_top - y0) * MARKER_ROW * rows.len() as f64;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(14)
        .x_label_area_size(52)
        .y_label_area_size(72);
    if !p.title.is_empty() {
        builder.caption(&p.title, text_style(20));
    }
    if p.log_x {
        let data_x: Vec<f64> = p.series.iter().flat_map(|s| s.x.iter().copied()).collect();
        let x_axis = (x0..x1)
            .log_scale()
            .with_key_points(log_key_points(x0, x1, &data_x));
        let chart = builder
            .build_cartesian_2d(x_axis, y0..y1)
            .map_err(render_error)?;
        draw_contents(chart, p, (y0, data_top), &rows)
    } else {
        let chart = builder
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(render_error)?;
        draw_contents(chart, p, (y0, data_top), &rows)
    }
}

/// Tick positions for a log axis over [lo, hi]: 1-2-5 x 10^k, or every integer mantissa when that gives
/// fewer than three ticks, or else the data's own x values (a range well inside one decade).
fn log_key_points(lo: f64, hi: f64, data_x: &[f64]) -> Vec<f64> {
    let ticks_with = |mantissas: &[f64]| -> Vec<f64> {
        let mut ticks = Vec::new();
        let mut decade = 10f64.powf(lo.log10().floor());
        while decade <= hi {
            for m in mantissas {
                let v = m * decade;
                if v >= lo && v <= hi {
                    ticks.push(v);
                }
            }
            decade *= 10.0;
        }
        ticks
    };
    let coarse = ticks_with(&[1.0, 2.0, 5.0]);
    if coarse.len() >= 3 {
        return coarse;
    }
    let fine = ticks_with(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    if fine.len() >= 3 {
        return fine;
    }
    let mut own: Vec<f64> = data_x.to_vec();
    own.sort_by(f64::total_cmp);
    own.dedup();
    own
}

/// Maximal runs of consecutive points (in x order) where `present` holds.
fn runs(order: &[usize], present: impl Fn(usize) -> bool) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut current = Vec::new();
    for &i in order {
        if present(i) {
            current.push(i);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn draw_contents<'a, DB, X>(
    mut chart: ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
    p: &LinePanel,
    (y0, data_top): (f64, f64),
    rows: &[usize],
) -> Result<(), FigureError>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .axis_desc_style(text_style(17))
        .label_style(text_style(14))
        .x_label_formatter(&|v| format_tick(*v))
        .y_label_formatter(&|v| format_tick(*v))
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.08))
        .draw()
        .map_err(render_error)?;

    for (index, s) in p.series.iter().enumerate() {
        let color = rgb(color_of(s, index));
        let mut order: Vec<usize> = (0..s.x.len()).collect();
        order.sort_by(|&a, &b| s.x[a].total_cmp(&s.x[b]));
        // Band first so that every median line stays visible on top of the other series' bands.
        for run in runs(&order, |i| s.q25[i].is_finite() && s.q75[i].is_finite()) {
            if run.len() == 1 {
                let i = run[0];
                let whisker = PathElement::new(
                    vec![(s.x[i], s.q25[i]), (s.x[i], s.q75[i])],
                    color.mix(0.5).stroke_width(3),
                );
                chart
                    .draw_series(std::iter::once(whisker))
                    .map_err(render_error)?;
                continue;
            }
            let upper = run.iter().map(|&i| (s.x[i], s.q75[i]));
            let lower = run.iter().rev().map(|&i| (s.x[i], s.q25[i]));
            let band = Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                color.mix(0.2).filled(),
            );
            chart
                .draw_series(std::iter::once(band))
                .map_err(render_error)?;
        }
        for run in runs(&order, |i| s.median[i].is_finite()) {
            let line: Vec<(f64, f64)> = run.iter().map(|&i| (s.x[i], s.median[i])).collect();
            chart
                .draw_series(std::iter::once(PathElement::new(
                    line,
                    color.stroke_width(2),
                )))
                .map_err(render_error)?;
        }
        let points = order
            .iter()
            .filter(|&&i| s.median[i].is_finite())
            .map(|&i| Circle::new((s.x[i], s.median[i]), 3, color.filled()));
        chart
            .draw_series(points)
            .map_err(render_error)?
            .label(s.label.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(3))
            });
    }

    let span = data_top - y0;
    for m in &p.markers {
        let row = rows.iter().position(|&r| r == m.series).unwrap_or(0);
        let y = data_top + span * MARKER_ROW * (row as f64 + 0.5);
        let color = rgb(color_of(&p.series[m.series], m.series));
        let style = text_style(20)
            .color(&color)
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ));
        chart
            .draw_series(std::iter::once(Text::new(m.text.clone(), (m.x, y), style)))
            .map_err(render_error)?;
    }

    chart
        .configure_series_labels()
        .position(legend_position(p.legend))
        .label_font(text_style(15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(render_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_ticks_prefer_1_2_5_then_finer_then_the_data() {
        assert_eq!(
            super::log_key_points(7.0, 600.0, &[]),
            vec![10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
        );
        assert_eq!(
            super::log_key_points(55.0, 110.0, &[]),
            vec![60.0, 70.0, 80.0, 90.0, 100.0]
        );
        assert_eq!(
            super::log_key_points(61.0, 69.0, &[65.0, 62.0, 65.0]),
            vec![62.0, 65.0]
        );
    }
}
