//! `size/`: a step's `size` against what the plan and the runner allow.

pub mod plan;
pub mod runner;
