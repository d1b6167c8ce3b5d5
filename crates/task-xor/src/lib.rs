//! polarity-xor
