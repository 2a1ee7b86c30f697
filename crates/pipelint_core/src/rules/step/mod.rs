//! `step/*`: what a single step must hold and the values of its keys.

pub mod concurrency_group_len;
pub mod duplicate_name;
pub mod fail_fast_outside_parallel;
pub mod max_time_range;
pub mod script_empty;
pub mod script_missing;
pub mod size_enum;
pub mod trigger_enum;
