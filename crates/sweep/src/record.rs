//! Typed records <-> CSV rows, through serde: a task declares its result row as a struct and the
//! table's header is derived from it.
//!
//! Writing: [`to_fields`] serialises a record into `(column, text)` pairs, so the header is the
//! record type's field names (a `#[serde(flatten)]` map contributes one column per key, which is
//! how per-layer columns such as `flips_conv1` are named). Numbers are formatted with `Display`
//! (`1` for `1.0f32`, shortest round-trip otherwise), exactly as the tables have always been
//! written, so results stay byte-identical across the change to typed records.
//!
//! Reading: [`parse_rows`] deserialises rows by header name with the `csv` crate.

use serde::de::DeserializeOwned;
use serde::ser::{self, Serialize};
use serde::{Deserialize, Serialize as SerializeDerive};
use std::fmt::Display;

/// The `(column, text)` pairs of one record, in field order.
pub fn to_fields<T: Serialize>(record: &T) -> Result<Vec<(String, String)>, RecordError> {
    let mut out = Fields::default();
    record.serialize(&mut out)?;
    Ok(out.fields)
}

/// The type of one column, from the Rust type of its field: what a typed table (Parquet) stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SerializeDerive, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Any integer field (stored as a signed 64-bit integer).
    Int,
    /// An `f32` field (stored as a 32-bit float, so the table holds the recorded value exactly).
    Float32,
    /// An `f64` field.
    Float64,
    Bool,
    /// Strings, chars, unit enum variants and anything else written as text.
    Text,
}

/// The column kinds of a record type, in header order (see [`ColumnKind`]).
pub fn kinds_of<T: Serialize>(record: &T) -> Result<Vec<ColumnKind>, RecordError> {
    let mut out = Fields::default();
    record.serialize(&mut out)?;
    Ok(out.kinds)
}

/// The header a record type writes (its field names; flattened map keys included).
pub fn header_of<T: Serialize>(record: &T) -> Result<Vec<String>, RecordError> {
    Ok(to_fields(record)?.into_iter().map(|(k, _)| k).collect())
}

/// One CSV row (the values of [`to_fields`]).
pub fn row_of<T: Serialize>(record: &T) -> Result<Vec<String>, RecordError> {
    Ok(to_fields(record)?.into_iter().map(|(_, v)| v).collect())
}

/// Deserialises `rows` (with `header`) into records; the error names the row and the problem.
pub fn parse_rows<T: DeserializeOwned>(
    header: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<T>, RecordError> {
    let header_record = csv::StringRecord::from(header.to_vec());
    rows.iter()
        .enumerate()
        .map(|(k, row)| {
            if row.len() != header.len() {
                return Err(RecordError::Row {
                    row: k,
                    message: format!("{} fields, expected {}", row.len(), header.len()),
                });
            }
            csv::StringRecord::from(row.clone())
                .deserialize(Some(&header_record))
                .map_err(|e| RecordError::Row {
                    row: k,
                    message: describe(&e, header, row),
                })
        })
        .collect()
}

/// Errors of writing or reading typed records.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A table row that cannot be read (0-based data row, without the header).
    #[error("row {row}: {message}")]
    Row { row: usize, message: String },
    /// A record type that cannot be written as one CSV row.
    #[error("result record: {0}")]
    Record(String),
}

/// Names the column and the value a deserialisation error is about, where csv knows it.
fn describe(e: &csv::Error, header: &[String], row: &[String]) -> String {
    if let csv::ErrorKind::Deserialize { err, .. } = e.kind() {
        if let Some(i) = err.field().map(|i| i as usize).filter(|&i| i < row.len()) {
            return format!("column '{}': '{}': {}", header[i], row[i], err.kind());
        }
        return err.kind().to_string();
    }
    e.to_string()
}

#[derive(Default)]
struct Fields {
    fields: Vec<(String, String)>,
    /// The kind of each field's value, in the same order.
    kinds: Vec<ColumnKind>,
    /// The column the next scalar belongs to (set by struct fields and map keys).
    key: Option<String>,
    /// Nesting depth: 0 outside the record, 1 inside it; deeper nesting is refused.
    depth: usize,
}

impl Fields {
    fn push(&mut self, value: impl Display) -> Result<(), RecordError> {
        self.push_kind(value, ColumnKind::Text)
    }
    fn push_kind(&mut self, value: impl Display, kind: ColumnKind) -> Result<(), RecordError> {
        let key = self.key.take().ok_or_else(|| {
            RecordError::Record("a record must be a struct of scalar fields".into())
        })?;
        self.fields.push((key, value.to_string()));
        self.kinds.push(kind);
        Ok(())
    }
    fn unsupported(what: &str) -> RecordError {
        RecordError::Record(format!(
            "{what} cannot be a column: records hold scalars, strings and flattened maps"
        ))
    }
}

impl ser::Error for RecordError {
    fn custom<T: Display>(msg: T) -> Self {
        RecordError::Record(msg.to_string())
    }
}

macro_rules! scalars {
    ($($method:ident: $t:ty => $kind:ident),*) => {
        $(fn $method(self, v: $t) -> Result<(), RecordError> {
            self.push_kind(v, ColumnKind::$kind)
        })*
    };
}

impl ser::Serializer for &mut Fields {
    type Ok = ();
    type Error = RecordError;
    type SerializeSeq = ser::Impossible<(), RecordError>;
    type SerializeTuple = ser::Impossible<(), RecordError>;
    type SerializeTupleStruct = ser::Impossible<(), RecordError>;
    type SerializeTupleVariant = ser::Impossible<(), RecordError>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = ser::Impossible<(), RecordError>;

    scalars!(serialize_bool: bool => Bool, serialize_i8: i8 => Int, serialize_i16: i16 => Int,
        serialize_i32: i32 => Int, serialize_i64: i64 => Int, serialize_u8: u8 => Int,
        serialize_u16: u16 => Int, serialize_u32: u32 => Int, serialize_u64: u64 => Int,
        serialize_f32: f32 => Float32, serialize_f64: f64 => Float64, serialize_char: char => Text,
        serialize_str: &str => Text);

    fn serialize_bytes(self, _: &[u8]) -> Result<(), RecordError> {
        Err(Fields::unsupported("bytes"))
    }
    fn serialize_none(self) -> Result<(), RecordError> {
        self.push("")
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<(), RecordError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), RecordError> {
        self.push("")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), RecordError> {
        self.push("")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), RecordError> {
        self.push(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), RecordError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), RecordError> {
        Err(Fields::unsupported("an enum variant with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, RecordError> {
        Err(Fields::unsupported("a sequence"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, RecordError> {
        Err(Fields::unsupported("a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, RecordError> {
        Err(Fields::unsupported("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, RecordError> {
        Err(Fields::unsupported("a tuple variant"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, RecordError> {
        // Only as the record itself or flattened into it (serde flattens through the parent).
        self.enter()
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, RecordError> {
        self.enter()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, RecordError> {
        Err(Fields::unsupported("a struct variant"))
    }
}

impl Fields {
    fn enter(&mut self) -> Result<&mut Self, RecordError> {
        if self.depth > 0 {
            return Err(Fields::unsupported(
                "a nested struct or map (use #[serde(flatten)])",
            ));
        }
        self.depth += 1;
        Ok(self)
    }
}

impl ser::SerializeStruct for &mut Fields {
    type Ok = ();
    type Error = RecordError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), RecordError> {
        self.key = Some(key.to_string());
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), RecordError> {
        self.depth -= 1;
        Ok(())
    }
}

impl ser::SerializeMap for &mut Fields {
    type Ok = ();
    type Error = RecordError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), RecordError> {
        // The key is a scalar: serialise it into a scratch record to get its text.
        let mut scratch = Fields {
            key: Some(String::new()),
            depth: 1,
            ..Fields::default()
        };
        key.serialize(&mut scratch)?;
        self.key = scratch.fields.pop().map(|(_, text)| text);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), RecordError> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), RecordError> {
        self.depth -= 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Rec {
        name: String,
        n: usize,
        loss: f32,
        #[serde(flatten)]
        layers: BTreeMap<String, u64>,
    }

    fn rec(loss: f32) -> Rec {
        Rec {
            name: "posRand".into(),
            n: 60,
            loss,
            layers: [("flips_a".to_string(), 3), ("flips_b".to_string(), 0)].into(),
        }
    }

    #[test]
    fn header_and_row_come_from_the_type_with_display_numbers() {
        let r = rec(1.0);
        assert_eq!(
            header_of(&r).unwrap(),
            ["name", "n", "loss", "flips_a", "flips_b"]
        );
        // Display, not ryu: `1` (not `1.0`), and the f32's shortest text, not the f64 widening.
        assert_eq!(row_of(&r).unwrap(), ["posRand", "60", "1", "3", "0"]);
        assert_eq!(row_of(&rec(0.1)).unwrap()[2], 0.1f32.to_string());
        use ColumnKind::*;
        assert_eq!(kinds_of(&r).unwrap(), [Text, Int, Float32, Int, Int]);
        assert_eq!(row_of(&rec(1e-7)).unwrap()[2], "0.0000001");
    }

    #[test]
    fn rows_read_back_into_equal_records() {
        let records = vec![rec(0.25), rec(0.2345678)];
        let header = header_of(&records[0]).unwrap();
        let rows: Vec<Vec<String>> = records.iter().map(|r| row_of(r).unwrap()).collect();
        let back: Vec<Rec> = parse_rows(&header, &rows).unwrap();
        assert_eq!(back, records);
    }

    #[test]
    fn bad_rows_are_named() {
        let header = header_of(&rec(0.5)).unwrap();
        let mut row = row_of(&rec(0.5)).unwrap();
        row[1] = "many".into();
        let e = parse_rows::<Rec>(&header, &[row.clone(), row]).unwrap_err();
        let e = e.to_string();
        assert!(
            e.contains("row 0") && e.contains("'n'") && e.contains("'many'"),
            "{e}"
        );
        let e = parse_rows::<Rec>(&header, &[vec!["x".into()]]).unwrap_err();
        assert!(e.to_string().contains("1 fields, expected 5"), "{e}");
    }

    #[test]
    fn nested_values_are_refused() {
        #[derive(Serialize)]
        struct Bad {
            v: Vec<u32>,
        }
        assert!(to_fields(&Bad { v: vec![1] }).is_err());
    }
}
