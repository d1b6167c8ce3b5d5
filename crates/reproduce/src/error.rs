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
);

pub type Result<T, E = ReproduceError> = std::result::Result<T, E>;
