//! Figures are written as SVG + PNG, decode to the expected size, and carry their text.

use polarity_analysis::figures::*;
use std::path::Path;

fn series(label: &str, color: Rgb, scale: f64) -> Series {
    let x = vec![8.0, 20.0, 40.0, 60.0, 100.0, 500.0];
    let median: Vec<f64> = x.iter().map(|n: &f64| 5.0 + scale / n.sqrt()).collect();
    Series {
        label: label.into(),
        q25: median.iter().map(|m| m * 0.9).collect(),
        q75: median.iter().map(|m| m * 1.1).collect(),
        x,
        median,
        color: Some(color),
    }
}

fn line_panel(x_label: &str) -> LinePanel {
    LinePanel {
        title: "Epochs to 90 % accuracy".into(),
        x_label: x_label.into(),
        y_label: "Epochs".into(),
        log_x: true,
        series: vec![
            series("Frozen sufficient", Rgb::RED, 40.0),
            series("Fluid", Rgb::BLUE, 80.0),
        ],
        markers: vec![Marker {
            x: 60.0,
            text: "*".into(),
            series: 0,
        }],
        ..Default::default()
    }
}

/// Contents of the SVG's `<text>` elements (HTML entities left as they are).
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            Some(
                t.split_once('>')?
                    .1
                    .split_once("</text>")?
                    .0
                    .trim()
                    .to_string(),
            )
        })
        .collect()
}

fn assert_svg_has(svg: &str, wanted: &[&str]) {
    let texts = svg_texts(svg);
    for text in wanted {
        assert!(
            texts.iter().any(|t| t == text),
            "SVG lacks the text '{text}'; it has {texts:?}"
        );
    }
}

fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

#[test]
fn line_figure_writes_svg_and_png_with_labels() {
    let dir = tempfile::tempdir().unwrap();
    let figure = Figure::single(Panel::Line(line_panel("Number of training samples")));
    let files = write_figure(&figure, &dir.path().join("fig1b")).unwrap();
    assert_eq!(files.svg, dir.path().join("fig1b.svg"));
    assert_eq!(files.png, dir.path().join("fig1b.png"));

    let (width, height, _) = decode(&files.png);
    assert_eq!((width, height), figure.size());
    assert_eq!((width, height), (720, 480));

    let svg = std::fs::read_to_string(&files.svg).unwrap();
    assert_svg_has(
        &svg,
        &[
            "Frozen sufficient",
            "Fluid",
            "Number of training samples",
            "Epochs",
            "Epochs to 90 % accuracy",
            "*",
        ],
    );
    // Only the two files: the temporary files were renamed away.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn axis_label_is_rasterised_into_the_bottom_strip() {
    // Same figure with and without the x-axis title: the pixels that differ are the rendered text, and they
    // must exist and lie in the bottom strip where the axis title goes.
    let with = render_png(&Figure::single(Panel::Line(line_panel(
        "Number of training samples",
    ))))
    .unwrap();
    let without = render_png(&Figure::single(Panel::Line(line_panel("")))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.png"), dir.path().join("b.png"));
    std::fs::write(&a, with).unwrap();
    std::fs::write(&b, without).unwrap();
    let (width, height, pa) = decode(&a);
    let (_, _, pb) = decode(&b);
    let differing_rows: Vec<u32> = (0..height)
        .filter(|&row| {
            let range = (row * width * 3) as usize..((row + 1) * width * 3) as usize;
            pa[range.clone()] != pb[range]
        })
        .collect();
    assert!(
        !differing_rows.is_empty(),
        "the x-axis title left no pixels"
    );
    // The label band is 52 px; allow the margin.
    assert!(
        differing_rows.iter().all(|&row| row >= height - 70),
        "text outside the bottom strip: {differing_rows:?}"
    );
    // Glyphs, not a single line: several rows and a fair number of dark pixels.
    assert!(
        differing_rows.len() >= 8,
        "only {} rows of text",
        differing_rows.len()
    );
    let dark = pa
        .chunks(3)
        .skip(((height - 70) * width) as usize)
        .filter(|px| px.iter().all(|&c| c < 100))
        .count();
    assert!(dark > 100, "only {dark} dark pixels in the label strip");
}

#[test]
fn grid_and_histogram_panels_in_one_row() {
    let grid = GridPanel {
        title: "Fig 4D".into(),
        x_label: "Samples".into(),
        y_label: "Hidden units".into(),
        x_ticks: vec!["60".into(), "72".into(), "80".into()],
        y_ticks: vec!["2".into(), "3".into()],
        categories: vec![
            Category {
                label: "sufficient better".into(),
                color: Rgb::RED,
            },
            Category {
                label: "neither".into(),
                color: Rgb::WHITE,
            },
        ],
        cells: vec![vec![0, 1, 0], vec![1, 1, 0]],
    };
    let histogram = HistogramPanel {
        title: "Initial magnitudes".into(),
        x_label: "|w|".into(),
        y_label: "Count".into(),
        bins: 10,
        series: vec![HistogramSeries {
            label: "IN-Weight".into(),
            values: vec![0.1, 0.2, 0.2, 0.5, f64::NAN],
            color: None,
        }],
        legend: LegendCorner::UpperLeft,
    };
    let figure = Figure {
        title: Some("Row of panels".into()),
        panels: vec![
            Panel::Line(line_panel("Samples")),
            Panel::Grid(grid),
            Panel::Histogram(histogram),
        ],
        panel_width: 500,
        panel_height: 400,
    };
    let dir = tempfile::tempdir().unwrap();
    let files = write_figure(&figure, &dir.path().join("row")).unwrap();
    let (width, height, _) = decode(&files.png);
    assert_eq!(width, 1500);
    assert!(height > 400, "the title strip adds height: {height}");
    let svg = std::fs::read_to_string(&files.svg).unwrap();
    assert_svg_has(
        &svg,
        &[
            "Row of panels",
            "sufficient better",
            "neither",
            "Hidden units",
            "72",
            "IN-Weight",
            "|w|",
        ],
    );
}

#[test]
fn bad_data_is_rejected_with_the_panel_and_field_named() {
    let mut panel = line_panel("x");
    panel.series[1].q25.pop();
    let err = render_svg(&Figure::single(Panel::Line(panel)))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("panel 0")
            && err.contains("'Fluid'")
            && err.contains("q25 has 5 values but x has 6"),
        "{err}"
    );

    let mut panel = line_panel("x");
    panel.series[0].x[0] = 0.0;
    let err = render_png(&Figure::single(Panel::Line(panel)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("> 0 on a log axis"), "{err}");

    let grid = GridPanel {
        x_ticks: vec!["a".into()],
        y_ticks: vec!["b".into()],
        cells: vec![vec![3]],
        ..Default::default()
    };
    let err = render_svg(&Figure::single(Panel::Grid(grid)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("category 3"), "{err}");

    let empty = Figure {
        title: None,
        panels: vec![],
        panel_width: 500,
        panel_height: 400,
    };
    assert!(render_svg(&empty)
        .unwrap_err()
        .to_string()
        .contains("at least one panel"));

    // Nothing is written when rendering fails.
    let dir = tempfile::tempdir().unwrap();
    assert!(write_figure(&empty, &dir.path().join("x")).is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn gaps_and_single_points_render() {
    // A series whose median is missing at some x (no trial reached the threshold) and one with one point.
    let mut gappy = series("gappy", Rgb::GREEN, 10.0);
    gappy.median[2] = f64::NAN;
    gappy.q25[2] = f64::NAN;
    let single = Series::line("theory", vec![15.0], vec![7.0]);
    let panel = LinePanel {
        series: vec![gappy, single],
        log_x: false,
        ..Default::default()
    };
    let svg = render_svg(&Figure::single(Panel::Line(panel))).unwrap();
    assert_svg_has(&svg, &["gappy", "theory"]);
}
