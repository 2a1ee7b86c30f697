//! `stage/*`: stages and the steps in them.

pub mod empty;
pub mod no_parallel;
pub mod step_condition;
pub mod step_manual;
pub mod step_overrides;
