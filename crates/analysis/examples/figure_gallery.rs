//! Writes one figure of each kind, on made-up data, into the directory given as the first argument:
//! `cargo run -p polarity-analysis --example figure_gallery -- /tmp/gallery`.

use polarity_analysis::figures::*;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: figure_gallery OUT_DIR")?,
    );
    std::fs::create_dir_all(&dir)?;
    let sizes: Vec<f64> = vec![
        8.0, 20.0, 32.0, 40.0, 52.0, 60.0, 72.0, 80.0, 92.0, 100.0, 500.0,
    ];
    let curve = |scale: f64, offset: f64| -> Vec<f64> {
        sizes.iter().map(|n| offset + scale / n.sqrt()).collect()
    };
    let series = |label: &str, scale: f64, color: Rgb| {
        let median = curve(scale, 5.0);
        Series {
            label: label.into(),
            x: sizes.clone(),
            q25: median.iter().map(|m| m * 0.85).collect(),
            q75: median.iter().map(|m| m * 1.15).collect(),
            median,
            color: Some(color),
        }
    };
    let mut fluid = series("Fluid", 120.0, Rgb::BLUE);
    fluid.median[0] = f64::NAN; // no trial reached the threshold at 8 samples
    let epochs = LinePanel {
        title: "Epochs to 90 % validation accuracy".into(),
        x_label: "Number of training samples".into(),
        y_label: "Epochs".into(),
        log_x: true,
        series: vec![
            series("Frozen sufficient-Polarity", 60.0, Rgb::RED),
            fluid,
            series("Frozen RAND-Polarity", 100.0, Rgb::GREEN),
        ],
        markers: vec![
            Marker {
                x: 60.0,
                text: "*".into(),
                series: 0,
            },
            Marker {
                x: 72.0,
                text: "*".into(),
                series: 0,
            },
        ],
        ..Default::default()
    };
    let cats = vec![
        Category {
            label: "Frozen sufficient wins".into(),
            color: Rgb::RED,
        },
        Category {
            label: "Frozen RAND wins".into(),
            color: Rgb::GREEN,
        },
        Category {
            label: "both".into(),
            color: Rgb::YELLOW,
        },
        Category {
            label: "neither".into(),
            color: Rgb::WHITE,
        },
    ];
    let hidden: Vec<String> = (2..=29).chain([30, 32]).map(|h| h.to_string()).collect();
    let cells = (0..hidden.len())
        .map(|r| (0..5).map(|c| (r * 7 + c * 3) % 4).collect())
        .collect();
    let grid = GridPanel {
        title: "P(reach 90 %)".into(),
        x_label: "Number of training samples".into(),
        y_label: "Hidden units".into(),
        x_ticks: ["60", "72", "80", "92", "100"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        y_ticks: hidden,
        categories: cats,
        cells,
    };
    let hist = HistogramPanel {
        title: "Initial weight magnitudes".into(),
        x_label: "|w|".into(),
        y_label: "Count".into(),
        bins: 30,
        series: vec![
            HistogramSeries {
                label: "IN-Polarity".into(),
                values: (0..2000)
                    .map(|i| ((i * 37 % 1000) as f64 / 1000.0).powi(2) * 0.5)
                    .collect(),
                color: None,
            },
            HistogramSeries {
                label: "IN-Weight".into(),
                values: (0..2000).map(|i| (i * 53 % 1000) as f64 / 2000.0).collect(),
                color: None,
            },
        ],
        legend: LegendCorner::UpperRight,
    };
    write_figure(
        &Figure::single(Panel::Line(epochs.clone())),
        &dir.join("line"),
    )?;
    write_figure(
        &Figure {
            panel_height: 720,
            ..Figure::single(Panel::Grid(grid.clone()))
        },
        &dir.join("grid"),
    )?;
    write_figure(
        &Figure::single(Panel::Histogram(hist.clone())),
        &dir.join("histogram"),
    )?;
    let row = Figure {
        title: Some("XOR-5D, 64 hidden units".into()),
        panels: vec![
            Panel::Line(epochs),
            Panel::Histogram(hist),
            Panel::Grid(grid),
        ],
        panel_width: 640,
        panel_height: 480,
    };
    write_figure(&row, &dir.join("row"))?;

    // Fig 4A-like: a band-less theory curve next to a simulated median with its band, linear x.
    let hidden: Vec<f64> = (1..=30).map(f64::from).collect();
    let theory: Vec<f64> = hidden
        .iter()
        .map(|h| 100.0 * (1.0 - 0.75f64.powf(h - 1.0)))
        .collect();
    let simulated = Series {
        label: "Frozen RAND (simulation)".into(),
        x: hidden.clone(),
        median: theory.iter().map(|t| t - 2.0).collect(),
        q25: theory.iter().map(|t| t - 6.0).collect(),
        q75: theory.iter().map(|t| (t + 2.0).min(100.0)).collect(),
        color: Some(Rgb::GREEN),
    };
    let capacity = LinePanel {
        title: "P(reach 95 %) vs hidden units".into(),
        x_label: "Hidden units".into(),
        y_label: "% trials".into(),
        y_range: Some((0.0, 105.0)),
        series: vec![
            Series::line("Frozen RAND (theory)", hidden, theory).with_color(Rgb(40, 40, 40)),
            simulated,
        ],
        legend: LegendCorner::LowerRight,
        ..Default::default()
    };
    // A log axis spanning less than a decade labels every key point.
    let narrow = LinePanel {
        title: "Narrow log range".into(),
        x_label: "Samples".into(),
        y_label: "Epochs".into(),
        log_x: true,
        series: vec![Series::line(
            "a",
            vec![60.0, 72.0, 80.0, 92.0, 100.0],
            vec![30.0, 25.0, 22.0, 20.0, 19.0],
        )],
        ..Default::default()
    };
    let pair = Figure {
        title: None,
        panels: vec![Panel::Line(capacity), Panel::Line(narrow)],
        panel_width: 640,
        panel_height: 420,
    };
    write_figure(&pair, &dir.join("capacity"))?;
    Ok(())
}
