//! Drives plotters' SVG and bitmap backends over the same drawing code.

use super::{font, grid, histogram, line, validate, Figure, FigureError, Panel, Rgb};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Renders the figure as an SVG document (text is kept as `<text>` elements).
pub fn render_svg(figure: &Figure) -> Result<String, FigureError> {
    validate(figure)?;
    font::ensure_registered();
    let (width, height) = figure.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw_figure(&root, figure)?;
        root.present().map_err(render_error)?;
    }
    Ok(svg)
}

/// Renders the figure as a PNG image (8-bit RGB) with text rasterised from the bundled font.
pub fn render_png(figure: &Figure) -> Result<Vec<u8>, FigureError> {
    validate(figure)?;
    font::ensure_registered();
    let (width, height) = figure.size();
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw_figure(&root, figure)?;
        root.present().map_err(render_error)?;
    }
    encode_png(&pixels, width, height)
}

fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &Figure,
) -> Result<(), FigureError> {
    root.fill(&WHITE).map_err(render_error)?;
    let body = match &figure.title {
        Some(title) => root.titled(title, text_style(24)).map_err(render_error)?,
        None => root.clone(),
    };
    let areas = body.split_evenly((1, figure.panels.len()));
    for (area, panel) in areas.iter().zip(&figure.panels) {
        match panel {
            Panel::Line(p) => line::draw(area, p)?,
            Panel::Grid(p) => grid::draw(area, p)?,
            Panel::Histogram(p) => histogram::draw(area, p)?,
        }
    }
    Ok(())
}

fn encode_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, FigureError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(render_error)?;
    writer.write_image_data(pixels).map_err(render_error)?;
    writer.finish().map_err(render_error)?;
    Ok(out)
}

pub(super) fn render_error<E: std::fmt::Display>(error: E) -> FigureError {
    FigureError::Render(error.to_string())
}

/// Black text of `size` pixels in the bundled font.
pub(super) fn text_style(size: u32) -> TextStyle<'static> {
    TextStyle::from((font::FAMILY, size as f64).into_font()).color(&BLACK)
}

pub(super) fn rgb(color: Rgb) -> RGBColor {
    RGBColor(color.0, color.1, color.2)
}

/// Maps a legend corner to plotters' label position.
pub(super) fn legend_position(corner: super::LegendCorner) -> SeriesLabelPosition {
    match corner {
        super::LegendCorner::UpperRight => SeriesLabelPosition::UpperRight,
        super::LegendCorner::UpperLeft => SeriesLabelPosition::UpperLeft,
        super::LegendCorner::LowerRight => SeriesLabelPosition::LowerRight,
        super::LegendCorner::LowerLeft => SeriesLabelPosition::LowerLeft,
    }
}
