//! The linear program behind the oracle.
//!
//! By positive homogeneity of ReLU, v·ReLU(w·x + b) = sign(v)·ReLU(|v|w·x + |v|b), so each unit's
//! output magnitude folds into its input weights and only its output *sign* stays. Once every
//! unit's activation pattern (which points it is active on) is fixed, the logit at each point is
//! linear in the remaining weights, and "these signs classify every point with a positive margin"
//! is a linear feasibility question. Weight signs are taken closed (≥ 0 / ≤ 0): a solution with a
//! positive margin survives a small enough perturbation that makes every sign strict, and the
//! oracle checks the perturbed network exactly (see [`crate::oracle`]).
//!
//! Because the margin is positively homogeneous in the weights, the LP maximises the margin t
//! under the normalisation Σ_j (|w1j| + |w2j|) ≤ 1. Biases are boxed without loss of generality:
//! a unit with |b| > R·(|w1| + |w2|) (R = largest coordinate magnitude) is constant in sign on the
//! region, so its bias can be moved to ±R·(|w1| + |w2|) and the difference absorbed by the output
//! bias; then |logit − out_bias| ≤ 2R, so |out_bias| ≤ 2R whenever the margin is positive.

use crate::classes::SignClass;
use crate::error::TheoryError;
use crate::exact::Prob;
use crate::net::{Network, Unit};
use crate::region::{LabelledPoint, Region};
use microlp::{ComparisonOp, OptimizationDirection, Problem};
use num_traits::ToPrimitive;

/// Points to classify, and how their activations are tied together.
#[derive(Debug, Clone)]
pub struct Geometry {
    /// Points that must be classified with the margin.
    pub points: Vec<LabelledPoint>,
    /// The activation group of each point: a unit is active on all points of a group or none.
    pub group_of: Vec<usize>,
    /// A representative location per group, for the order that makes patterns up-closed.
    pub group_reps: Vec<(Prob, Prob)>,
    /// Largest coordinate magnitude among the points.
    pub radius: Prob,
}

impl Geometry {
    /// The four cell centres, each its own activation group: exact for the centres.
    pub fn centres() -> Self {
        let points = Region::Centres.points();
        let group_reps = points
            .iter()
            .map(|p| (p.x1.clone(), p.x2.clone()))
            .collect();
        Geometry {
            group_of: (0..points.len()).collect(),
            points,
            group_reps,
            radius: Region::Centres.radius(),
        }
    }

    /// The 16 cell corners, each its own activation group. Any network correct on the whole cells
    /// is correct on their corners, so infeasibility here proves infeasibility on the cells.
    pub fn cell_corners() -> Self {
        let points = corner_points();
        let group_reps = points
            .iter()
            .map(|p| (p.x1.clone(), p.x2.clone()))
            .collect();
        Geometry {
            group_of: (0..points.len()).collect(),
            points,
            group_reps,
            radius: Region::Cells.radius(),
        }
    }

    /// The 16 cell corners with one activation group per cell: units never cut a cell, so the
    /// logit is affine on each cell and its corners decide the whole cell. Feasibility here proves
    /// feasibility on the cells (the converse need not hold).
    pub fn uncut_cells() -> Self {
        let cells = Region::Cells.cells();
        Geometry {
            points: corner_points(),
            group_of: (0..16).map(|i| i / 4).collect(),
            group_reps: cells.iter().map(|c| c.centre()).collect(),
            radius: Region::Cells.radius(),
        }
    }

    /// Number of activation groups.
    pub fn num_groups(&self) -> usize {
        self.group_reps.len()
    }

    /// All activation patterns (masks over groups, nonempty) a unit of `class` can have: its
    /// pre-activation is monotone along the orthant of its input-weight signs, so the set of
    /// groups where it is non-negative is closed upwards in that order.
    pub fn patterns(&self, class: SignClass) -> Vec<u32> {
        let groups = self.num_groups();
        assert!(groups <= 16, "at most 16 activation groups");
        let above = |g: usize, h: usize| {
            // Whether group h lies above group g in the class's orthant order.
            let (a, b) = (&self.group_reps[g], &self.group_reps[h]);
            let up1 = if class.w1() > 0 {
                b.0 >= a.0
            } else {
                b.0 <= a.0
            };
            let up2 = if class.w2() > 0 {
                b.1 >= a.1
            } else {
                b.1 <= a.1
            };
            up1 && up2
        };
        let mut successors = vec![0u32; groups];
        for (g, succ) in successors.iter_mut().enumerate() {
            for h in 0..groups {
                if above(g, h) {
                    *succ |= 1 << h;
                }
            }
        }
        (1..(1u32 << groups))
            .filter(|&mask| (0..groups).all(|g| mask & (1 << g) == 0 || successors[g] & !mask == 0))
            .collect()
    }
}

fn corner_points() -> Vec<LabelledPoint> {
    Region::Cells
        .cells()
        .into_iter()
        .flat_map(|cell| {
            cell.corners()
                .into_iter()
                .map(move |(x1, x2)| LabelledPoint {
                    x1,
                    x2,
                    label: cell.label,
                })
        })
        .collect()
}

/// One unit of the LP: its sign class and its activation pattern (mask over groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitSpec {
    pub class: SignClass,
    pub pattern: u32,
}

/// The LP's answer: the largest normalised margin and the weights reaching it.
#[derive(Debug, Clone)]
pub struct MaxMargin {
    /// The optimal margin t* (0 when no positive margin exists).
    pub margin: f64,
    /// The optimal weights as an exact network (closed signs; some weights may be zero).
    pub network: Network,
}

/// Maximises the margin over networks with the given units (classes and activation patterns).
pub fn max_margin(geometry: &Geometry, units: &[UnitSpec]) -> Result<MaxMargin, TheoryError> {
    let radius = geometry.radius.to_f64().expect("finite radius");
    let coords: Vec<(f64, f64)> = geometry
        .points
        .iter()
        .map(|p| (p.x1.to_f64().unwrap(), p.x2.to_f64().unwrap()))
        .collect();
    let mut lp = Problem::new(OptimizationDirection::Maximize);
    let margin = lp.add_var(1.0, (0.0, 1.0));
    let out_bias = lp.add_var(0.0, (-2.0 * radius - 1.0, 2.0 * radius + 1.0));
    // Per unit: magnitudes a = |w1|, b = |w2| and the bias.
    let vars: Vec<_> = units
        .iter()
        .map(|_| {
            (
                lp.add_var(0.0, (0.0, f64::INFINITY)),
                lp.add_var(0.0, (0.0, f64::INFINITY)),
                lp.add_var(0.0, (-radius, radius)),
            )
        })
        .collect();
    let norm: Vec<_> = vars
        .iter()
        .flat_map(|&(a, b, _)| [(a, 1.0), (b, 1.0)])
        .collect();
    if !norm.is_empty() {
        lp.add_constraint(norm.as_slice(), ComparisonOp::Le, 1.0);
    }
    for &(a, b, bias) in &vars {
        lp.add_constraint(
            [(bias, 1.0), (a, -radius), (b, -radius)],
            ComparisonOp::Le,
            0.0,
        );
        lp.add_constraint(
            [(bias, -1.0), (a, -radius), (b, -radius)],
            ComparisonOp::Le,
            0.0,
        );
    }
    // Pre-activation of unit j at point p as LP terms.
    let pre = |j: usize, p: usize| {
        let (a, b, bias) = vars[j];
        let class = units[j].class;
        let (x1, x2) = coords[p];
        [
            (a, f64::from(class.w1()) * x1),
            (b, f64::from(class.w2()) * x2),
            (bias, 1.0),
        ]
    };
    for (j, unit) in units.iter().enumerate() {
        for (p, &group) in geometry.group_of.iter().enumerate() {
            let active = unit.pattern & (1 << group) != 0;
            let op = if active {
                ComparisonOp::Ge
            } else {
                ComparisonOp::Le
            };
            lp.add_constraint(pre(j, p), op, 0.0);
        }
    }
    for (p, point) in geometry.points.iter().enumerate() {
        let mut terms = vec![(out_bias, 1.0)];
        for (j, unit) in units.iter().enumerate() {
            if unit.pattern & (1 << geometry.group_of[p]) != 0 {
                let out = f64::from(unit.class.out());
                terms.extend(pre(j, p).map(|(v, c)| (v, out * c)));
            }
        }
        // label 1: logit − t ≥ 0; label 0: logit + t ≤ 0.
        if point.label {
            terms.push((margin, -1.0));
            lp.add_constraint(terms.as_slice(), ComparisonOp::Ge, 0.0);
        } else {
            terms.push((margin, 1.0));
            lp.add_constraint(terms.as_slice(), ComparisonOp::Le, 0.0);
        }
    }
    // t = 0 with all weights zero is always feasible, so the LP is feasible and bounded.
    let solution = lp
        .solve()
        .map_err(|e| TheoryError::Lp(e.to_string()))?
        .into_solution()
        .map_err(|_| TheoryError::LpInterrupted)?;
    let exact = |x: f64| Prob::from_float(x).expect("finite LP value");
    let network = Network {
        units: units
            .iter()
            .zip(&vars)
            .map(|(unit, &(a, b, bias))| Unit {
                w1: exact(f64::from(unit.class.w1()) * solution.var_value(a)),
                w2: exact(f64::from(unit.class.w2()) * solution.var_value(b)),
                bias: exact(solution.var_value(bias)),
                out: exact(f64::from(unit.class.out())),
            })
            .collect(),
        out_bias: exact(solution.var_value(out_bias)),
    };
    Ok(MaxMargin {
        margin: solution.var_value(margin),
        network,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_closed_patterns_per_class() {
        // Centres: the up-sets of the 2×2 grid minus the empty set: 5 per class.
        let centres = Geometry::centres();
        for class in SignClass::all() {
            assert_eq!(centres.patterns(class).len(), 5, "{class}");
        }
        // 16 corners form a 4×4 grid: C(8, 4) = 70 up-sets, 69 nonempty.
        assert_eq!(
            Geometry::cell_corners()
                .patterns(SignClass::from_index(0))
                .len(),
            69
        );
        assert_eq!(
            Geometry::uncut_cells()
                .patterns(SignClass::from_index(5))
                .len(),
            5
        );
    }

    #[test]
    fn empty_network_has_zero_margin() {
        let result = max_margin(&Geometry::centres(), &[]).unwrap();
        assert_eq!(result.margin, 0.0);
    }
}
