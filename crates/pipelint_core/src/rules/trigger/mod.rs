//! `trigger/*`: when steps and stages start.

pub mod first_step_manual;
