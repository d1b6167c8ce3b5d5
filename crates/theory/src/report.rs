//! Printing the curves: text table, CSV or JSON, each probability as an exact fraction and a
//! decimal (floats appear only here).

use crate::curves::{CurveRow, XorCurves};
use crate::error::TheoryError;
use crate::exact::{to_decimal, Prob};
use serde_json::json;
use std::fmt;
use std::str::FromStr;

/// Decimal places printed.
pub const DECIMALS: usize = 6;

/// Output format of the theory table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Csv,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Text, Format::Csv, Format::Json];

    /// The name on the command line: `text`, `csv` or `json`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = TheoryError;
    fn from_str(s: &str) -> Result<Format, TheoryError> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| TheoryError::UnknownFormat(s.to_string()))
    }
}

fn fraction(p: &Prob) -> String {
    format!("{}/{}", p.numer(), p.denom())
}

/// The curves of a row: the three main ones, then the whole-cell bounds when computed.
fn columns(row: &CurveRow) -> Vec<(&'static str, &Prob)> {
    let mut out = vec![
        ("theorem_d1", &row.theorem_d1),
        ("lemma_d1", &row.lemma_d1),
        ("truth", &row.truth),
    ];
    if let Some((lower, upper)) = &row.truth_cells {
        out.push(("cells_lower", lower));
        out.push(("cells_upper", upper));
    }
    out
}

/// Renders the curves in `format`.
pub fn render(curves: &XorCurves, format: Format) -> String {
    match format {
        Format::Text => text(curves),
        Format::Csv => csv(curves),
        Format::Json => {
            serde_json::to_string_pretty(&to_json(curves)).expect("serialisable") + "\n"
        }
    }
}

fn text(curves: &XorCurves) -> String {
    let mut out = format!(
        "P(random-polarity ReLU net with n hidden units can represent XOR)\n\
         theorem_d1 = Theorem D.1 as printed (d = {}); lemma_d1 = Lemma D.1's condition \
         (>= 3 distinct compatible relevant classes); truth = exact oracle on the cell centres",
        curves.dims
    );
    let with_cells = curves.rows.iter().any(|r| r.truth_cells.is_some());
    if with_cells {
        out += "; cells_lower/upper = exact bounds for the whole cells";
    }
    out += "\n\n";
    let Some(first_row) = curves.rows.first() else {
        return out;
    };
    let names: Vec<&str> = columns(first_row).iter().map(|(name, _)| *name).collect();
    out += &format!("{:>3}", "n");
    for name in &names {
        out += &format!(" {name:>11}");
    }
    out += &format!("  exact fractions ({})\n", names.join("; "));
    for row in &curves.rows {
        let cols = columns(row);
        out += &format!("{:>3}", row.units);
        for (_, p) in &cols {
            out += &format!(" {:>11}", to_decimal(p, DECIMALS));
        }
        let fractions: Vec<String> = cols.iter().map(|(_, p)| fraction(p)).collect();
        out += &format!("  {}\n", fractions.join("; "));
    }
    let first = curves.first_above();
    let show = |n: Option<u32>| n.map_or("not within the table".to_string(), |n| n.to_string());
    out += &format!(
        "\nsmallest n with P > 0.99: theorem_d1 {}, lemma_d1 {}, truth {}",
        show(first.theorem_d1),
        show(first.lemma_d1),
        show(first.truth)
    );
    if with_cells {
        out += &format!(", cells {}", show(first.truth_cells));
    }
    out.push('\n');
    out
}

fn csv(curves: &XorCurves) -> String {
    let mut out = String::from("units,dims");
    if let Some(first_row) = curves.rows.first() {
        for (name, _) in columns(first_row) {
            out += &format!(",{name},{name}_fraction");
        }
    }
    out.push('\n');
    for row in &curves.rows {
        out += &format!("{},{}", row.units, curves.dims);
        for (_, p) in columns(row) {
            out += &format!(",{},{}", to_decimal(p, DECIMALS), fraction(p));
        }
        out.push('\n');
    }
    out
}

/// The curves as JSON: per row the decimal (as a string, to keep the printed digits) and the exact
/// fraction of each curve; plus the smallest n above 0.99 per curve.
pub fn to_json(curves: &XorCurves) -> serde_json::Value {
    let rows: Vec<_> = curves
        .rows
        .iter()
        .map(|row| {
            let mut entry = serde_json::Map::new();
            entry.insert("units".into(), json!(row.units));
            for (name, p) in columns(row) {
                entry.insert(
                    name.into(),
                    json!({ "decimal": to_decimal(p, DECIMALS), "fraction": fraction(p) }),
                );
            }
            serde_json::Value::Object(entry)
        })
        .collect();
    let mut first_above = serde_json::to_value(curves.first_above()).expect("serialisable");
    if curves.rows.iter().all(|r| r.truth_cells.is_none()) {
        // Not computed (rather than never above the threshold).
        first_above.as_object_mut().map(|m| m.remove("truth_cells"));
    }
    json!({
        "dims": curves.dims,
        "threshold": "0.99",
        "first_above_threshold": first_above,
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn format_names_round_trip_and_unknown_names_are_refused() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>().unwrap(), format);
        }
        let err = "xml".parse::<Format>().unwrap_err().to_string();
        assert!(
            err.contains("'xml'") && err.contains("text, csv or json"),
            "{err}"
        );
    }
}
