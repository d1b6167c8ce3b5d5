//! The XOR geometry on the two relevant inputs, from the official data generator (docs/decisions.md
//! D-XOR-DATA-1): the low coordinate range is [−1, 0), the high one [0.05, 1.05), so the four cells
//! are unit squares separated by a 0.05-wide gap; their centres are −1/2 and 11/20. Labels follow
//! docs/decisions.md D-XOR-DATA-2: same-sign cells (both low or both high) are label 1, mixed cells
//! label 0.

use crate::exact::Prob;
use num_bigint::BigInt;

fn q(n: i64, d: i64) -> Prob {
    Prob::new(BigInt::from(n), BigInt::from(d))
}

/// The low and high coordinate ranges of a cell (closed: a positive margin on the half-open cell
/// is the same as on its closure, since the logit is continuous).
fn ranges() -> [(Prob, Prob); 2] {
    [(q(-1, 1), q(0, 1)), (q(1, 20), q(21, 20))]
}

/// A point on the two relevant inputs with its XOR label.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPoint {
    pub x1: Prob,
    pub x2: Prob,
    pub label: bool,
}

/// A closed axis-aligned cell [x1.0, x1.1] × [x2.0, x2.1] with its XOR label.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub x1: (Prob, Prob),
    pub x2: (Prob, Prob),
    pub label: bool,
}

impl Cell {
    /// The four corners.
    pub fn corners(&self) -> [(Prob, Prob); 4] {
        [
            (self.x1.0.clone(), self.x2.0.clone()),
            (self.x1.0.clone(), self.x2.1.clone()),
            (self.x1.1.clone(), self.x2.0.clone()),
            (self.x1.1.clone(), self.x2.1.clone()),
        ]
    }

    /// The centre.
    pub fn centre(&self) -> (Prob, Prob) {
        let two = q(2, 1);
        (
            (&self.x1.0 + &self.x1.1) / &two,
            (&self.x2.0 + &self.x2.1) / &two,
        )
    }
}

/// Where the oracle requires correct classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Region {
    /// The four cell centres (±: −1/2 and 11/20).
    Centres,
    /// The four whole (closed) unit-square cells.
    Cells,
}

impl Region {
    /// The four cells in the order LL, LH, HL, HH (first coordinate, second coordinate).
    pub fn cells(self) -> Vec<Cell> {
        let [low, high] = ranges();
        let mut cells = Vec::with_capacity(4);
        for (x1, x1_high) in [(&low, false), (&high, true)] {
            for (x2, x2_high) in [(&low, false), (&high, true)] {
                cells.push(Cell {
                    x1: x1.clone(),
                    x2: x2.clone(),
                    label: x1_high == x2_high,
                });
            }
        }
        cells
    }

    /// The four cell centres with their labels, in the order of [`Region::cells`].
    pub fn points(self) -> Vec<LabelledPoint> {
        self.cells()
            .into_iter()
            .map(|cell| {
                let (x1, x2) = cell.centre();
                LabelledPoint {
                    x1,
                    x2,
                    label: cell.label,
                }
            })
            .collect()
    }

    /// The largest coordinate magnitude in the region (bounds |w·x| by R·(|w1| + |w2|)).
    pub fn radius(self) -> Prob {
        q(21, 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centres_and_labels_follow_the_official_generator() {
        let points = Region::Centres.points();
        let expected = [
            (q(-1, 2), q(-1, 2), true),
            (q(-1, 2), q(11, 20), false),
            (q(11, 20), q(-1, 2), false),
            (q(11, 20), q(11, 20), true),
        ];
        assert_eq!(points.len(), 4);
        for (p, (x1, x2, label)) in points.iter().zip(expected) {
            assert_eq!((&p.x1, &p.x2, p.label), (&x1, &x2, label));
        }
    }
}
