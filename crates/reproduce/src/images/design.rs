//! Names, colours and pairings of the six conditions, for the paper's image study (ImageNet as
//! the polarity source) and for the transfer study (a source network trained here).

use polarity_analysis::figures::Rgb;
use polarity_images::conditions::{Condition, PolaritySource};

/// Where transferred polarity and weights come from; only changes the names shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// ImageNet AlexNet (the paper): IN-Polarity, IN-Weight.
    ImageNet,
    /// A source network trained on another task (the transfer study).
    SourceTask,
}

pub const FROZEN_IN_POLARITY: Condition = Condition::new(PolaritySource::InPolarity, true);
pub const FLUID_IN_POLARITY: Condition = Condition::new(PolaritySource::InPolarity, false);
pub const FROZEN_RAND: Condition = Condition::new(PolaritySource::Rand, true);
pub const FLUID_RAND: Condition = Condition::new(PolaritySource::Rand, false);
pub const FROZEN_IN_WEIGHT: Condition = Condition::new(PolaritySource::InWeight, true);
pub const FLUID_IN_WEIGHT: Condition = Condition::new(PolaritySource::InWeight, false);

/// The baseline of every comparison (Fig 3): Frozen IN-Polarity / Frozen transferred polarity.
pub const BASELINE: Condition = FROZEN_IN_POLARITY;

impl Source {
    /// Legend name of `c`.
    pub fn label(self, c: Condition) -> String {
        match self {
            Source::ImageNet => c.paper_name(),
            Source::SourceTask => {
                let state = if c.frozen { "Frozen" } else { "Fluid" };
                match c.source {
                    PolaritySource::Rand => format!("{state} RAND-Polarity"),
                    PolaritySource::InPolarity => format!("{state} transferred polarity"),
                    PolaritySource::InWeight if c.frozen => "Frozen weight transfer".to_string(),
                    PolaritySource::InWeight => "Weight transfer (fine-tuning)".to_string(),
                }
            }
        }
    }
}

/// The paper's Fig 2 colours (IN-Polarity red/orange, RAND green/blue, IN-Weight purple/brown).
pub fn color(c: Condition) -> Rgb {
    match (c.source, c.frozen) {
        (PolaritySource::InPolarity, true) => Rgb::RED,
        (PolaritySource::InPolarity, false) => Rgb::ORANGE,
        (PolaritySource::Rand, true) => Rgb::GREEN,
        (PolaritySource::Rand, false) => Rgb::BLUE,
        (PolaritySource::InWeight, true) => Rgb::PURPLE,
        (PolaritySource::InWeight, false) => Rgb::BROWN,
    }
}

/// Whether trial i of `a` and of `b` start from the same random magnitudes, so that the paired
/// Wilcoxon test applies: RAND and IN-Polarity networks of a trial share the draw (IN-Polarity
/// flips signs only); IN-Weight networks share only each other's start (pretrained values).
pub fn shares_init(a: Condition, b: Condition) -> bool {
    (a.source == PolaritySource::InWeight) == (b.source == PolaritySource::InWeight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_and_names() {
        assert!(shares_init(FROZEN_IN_POLARITY, FLUID_RAND));
        assert!(shares_init(FROZEN_IN_WEIGHT, FLUID_IN_WEIGHT));
        assert!(!shares_init(FROZEN_IN_POLARITY, FLUID_IN_WEIGHT));
        assert_eq!(Source::ImageNet.label(BASELINE), "Frozen IN-Polarity");
        assert_eq!(
            Source::SourceTask.label(FLUID_IN_WEIGHT),
            "Weight transfer (fine-tuning)"
        );
    }
}
