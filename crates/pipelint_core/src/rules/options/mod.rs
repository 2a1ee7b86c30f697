//! `options/`: the global `options` block.

pub mod docker_legacy;
