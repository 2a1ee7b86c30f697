//! `svc/`: the services a step uses and their definitions under `definitions.services`.

pub mod byo_dind_v2;
pub mod image_missing;
pub mod memory_budget;
pub mod memory_min;
pub mod port_29418;
pub mod too_many;
pub mod undefined;
pub mod variable_not_string;
