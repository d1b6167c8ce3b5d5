//! Markdown and self-contained HTML reports: headings, paragraphs, tables and figures.
//!
//! The Markdown links figures by relative path; the HTML embeds them as base64 data URIs, so the single
//! `.html` file can be mailed or archived on its own. Both are written atomically.

use crate::atomic::write_atomic;
use crate::stats::Summary;
use base64::Engine;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a report could not be built or written.
#[derive(Debug, Error)]
pub enum ReportError {
    #[error("report table '{table}': row {row} has {got} cells but the header has {want}")]
    RaggedTable {
        table: String,
        row: usize,
        got: usize,
        want: usize,
    },
    #[error("report heading level {0} must be 2..=6 (level 1 is the report title)")]
    HeadingLevel(u8),
    #[error("report image {path}: unsupported extension (expected .png, .svg, .jpg or .jpeg)")]
    ImageType { path: PathBuf },
    #[error("report: {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading(u8, String),
    Paragraph(String),
    Table {
        caption: String,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Image {
        path: PathBuf,
        alt: String,
    },
}

/// A report under construction. Text may use `**bold**` and `` `code` ``, rendered in both formats.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    title: String,
    blocks: Vec<Block>,
}

/// Paths written by [`Report::write`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFiles {
    pub markdown: PathBuf,
    pub html: PathBuf,
}

impl Report {
    pub fn new(title: impl Into<String>) -> Self {
        Report {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    /// A section heading of `level` 2 to 6.
    pub fn heading(
        &mut self,
        level: u8,
        text: impl Into<String>,
    ) -> Result<&mut Self, ReportError> {
        if !(2..=6).contains(&level) {
            return Err(ReportError::HeadingLevel(level));
        }
        self.blocks.push(Block::Heading(level, text.into()));
        Ok(self)
    }

    pub fn paragraph(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    /// A table; every row must have as many cells as the header. `caption` may be empty.
    pub fn table(
        &mut self,
        caption: impl Into<String>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    ) -> Result<&mut Self, ReportError> {
        let caption = caption.into();
        if let Some((row, cells)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != header.len())
        {
            return Err(ReportError::RaggedTable {
                table: caption,
                row,
                got: cells.len(),
                want: header.len(),
            });
        }
        self.blocks.push(Block::Table {
            caption,
            header,
            rows,
        });
        Ok(self)
    }

    /// A figure, by path relative to the directory the report is written to.
    pub fn image(
        &mut self,
        relative_path: impl Into<PathBuf>,
        alt: impl Into<String>,
    ) -> &mut Self {
        self.blocks.push(Block::Image {
            path: relative_path.into(),
            alt: alt.into(),
        });
        self
    }

    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        for block in &self.blocks {
            out.push('\n');
            match block {
                Block::Heading(level, text) => {
                    out.push_str(&format!("{} {text}\n", "#".repeat(*level as usize)))
                }
                Block::Paragraph(text) => out.push_str(&format!("{text}\n")),
                Block::Table {
                    caption,
                    header,
                    rows,
                } => {
                    if !caption.is_empty() {
                        out.push_str(&format!("{caption}\n\n"));
                    }
                    let line = |cells: &[String]| {
                        let escaped: Vec<String> = cells.iter().map(|c| markdown_cell(c)).collect();
                        format!("| {} |\n", escaped.join(" | "))
                    };
                    out.push_str(&line(header));
                    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                    for row in rows {
                        out.push_str(&line(row));
                    }
                }
                Block::Image { path, alt } => {
                    // Percent-encode spaces so the link survives Markdown parsing.
                    let link = path
                        .to_string_lossy()
                        .replace('\\', "/")
                        .replace(' ', "%20");
                    out.push_str(&format!("![{alt}]({link})\n"));
                }
            }
        }
        out
    }

    /// The report as one HTML page; images are read from `base_dir` and embedded as data URIs.
    pub fn to_html(&self, base_dir: &Path) -> Result<String, ReportError> {
        let mut body = format!("<h1>{}</h1>\n", inline_html(&self.title));
        for block in &self.blocks {
            match block {
                Block::Heading(level, text) => {
                    body.push_str(&format!("<h{level}>{}</h{level}>\n", inline_html(text)))
                }
                Block::Paragraph(text) => body.push_str(&format!("<p>{}</p>\n", inline_html(text))),
                Block::Table {
                    caption,
                    header,
                    rows,
                } => {
                    body.push_str("<table>\n");
                    if !caption.is_empty() {
                        body.push_str(&format!("<caption>{}</caption>\n", inline_html(caption)));
                    }
                    let cells = |tag: &str, row: &[String]| {
                        let inner: String = row
                            .iter()
                            .map(|c| format!("<{tag}>{}</{tag}>", inline_html(c)))
                            .collect();
                        format!("<tr>{inner}</tr>\n")
                    };
                    body.push_str(&format!(
                        "<thead>{}</thead>\n<tbody>\n",
                        cells("th", header)
                    ));
                    for row in rows {
                        body.push_str(&cells("td", row));
                    }
                    body.push_str("</tbody>\n</table>\n");
                }
                Block::Image { path, alt } => {
                    let uri = data_uri(&base_dir.join(path))?;
                    body.push_str(&format!(
                        "<figure><img src=\"{uri}\" alt=\"{}\"></figure>\n",
                        escape_html(alt)
                    ));
                }
            }
        }
        Ok(format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
             </head>\n<body>\n{body}</body>\n</html>\n",
            escape_html(&self.title)
        ))
    }

    /// Writes `<dir>/<stem>.md` and `<dir>/<stem>.html`; image paths are relative to `dir`.
    pub fn write(&self, dir: &Path, stem: &str) -> Result<ReportFiles, ReportError> {
        let html = self.to_html(dir)?;
        let files = ReportFiles {
            markdown: dir.join(format!("{stem}.md")),
            html: dir.join(format!("{stem}.html")),
        };
        for (path, text) in [(&files.markdown, self.to_markdown()), (&files.html, html)] {
            write_atomic(path, text.as_bytes()).map_err(|source| ReportError::Io {
                action: "writing",
                path: path.clone(),
                source,
            })?;
        }
        Ok(files)
    }
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.4}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left}\
th{background:#eee}caption{text-align:left;font-weight:bold;padding:.3em 0}img{max-width:100%}\
code{background:#f3f3f3;padding:0 .2em}";

/// A table cell for a [`Summary`]: `median [q25, q75]` with `decimals` digits, plus the counts
/// (`n = 48, 2 missing`); `–` when nothing is present.
pub fn summary_cell(summary: &Summary, decimals: usize) -> String {
    let counts = match summary.missing {
        0 => format!("n = {}", summary.n),
        missing => format!("n = {}, {missing} missing", summary.n),
    };
    match (summary.median, summary.q25, summary.q75) {
        (Some(m), Some(lo), Some(hi)) => {
            format!("{m:.decimals$} [{lo:.decimals$}, {hi:.decimals$}] ({counts})")
        }
        _ => format!("– ({counts})"),
    }
}

fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes, then renders `**bold**` and `` `code` `` spans (unpaired markers are left as they are).
fn inline_html(text: &str) -> String {
    let escaped = escape_html(text);
    let code = replace_pairs(&escaped, "`", "<code>", "</code>");
    replace_pairs(&code, "**", "<strong>", "</strong>")
}

fn replace_pairs(text: &str, marker: &str, open: &str, close: &str) -> String {
    let parts: Vec<&str> = text.split(marker).collect();
    // An even number of parts means one marker is unpaired: leave the last one literal.
    let paired = if parts.len().is_multiple_of(2) {
        parts.len() - 1
    } else {
        parts.len()
    };
    let mut out = String::with_capacity(text.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(if i >= paired {
                marker
            } else if i % 2 == 1 {
                open
            } else {
                close
            });
        }
        out.push_str(part);
    }
    out
}

fn data_uri(path: &Path) -> Result<String, ReportError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mime = match extension.as_deref() {
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => {
            return Err(ReportError::ImageType {
                path: path.to_path_buf(),
            })
        }
    };
    let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
        action: "reading",
        path: path.to_path_buf(),
        source,
    })?;
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_pairs_and_escapes() {
        assert_eq!(
            inline_html("a **b** `c<d`"),
            "a <strong>b</strong> <code>c&lt;d</code>"
        );
        assert_eq!(inline_html("2 ** 3"), "2 ** 3");
        assert_eq!(inline_html("**x** and **"), "<strong>x</strong> and **");
    }

    #[test]
    fn summary_cells() {
        let s = Summary {
            median: Some(12.5),
            q25: Some(10.0),
            q75: Some(15.25),
            n: 48,
            missing: 2,
        };
        assert_eq!(summary_cell(&s, 1), "12.5 [10.0, 15.2] (n = 48, 2 missing)");
        let none = Summary {
            median: None,
            q25: None,
            q75: None,
            n: 0,
            missing: 3,
        };
        assert_eq!(summary_cell(&none, 1), "– (n = 0, 3 missing)");
    }
}
