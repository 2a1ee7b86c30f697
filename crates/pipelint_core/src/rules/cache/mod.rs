//! `cache/*`: the step caches Bitbucket restores and saves.

pub mod docker_v3;
