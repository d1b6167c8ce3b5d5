//! Categorical heat map (Fig 4D: x = sample size, y = hidden size, cell colour = which condition wins).

use super::render::{render_error, rgb, text_style};
use super::{FigureError, GridPanel};
use plotters::coord::Shift;
use plotters::prelude::*;

pub(super) fn validate(p: &GridPanel) -> Result<(), String> {
    if p.x_ticks.is_empty() || p.y_ticks.is_empty() {
        return Err(format!(
            "grid panel '{}' needs at least one column and one row label",
            p.title
        ));
    }
    if p.cells.len() != p.y_ticks.len() {
        return Err(format!(
            "grid panel '{}': {} rows of cells but {} y_ticks",
            p.title,
            p.cells.len(),
            p.y_ticks.len()
        ));
    }
    for (r, row) in p.cells.iter().enumerate() {
        if row.len() != p.x_ticks.len() {
            return Err(format!(
                "grid panel '{}': row {r} has {} cells but there are {} x_ticks",
                p.title,
                row.len(),
                p.x_ticks.len()
            ));
        }
        if let Some((c, &k)) = row
            .iter()
            .enumerate()
            .find(|(_, &k)| k >= p.categories.len())
        {
            return Err(format!(
                "grid panel '{}': cell (row {r}, column {c}) has category {k} but only {} categories exist",
                p.title,
                p.categories.len()
            ));
        }
    }
    Ok(())
}

const SWATCH: i32 = 18;
const LEGEND_ROW: i32 = 28;

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &GridPanel,
) -> Result<(), FigureError> {
    let label_style = text_style(15);
    let widest = p
        .categories
        .iter()
        .map(|c| {
            area.estimate_text_size(&c.label, &label_style)
                .map(|(w, _)| w)
        })
        .try_fold(0u32, |acc, w| w.map(|w| acc.max(w)))
        .map_err(render_error)?;
    let (width, _) = area.dim_in_pixel();
    let legend_width = (widest + SWATCH as u32 + 36).min(width / 2);
    let (plot_area, legend_area) = area.split_horizontally(width - legend_width);

    let (nx, ny) = (p.x_ticks.len(), p.y_ticks.len());
    // Integer coordinates at twice the cell index: cell (row r, column c) spans [2c, 2c+2] x [2r, 2r+2], so
    // the tick at each cell centre (odd coordinate) is an integer too. (Plotters only formats key-point axes
    // over integer coordinates.)
    let centres = |n: usize| (0..n as i32).map(|i| 2 * i + 1).collect::<Vec<i32>>();
    let mut builder = ChartBuilder::on(&plot_area);
    builder
        .margin(14)
        .x_label_area_size(52)
        .y_label_area_size(64);
    if !p.title.is_empty() {
        builder.caption(&p.title, text_style(20));
    }
    let x_axis = (0..2 * nx as i32).with_key_points(centres(nx));
    let y_axis = (0..2 * ny as i32).with_key_points(centres(ny));
    let mut chart = builder
        .build_cartesian_2d(x_axis, y_axis)
        .map_err(render_error)?;
    let tick = |ticks: &[String], v: &i32| {
        ticks
            .get((v / 2).max(0) as usize)
            .cloned()
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(p.x_ticks.len())
        .y_labels(p.y_ticks.len())
        .x_label_formatter(&|v| tick(&p.x_ticks, v))
        .y_label_formatter(&|v| tick(&p.y_ticks, v))
        .x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .axis_desc_style(text_style(17))
        .label_style(text_style(13))
        .draw()
        .map_err(render_error)?;

    let cell = |r: usize, c: usize| {
        let (c, r) = (2 * c as i32, 2 * r as i32);
        [(c, r), (c + 2, r + 2)]
    };
    let fills = p.cells.iter().enumerate().flat_map(|(r, row)| {
        row.iter()
            .enumerate()
            .map(move |(c, &k)| Rectangle::new(cell(r, c), rgb(p.categories[k].color).filled()))
    });
    chart.draw_series(fills).map_err(render_error)?;
    // Thin borders keep white ("neither") cells distinguishable from the background.
    let borders = p.cells.iter().enumerate().flat_map(|(r, row)| {
        (0..row.len()).map(move |c| Rectangle::new(cell(r, c), BLACK.mix(0.25).stroke_width(1)))
    });
    chart.draw_series(borders).map_err(render_error)?;

    for (k, category) in p.categories.iter().enumerate() {
        let top = 60 + LEGEND_ROW * k as i32;
        let swatch = [(8, top), (8 + SWATCH, top + SWATCH)];
        legend_area
            .draw(&Rectangle::new(swatch, rgb(category.color).filled()))
            .map_err(render_error)?;
        legend_area
            .draw(&Rectangle::new(swatch, BLACK.stroke_width(1)))
            .map_err(render_error)?;
        legend_area
            .draw(&Text::new(
                category.label.clone(),
                (16 + SWATCH, top + 1),
                label_style.clone(),
            ))
            .map_err(render_error)?;
    }
    Ok(())
}
