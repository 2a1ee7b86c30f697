//! `script/*`: commands in `script` and `after-script` that are known to fail.

pub mod aws_ecr_get_login;
pub mod colon_mapping;
pub mod shellcheck;
