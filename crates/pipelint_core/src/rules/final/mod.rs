//! `final/*`: the final step, which always runs last.

pub mod placement;
pub mod unsupported_keys;
