//! The pieces of the `pipelint` binary that tests and benchmarks use too: finding files,
//! reading the files imports name, rendering diagnostics, and answering what the
//! workspace holds.

pub mod discover;
pub mod fixer;
pub mod formats;
pub mod parallel;
pub mod render;

// Moved to `pipelint_fs` so the language server shares them; kept here under their old
// names.
pub use pipelint_fs::{config, resolve, workspace};

pub mod shellcheck;
