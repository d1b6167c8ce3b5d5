//! The final table, written unit by unit as a stream: CSV (text) or Parquet (typed columns,
//! zstd-compressed), replaced atomically when complete (docs/decisions.md D-SWEEP-7, D-SWEEP-8).
//!
//! Parquet layout: one row per table row, one column per header field with the type of its
//! [`ColumnKind`] (all required, no nulls; text as UTF-8 strings), row groups of
//! [`ROW_GROUP_ROWS`] rows cut in canonical row order, so the bytes depend only on the rows.

use crate::error::{Result, SweepError};
use crate::fsutil::AtomicFile;
use crate::record::ColumnKind;
use crate::Row;
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType, ZstdLevel};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per Parquet row group: large enough for the column encodings and zstd to find the
/// repetition in a column (about 20 MB of typed values for a 14-column XOR table), small enough
/// that a reader can stream the file group by group.
pub const ROW_GROUP_ROWS: usize = 262_144;

/// The zstd level of Parquet pages: level 3 is zstd's default speed/size trade-off.
const ZSTD_LEVEL: i32 = 3;

/// How the final table is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    /// `results.csv`: text, `\n` line ends, numbers as the records wrote them.
    #[default]
    Csv,
    /// `results.parquet`: typed columns, zstd-compressed.
    Parquet,
}

impl TableFormat {
    pub fn file_name(self) -> &'static str {
        match self {
            TableFormat::Csv => "results.csv",
            TableFormat::Parquet => "results.parquet",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }
}

impl std::str::FromStr for TableFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "csv" => Ok(TableFormat::Csv),
            "parquet" => Ok(TableFormat::Parquet),
            _ => Err(format!(
                "unknown table format {s:?}; expected csv or parquet"
            )),
        }
    }
}

impl std::fmt::Display for TableFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Writes the final table unit by unit; nothing appears at the path until [`TableWriter::finish`].
pub struct TableWriter {
    inner: Inner,
    path: PathBuf,
    temp: PathBuf,
}

enum Inner {
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Parquet(Box<ParquetTable>),
}

impl TableWriter {
    /// Starts `path` in `format` with `header` and its column kinds.
    pub fn create(
        path: &Path,
        format: TableFormat,
        header: &[String],
        kinds: &[ColumnKind],
    ) -> Result<TableWriter> {
        let file = AtomicFile::create(path)?;
        let render = |e: &dyn std::fmt::Display| SweepError::Render(e.to_string());
        let inner = match format {
            TableFormat::Csv => {
                let mut writer = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_writer(file.writer);
                writer.write_record(header).map_err(|e| render(&e))?;
                Inner::Csv(Box::new(writer))
            }
            TableFormat::Parquet => {
                Inner::Parquet(Box::new(ParquetTable::new(file.writer, header, kinds)?))
            }
        };
        Ok(TableWriter {
            inner,
            path: file.path,
            temp: file.temp,
        })
    }

    /// Appends one unit's rows (in order).
    pub fn write_rows(&mut self, unit: &str, rows: &[Row]) -> Result<()> {
        match &mut self.inner {
            Inner::Csv(writer) => {
                for row in rows {
                    writer
                        .write_record(row)
                        .map_err(|e| SweepError::Render(e.to_string()))?;
                }
                Ok(())
            }
            Inner::Parquet(table) => table.write_rows(unit, rows),
        }
    }

    /// Whether every value written so far reads back as the text it was written from: always for
    /// CSV; for Parquet, when each typed field was its value's `Display` text (what records write),
    /// so [`crate::table_reader::TableReader`] renders it back identically. Only then can the table
    /// stand in for the journal (docs/decisions.md D-SWEEP-10).
    pub fn lossless(&self) -> bool {
        match &self.inner {
            Inner::Csv(_) => true,
            Inner::Parquet(table) => table.lossless,
        }
    }

    /// Completes the file and moves it into place atomically.
    pub fn finish(self) -> Result<PathBuf> {
        let render = |e: &dyn std::fmt::Display| SweepError::Render(e.to_string());
        let writer = match self.inner {
            Inner::Csv(writer) => writer.into_inner().map_err(|e| render(&e))?,
            Inner::Parquet(table) => table.finish()?,
        };
        AtomicFile::commit(writer, &self.path, &self.temp)?;
        Ok(self.path)
    }
}

/// One buffered column of the current row group.
enum Buffer {
    Int(Vec<i64>),
    Float32(Vec<f32>),
    Float64(Vec<f64>),
    Bool(Vec<bool>),
    Text(Vec<ByteArray>),
}

struct ParquetTable {
    writer: SerializedFileWriter<BufWriter<File>>,
    header: Vec<String>,
    columns: Vec<Buffer>,
    buffered: usize,
    /// Every typed field so far was its value's `Display` text.
    lossless: bool,
    /// Reused to render a parsed value for the check above.
    scratch: String,
}

fn parquet_error(e: parquet::errors::ParquetError) -> SweepError {
    SweepError::Render(format!("parquet: {e}"))
}

impl ParquetTable {
    fn new(out: BufWriter<File>, header: &[String], kinds: &[ColumnKind]) -> Result<ParquetTable> {
        if kinds.len() != header.len() {
            return Err(SweepError::Render(format!(
                "{} column kinds for a header of {} columns",
                kinds.len(),
                header.len()
            )));
        }
        let fields = header
            .iter()
            .zip(kinds)
            .map(|(name, kind)| {
                let (physical, logical) = match kind {
                    ColumnKind::Int => (PhysicalType::INT64, None),
                    ColumnKind::Float32 => (PhysicalType::FLOAT, None),
                    ColumnKind::Float64 => (PhysicalType::DOUBLE, None),
                    ColumnKind::Bool => (PhysicalType::BOOLEAN, None),
                    ColumnKind::Text => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
                };
                Type::primitive_type_builder(name, physical)
                    .with_repetition(Repetition::REQUIRED)
                    .with_logical_type(logical)
                    .build()
                    .map(Arc::new)
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(parquet_error)?;
        let schema = Type::group_type_builder("results")
            .with_fields(fields)
            .build()
            .map_err(parquet_error)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(ZSTD_LEVEL).map_err(parquet_error)?,
            ))
            .build();
        let writer = SerializedFileWriter::new(out, Arc::new(schema), Arc::new(props))
            .map_err(parquet_error)?;
        let columns = kinds.iter().map(|k| Buffer::empty(*k)).collect();
        Ok(ParquetTable {
            writer,
            header: header.to_vec(),
            columns,
            buffered: 0,
            lossless: true,
            scratch: String::new(),
        })
    }

    fn write_rows(&mut self, unit: &str, rows: &[Row]) -> Result<()> {
        for row in rows {
            if row.len() != self.header.len() {
                return Err(SweepError::RowWidth {
                    unit: unit.to_string(),
                    fields: row.len(),
                    expected: self.header.len(),
                    header: self.header.join(","),
                });
            }
            for (k, (text, column)) in row.iter().zip(&mut self.columns).enumerate() {
                let canonical = column.push(text, &mut self.scratch).map_err(|expected| {
                    SweepError::Render(format!(
                        "unit {unit}: column '{}' holds {text:?}, which is not {expected}",
                        self.header[k]
                    ))
                })?;
                self.lossless &= canonical;
            }
            self.buffered += 1;
            if self.buffered == ROW_GROUP_ROWS {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<()> {
        if self.buffered == 0 {
            return Ok(());
        }
        let mut group = self.writer.next_row_group().map_err(parquet_error)?;
        for buffer in &mut self.columns {
            let mut column = group
                .next_column()
                .map_err(parquet_error)?
                .ok_or_else(|| SweepError::Render("parquet: fewer columns than buffers".into()))?;
            let written = match (column.untyped(), &*buffer) {
                (ColumnWriter::Int64ColumnWriter(w), Buffer::Int(v)) => {
                    w.write_batch(v, None, None)
                }
                (ColumnWriter::FloatColumnWriter(w), Buffer::Float32(v)) => {
                    w.write_batch(v, None, None)
                }
                (ColumnWriter::DoubleColumnWriter(w), Buffer::Float64(v)) => {
                    w.write_batch(v, None, None)
                }
                (ColumnWriter::BoolColumnWriter(w), Buffer::Bool(v)) => {
                    w.write_batch(v, None, None)
                }
                (ColumnWriter::ByteArrayColumnWriter(w), Buffer::Text(v)) => {
                    w.write_batch(v, None, None)
                }
                _ => {
                    return Err(SweepError::Render(
                        "parquet: a column writer does not match its buffer".into(),
                    ))
                }
            };
            written.map_err(parquet_error)?;
            column.close().map_err(parquet_error)?;
            buffer.clear();
        }
        group.close().map_err(parquet_error)?;
        self.buffered = 0;
        Ok(())
    }

    fn finish(mut self) -> Result<BufWriter<File>> {
        self.flush()?;
        self.writer.into_inner().map_err(parquet_error)
    }
}

impl Buffer {
    fn empty(kind: ColumnKind) -> Buffer {
        match kind {
            ColumnKind::Int => Buffer::Int(Vec::new()),
            ColumnKind::Float32 => Buffer::Float32(Vec::new()),
            ColumnKind::Float64 => Buffer::Float64(Vec::new()),
            ColumnKind::Bool => Buffer::Bool(Vec::new()),
            ColumnKind::Text => Buffer::Text(Vec::new()),
        }
    }

    /// Parses one field into the column and says whether `text` is the parsed value's `Display`
    /// form (rendered into `scratch`); the error says what was expected.
    fn push(
        &mut self,
        text: &str,
        scratch: &mut String,
    ) -> std::result::Result<bool, &'static str> {
        fn stored<T: Copy + std::fmt::Display>(
            v: &mut Vec<T>,
            value: T,
            text: &str,
            scratch: &mut String,
        ) -> bool {
            use std::fmt::Write;
            v.push(value);
            scratch.clear();
            write!(scratch, "{value}").expect("writing to a String cannot fail");
            scratch == text
        }
        Ok(match self {
            Buffer::Int(v) => stored(
                v,
                text.parse().map_err(|_| "a 64-bit integer")?,
                text,
                scratch,
            ),
            // Rust's float parsing is correctly rounded, and the records write the shortest text
            // that round-trips, so the stored float is the recorded one bit for bit.
            Buffer::Float32(v) => stored(
                v,
                text.parse().map_err(|_| "a 32-bit float")?,
                text,
                scratch,
            ),
            Buffer::Float64(v) => stored(
                v,
                text.parse().map_err(|_| "a 64-bit float")?,
                text,
                scratch,
            ),
            Buffer::Bool(v) => stored(v, text.parse().map_err(|_| "true or false")?, text, scratch),
            Buffer::Text(v) => {
                v.push(ByteArray::from(text));
                true
            }
        })
    }

    fn clear(&mut self) {
        match self {
            Buffer::Int(v) => v.clear(),
            Buffer::Float32(v) => v.clear(),
            Buffer::Float64(v) => v.clear(),
            Buffer::Bool(v) => v.clear(),
            Buffer::Text(v) => v.clear(),
        }
    }
}
