//! Units of work and grids of them.
//!
//! A unit is an ordered list of named coordinates; its id (`n=60/h=64/trial=3`) is derived from them
//! alone, so it is stable across runs, shards and thread counts. A [`Grid`] is the cartesian product
//! of named axes, declared in code or in TOML.

use crate::error::GridError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One unit of work: what the caller's closure receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    id: String,
    coords: Vec<(String, String)>,
}

/// Characters that would make an id ambiguous or unfit for one CSV field / one log line.
fn check_part(kind: &'static str, text: &str) -> Result<(), GridError> {
    if text.is_empty() {
        return Err(GridError::EmptyPart { kind });
    }
    if let Some(found) = text
        .chars()
        .find(|c| matches!(c, '/' | '=' | ',' | '"') || c.is_control())
    {
        return Err(GridError::BadPart {
            kind,
            text: text.to_string(),
            found,
        });
    }
    Ok(())
}

impl Unit {
    /// A unit from `(name, value)` coordinates, in the order they appear in the id.
    pub fn new<K, V>(coords: impl IntoIterator<Item = (K, V)>) -> Result<Unit, GridError>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let coords: Vec<(String, String)> = coords
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        if coords.is_empty() {
            return Err(GridError::NoCoordinates);
        }
        for (i, (name, value)) in coords.iter().enumerate() {
            check_part("coordinate name", name)?;
            check_part("coordinate value", value).map_err(|e| GridError::Coordinate {
                name: name.clone(),
                source: Box::new(e),
            })?;
            if coords[..i].iter().any(|(earlier, _)| earlier == name) {
                return Err(GridError::DuplicateCoordinate { name: name.clone() });
            }
        }
        let id = coords
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("/");
        Ok(Unit { id, coords })
    }

    /// The stable id, `name=value` pairs joined by `/`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The coordinates in id order.
    pub fn coords(&self) -> &[(String, String)] {
        &self.coords
    }

    /// The raw value of coordinate `name`, if the unit has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.coords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Coordinate `name` parsed as `T`, with an error naming the unit, the coordinate and the value.
    pub fn parse<T>(&self, name: &str) -> Result<T, GridError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        let Some(raw) = self.get(name) else {
            return Err(GridError::MissingCoordinate {
                unit: self.id.clone(),
                name: name.to_string(),
            });
        };
        raw.parse::<T>().map_err(|e| GridError::BadValue {
            unit: self.id.clone(),
            name: name.to_string(),
            raw: raw.to_string(),
            type_name: std::any::type_name::<T>(),
            message: e.to_string(),
        })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// One axis value as written in TOML/JSON; kept typed so a resolved config round-trips.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AxisValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl fmt::Display for AxisValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AxisValue::Bool(b) => write!(f, "{b}"),
            AxisValue::Int(i) => write!(f, "{i}"),
            AxisValue::Float(x) => write!(f, "{x}"),
            AxisValue::Str(s) => f.write_str(s),
        }
    }
}

macro_rules! axis_value_from {
    ($variant:ident: $($t:ty),*) => {
        $(impl From<$t> for AxisValue {
            fn from(value: $t) -> AxisValue {
                AxisValue::$variant(value.into())
            }
        })*
    };
}
axis_value_from!(Int: i8, i16, i32, i64, u8, u16, u32);
axis_value_from!(Float: f64);
axis_value_from!(Bool: bool);
axis_value_from!(Str: &str, String);

// Unsigned values beyond i64 keep their exact digits as text; the unit id is the same either way.
macro_rules! axis_value_from_wide {
    ($($t:ty),*) => {
        $(impl From<$t> for AxisValue {
            fn from(value: $t) -> AxisValue {
                i64::try_from(value).map_or_else(|_| AxisValue::Str(value.to_string()), AxisValue::Int)
            }
        })*
    };
}
axis_value_from_wide!(u64, usize);

/// A named axis of a grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    pub name: String,
    pub values: Vec<AxisValue>,
}

/// Cartesian product of axes; the first axis varies slowest.
///
/// In TOML (embed it in your own config struct, or parse with [`Grid::from_toml_str`]):
/// ```toml
/// [[axis]]
/// name = "n"
/// values = [60, 72]
/// [[axis]]
/// name = "cond"
/// values = ["frozen", "fluid"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    #[serde(default)]
    pub axis: Vec<Axis>,
}

impl Grid {
    pub fn new() -> Grid {
        Grid::default()
    }

    /// Appends an axis (builder style).
    pub fn axis<V: Into<AxisValue>>(
        mut self,
        name: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Grid {
        self.axis.push(Axis {
            name: name.to_string(),
            values: values.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// Parses a grid from TOML text; `source` names the file in errors.
    pub fn from_toml_str(text: &str, source: &str) -> Result<Grid, GridError> {
        let grid: Grid = toml::from_str(text).map_err(|e| GridError::Toml {
            file: source.to_string(),
            source: e,
        })?;
        grid.units().map_err(|e| GridError::Invalid {
            file: source.to_string(),
            source: Box::new(e),
        })?;
        Ok(grid)
    }

    /// All units in canonical order (row-major: last axis fastest).
    pub fn units(&self) -> Result<Vec<Unit>, GridError> {
        if self.axis.is_empty() {
            return Err(GridError::NoAxes);
        }
        for (i, axis) in self.axis.iter().enumerate() {
            let name = || axis.name.clone();
            if axis.values.is_empty() {
                return Err(GridError::EmptyAxis { name: name() });
            }
            if self.axis[..i].iter().any(|a| a.name == axis.name) {
                return Err(GridError::DuplicateAxis { name: name() });
            }
            let texts: Vec<String> = axis.values.iter().map(|v| v.to_string()).collect();
            for (j, t) in texts.iter().enumerate() {
                if texts[..j].contains(t) {
                    return Err(GridError::DuplicateValue {
                        name: name(),
                        value: t.clone(),
                    });
                }
            }
        }
        let mut units = Vec::new();
        let mut index = vec![0usize; self.axis.len()];
        loop {
            let coords = self
                .axis
                .iter()
                .zip(&index)
                .map(|(a, &i)| (a.name.clone(), a.values[i].to_string()));
            units.push(Unit::new(coords)?);
            // Odometer increment, last axis fastest.
            let mut k = self.axis.len();
            loop {
                if k == 0 {
                    return Ok(units);
                }
                k -= 1;
                index[k] += 1;
                if index[k] < self.axis[k].values.len() {
                    break;
                }
                index[k] = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_order_matches_nested_loops() {
        let grid = Grid::new()
            .axis("n", [60, 72])
            .axis("cond", ["frozen", "fluid"])
            .axis("trial", 0..3);
        let ids: Vec<String> = grid
            .units()
            .unwrap()
            .iter()
            .map(|u| u.id().to_string())
            .collect();
        let mut expected = Vec::new();
        for n in [60, 72] {
            for cond in ["frozen", "fluid"] {
                for trial in 0..3 {
                    expected.push(format!("n={n}/cond={cond}/trial={trial}"));
                }
            }
        }
        assert_eq!(ids, expected);
        // Built in code, the grid serialises with typed values, as if written in TOML.
        let text = toml::to_string(&grid).unwrap();
        assert!(
            text.contains("values = [60, 72]") && text.contains("\"frozen\""),
            "{text}"
        );
    }

    #[test]
    fn grid_from_toml_keeps_types_and_order() {
        let text = "[[axis]]\nname = \"h\"\nvalues = [2, 30]\n[[axis]]\nname = \"lr\"\nvalues = [0.001, 0.5]\n\
                    [[axis]]\nname = \"reset\"\nvalues = [\"posRand\", \"zero\"]\n";
        let grid = Grid::from_toml_str(text, "grid.toml").unwrap();
        let ids: Vec<String> = grid
            .units()
            .unwrap()
            .iter()
            .map(|u| u.id().to_string())
            .collect();
        assert_eq!(ids[0], "h=2/lr=0.001/reset=posRand");
        assert_eq!(ids[7], "h=30/lr=0.5/reset=zero");
        assert_eq!(ids.len(), 8);
        let again: Grid = toml::from_str(&toml::to_string(&grid).unwrap()).unwrap();
        assert_eq!(again, grid);
    }

    #[test]
    fn bad_grids_are_refused_with_the_culprit_named() {
        let dup = Grid::new()
            .axis("n", [1, 1])
            .units()
            .unwrap_err()
            .to_string();
        assert!(dup.contains("\"n\"") && dup.contains("twice"), "{dup}");
        let slash = crate::error::chain(&Grid::new().axis("cond", ["a/b"]).units().unwrap_err());
        assert!(
            slash.contains("\"cond\"") && slash.contains("a/b"),
            "{slash}"
        );
        let empty = Grid::new()
            .axis("n", Vec::<u32>::new())
            .units()
            .unwrap_err()
            .to_string();
        assert!(empty.contains("no values"), "{empty}");
        let unknown = crate::error::chain(
            &Grid::from_toml_str("[[axis]]\nname = \"n\"\nvalue = [1]\n", "g.toml").unwrap_err(),
        );
        assert!(
            unknown.contains("g.toml") && unknown.contains("value"),
            "{unknown}"
        );
    }

    #[test]
    fn parse_reports_unit_coordinate_and_value() {
        let unit = Unit::new([("n", "60"), ("h", "x7")]).unwrap();
        assert_eq!(unit.parse::<u32>("n").unwrap(), 60);
        let err = unit.parse::<u32>("h").unwrap_err().to_string();
        assert!(
            err.contains("n=60/h=x7") && err.contains("h=\"x7\""),
            "{err}"
        );
        assert!(unit
            .parse::<u32>("trial")
            .unwrap_err()
            .to_string()
            .contains("no coordinate"));
    }
}
