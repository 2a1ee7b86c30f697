//! `suppression/*`: the suppression comments themselves.

pub mod unused;
