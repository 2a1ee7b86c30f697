//! The pieces of the `pipelint` binary that tests and benchmarks use too: finding files,
//! reading the files imports name, rendering diagnostics, and answering what the
//! workspace holds.

pub mod config;
pub mod discover;
pub mod fixer;
pub mod formats;
pub mod render;
pub mod resolve;
pub mod shellcheck;
pub mod workspace;
