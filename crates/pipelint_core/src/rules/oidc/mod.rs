//! `oidc/`: steps that need an OpenID Connect token and steps that ask for one they do not
//! use. [`uses`] finds what in a step needs the token; both rules share it.

pub mod required;
pub mod unused;
pub mod uses;
