//! The result table of image runs: one row per network per epoch, with the XOR runner's
//! conventions.

use crate::run::{ConditionResult, RunPlan};

/// The columns of the result table for networks with these kernels (parameter paths).
pub fn table_header<K: AsRef<str>>(kernels: &[K]) -> Vec<String> {
    let mut header: Vec<String> = [
        "dataset",
        "n_train",
        "network",
        "reset",
        "condition",
        "trial",
        "epoch",
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
    ]
    .map(String::from)
    .to_vec();
    let col = |k: &K| k.as_ref().trim_end_matches(".weight").replace('.', "_");
    header.extend(kernels.iter().map(|k| format!("resets_{}", col(k))));
    header.extend(kernels.iter().map(|k| format!("flips_{}", col(k))));
    header
}

/// The result table: one row per network per epoch. Per-kernel columns are
/// `resets_<kernel>` and `flips_<kernel>` (dots in paths become underscores).
pub fn table(plan: &RunPlan, results: &[ConditionResult]) -> (Vec<String>, Vec<Vec<String>>) {
    let kernels: Vec<String> = results
        .first()
        .map(|r| r.result.kernels.clone())
        .unwrap_or_default();
    let header = table_header(&kernels);
    let network = plan.network.kind().name();
    let mut rows = Vec::new();
    for r in results {
        for e in &r.result.records {
            let mut row = vec![
                plan.dataset.clone(),
                plan.n_train.to_string(),
                network.to_string(),
                plan.options.reset.method.to_string(),
                r.condition.to_string(),
                plan.trial.to_string(),
                e.epoch.to_string(),
                e.train_loss.to_string(),
                e.train_acc.to_string(),
                e.val_loss.to_string(),
                e.val_acc.to_string(),
            ];
            row.extend(e.resets.iter().map(u64::to_string));
            row.extend(e.flips.iter().map(u64::to_string));
            rows.push(row);
        }
    }
    (header, rows)
}

/// The table as CSV text.
pub fn to_csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s
}
