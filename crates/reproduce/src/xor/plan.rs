//! The XOR grids of the paper (Fig 1, Fig 4, Supp B.1), in two semantics, and their quick versions.

use polarity_core::{InitAlignment, ResetMethod};
use polarity_xor::data::PAPER_TRAIN_SIZES;
use polarity_xor::{Condition, DataSource, Pairing, XorConfig};

/// How frozen networks and their fluid partners start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Semantics {
    /// The official XOR code: fluid partners are independent draws; frozen nets are aligned at
    /// init with the run's reset method (posRand). Comparable with the paper's numbers.
    Official,
    /// The cleaner design: one draw per trial shared by all conditions (Fluid and Frozen RAND
    /// start identical), frozen nets aligned by flipping signs (magnitudes kept).
    Clean,
}

impl Semantics {
    pub fn name(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::Clean => "clean",
        }
    }
    pub fn describe(self) -> &'static str {
        match self {
            Self::Official => {
                "official XOR code: independent fluid draws, posRand alignment at init"
            }
            Self::Clean => {
                "clean design: identical initial weights, magnitude-preserving flip alignment"
            }
        }
    }
    fn apply(self, cfg: &mut XorConfig) {
        let (pairing, alignment) = match self {
            Self::Official => (Pairing::Independent, InitAlignment::ResetMethod),
            Self::Clean => (Pairing::Identical, InitAlignment::Flip),
        };
        cfg.pairing = pairing;
        cfg.alignment = alignment;
    }
}

/// Hidden sizes of Fig 4: 2..29, 30, 32.
pub fn fig4_hidden() -> Vec<usize> {
    (2..=30).chain([32]).collect()
}

/// One named grid of the reproduction.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Folder name under `runs/`.
    pub name: String,
    pub semantics: Semantics,
    pub config: XorConfig,
}

/// The grids `reproduce xor` runs.
pub fn grids(quick: bool, seed: u64) -> Vec<Grid> {
    let conditions = vec![
        Condition::FrozenSufficient,
        Condition::FrozenRand,
        Condition::Fluid,
    ];
    let base = XorConfig {
        seed,
        conditions,
        ..XorConfig::default()
    };
    let (trials, sizes, fig4_hidden, fig4_sizes) = if quick {
        (
            10,
            vec![20, 40, 60, 72, 80, 92, 100, 500],
            vec![2, 3, 5, 10, 15, 20, 30],
            vec![60, 100, 500],
        )
    } else {
        (
            50,
            PAPER_TRAIN_SIZES.to_vec(),
            fig4_hidden(),
            PAPER_TRAIN_SIZES.to_vec(),
        )
    };
    let fig1 = XorConfig {
        trials,
        hidden: vec![64],
        train_sizes: sizes.clone(),
        ..base.clone()
    };
    let fig4 = XorConfig {
        trials,
        hidden: fig4_hidden,
        train_sizes: fig4_sizes,
        ..base.clone()
    };
    let b1 = XorConfig {
        trials: if quick { 5 } else { 20 },
        hidden: vec![64],
        train_sizes: if quick { vec![40, 60, 100, 500] } else { sizes },
        reset_methods: ResetMethod::ALL.to_vec(),
        ..base
    };
    let mut out = Vec::new();
    for semantics in [Semantics::Official, Semantics::Clean] {
        for (name, cfg) in [("fig1", &fig1), ("fig4", &fig4)] {
            let mut config = cfg.clone();
            semantics.apply(&mut config);
            out.push(Grid {
                name: format!("{name}-{}", semantics.name()),
                semantics,
                config,
            });
        }
    }
    let mut config = b1;
    Semantics::Official.apply(&mut config);
    out.push(Grid {
        name: "suppB1-official".into(),
        semantics: Semantics::Official,
        config,
    });
    out
}

/// Default number of data draws (draw 0, the main grids' data, included): 3 for the quick preset
/// (its Fig-1 grid takes 6-10 s a draw on a shared 2-vCPU machine), 20 for the paper's
/// (docs/decisions.md D-CLAIM-7).
pub fn default_data_draws(quick: bool) -> usize {
    if quick {
        3
    } else {
        20
    }
}

/// The grids of data draw `draw` (>= 1): the official Fig-1 grid, or with `full` every grid, on
/// the generator's draw `draw` (its data depends only on the seed and `draw`), each under
/// `runs/draw-{draw}/` with the main grid's folder name, so draws resume and shard like any grid.
pub fn draw_grids(quick: bool, seed: u64, draw: u64, full: bool) -> Vec<Grid> {
    grids(quick, seed)
        .into_iter()
        .filter(|g| full || g.name == "fig1-official")
        .map(|mut g| {
            g.config.data = DataSource::Drawn { draw };
            g.name = format!("draw-{draw}/{}", g.name);
            g
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draw_grids_differ_from_the_main_grid_only_in_their_data() {
        let main = grids(true, 7);
        let fig1 = main.iter().find(|g| g.name == "fig1-official").unwrap();
        let d = draw_grids(true, 7, 3, false);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].name, "draw-3/fig1-official");
        assert_eq!(d[0].config.data, DataSource::Drawn { draw: 3 });
        let mut same = d[0].config.clone();
        same.data = fig1.config.data.clone();
        assert_eq!(format!("{same:?}"), format!("{:?}", fig1.config));
        assert_eq!(fig1.config.data, DataSource::Drawn { draw: 0 });
        let full = draw_grids(true, 7, 2, true);
        assert_eq!(full.len(), main.len());
        assert!(full.iter().all(|g| g.name.starts_with("draw-2/")));
    }
}
