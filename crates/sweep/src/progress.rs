//! Progress: an indicatif bar on a terminal, one line per 10 % otherwise (CI and batch logs).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Progress {
    total: usize,
    done: AtomicUsize,
    bar: Option<ProgressBar>,
    /// Highest tenth already logged (log mode only).
    logged_tenth: AtomicUsize,
    label: String,
}

impl Progress {
    pub fn new(label: String, total: usize, already_done: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64).with_position(already_done as u64);
            let style = ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} units, {elapsed} (eta {eta})",
            )
            .expect("static template")
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(label.clone());
            bar
        });
        // An empty sweep counts as complete: nothing left to log.
        let tenth = (already_done * 10).checked_div(total).unwrap_or(10);
        Progress {
            total,
            done: AtomicUsize::new(already_done),
            bar,
            logged_tenth: AtomicUsize::new(tenth),
            label,
        }
    }

    pub fn unit_finished(&self) {
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
            return;
        }
        let tenth = done * 10 / self.total.max(1);
        if self.logged_tenth.fetch_max(tenth, Ordering::SeqCst) < tenth {
            eprintln!(
                "{}: {}% ({done}/{} units)",
                self.label,
                tenth * 10,
                self.total
            );
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
