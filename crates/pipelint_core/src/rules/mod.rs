//! The rules, one file each, grouped by the first part of their id.

pub mod artifacts;
pub mod cache;
pub mod child;
pub mod clone;
pub mod cond;
pub mod deploy;
pub mod docker;
pub mod glob;
pub mod oidc;
pub mod onfail;
pub mod runner;
pub mod schema;
pub mod script;
pub mod share;
pub mod step;
pub mod r#struct;
pub mod suppression;
pub mod svc;
pub mod triggers;
pub mod v3;
pub mod var;
pub mod yaml;
