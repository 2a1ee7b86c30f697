//! The rules, one file each, grouped by the first part of their id.

pub mod cache;
pub mod docker;
pub mod file;
pub mod r#final;
pub mod oidc;
pub mod parallel;
pub mod schema;
pub mod script;
pub mod stage;
pub mod step;
pub mod r#struct;
pub mod svc;
pub mod trigger;
pub mod v3;
pub mod var;
pub mod yaml;
