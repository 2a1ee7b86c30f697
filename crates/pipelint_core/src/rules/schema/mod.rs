//! `schema/*`: the shape of the file, checked against the project's JSON schema by the
//! schema pass ([`crate::schema`]). These rules hold the documentation; the findings come
//! from the pass.

pub mod invalid_value;
pub mod unknown_key;
