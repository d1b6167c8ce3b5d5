//! `polarity theory ...` (placeholder wiring; filled in by the theory work).
use clap::Args;

#[derive(Args)]
pub struct TheoryArgs {}

pub fn run(_args: TheoryArgs) -> anyhow::Result<()> {
    anyhow::bail!("the theory command is not implemented yet")
}
