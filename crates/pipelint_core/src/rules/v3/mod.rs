//! `v3/*`: what changes when a step moves to Runtime v3 (`runtime: {cloud: {version: "3"}}`).

pub mod docker_cli_missing;
pub mod version_value;
