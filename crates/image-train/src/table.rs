//! The result table of image runs: one typed [`ImageRecord`] per network per epoch (the header is
//! derived from the type; `polarity_reproduce` reads it back with the same type).

use crate::run::{ConditionResult, RunPlan};
use polarity_images::record::kernel_column;
use polarity_images::{ImageRecord, KernelCounts};

/// The columns of the result table for networks with these kernels (parameter paths): the
/// field names of [`ImageRecord`], per-kernel columns in the network's kernel order.
pub fn table_header<K: AsRef<str>>(kernels: &[K]) -> Vec<String> {
    let names: Vec<String> = kernels.iter().map(|k| kernel_column(k.as_ref())).collect();
    ImageRecord::header(&names)
}

/// The result table: one [`ImageRecord`] row per network per epoch. Per-kernel columns are
/// `resets_<kernel>` and `flips_<kernel>` (dots in paths become underscores).
pub fn table(plan: &RunPlan, results: &[ConditionResult]) -> (Vec<String>, Vec<Vec<String>>) {
    let kernels: Vec<String> = results
        .first()
        .map(|r| r.result.kernels.clone())
        .unwrap_or_default();
    let header = table_header(&kernels);
    let names: Vec<String> = kernels.iter().map(|k| kernel_column(k)).collect();
    let network = plan.network.kind().name();
    let mut rows = Vec::new();
    for r in results {
        for e in &r.result.records {
            let record = ImageRecord {
                dataset: plan.dataset.clone(),
                n_train: plan.n_train,
                network: network.to_string(),
                reset: plan.options.reset.method,
                condition: r.condition.to_string(),
                trial: plan.trial,
                epoch: e.epoch,
                train_loss: e.train_loss,
                train_acc: e.train_acc,
                val_loss: e.val_loss,
                val_acc: e.val_acc,
                kernels: KernelCounts {
                    names: names.clone(),
                    resets: e.resets.clone(),
                    flips: e.flips.clone(),
                },
            };
            rows.push(record.row());
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
