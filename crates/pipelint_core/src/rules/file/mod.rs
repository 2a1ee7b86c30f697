//! `file/*`: the pipeline file itself: its name.

pub mod name;
