//! One file per subcommand: options (clap) and the call into the library crates.
pub mod bench;
pub mod data;
pub mod images;
mod images_plan;
pub mod merge;
pub mod reproduce;
pub mod reproduce_images;
mod reproduce_plan;
pub mod reproduce_transfer;
pub mod template;
pub mod theory;
pub mod xor;
pub mod xor_compare;
