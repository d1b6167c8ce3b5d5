//! One file per subcommand: options (clap) and the call into the library crates.
pub mod bench;
pub mod reproduce;
pub mod reproduce_images;
pub mod template;
pub mod xor;
