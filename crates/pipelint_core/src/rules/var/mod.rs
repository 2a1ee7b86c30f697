//! `var/`: variables: their names and where they are defined.

pub mod name_invalid;
