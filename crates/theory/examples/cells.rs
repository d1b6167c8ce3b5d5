//! Prints the whole-cell table and bounds (slow in a debug build: run with --release).
use polarity_theory::cells::{CellAnswer, CellTable};
use polarity_theory::classes::ClassSet;
use polarity_theory::exact::to_decimal;
fn main() -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    let table = CellTable::compute()?;
    let mut always = 0;
    for set in ClassSet::all() {
        match table.answer(set) {
            CellAnswer::Always => always += 1,
            CellAnswer::MoreUnits {
                sufficient,
                necessary,
            } => {
                println!(
                    "{set}: two of {sufficient:?} suffice; a single one of {necessary:?} fails"
                )
            }
            CellAnswer::Never => {}
        }
    }
    println!("always {always}; computed in {:?}", start.elapsed());
    for n in 1..=30 {
        println!(
            "{n} {} {}",
            to_decimal(&table.lower(n), 6),
            to_decimal(&table.upper(n), 6)
        );
    }
    Ok(())
}
