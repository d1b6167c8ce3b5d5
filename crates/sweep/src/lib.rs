//! polarity-sweep
