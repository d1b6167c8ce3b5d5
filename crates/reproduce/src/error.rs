//! The error of a reproduction: which step failed, with the underlying error as its source (the
//! binary prints the whole chain).

use std::error::Error as StdError;

/// A boxed error of any of the crates a reproduction drives (sweep, data, training, figures).
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum ReproduceError {
    /// A step failed; `source` says why.
    #[error("{context}")]
    Step {
        context: String,
        #[source]
        source: BoxError,
    },
    /// An option or an input that cannot be used, with what was expected.
    #[error("{0}")]
    Invalid(String),
}

/// `Result::context` for any error type: names the step that failed.
pub trait Context<T> {
    fn context(self, context: impl Into<String>) -> Result<T, ReproduceError>;
    fn with_context<S: Into<String>>(self, f: impl FnOnce() -> S) -> Result<T, ReproduceError>;
}

impl<T, E: Into<BoxError>> Context<T> for Result<T, E> {
    fn context(self, context: impl Into<String>) -> Result<T, ReproduceError> {
        self.map_err(|e| ReproduceError::Step {
            context: context.into(),
            source: e.into(),
        })
    }
    fn with_context<S: Into<String>>(self, f: impl FnOnce() -> S) -> Result<T, ReproduceError> {
        self.map_err(|e| ReproduceError::Step {
            context: f().into(),
            source: e.into(),
        })
    }
}

/// Errors that `?` converts, each named by what the step was doing.
macro_rules! step_errors {
    ($($t:ty => $what:expr),* $(,)?) => {
        $(impl From<$t> for ReproduceError {
            fn from(e: $t) -> Self {
                ReproduceError::Step { context: $what.into(), source: Box::new(e) }
            }
        })*
    };
}

step_errors!(
    std::io::Error => "file system",
    polarity_analysis::report::ReportError => "writing the report",
    polarity_analysis::figures::FigureError => "drawing a figure",
    polarity_analysis::results::ResultsError => "reading a results table",
    serde_json::Error => "JSON",
    std::array::TryFromSliceError => "reading a fixed-size field",
    polarity_core::PolarityError => "polarity template",
    polarity_sweep::SweepError => "running the sweep",
    polarity_sweep::GridError => "describing the sweep",
    polarity_sweep::ShardError => "choosing the shard",
    polarity_images::DataError => "image data",
    polarity_images::conditions::ConditionError => "starting a condition",
    polarity_models::Error => "the network",
    polarity_image_train::Error => "training",
);

impl<T> Context<T> for Option<T> {
    fn context(self, context: impl Into<String>) -> Result<T, ReproduceError> {
        self.ok_or_else(|| ReproduceError::Invalid(context.into()))
    }
    fn with_context<S: Into<String>>(self, f: impl FnOnce() -> S) -> Result<T, ReproduceError> {
        self.ok_or_else(|| ReproduceError::Invalid(f().into()))
    }
}

pub type Result<T, E = ReproduceError> = std::result::Result<T, E>;

/// `ensure!(condition, "format", args...)`: returns `ReproduceError::Invalid` with the message
/// unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::ReproduceError::Invalid(format!($($fmt)+)));
        }
    };
}

/// `invalid!("format", args...)`: a `ReproduceError::Invalid` with the message.
#[macro_export]
macro_rules! invalid {
    ($($fmt:tt)+) => {
        $crate::ReproduceError::Invalid(format!($($fmt)+))
    };
}
