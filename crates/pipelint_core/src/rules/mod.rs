//! The rules, one file each, grouped by the first part of their id.

pub mod cache;
pub mod docker;
pub mod image;
pub mod oidc;
pub mod options;
pub mod pipe;
pub mod runtime;
pub mod schema;
pub mod script;
pub mod sec;
pub mod size;
pub mod step;
pub mod r#struct;
pub mod svc;
pub mod templ;
pub mod v3;
pub mod var;
pub mod yaml;
