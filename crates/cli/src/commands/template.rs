//! `polarity template show FILE`: what a polarity template file holds.

use clap::{Args, Subcommand};
use polarity_core::PolarityTemplate;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum TemplateCommand {
    /// Print a template file's provenance and, per tensor, its shape and sign counts.
    Show(ShowArgs),
}

#[derive(Args)]
pub struct ShowArgs {
    /// The template file (written by polarity, e.g. a transfer study's polarity.ptpl).
    file: PathBuf,
}

pub fn run(cmd: TemplateCommand) -> anyhow::Result<()> {
    match cmd {
        TemplateCommand::Show(a) => {
            let t = PolarityTemplate::load(&a.file)?;
            print!("{}", describe(&t));
            Ok(())
        }
    }
}

/// The text `show` prints.
pub fn describe(t: &PolarityTemplate) -> String {
    let mut out = format!(
        "source      {}\nsha256      {}\ncreated by  {}\n{:<28} {:>16} {:>10} {:>10} {:>10}\n",
        t.provenance.source,
        t.provenance.source_sha256,
        t.provenance.created_by,
        "tensor",
        "shape",
        "+1",
        "-1",
        "0 (free)"
    );
    for tensor in &t.tensors {
        let count = |v: i8| tensor.signs().iter().filter(|&&s| s == v).count();
        out.push_str(&format!(
            "{:<28} {:>16} {:>10} {:>10} {:>10}\n",
            tensor.name(),
            format!("{:?}", tensor.spec.shape),
            count(1),
            count(-1),
            count(0)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use polarity_core::TensorSpec;

    #[test]
    fn describes_counts_and_provenance() {
        let w = [1.0f32, -2.0, 0.0, 3.0];
        let t = PolarityTemplate::from_weights(
            &[(TensorSpec::new("fc.weight", vec![2, 2]), &w[..])],
            "unit test",
        );
        let text = describe(&t);
        assert!(text.contains("weights:unit test"), "{text}");
        let row = text.lines().find(|l| l.starts_with("fc.weight")).unwrap();
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 3..], ["2", "1", "1"], "{row}");
    }
}
