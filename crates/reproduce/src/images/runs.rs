//! A study's table rows read back into per-network curves, by (task, training size, condition):
//! the shared pipeline of `polarity_analysis::results` over the typed [`ImageRecord`].

use polarity_analysis::results::{parse_rows, Curve, Curves, EpochPoint, ResultsError};
use polarity_images::conditions::Condition;
use polarity_images::ImageRecord;

/// One network's per-epoch validation curves and sign flips per kernel
/// (`flips[k][e]`: sign changes of kernel k between the ends of epochs e-1 and e).
pub type Run = Curve;

/// Every trial of one condition at one task and training size.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub task: String,
    pub n_train: usize,
    pub condition: String,
}

/// All runs of a study, each cell's runs in trial order.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    pub curves: Curves<Cell>,
    /// Kernel column names (`conv1`, `fc6`, ...) of the `flips_` columns.
    pub kernels: Vec<String>,
}

impl Runs {
    /// Reads rows with `header` (the image result table). Rows of one network must be
    /// consecutive and in epoch order, as the sweep runner writes them.
    pub fn from_rows(header: &[String], rows: &[Vec<String>]) -> Result<Self, ResultsError> {
        let records: Vec<ImageRecord<f64>> = parse_rows(header, rows)?;
        let kernels: Vec<String> = header
            .iter()
            .filter_map(|h| h.strip_prefix("flips_").map(str::to_string))
            .collect();
        let points = records.into_iter().map(|r| EpochPoint {
            cell: Cell {
                task: r.dataset,
                n_train: r.n_train,
                condition: r.condition,
            },
            trial: r.trial,
            epoch: r.epoch,
            val_acc: r.val_acc,
            val_loss: r.val_loss,
            flips: r.kernels.flips,
        });
        let curves = Curves::from_points(points, kernels.clone())?;
        Ok(Runs { curves, kernels })
    }

    /// The runs of one cell, if present.
    pub fn get(&self, task: &str, n: usize, condition: Condition) -> Option<&[Run]> {
        self.curves.get(&Cell {
            task: task.to_string(),
            n_train: n,
            condition: condition.to_string(),
        })
    }

    /// Training sizes present for `task`, ascending.
    pub fn sizes(&self, task: &str) -> Vec<usize> {
        let mut s: Vec<usize> = self
            .curves
            .cells
            .keys()
            .filter(|c| c.task == task)
            .map(|c| c.n_train)
            .collect();
        s.dedup();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polarity_core::ResetMethod;
    use polarity_images::KernelCounts;

    fn kernels() -> Vec<String> {
        vec!["conv1".into()]
    }

    fn row(n: usize, c: &str, t: usize, e: usize, acc: f32) -> Vec<String> {
        ImageRecord {
            dataset: "t".into(),
            n_train: n,
            network: "small-cnn".into(),
            reset: ResetMethod::PosRand,
            condition: c.into(),
            trial: t,
            epoch: e,
            train_loss: 0.0,
            train_acc: 0.0,
            val_loss: 1.0 - acc,
            val_acc: acc,
            kernels: KernelCounts {
                names: kernels(),
                resets: vec![0],
                flips: vec![3 * e as u64],
            },
        }
        .row()
    }

    #[test]
    fn groups_rows_into_runs_by_cell_and_trial() {
        let rows = vec![
            row(10, "fluid-rand-polarity", 0, 0, 0.1),
            row(10, "fluid-rand-polarity", 0, 1, 0.2),
            row(10, "fluid-rand-polarity", 1, 0, 0.3),
            row(10, "fluid-rand-polarity", 1, 1, 0.4),
            row(20, "fluid-rand-polarity", 0, 0, 0.5),
        ];
        let runs = Runs::from_rows(&ImageRecord::header(&kernels()), &rows).unwrap();
        let c: Condition = "fluid-rand-polarity".parse().unwrap();
        let cell = runs.get("t", 10, c).unwrap();
        assert_eq!(cell.len(), 2);
        assert_eq!(cell[1].trial, 1);
        assert_eq!(cell[1].val_acc, vec![0.3, 0.4]);
        assert_eq!(cell[0].flips, vec![vec![0, 3]]);
        assert_eq!(runs.sizes("t"), vec![10, 20]);
        assert_eq!(runs.kernels, kernels());
    }

    #[test]
    fn rejects_out_of_order_epochs_and_bad_numbers() {
        let header = ImageRecord::header(&kernels());
        let rows = vec![row(10, "a", 0, 1, 0.1)];
        let e = Runs::from_rows(&header, &rows).unwrap_err().to_string();
        assert!(e.contains("does not follow"), "{e}");
        let mut bad = row(10, "a", 0, 0, 0.1);
        bad[10] = "x".into();
        let e = Runs::from_rows(&header, &[bad]).unwrap_err().to_string();
        assert!(e.contains("row 0") && e.contains("val_acc"), "{e}");
    }
}
