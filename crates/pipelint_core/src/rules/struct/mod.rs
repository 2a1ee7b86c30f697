//! `struct/*`: the structure of the pipelines: which items a pipeline holds and how they
//! are laid out.

pub mod bad_item;
pub mod expected_list;
pub mod pipelines_missing;
pub mod step_indentation;
