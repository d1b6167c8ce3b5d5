//! Overlaid histograms on shared bins (Supp B.6: initial weight magnitudes per condition).

use super::render::{legend_position, render_error, rgb, text_style};
use super::{format_tick, FigureError, HistogramPanel, Rgb};
use plotters::coord::Shift;
use plotters::prelude::*;

pub(super) fn validate(p: &HistogramPanel) -> Result<(), String> {
    if p.bins == 0 {
        return Err(format!(
            "histogram panel '{}': bins must be at least 1",
            p.title
        ));
    }
    if p.series.is_empty() {
        return Err(format!("histogram panel '{}' has no series", p.title));
    }
    if let Some(bad) = p
        .series
        .iter()
        .flat_map(|s| &s.values)
        .find(|v| v.is_infinite())
    {
        return Err(format!(
            "histogram panel '{}': value {bad} cannot be binned",
            p.title
        ));
    }
    Ok(())
}

/// Equal-width bin edges over all finite values; NumPy's convention puts the maximum in the last bin.
pub(crate) fn bin_counts(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<u64> {
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for &v in values.iter().filter(|v| v.is_finite()) {
        let bin = (((v - lo) / width).floor() as usize).min(bins - 1);
        counts[bin] += 1;
    }
    counts
}

fn value_range(p: &HistogramPanel) -> (f64, f64) {
    let (lo, hi) = p
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    match (lo.is_finite(), hi > lo) {
        (false, _) => (0.0, 1.0),
        (true, false) => (lo - 0.5, hi + 0.5),
        (true, true) => (lo, hi),
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &HistogramPanel,
) -> Result<(), FigureError> {
    let (lo, hi) = value_range(p);
    let width = (hi - lo) / p.bins as f64;
    let counts: Vec<Vec<u64>> = p
        .series
        .iter()
        .map(|s| bin_counts(&s.values, lo, hi, p.bins))
        .collect();
    let top = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64 * 1.1;

    let mut builder = ChartBuilder::on(area);
    builder
        .margin(14)
        .x_label_area_size(52)
        .y_label_area_size(72);
    if !p.title.is_empty() {
        builder.caption(&p.title, text_style(20));
    }
    let pad = 0.02 * (hi - lo);
    let mut chart = builder
        .build_cartesian_2d(lo - pad..hi + pad, 0.0..top)
        .map_err(render_error)?;
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

    for (index, (s, counts)) in p.series.iter().zip(&counts).enumerate() {
        let color = rgb(s.color.unwrap_or(Rgb::PALETTE[index % Rgb::PALETTE.len()]));
        let rect = |b: usize, c: u64| {
            [
                (lo + width * b as f64, 0.0),
                (lo + width * (b + 1) as f64, c as f64),
            ]
        };
        let bars = counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(b, &c)| Rectangle::new(rect(b, c), color.mix(0.35).filled()));
        chart.draw_series(bars).map_err(render_error)?;
        let outlines = counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(b, &c)| Rectangle::new(rect(b, c), color.stroke_width(1)));
        chart
            .draw_series(outlines)
            .map_err(render_error)?
            .label(s.label.as_str())
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.mix(0.6).filled())
            });
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
    use super::*;

    #[test]
    fn binning_matches_numpy_histogram_edges() {
        // np.histogram([0, 0.5, 1, 1.5, 2], bins=4) -> [1, 1, 1, 2]: the maximum goes into the last bin.
        assert_eq!(
            bin_counts(&[0.0, 0.5, 1.0, 1.5, 2.0, f64::NAN], 0.0, 2.0, 4),
            vec![1, 1, 1, 2]
        );
    }
}
