//! Reading a finished table back row by row, as the strings the journal held (docs/decisions.md
//! D-SWEEP-10): CSV through the `csv` crate, Parquet through the `parquet` crate's typed column
//! readers, one row group at a time (all its columns decoded into typed vectors, then rendered
//! row by row), so memory stays bounded by a row group.
//!
//! A typed Parquet value is rendered as the records write it (`Display`: the shortest text that
//! round-trips, `f32` columns as `f32`), which gives back the original text whenever that text was
//! itself the value's `Display` form; the writer checks this for every value
//! ([`crate::table::TableWriter::lossless`]) before the journal may be deleted.

use crate::error::{Result, SweepError};
use crate::record::ColumnKind;
use crate::table::TableFormat;
use crate::Row;
use parquet::basic::Type as PhysicalType;
use parquet::column::reader::{get_typed_column_reader, ColumnReader};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DataType, DoubleType, FloatType, Int64Type,
};
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
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
    Parquet(Box<ParquetRows>),
}

/// The decoded row group being read, and where the next one starts.
struct ParquetRows {
    file: SerializedFileReader<File>,
    next_group: usize,
    columns: Vec<Column>,
    /// Rows in `columns`, and the next one to hand out.
    len: usize,
    at: usize,
}

/// One column of a row group, typed.
enum Column {
    Int(Vec<i64>),
    Float32(Vec<f32>),
    Float64(Vec<f64>),
    Bool(Vec<bool>),
    Text(Vec<ByteArray>),
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
                for (column, kind) in schema.columns().iter().zip(kinds) {
                    let physical = column.physical_type();
                    if physical != physical_type(*kind) || column.max_def_level() != 0 {
                        return Err(fail(format!(
                            "column '{}' is stored as {physical}{}, expected a required {}",
                            column.name(),
                            if column.max_def_level() != 0 {
                                " (optional)"
                            } else {
                                ""
                            },
                            physical_type(*kind)
                        )));
                    }
                }
                Inner::Parquet(Box::new(ParquetRows {
                    file: reader,
                    next_group: 0,
                    columns: Vec::new(),
                    len: 0,
                    at: 0,
                }))
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
            Inner::Parquet(rows) => {
                while rows.at == rows.len {
                    if rows.next_group == rows.file.num_row_groups() {
                        return Ok(None);
                    }
                    let group = rows
                        .file
                        .get_row_group(rows.next_group)
                        .map_err(|e| fail(format!("row group {}: {e}", rows.next_group)))?;
                    let len = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
                    rows.columns = self
                        .kinds
                        .iter()
                        .enumerate()
                        .map(|(i, kind)| read_column(&*group, i, *kind, len))
                        .collect::<parquet::errors::Result<_>>()
                        .map_err(|e| fail(format!("row group {}: {e}", rows.next_group)))?;
                    rows.next_group += 1;
                    rows.len = len;
                    rows.at = 0;
                }
                let k = rows.at;
                rows.at += 1;
                rows.columns
                    .iter()
                    .zip(&self.header)
                    .map(|(column, name)| {
                        column
                            .render(k)
                            .map_err(|e| fail(format!("column '{name}': {e}")))
                    })
                    .collect::<Result<Row>>()
                    .map(Some)
            }
        }
    }
}

/// How a column of `kind` is stored (as [`crate::table::TableWriter`] writes it).
fn physical_type(kind: ColumnKind) -> PhysicalType {
    match kind {
        ColumnKind::Int => PhysicalType::INT64,
        ColumnKind::Float32 => PhysicalType::FLOAT,
        ColumnKind::Float64 => PhysicalType::DOUBLE,
        ColumnKind::Bool => PhysicalType::BOOLEAN,
        ColumnKind::Text => PhysicalType::BYTE_ARRAY,
    }
}

/// Decodes column `i` of a row group of `len` rows (its physical type checked at open).
fn read_column(
    group: &dyn RowGroupReader,
    i: usize,
    kind: ColumnKind,
    len: usize,
) -> parquet::errors::Result<Column> {
    fn all<T: DataType>(reader: ColumnReader, len: usize) -> parquet::errors::Result<Vec<T::T>> {
        let mut typed = get_typed_column_reader::<T>(reader);
        let mut values = Vec::with_capacity(len);
        while values.len() < len {
            let before = values.len();
            typed.read_records(len - before, None, None, &mut values)?;
            if values.len() == before {
                return Err(parquet::errors::ParquetError::General(format!(
                    "the column ends after {before} of {len} values"
                )));
            }
        }
        Ok(values)
    }
    let reader = group.get_column_reader(i)?;
    Ok(match kind {
        ColumnKind::Int => Column::Int(all::<Int64Type>(reader, len)?),
        ColumnKind::Float32 => Column::Float32(all::<FloatType>(reader, len)?),
        ColumnKind::Float64 => Column::Float64(all::<DoubleType>(reader, len)?),
        ColumnKind::Bool => Column::Bool(all::<BoolType>(reader, len)?),
        ColumnKind::Text => Column::Text(all::<ByteArrayType>(reader, len)?),
    })
}

impl Column {
    /// The text a record writes for value `k` (`Display`, see [`crate::record`]).
    fn render(&self, k: usize) -> std::result::Result<String, String> {
        Ok(match self {
            Column::Int(v) => v[k].to_string(),
            Column::Float32(v) => v[k].to_string(),
            Column::Float64(v) => v[k].to_string(),
            Column::Bool(v) => v[k].to_string(),
            Column::Text(v) => v[k]
                .as_utf8()
                .map_err(|e| format!("not UTF-8: {e}"))?
                .to_string(),
        })
    }
}
