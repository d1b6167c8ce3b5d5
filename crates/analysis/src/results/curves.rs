//! Epoch records grouped into per-network curves, keyed by grid cell.
//!
//! Every task maps its typed record to an [`EpochPoint`] (its cell, trial, epoch and the values
//! the analysis reads); [`Curves::from_points`] groups them. The runner writes a network's epochs
//! consecutively and in order, and that order is checked: a gap or a shuffled table is an error,
//! not a silently shorter curve.

use super::ResultsError;
use std::collections::BTreeMap;

/// What the analysis reads from one epoch of one network.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochPoint<C> {
    /// The grid cell: every trial of one condition at one setting.
    pub cell: C,
    pub trial: usize,
    /// 0-based epoch.
    pub epoch: usize,
    pub val_acc: f64,
    pub val_loss: f64,
    /// Sign flips per layer during this epoch, in the table's layer order.
    pub flips: Vec<u64>,
}

/// One network's per-epoch curves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Curve {
    pub trial: usize,
    pub val_acc: Vec<f64>,
    pub val_loss: Vec<f64>,
    /// `flips[k][e]`: sign changes of layer k between the ends of epochs e-1 and e.
    pub flips: Vec<Vec<u64>>,
}

/// All curves of a study, by cell, each cell's curves in the order of the table (trial order).
#[derive(Debug, Clone, PartialEq)]
pub struct Curves<C: Ord> {
    pub cells: BTreeMap<C, Vec<Curve>>,
    /// Names of the layers of [`Curve::flips`].
    pub layers: Vec<String>,
}

impl<C: Ord> Default for Curves<C> {
    fn default() -> Self {
        Self {
            cells: BTreeMap::new(),
            layers: Vec::new(),
        }
    }
}

impl<C: Ord + Clone> Curves<C> {
    /// Groups points (one network's epochs consecutive and in order, as the runner writes them).
    pub fn from_points(
        points: impl IntoIterator<Item = EpochPoint<C>>,
        layers: Vec<String>,
    ) -> Result<Self, ResultsError> {
        let mut cells: BTreeMap<C, Vec<Curve>> = BTreeMap::new();
        for (k, p) in points.into_iter().enumerate() {
            if p.flips.len() != layers.len() {
                return Err(ResultsError::Row {
                    row: k,
                    message: format!(
                        "{} flip counts, expected one per layer ({})",
                        p.flips.len(),
                        layers.len()
                    ),
                });
            }
            let curves = cells.entry(p.cell).or_default();
            if p.epoch == 0 {
                curves.push(Curve {
                    trial: p.trial,
                    flips: vec![Vec::new(); layers.len()],
                    ..Curve::default()
                });
            }
            let curve = match curves.last_mut() {
                Some(c) if c.trial == p.trial && c.val_acc.len() == p.epoch => c,
                _ => {
                    return Err(ResultsError::Row {
                        row: k,
                        message: format!(
                            "epoch {} of trial {} does not follow the previous row of its network",
                            p.epoch, p.trial
                        ),
                    })
                }
            };
            curve.val_acc.push(p.val_acc);
            curve.val_loss.push(p.val_loss);
            for (layer, f) in curve.flips.iter_mut().zip(p.flips) {
                layer.push(f);
            }
        }
        Ok(Self { cells, layers })
    }

    /// The curves of one cell, if present.
    pub fn get(&self, cell: &C) -> Option<&[Curve]> {
        self.cells.get(cell).map(Vec::as_slice)
    }

    /// The distinct values of one coordinate of the cells (e.g. the training sizes), ascending.
    pub fn distinct<T: Ord>(&self, f: impl Fn(&C) -> T) -> Vec<T> {
        let set: std::collections::BTreeSet<T> = self.cells.keys().map(f).collect();
        set.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(cell: u32, trial: usize, epoch: usize, acc: f64) -> EpochPoint<u32> {
        EpochPoint {
            cell,
            trial,
            epoch,
            val_acc: acc,
            val_loss: 1.0 - acc,
            flips: vec![3 * epoch as u64],
        }
    }

    #[test]
    fn groups_points_into_curves_by_cell_and_trial() {
        let points = vec![
            p(10, 0, 0, 0.1),
            p(10, 0, 1, 0.2),
            p(10, 1, 0, 0.3),
            p(10, 1, 1, 0.4),
            p(20, 0, 0, 0.5),
        ];
        let curves = Curves::from_points(points, vec!["conv1".into()]).unwrap();
        let cell = curves.get(&10).unwrap();
        assert_eq!(cell.len(), 2);
        assert_eq!(cell[1].trial, 1);
        assert_eq!(cell[1].val_acc, vec![0.3, 0.4]);
        assert_eq!(cell[0].flips, vec![vec![0, 3]]);
        assert_eq!(curves.distinct(|c| *c), vec![10, 20]);
    }

    #[test]
    fn out_of_order_epochs_and_wrong_layer_counts_are_errors() {
        let e = Curves::from_points(vec![p(1, 0, 1, 0.1)], vec!["a".into()]).unwrap_err();
        assert!(e.to_string().contains("does not follow"), "{e}");
        let e = Curves::from_points(vec![p(1, 0, 0, 0.1), p(1, 1, 1, 0.1)], vec!["a".into()])
            .unwrap_err();
        assert!(e.to_string().contains("row 1"), "{e}");
        let e = Curves::from_points(vec![p(1, 0, 0, 0.1)], vec![]).unwrap_err();
        assert!(e.to_string().contains("one per layer"), "{e}");
    }
}
