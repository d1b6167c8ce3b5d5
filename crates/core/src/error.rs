use thiserror::Error;

/// Everything that can go wrong in the polarity core, with enough context to fix it.
#[derive(Debug, Error)]
pub enum PolarityError {
    #[error("weight {index} of tensor '{tensor}' is NaN; a NaN weight has no sign to check against the template")]
    NanWeight { tensor: String, index: usize },
    #[error("weight slice has {weights} entries but its template has {template}")]
    LengthMismatch { weights: usize, template: usize },
    #[error("template does not match the model:\n{0}")]
    Mismatch(String),
    #[error("template file '{path}': {message}")]
    File { path: String, message: String },
    #[error("invalid value for {field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{selection} selects no tensor; the file holds:\n{available}")]
    NoTensorSelected {
        selection: String,
        available: String,
    },
    #[error("templates '{a}' and '{b}' cannot be compared entry by entry:\n{problems}")]
    NotComparable {
        a: String,
        b: String,
        problems: String,
    },
    #[error("I/O error on '{path}': {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
