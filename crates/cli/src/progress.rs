//! Sweep progress on the terminal: an indicatif bar when stderr is a terminal, otherwise one line
//! per 10 % (CI and batch logs stay short). The sweep runner reports to this through
//! `polarity_sweep::Progress`; the library itself prints nothing.

use indicatif::{ProgressBar, ProgressStyle};
use polarity_sweep::{Progress, Shard};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The observer every sweeping command passes in `RunOptions::progress`.
pub fn terminal() -> Arc<dyn Progress> {
    Arc::new(TerminalProgress {
        to_terminal: std::io::stderr().is_terminal(),
        run: Mutex::new(None),
    })
}

/// Reusable across sweeps: `start` opens a bar (or a log) for one run, `finish` closes it.
struct TerminalProgress {
    to_terminal: bool,
    run: Mutex<Option<Run>>,
}

struct Run {
    label: String,
    bar: Option<ProgressBar>,
    /// Highest tenth already logged (log mode only).
    logged_tenth: usize,
}

impl TerminalProgress {
    fn run(&self) -> std::sync::MutexGuard<'_, Option<Run>> {
        // A panic while holding the lock only loses progress output.
        self.run
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Progress for TerminalProgress {
    fn start(&self, shard: Option<Shard>, total: usize, done: usize) {
        let label = match shard {
            Some(s) => format!("sweep shard {s}"),
            None => "sweep".to_string(),
        };
        let bar = self.to_terminal.then(|| {
            let bar = ProgressBar::new(total as u64).with_position(done as u64);
            let style = ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} units, {elapsed} (eta {eta})",
            )
            .expect("static template")
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(label.clone());
            bar
        });
        *self.run() = Some(Run {
            label,
            bar,
            logged_tenth: first_tenth(done, total),
        });
    }

    fn unit_finished(&self, done: usize, total: usize) {
        let mut run = self.run();
        let Some(run) = run.as_mut() else { return };
        if let Some(bar) = &run.bar {
            bar.inc(1);
            return;
        }
        if let Some(line) = log_line(&run.label, &mut run.logged_tenth, done, total) {
            eprintln!("{line}");
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.run().take().and_then(|run| run.bar) {
            bar.finish();
        }
    }

    fn torn_tail_dropped(&self, journal: &Path, bytes: u64) {
        eprintln!(
            "sweep: dropped a torn {bytes}-byte tail from {} (a unit interrupted mid-write; it will be rerun)",
            journal.display()
        );
    }
}

/// The tenth already reached when a run starts; an empty sweep counts as complete.
fn first_tenth(done: usize, total: usize) -> usize {
    (done * 10).checked_div(total).unwrap_or(10)
}

/// The line to log when `done` of `total` units are finished, if a new tenth was reached.
fn log_line(label: &str, logged_tenth: &mut usize, done: usize, total: usize) -> Option<String> {
    let tenth = done * 10 / total.max(1);
    if tenth <= *logged_tenth {
        return None;
    }
    *logged_tenth = tenth;
    Some(format!("{label}: {}% ({done}/{total} units)", tenth * 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_one_line_per_tenth_starting_after_resumed_units() {
        let total = 25;
        let mut tenth = first_tenth(5, total);
        let lines: Vec<String> = (6..=total)
            .filter_map(|done| log_line("sweep", &mut tenth, done, total))
            .collect();
        assert_eq!(lines.len(), 8, "{lines:?}");
        assert_eq!(lines[0], "sweep: 30% (8/25 units)");
        assert_eq!(lines.last().unwrap(), "sweep: 100% (25/25 units)");
        assert_eq!(first_tenth(0, 0), 10, "an empty sweep logs nothing");
    }
}
