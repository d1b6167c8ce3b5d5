//! polarity-theory
