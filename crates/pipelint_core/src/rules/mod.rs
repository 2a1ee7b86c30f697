//! The rules, one file each, grouped by the first part of their id.

pub mod artifacts;
pub mod cache;
pub mod child;
pub mod cond;
pub mod deploy;
pub mod docker;
pub mod oidc;
pub mod onfail;
pub mod schema;
pub mod script;
pub mod step;
pub mod r#struct;
pub mod svc;
pub mod v3;
pub mod var;
pub mod yaml;
