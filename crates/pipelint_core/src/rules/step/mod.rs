//! `step/*`: what a single step must hold and the values of its keys.

pub mod script_missing;
