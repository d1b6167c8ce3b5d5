//! # polarity-core
//!
//! The framework-free heart of polarity: what a *polarity template* is, how a weight that
//! disagrees with its template is put back (`ResetMethod`), and how seeds are derived so that
//! every random draw is reproducible from an experiment seed and a trial's coordinates.
//!
//! Semantics follow the official code (docs/decisions.md D-RESET-1 to D-RESET-4): a weight violates
//! its template iff `w * t < 0`; template zeros are free; biases are free unless a caller opts them
//! in; the optimiser state is never touched.
//!
//! ```
//! use polarity_core::{PolarityTemplate, ResetMethod, ResetRule, TensorSpec};
//! let mut w = vec![0.3f32, -0.2, 0.1, -0.4];
//! let template = PolarityTemplate::from_weights(
//!     &[(TensorSpec::new("w", vec![2, 2]), &[1.0f32, 1.0, -1.0, -1.0][..])],
//!     "example",
//! );
//! let rule = ResetRule::new(ResetMethod::Zero, 1e-3);
//! let mut rng = polarity_core::seed::rng(7, &[0]);
//! let resets = rule.enforce(&mut w, template.tensor("w").unwrap().signs(), &mut rng).unwrap();
//! assert_eq!(resets, 2);
//! assert_eq!(w, vec![0.3, 0.0, 0.0, -0.4]);
//! ```

pub mod error;
pub mod layer_pattern;
pub mod memory_limit;
pub mod plan;
pub mod reset;
pub mod seed;
pub mod template;
pub mod template_controls;
pub mod template_diff;
pub mod template_file;
pub mod template_from_file;
pub mod template_layout;
pub mod tensors;

pub use error::PolarityError;
pub use layer_pattern::LayerPattern;
pub use memory_limit::MemoryLimit;
pub use plan::{Factor, Plan, PlanError, Speed, Term};
pub use reset::{InitAlignment, ResetMethod, ResetRule};
pub use template::{Excitatory, PolarityTemplate, Provenance, TensorSpec, TensorTemplate};
pub use template_diff::{TemplateDiff, TensorSignDiff};
pub use template_from_file::{FromWeightsOptions, WeightFileInfo};
pub use template_layout::LinearLayout;
pub use tensors::NamedTensors;

/// `np.sign` on an `f32`: -1, 0 or +1 (both zeros give 0). NaN gives 0; callers that must reject
/// NaN check for it first.
#[inline]
pub fn sign_of(w: f32) -> i8 {
    if w > 0.0 {
        1
    } else if w < 0.0 {
        -1
    } else {
        0
    }
}
