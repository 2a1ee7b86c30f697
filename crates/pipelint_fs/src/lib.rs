//! The file-system side of pipelint, shared by the CLI and the language server: core does
//! no IO, so whoever has files on disk answers its questions with these.
//!
//! - [`config`]: finding `pipelint.toml` / `.pipelint.toml` upward from a file and loading
//!   it;
//! - [`resolve`]: the [`Resolver`](pipelint_core::share::Resolver) that reads the
//!   same-repository files `import:` names, without leaving the repository;
//! - [`workspace`]: the [`FileOracle`](pipelint_core::FileOracle) that says whether files
//!   exist around a pipeline file (for `cache/key-files-missing`).
//!
//! Nothing here knows a terminal or LSP: errors come back as text ready to show.

pub mod config;
pub mod resolve;
pub mod workspace;
