//! polarity-mlp
