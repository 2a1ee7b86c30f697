//! `runnerctl/*`: how Bitbucket's self-hosted Docker runner is started, from a shell
//! script or a docker-compose file (see [`crate::launch`]): its environment variables, its
//! mounts, and the registry credentials it can use.

pub mod env_required;
pub mod mounts;
pub mod registry_auth;
