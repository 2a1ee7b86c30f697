//! The rules, one file each, grouped by the first part of their id.

pub mod schema;
pub mod yaml;
