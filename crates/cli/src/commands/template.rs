//! `polarity template show|from-weights|diff|random`: make, compare and inspect polarity template
//! files (docs/decisions.md D-TEMPLATE-1 to D-TEMPLATE-5). The work is in polarity-core
//! (templates) and polarity-weights / polarity-models (weight files); this file parses flags,
//! picks the reader for a file and prints.

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use polarity_burn::WeightLayout;
use polarity_core::{
    FromWeightsOptions, LayerPattern, LinearLayout, NamedTensors, PolarityTemplate, TemplateDiff,
    WeightFileInfo,
};
use polarity_models::pretrained::read_tensor_file;
use polarity_weights::checksum::{file_sha256, read_file};
use polarity_weights::{detect_file_format, load_caffe_alexnet_as_stored, WeightFileFormat};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum TemplateCommand {
    /// Print a template file's provenance and, per tensor, its shape and sign counts.
    Show(ShowArgs),
    /// Make a template (np.sign of the weights, exact zeros free) from a weight file.
    FromWeights(FromWeightsArgs),
    /// Per tensor, the flip ratio and the agreement of constrained signs between two templates.
    Diff(DiffArgs),
    /// A control template: random (or, with --shuffle, permuted) signs in another's shapes.
    Random(RandomArgs),
}

#[derive(Args)]
pub struct ShowArgs {
    /// The template file (written by polarity, e.g. a transfer study's polarity.ptpl).
    file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// Linear kernels [in, out] (burn, Keras, polarity's networks).
    Burn,
    /// Linear kernels [out, in] (PyTorch).
    Pytorch,
}

impl From<LayoutArg> for LinearLayout {
    fn from(l: LayoutArg) -> Self {
        match l {
            LayoutArg::Burn => LinearLayout::Burn,
            LayoutArg::Pytorch => LinearLayout::PyTorch,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupedArg {
    /// Block-diagonal full kernels, off-diagonal entries free (the paper).
    ExpandFree,
    /// Keep the 2-group kernels (for a network built with groups = 2).
    Grouped,
}

#[derive(Args)]
pub struct FromWeightsArgs {
    /// The weight file: Caffe AlexNet .npy, torch.save .pth/.pt (zip, legacy or tar), .safetensors, or a burn Burnpack record (.bpk).
    file: PathBuf,
    /// Where to write the template.
    #[arg(long)]
    out: PathBuf,
    /// Tensors to take, as comma-separated globs (* any run, ? one character), any rank
    /// [default: every tensor of rank >= 2, i.e. the kernels].
    #[arg(long)]
    layers: Option<String>,
    /// Layout of the template's Linear (rank-2) kernels; they are transposed if the file's differs.
    #[arg(long, value_enum, default_value = "burn")]
    layout: LayoutArg,
    /// Layout of a safetensors file's Linear kernels [default: pytorch]. .pth files are PyTorch's;
    /// Caffe .npy files are converted to burn's.
    #[arg(long, value_enum)]
    file_layout: Option<LayoutArg>,
    /// Caffe .npy only: how the 2-group layers conv2, conv4, conv5 are mapped [default: expand-free].
    #[arg(long, value_enum)]
    grouped: Option<GroupedArg>,
}

#[derive(Args)]
pub struct DiffArgs {
    /// The first template.
    a: PathBuf,
    /// The second template (same tensor names and shapes).
    b: PathBuf,
}

#[derive(Args)]
pub struct RandomArgs {
    /// The template whose tensors, shapes and free (0) entries the control keeps.
    #[arg(long)]
    like: PathBuf,
    /// Seed; each tensor's stream is derived from it and the tensor's name.
    #[arg(long)]
    seed: u64,
    /// Permute each tensor's signs among its constrained entries instead of drawing new ones.
    #[arg(long)]
    shuffle: bool,
    /// Where to write the control template.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(cmd: TemplateCommand) -> anyhow::Result<()> {
    match cmd {
        TemplateCommand::Show(a) => {
            let t = PolarityTemplate::load(&a.file)?;
            print!("{}", describe(&t));
        }
        TemplateCommand::FromWeights(a) => {
            let (tensors, file) = read_weights(&a)?;
            let options = FromWeightsOptions {
                layers: a.layers.as_deref().map(LayerPattern::parse).transpose()?,
                layout: a.layout.into(),
            };
            let t = PolarityTemplate::from_weight_file(&tensors, &file, &options)
                .with_context(|| format!("weight file '{}'", a.file.display()))?;
            t.save(&a.out)?;
            print!("{}", describe(&t));
            println!("wrote {}", a.out.display());
        }
        TemplateCommand::Diff(a) => {
            let ta = PolarityTemplate::load(&a.a)?;
            let tb = PolarityTemplate::load(&a.b)?;
            let d = ta.diff(&tb, &a.a.display().to_string(), &a.b.display().to_string())?;
            print!("{}", diff_table(&d));
        }
        TemplateCommand::Random(a) => {
            if same_file(&a.like, &a.out) {
                bail!(
                    "--out '{}' is the --like template itself; write the control to another file",
                    a.out.display()
                );
            }
            let like = PolarityTemplate::load(&a.like)?;
            let t = if a.shuffle {
                like.shuffled(a.seed)
            } else {
                like.random_like(a.seed)
            };
            t.save(&a.out)?;
            print!("{}", describe(&t));
            println!("wrote {}", a.out.display());
        }
    }
    Ok(())
}

/// The file's tensors as stored (Caffe: converted to burn's layout) and what the template
/// records about the file. The format comes from the file's first bytes.
fn read_weights(a: &FromWeightsArgs) -> anyhow::Result<(NamedTensors, WeightFileInfo)> {
    let path = &a.file;
    let format = detect_file_format(path)?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    // The reader follows the content; a .safetensors name on other content (or the reverse) is
    // refused as a likely mix-up of files (docs/decisions.md D-TEMPLATE-2).
    if (format == WeightFileFormat::Safetensors) != (extension == "safetensors") {
        bail!(
            "weight file '{}' holds {} but is named .{extension}; name safetensors files .safetensors and others otherwise",
            path.display(),
            format.name()
        );
    }
    if a.grouped.is_some() && format != WeightFileFormat::Npy {
        bail!(
            "--grouped applies to Caffe .npy files; '{}' is {}",
            path.display(),
            format.name()
        );
    }
    if a.file_layout.is_some() && format != WeightFileFormat::Safetensors {
        bail!(
            "--file-layout applies to .safetensors files; '{}' is {} (layout fixed by its format)",
            path.display(),
            format.name()
        );
    }
    let (tensors, layout, format_name, sha256) = match format {
        WeightFileFormat::Npy => {
            let grouped = match a.grouped.unwrap_or(GroupedArg::ExpandFree) {
                GroupedArg::ExpandFree => polarity_weights::GroupedLayers::ExpandFree,
                GroupedArg::Grouped => polarity_weights::GroupedLayers::Grouped,
            };
            let w = load_caffe_alexnet_as_stored(path, grouped)?;
            let name = format!("caffe-npy, {grouped:?}");
            (w.tensors, LinearLayout::Burn, name, w.sha256)
        }
        WeightFileFormat::Burnpack => {
            // A burn record: its Linear kernels are burn's [in, out].
            let sha256 = file_sha256(&read_file(path)?);
            let tensors = read_tensor_file(path, WeightLayout::Burn)?.tensors;
            (
                tensors,
                LinearLayout::Burn,
                format.name().to_string(),
                sha256,
            )
        }
        _ => {
            let layout: LinearLayout = a.file_layout.unwrap_or(LayoutArg::Pytorch).into();
            let stored = match layout {
                LinearLayout::Burn => WeightLayout::Burn,
                LinearLayout::PyTorch => WeightLayout::PyTorch,
            };
            let sha256 = file_sha256(&read_file(path)?);
            let tensors = read_tensor_file(path, stored)?.tensors;
            (tensors, layout, format.name().to_string(), sha256)
        }
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok((
        tensors,
        WeightFileInfo {
            file_name,
            sha256,
            format: format_name,
            layout,
        },
    ))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// A shape without spaces (`[4,3,11,11]`), so that every table column is one word.
fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join(","))
}

/// The text `show` prints.
pub fn describe(t: &PolarityTemplate) -> String {
    let layout = t
        .provenance
        .layout
        .map(|l| format!("{l} (Linear kernels {})", l.axes()))
        .unwrap_or_else(|| "not recorded".into());
    let mut out = format!(
        "source      {}\nsha256      {}\ncreated by  {}\nlayout      {layout}\n{:<28} {:>16} {:>10} {:>10} {:>10}\n",
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
            shape_text(&tensor.spec.shape),
            count(1),
            count(-1),
            count(0)
        ));
    }
    out
}

/// The text `diff` prints: one row per tensor and a total.
pub fn diff_table(d: &TemplateDiff) -> String {
    let mut out = format!(
        "{:<28} {:>16} {:>10} {:>10} {:>10} {:>12} {:>10} {:>10}\n",
        "tensor", "shape", "entries", "flips", "flip ratio", "constrained", "agree", "agree share"
    );
    let total = d.total();
    for t in d.tensors.iter().chain([&total]) {
        out.push_str(&format!(
            "{:<28} {:>16} {:>10} {:>10} {:>10.6} {:>12} {:>10} {:>10}\n",
            t.name,
            if t.shape.is_empty() {
                String::new()
            } else {
                shape_text(&t.shape)
            },
            t.entries,
            t.flips,
            t.flip_ratio(),
            t.both_constrained,
            t.agree,
            t.agree_share()
                .map(|s| format!("{s:.6}"))
                .unwrap_or_else(|| "-".into())
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
        let mut t = PolarityTemplate::from_weights(
            &[(TensorSpec::new("fc.weight", vec![2, 2]), &w[..])],
            "unit test",
        );
        let text = describe(&t);
        assert!(text.contains("weights:unit test"), "{text}");
        assert!(text.contains("layout      not recorded"), "{text}");
        let row = text.lines().find(|l| l.starts_with("fc.weight")).unwrap();
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 3..], ["2", "1", "1"], "{row}");
        t.provenance.layout = Some(LinearLayout::PyTorch);
        assert!(describe(&t).contains("layout      pytorch (Linear kernels [out, in])"));
    }

    #[test]
    fn diff_table_has_a_row_per_tensor_and_a_total() {
        let a = PolarityTemplate::from_weights(
            &[(TensorSpec::new("w", vec![4]), &[1.0f32, -1.0, 0.0, 1.0][..])],
            "a",
        );
        let b = PolarityTemplate::from_weights(
            &[(TensorSpec::new("w", vec![4]), &[1.0f32, 1.0, 1.0, 1.0][..])],
            "b",
        );
        let text = diff_table(&a.diff(&b, "a", "b").unwrap());
        let rows: Vec<Vec<&str>> = text
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(
            rows[0],
            ["w", "[4]", "4", "2", "0.500000", "3", "2", "0.666667"]
        );
        assert_eq!(rows[1], ["all", "4", "2", "0.500000", "3", "2", "0.666667"]);
    }
}
