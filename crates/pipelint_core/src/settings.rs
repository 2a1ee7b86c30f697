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

impl Settings {
    /// Sets one setting from its `key=value` text form: `plan` = free|standard|premium,
    /// `runner_labels` = comma-separated labels, `default_runtime` = 2|3. Used by the
    /// `# pipelint-settings: ...` line of test fixtures and rule examples.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "plan" => {
                self.plan = Some(match value {
                    "free" => Plan::Free,
                    "standard" => Plan::Standard,
                    "premium" => Plan::Premium,
                    _ => return Err(format!("unknown plan `{value}`")),
                });
            }
            "runner_labels" => {
                self.runner_labels = Some(
                    value
                        .split(',')
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect(),
                );
            }
            "default_runtime" => {
                self.default_runtime = match value {
                    "2" => 2,
                    "3" => 3,
                    _ => return Err(format!("default_runtime must be 2 or 3, got `{value}`")),
                };
            }
            _ => return Err(format!("unknown setting `{key}`")),
        }
        Ok(())
    }

    /// The settings named on a first line `# pipelint-settings: plan=free runner_labels=a,b`
    /// (space-separated `key=value` pairs); the defaults when the text has no such line.
    pub fn from_first_line(text: &str) -> Result<Settings, String> {
        let mut settings = Settings::default();
        let first = text.lines().next().unwrap_or("");
        let Some(pairs) = first
            .trim()
            .strip_prefix('#')
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix("pipelint-settings:"))
        else {
            return Ok(settings);
        };
        for pair in pairs.split_whitespace() {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` is not key=value"))?;
            settings.set(key, value)?;
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_from_a_first_line() {
        let s = Settings::from_first_line(
            "# pipelint-settings: plan=free runner_labels=a,b default_runtime=3\npipelines: {}\n",
        )
        .expect("valid settings");
        assert_eq!(s.plan, Some(Plan::Free));
        assert_eq!(s.runner_labels, Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(s.default_runtime, 3);
        let none = Settings::from_first_line("pipelines: {}\n# pipelint-settings: plan=free\n")
            .expect("no settings line");
        assert_eq!(none.plan, None);
        assert!(Settings::from_first_line("# pipelint-settings: plan=gold\n").is_err());
        assert!(Settings::from_first_line("# pipelint-settings: colour=red\n").is_err());
        assert!(Settings::from_first_line("# pipelint-settings: plan\n").is_err());
    }
}
