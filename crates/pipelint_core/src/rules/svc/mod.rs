//! `svc/`: the services a step uses and their definitions under `definitions.services`.

pub mod image_missing;
pub mod memory_budget;
pub mod too_many;
pub mod undefined;
pub mod variable_not_string;
