//! `child/*`: child-pipeline steps (`type: pipeline`), which start a custom pipeline
//! instead of running a script.

pub mod input_vars;
pub mod shape;
pub mod unknown_pipeline;
