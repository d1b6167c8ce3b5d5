//! Figures as SVG and PNG from plain data, rendered headless with a bundled font.
//!
//! A [`Figure`] is a row of panels; each panel is a [`LinePanel`] (median line and 25-75 % band per series,
//! optional log x axis and significance markers), a [`GridPanel`] (categorical heat map such as Fig 4D) or a
//! [`HistogramPanel`]. [`write_figure`] writes `<stem>.svg` and `<stem>.png`, each atomically.

mod font;
mod grid;
mod histogram;
mod line;
mod render;

pub use render::{render_png, render_svg};

use crate::atomic::write_atomic;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const RED: Rgb = Rgb(214, 39, 40);
    pub const BLUE: Rgb = Rgb(31, 119, 180);
    pub const GREEN: Rgb = Rgb(44, 160, 44);
    pub const YELLOW: Rgb = Rgb(240, 200, 30);
    pub const ORANGE: Rgb = Rgb(255, 127, 14);
    pub const PURPLE: Rgb = Rgb(148, 103, 189);
    pub const BROWN: Rgb = Rgb(140, 86, 75);
    pub const GREY: Rgb = Rgb(127, 127, 127);
    pub const WHITE: Rgb = Rgb(255, 255, 255);

    /// Colours given to series without an explicit colour, in order.
    pub const PALETTE: [Rgb; 8] = [
        Rgb::BLUE,
        Rgb::RED,
        Rgb::GREEN,
        Rgb::ORANGE,
        Rgb::PURPLE,
        Rgb::BROWN,
        Rgb::GREY,
        Rgb(23, 190, 207),
    ];
}

/// One curve: per x, the median and the 25th/75th percentiles across trials. NaN marks "no value at this x"
/// (e.g. no trial reached the threshold): the line and band break there.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub median: Vec<f64>,
    pub q25: Vec<f64>,
    pub q75: Vec<f64>,
    /// `None` picks the next colour of [`Rgb::PALETTE`].
    pub color: Option<Rgb>,
}

impl Series {
    /// A series without a band (q25 = q75 = median), e.g. a theory curve.
    pub fn line(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Series {
            label: label.into(),
            x,
            q25: y.clone(),
            q75: y.clone(),
            median: y,
            color: None,
        }
    }

    pub fn with_color(mut self, color: Rgb) -> Self {
        self.color = Some(color);
        self
    }
}

/// A text mark (e.g. `*` for a significant difference) drawn above `x`, in the colour of `series`.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub x: f64,
    pub text: String,
    /// Index into the panel's series (colour and row of the mark).
    pub series: usize,
}

/// Where a panel's legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendCorner {
    #[default]
    UpperRight,
    UpperLeft,
    LowerRight,
    LowerLeft,
}

/// Median lines with shaded 25-75 % bands.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinePanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    /// Fixed y range; `None` fits the data (bands included).
    pub y_range: Option<(f64, f64)>,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
    pub legend: LegendCorner,
}

/// A category of a [`GridPanel`] cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub label: String,
    pub color: Rgb,
}

/// Categorical heat map: `cells[row][column]` is an index into `categories`; rows go bottom to top.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridPanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// One label per column.
    pub x_ticks: Vec<String>,
    /// One label per row.
    pub y_ticks: Vec<String>,
    pub categories: Vec<Category>,
    pub cells: Vec<Vec<usize>>,
}

/// Values of one histogram series (NaN values are ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSeries {
    pub label: String,
    pub values: Vec<f64>,
    pub color: Option<Rgb>,
}

/// Overlaid histograms on shared, equal-width bins spanning all series' values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistogramPanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub bins: usize,
    pub series: Vec<HistogramSeries>,
    pub legend: LegendCorner,
}

/// One panel of a figure.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    Line(LinePanel),
    Grid(GridPanel),
    Histogram(HistogramPanel),
}

/// A row of panels with an optional overall title.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub title: Option<String>,
    pub panels: Vec<Panel>,
    /// Size of each panel in pixels (the PNG is `panels * width` by `height` plus the title strip).
    pub panel_width: u32,
    pub panel_height: u32,
}

impl Figure {
    /// A one-panel figure of the default size.
    pub fn single(panel: Panel) -> Self {
        Figure {
            title: None,
            panels: vec![panel],
            panel_width: 720,
            panel_height: 480,
        }
    }

    /// Pixel size of the whole figure.
    pub fn size(&self) -> (u32, u32) {
        let title = if self.title.is_some() { TITLE_STRIP } else { 0 };
        (
            self.panel_width * self.panels.len() as u32,
            self.panel_height + title,
        )
    }
}

/// Height of the figure-title strip in pixels.
const TITLE_STRIP: u32 = 40;

/// Paths written by [`write_figure`].
#[derive(Debug, Clone, PartialEq)]
pub struct FigureFiles {
    pub svg: PathBuf,
    pub png: PathBuf,
}

/// Why a figure could not be drawn or written.
#[derive(Debug, Error)]
pub enum FigureError {
    #[error("figure: {0}")]
    Invalid(String),
    #[error("figure: rendering failed: {0}")]
    Render(String),
    #[error("figure: writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Renders `figure` and writes `<stem>.svg` and `<stem>.png` (the stem's own dots are kept).
pub fn write_figure(figure: &Figure, stem: &Path) -> Result<FigureFiles, FigureError> {
    let svg = render_svg(figure)?;
    let png = render_png(figure)?;
    let files = FigureFiles {
        svg: with_suffix(stem, ".svg"),
        png: with_suffix(stem, ".png"),
    };
    for (path, bytes) in [(&files.svg, svg.as_bytes()), (&files.png, png.as_slice())] {
        write_atomic(path, bytes).map_err(|source| FigureError::Io {
            path: path.clone(),
            source,
        })?;
    }
    Ok(files)
}

fn with_suffix(stem: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(stem.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Checks the data before any drawing, so errors name the panel and field.
fn validate(figure: &Figure) -> Result<(), FigureError> {
    let invalid = |msg: String| Err(FigureError::Invalid(msg));
    if figure.panels.is_empty() {
        return invalid("a figure needs at least one panel".into());
    }
    if figure.panel_width < 200 || figure.panel_height < 150 {
        return invalid(format!(
            "panel size {}x{} is too small (at least 200x150)",
            figure.panel_width, figure.panel_height
        ));
    }
    for (p, panel) in figure.panels.iter().enumerate() {
        match panel {
            Panel::Line(line) => {
                line::validate(line).or_else(|e| invalid(format!("panel {p}: {e}")))?
            }
            Panel::Grid(grid) => {
                grid::validate(grid).or_else(|e| invalid(format!("panel {p}: {e}")))?
            }
            Panel::Histogram(h) => {
                histogram::validate(h).or_else(|e| invalid(format!("panel {p}: {e}")))?
            }
        }
    }
    Ok(())
}

/// Formats an axis value compactly: integers without decimals, others with up to 3 significant digits.
fn format_tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if (v - v.round()).abs() < 1e-9 * v.abs().max(1.0) && v.abs() < 1e7 {
        return format!("{}", v.round() as i64);
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..7).contains(&magnitude) {
        return format!("{v:.2e}");
    }
    let decimals = (2 - magnitude).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_compact() {
        assert_eq!(format_tick(500.0), "500");
        assert_eq!(format_tick(0.25), "0.25");
        assert_eq!(format_tick(0.1 + 0.2), "0.3");
        assert_eq!(format_tick(12.5), "12.5");
        assert_eq!(format_tick(-3.0), "-3");
        assert_eq!(format_tick(1.5e-6), "1.50e-6");
    }

    #[test]
    fn suffix_keeps_dots_in_the_stem() {
        assert_eq!(
            with_suffix(Path::new("out/fig_0.9"), ".png"),
            PathBuf::from("out/fig_0.9.png")
        );
    }
}
