//! Exact single-hidden-layer ReLU networks on the two relevant inputs, used as certificates: the
//! oracle's claim "these signs can represent XOR" is accepted only after a concrete network with
//! exactly those strict signs is checked in rational arithmetic.

use crate::classes::SignClass;
use crate::exact::Prob;
use crate::region::{Cell, LabelledPoint};
use num_traits::{Signed, Zero};

/// One hidden unit: z = w1·x1 + w2·x2 + bias, contribution out·ReLU(z).
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub w1: Prob,
    pub w2: Prob,
    pub bias: Prob,
    pub out: Prob,
}

impl Unit {
    /// The pre-activation at (x1, x2).
    pub fn pre_activation(&self, x1: &Prob, x2: &Prob) -> Prob {
        &self.w1 * x1 + &self.w2 * x2 + &self.bias
    }

    /// The sign class of the unit, or `None` if any of its three weights is zero.
    pub fn sign_class(&self) -> Option<SignClass> {
        if self.w1.is_zero() || self.w2.is_zero() || self.out.is_zero() {
            return None;
        }
        Some(SignClass::new(
            self.w1.is_positive(),
            self.w2.is_positive(),
            self.out.is_positive(),
        ))
    }
}

/// The network's logit: out_bias + Σ_j out_j·ReLU(z_j). The sigmoid output predicts label 1 iff
/// the logit is positive.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub units: Vec<Unit>,
    pub out_bias: Prob,
}

impl Network {
    /// The logit at (x1, x2).
    pub fn logit(&self, x1: &Prob, x2: &Prob) -> Prob {
        let mut total = self.out_bias.clone();
        for unit in &self.units {
            let z = unit.pre_activation(x1, x2);
            if z.is_positive() {
                total += &unit.out * z;
            }
        }
        total
    }

    /// The smallest signed margin over `points`: logit for label 1, −logit for label 0.
    pub fn margin_on_points(&self, points: &[LabelledPoint]) -> Prob {
        points
            .iter()
            .map(|p| signed_margin(self.logit(&p.x1, &p.x2), p.label))
            .min()
            .expect("at least one point")
    }

    /// The smallest signed margin over the closed cells, exactly. The logit is piecewise linear,
    /// linear on each face of the arrangement cut by the units' lines, so its extrema over a
    /// closed square lie at a vertex of that arrangement inside the square: a corner, a point
    /// where a unit's line meets an edge, or a point where two units' lines meet. Checking all of
    /// those candidates is exact.
    pub fn margin_on_cells(&self, cells: &[Cell]) -> Prob {
        cells
            .iter()
            .map(|cell| {
                self.arrangement_vertices(cell)
                    .into_iter()
                    .map(|(x1, x2)| signed_margin(self.logit(&x1, &x2), cell.label))
                    .min()
                    .expect("a cell has corners")
            })
            .min()
            .expect("at least one cell")
    }

    fn arrangement_vertices(&self, cell: &Cell) -> Vec<(Prob, Prob)> {
        let inside = |x1: &Prob, x2: &Prob| {
            *x1 >= cell.x1.0 && *x1 <= cell.x1.1 && *x2 >= cell.x2.0 && *x2 <= cell.x2.1
        };
        let mut vertices: Vec<(Prob, Prob)> = cell.corners().to_vec();
        // Lines meeting the four edges.
        for unit in &self.units {
            for x1 in [&cell.x1.0, &cell.x1.1] {
                if !unit.w2.is_zero() {
                    let x2 = -(&unit.w1 * x1 + &unit.bias) / &unit.w2;
                    if inside(x1, &x2) {
                        vertices.push((x1.clone(), x2));
                    }
                }
            }
            for x2 in [&cell.x2.0, &cell.x2.1] {
                if !unit.w1.is_zero() {
                    let x1 = -(&unit.w2 * x2 + &unit.bias) / &unit.w1;
                    if inside(&x1, x2) {
                        vertices.push((x1, x2.clone()));
                    }
                }
            }
        }
        // Pairwise intersections of lines.
        for (i, a) in self.units.iter().enumerate() {
            for b in &self.units[i + 1..] {
                let det = &a.w1 * &b.w2 - &a.w2 * &b.w1;
                if det.is_zero() {
                    continue;
                }
                let x1 = (&a.w2 * &b.bias - &b.w2 * &a.bias) / &det;
                let x2 = (&b.w1 * &a.bias - &a.w1 * &b.bias) / &det;
                if inside(&x1, &x2) {
                    vertices.push((x1, x2));
                }
            }
        }
        vertices
    }
}

fn signed_margin(logit: Prob, label: bool) -> Prob {
    if label {
        logit
    } else {
        -logit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::Region;
    use num_bigint::BigInt;

    fn q(n: i64, d: i64) -> Prob {
        Prob::new(BigInt::from(n), BigInt::from(d))
    }

    fn unit(w1: i64, w2: i64, bias: (i64, i64), out: i64) -> Unit {
        Unit {
            w1: q(w1, 1),
            w2: q(w2, 1),
            bias: q(bias.0, bias.1),
            out: q(out, 1),
        }
    }

    /// f = |a + b| − |a − b| with a = x1 − 1/40, b = x2 − 1/40 (centre of the gap), which equals
    /// 2·sign(ab)·min(|a|, |b|): positive on same-sign cells, at least 2·(1/40) away from zero.
    fn four_unit_xor() -> Network {
        Network {
            units: vec![
                unit(1, 1, (-1, 20), 1),
                unit(-1, -1, (1, 20), 1),
                unit(1, -1, (0, 1), -1),
                unit(-1, 1, (0, 1), -1),
            ],
            out_bias: q(0, 1),
        }
    }

    #[test]
    fn four_unit_network_solves_cells_with_the_predicted_margin() {
        let net = four_unit_xor();
        assert_eq!(net.margin_on_cells(&Region::Cells.cells()), q(1, 20));
        assert_eq!(net.margin_on_points(&Region::Centres.points()), q(21, 20));
    }

    #[test]
    fn cell_margin_sees_minima_between_corners() {
        // |x1 + 1/2| − 1/4 is +1/4 at every corner of the LL cell (x1 = −1 or 0) but −1/4 where
        // the units' lines cross its edges (x1 = −1/2): a corner-only check would accept it.
        let net = Network {
            units: vec![unit(1, 0, (1, 2), 1), unit(-1, 0, (-1, 2), 1)],
            out_bias: q(-1, 4),
        };
        let ll: Vec<Cell> = Region::Cells
            .cells()
            .into_iter()
            .filter(|c| c.label && c.x1.1 <= q(0, 1))
            .collect();
        assert_eq!(ll.len(), 1);
        let corner_min = ll[0]
            .corners()
            .iter()
            .map(|(x1, x2)| net.logit(x1, x2))
            .min()
            .unwrap();
        assert_eq!(corner_min, q(1, 4));
        assert_eq!(net.margin_on_cells(&ll), q(-1, 4));
    }
}
