//! polarity-images
