//! `deploy/*`: deployment environments (`deployment` on steps and stages).

pub mod env_count;
pub mod env_reused;
