//! Reports: Markdown structure, HTML with embedded figures, atomic writes.

use base64::Engine;
use polarity_analysis::figures::{write_figure, Figure, LinePanel, Panel, Series};
use polarity_analysis::report::{Report, ReportError};

fn sample_report() -> Report {
    let mut report = Report::new("XOR reproduction");
    report.heading(2, "Fig 1B").unwrap();
    report.paragraph("Epochs to **90 %** accuracy, `h = 64`.");
    report
        .table(
            "Medians",
            vec!["samples".into(), "frozen | sufficient".into()],
            vec![
                vec!["60".into(), "12 [10, 15]".into()],
                vec!["72".into(), "<9>".into()],
            ],
        )
        .unwrap();
    report.image("figs/fig 1b.png", "Fig 1B");
    report
}

#[test]
fn markdown_has_headings_tables_and_relative_images() {
    let md = sample_report().to_markdown();
    let expected = "# XOR reproduction\n\n## Fig 1B\n\nEpochs to **90 %** accuracy, `h = 64`.\n\nMedians\n\n\
                    | samples | frozen \\| sufficient |\n|---|---|\n| 60 | 12 [10, 15] |\n| 72 | <9> |\n\n\
                    ![Fig 1B](figs/fig%201b.png)\n";
    assert_eq!(md, expected);
}

#[test]
fn html_embeds_the_png_and_both_files_are_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("figs")).unwrap();
    let panel = LinePanel {
        series: vec![Series::line("a", vec![1.0, 2.0], vec![3.0, 4.0])],
        ..Default::default()
    };
    let files = write_figure(
        &Figure::single(Panel::Line(panel)),
        &dir.path().join("figs/fig 1b"),
    )
    .unwrap();
    let png = std::fs::read(&files.png).unwrap();

    let written = sample_report().write(dir.path(), "report").unwrap();
    let html = std::fs::read_to_string(&written.html).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&png);
    assert!(
        html.contains(&format!("src=\"data:image/png;base64,{encoded}\"")),
        "PNG not embedded"
    );
    assert!(html.contains("<strong>90 %</strong>") && html.contains("<code>h = 64</code>"));
    assert!(html.contains("<td>&lt;9&gt;</td>"), "cells must be escaped");
    assert!(html.contains("<th>frozen | sufficient</th>"));
    assert_eq!(
        std::fs::read_to_string(&written.markdown).unwrap(),
        sample_report().to_markdown()
    );
}

#[test]
fn errors_name_the_problem() {
    let mut report = Report::new("t");
    let err = report
        .table(
            "claims",
            vec!["a".into(), "b".into()],
            vec![vec!["only one".into()]],
        )
        .unwrap_err();
    assert!(matches!(
        err,
        ReportError::RaggedTable {
            row: 0,
            got: 1,
            want: 2,
            ..
        }
    ));
    assert!(err.to_string().contains("'claims'"));
    assert!(matches!(
        report.heading(1, "x"),
        Err(ReportError::HeadingLevel(1))
    ));

    let dir = tempfile::tempdir().unwrap();
    report.image("missing.png", "missing");
    let err = report.write(dir.path(), "r").unwrap_err();
    assert!(err.to_string().contains("missing.png"), "{err}");
    // Nothing is written when the HTML cannot be built.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
