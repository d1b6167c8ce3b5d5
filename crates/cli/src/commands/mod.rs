//! One file per subcommand.
pub mod theory;
