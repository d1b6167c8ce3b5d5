//! polarity-analysis
