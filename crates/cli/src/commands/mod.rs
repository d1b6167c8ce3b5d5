//! One file per subcommand: options (clap) and the call into the library crates.
pub mod bench;
pub mod data;
pub mod images;
pub mod merge;
pub mod reproduce;
pub mod reproduce_images;
pub mod template;
pub mod theory;
pub mod xor;
