//! polarity-burn
