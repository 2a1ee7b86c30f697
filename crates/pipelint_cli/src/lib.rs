//! The pieces of the `pipelint` binary that tests and benchmarks use too: finding files,
//! rendering diagnostics, and answering what the workspace holds.

pub mod discover;
pub mod render;
pub mod workspace;
