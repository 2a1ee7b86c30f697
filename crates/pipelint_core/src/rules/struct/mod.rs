//! `struct/*`: the structure of the pipelines: which items a pipeline holds and how they
//! are laid out.

pub mod bad_item;
pub mod bookmarks_legacy;
pub mod empty_step;
pub mod expected_list;
pub mod options_empty;
pub mod pipelines_empty;
pub mod pipelines_missing;
pub mod step_indentation;
pub mod too_many_steps;
pub mod variables_not_first;
pub mod variables_outside_custom;
