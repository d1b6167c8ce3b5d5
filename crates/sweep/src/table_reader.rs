//! Reading a finished table back row by row, as the strings the journal held (docs/decisions.md
//! D-SWEEP-10): CSV through the `csv` crate, Parquet through the `parquet` crate's row reader,
//! which decodes one row group at a time, so memory stays bounded by a row group.
//!
//! A typed Parquet value is rendered as the records write it (`Display`: the shortest text that
//! round-trips, `f32` columns as `f32`), which gives back the original text whenever that text was
//! itself the value's `Display` form; the writer checks this for every value
//! ([`crate::table::TableWriter::lossless`]) before the journal may be deleted.

use crate::error::{Result, SweepError};
use crate::record::ColumnKind;
use crate::table::TableFormat;
use crate::Row;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::reader::RowIter;
use parquet::record::Field;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// The rows of a table, in file order, without the header.
pub struct TableReader {
    inner: Inner,
    path: PathBuf,
    header: Vec<String>,
    kinds: Vec<ColumnKind>,
}

enum Inner {
    Csv(Box<csv::StringRecordsIntoIter<BufReader<File>>>),
    Parquet(Box<RowIter<'static>>),
}

impl TableReader {
    /// Opens `path` (in `format`) and checks that its columns are `header` (Parquet: with the
    /// types of `kinds`).
    pub fn open(
        path: &Path,
        format: TableFormat,
        header: &[String],
        kinds: &[ColumnKind],
    ) -> Result<TableReader> {
        let fail = |message: String| SweepError::TableRead {
            table: path.to_path_buf(),
            message,
        };
        let file = File::open(path).map_err(|e| fail(e.to_string()))?;
        let inner = match format {
            TableFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .from_reader(BufReader::with_capacity(1 << 20, file));
                let found = reader.headers().map_err(|e| fail(e.to_string()))?;
                if found.iter().ne(header.iter().map(String::as_str)) {
                    return Err(fail(format!(
                        "its header is {:?}, expected {header:?}",
                        found.iter().collect::<Vec<_>>()
                    )));
                }
                Inner::Csv(Box::new(reader.into_records()))
            }
            TableFormat::Parquet => {
                let reader = SerializedFileReader::new(file)
                    .map_err(|e| fail(format!("not a Parquet file: {e}")))?;
                let schema = reader.metadata().file_metadata().schema_descr_ptr();
                let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
                if names.iter().ne(header.iter()) {
                    return Err(fail(format!(
                        "its columns are {names:?}, expected {header:?}"
                    )));
                }
                Inner::Parquet(Box::new(reader.into_iter()))
            }
        };
        Ok(TableReader {
            inner,
            path: path.to_path_buf(),
            header: header.to_vec(),
            kinds: kinds.to_vec(),
        })
    }

    /// The next row, or `None` at the end of the table.
    pub fn next_row(&mut self) -> Result<Option<Row>> {
        let fail = |message: String| SweepError::TableRead {
            table: self.path.clone(),
            message,
        };
        match &mut self.inner {
            Inner::Csv(records) => match records.next() {
                None => Ok(None),
                Some(Err(e)) => Err(fail(e.to_string())),
                Some(Ok(record)) => Ok(Some(record.iter().map(str::to_string).collect())),
            },
            Inner::Parquet(rows) => match rows.next() {
                None => Ok(None),
                Some(Err(e)) => Err(fail(format!("parquet: {e}"))),
                Some(Ok(row)) => {
                    let fields = row.into_columns();
                    if fields.len() != self.header.len() {
                        return Err(fail(format!(
                            "a row has {} columns, expected {}",
                            fields.len(),
                            self.header.len()
                        )));
                    }
                    fields
                        .into_iter()
                        .zip(&self.kinds)
                        .map(|((name, field), kind)| {
                            render(field, *kind).map_err(|found| {
                                fail(format!(
                                    "column '{name}' holds {found}, expected a {kind:?} value"
                                ))
                            })
                        })
                        .collect::<Result<Row>>()
                        .map(Some)
                }
            },
        }
    }
}

/// The text a record writes for a value of a column of `kind` (see [`crate::record`]).
fn render(field: Field, kind: ColumnKind) -> std::result::Result<String, String> {
    match (field, kind) {
        (Field::Long(v), ColumnKind::Int) => Ok(v.to_string()),
        (Field::Float(v), ColumnKind::Float32) => Ok(v.to_string()),
        (Field::Double(v), ColumnKind::Float64) => Ok(v.to_string()),
        (Field::Bool(v), ColumnKind::Bool) => Ok(v.to_string()),
        (Field::Str(v), ColumnKind::Text) => Ok(v),
        (other, _) => Err(format!("{other:?}")),
    }
}
