//! Inputs of the rules that depend on the user's setup. The config file (`pipelint.toml`)
//! fills them; until it says otherwise these documented defaults hold.

/// Bitbucket workspace plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    Free,
    Standard,
    Premium,
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// The workspace's plan; `None` when unknown (plan-dependent rules stay quiet).
    pub plan: Option<Plan>,
    /// The runtime version of steps that set none (Bitbucket's default is 2).
    pub default_runtime: u8,
    /// Images known to carry the Docker CLI, beyond the built-in list (`docker`,
    /// `docker:*`, ...). Matched by prefix.
    pub docker_cli_images: Vec<String>,
    /// The custom runner labels that exist in the workspace; `None` when unknown
    /// (label rules that need the inventory stay quiet).
    pub runner_labels: Option<Vec<String>>,
    /// The `shellcheck` program for `script/shellcheck`; `None`: found on `PATH`. Read by
    /// the caller that runs it (core runs nothing).
    pub shellcheck_path: Option<String>,
    /// shellcheck codes left out (`SC2086` or `2086`), beyond SC2154 unless
    /// [`Settings::shellcheck_unassigned`] is set.
    pub shellcheck_exclude: Vec<String>,
    /// Report SC2154 ("referenced but not assigned"). Off by default: secured and
    /// repository variables cannot be known from the file.
    pub shellcheck_unassigned: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            plan: None,
            default_runtime: 2,
            docker_cli_images: Vec::new(),
            runner_labels: None,
            shellcheck_path: None,
            shellcheck_exclude: Vec::new(),
            shellcheck_unassigned: false,
        }
    }
}
