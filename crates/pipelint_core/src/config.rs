//! The configuration file, `pipelint.toml` (or `.pipelint.toml`): parsed from text here,
//! found on disk by the CLI and the language server.
//!
//! ```toml
//! extend-ignore = ["vendor/**"]          # files a directory search skips
//!
//! [rules]                                # by id or group: error | warning | info | off
//! "docker/*" = "error"
//! "image/unpinned" = "off"
//!
//! [settings]
//! plan = "standard"                      # free | standard | premium
//! runner-labels = ["my.runner"]          # custom runner labels that exist
//! default-runtime = 3                    # the runtime of steps that set none
//! docker-cli-images = ["myorg/ci-tools"] # images known to carry the Docker CLI
//!
//! [[overrides]]                          # per-path rule levels
//! files = ["templates/**"]
//! rules = { "pipe/unpinned" = "off" }
//! ```
//!
//! Unknown keys are errors with a did-you-mean, like everywhere else in pipelint.

use globset::{Glob, GlobSet, GlobSetBuilder};
use toml::{Table, Value};

use crate::diagnostic::Severity;
use crate::settings::{Plan, Settings};
use crate::{CheckOptions, registry, selects, suggest};

/// A rule level in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s {
            "off" => Some(Level::Off),
            other => Severity::parse(other).map(Level::On),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::On(s) => s.as_str(),
        }
    }
}

/// Rule levels for the files matching some globs.
#[derive(Clone, Debug)]
pub struct PathOverride {
    pub files: Vec<String>,
    matcher: GlobSet,
    pub rules: Vec<(String, Level)>,
}

/// A parsed configuration file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub rules: Vec<(String, Level)>,
    pub overrides: Vec<PathOverride>,
    pub settings: Settings,
    pub extend_ignore: Vec<String>,
    ignore_matcher: Option<GlobSet>,
}

/// A problem in the configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line of the key, when it could be found.
    pub line: Option<usize>,
    pub message: String,
}

const TOP_KEYS: &[&str] = &["rules", "settings", "overrides", "extend-ignore"];
const SETTINGS_KEYS: &[&str] = &[
    "plan",
    "runner-labels",
    "default-runtime",
    "docker-cli-images",
    "shellcheck-path",
    "shellcheck-exclude",
    "shellcheck-unassigned",
];
const OVERRIDE_KEYS: &[&str] = &["files", "rules"];

impl Config {
    /// Parses the text of a configuration file.
    pub fn parse(text: &str) -> Result<Config, Vec<ConfigError>> {
        let table: Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
                return Err(vec![ConfigError {
                    line,
                    message: format!("not valid TOML: {}", e.message()),
                }]);
            }
        };
        let mut p = ConfigParser {
            text,
            errors: Vec::new(),
        };
        let mut config = Config::default();
        for (key, value) in &table {
            match key.as_str() {
                "rules" => config.rules = p.rules(value, "rules"),
                "settings" => config.settings = p.settings(value),
                "extend-ignore" => config.extend_ignore = p.strings(value, "extend-ignore"),
                "overrides" => config.overrides = p.overrides(value),
                other => p.unknown(other, TOP_KEYS, "the top level"),
            }
        }
        if !config.extend_ignore.is_empty() {
            config.ignore_matcher = p.globs(&config.extend_ignore, "extend-ignore");
        }
        if p.errors.is_empty() {
            Ok(config)
        } else {
            Err(p.errors)
        }
    }

    /// Whether a directory search skips this path (relative to the config file's folder,
    /// with `/` separators).
    pub fn is_ignored(&self, relative_path: &str) -> bool {
        self.ignore_matcher
            .as_ref()
            .is_some_and(|m| m.is_match(relative_path))
    }

    /// The effective level of every rule for a path (relative to the config file's folder).
    pub fn levels_for(&self, relative_path: &str) -> Vec<(&'static str, Level)> {
        registry::metas()
            .map(|m| {
                let mut level = Level::On(m.severity);
                let mut apply = |entries: &[(String, Level)]| {
                    // Groups first, then exact ids: the more specific wins.
                    for exact in [false, true] {
                        for (pattern, l) in entries {
                            if (pattern == m.id) == exact && selects(pattern, m.id) {
                                level = *l;
                            }
                        }
                    }
                };
                apply(&self.rules);
                for o in &self.overrides {
                    if o.matcher.is_match(relative_path) {
                        apply(&o.rules);
                    }
                }
                (m.id, level)
            })
            .collect()
    }

    /// Applies the configuration to check options for one file.
    pub fn apply(&self, opts: &mut CheckOptions, relative_path: &str) {
        opts.settings = self.settings.clone();
        // `levels_for` lists the rules in registry order.
        for (meta, (id, level)) in registry::metas().zip(self.levels_for(relative_path)) {
            match level {
                Level::Off => opts.disabled.push(id.to_owned()),
                Level::On(sev) => {
                    if meta.severity != sev {
                        opts.severities.insert(id.to_owned(), sev);
                    }
                }
            }
        }
    }

    /// The effective configuration for a path, as TOML (for `pipelint config --show`).
    pub fn show(&self, relative_path: &str) -> String {
        let mut out = String::new();
        if !self.extend_ignore.is_empty() {
            out.push_str(&format!("extend-ignore = {:?}\n\n", self.extend_ignore));
        }
        out.push_str("[settings]\n");
        let plan = match self.settings.plan {
            Some(Plan::Free) => "\"free\"",
            Some(Plan::Standard) => "\"standard\"",
            Some(Plan::Premium) => "\"premium\"",
            None => "\"unknown\" # not set: plan-dependent rules stay quiet",
        };
        out.push_str(&format!("plan = {plan}\n"));
        match &self.settings.runner_labels {
            Some(labels) => out.push_str(&format!("runner-labels = {labels:?}\n")),
            None => out.push_str("# runner-labels: not set (label inventory rules stay quiet)\n"),
        }
        out.push_str(&format!(
            "default-runtime = {}\n",
            self.settings.default_runtime
        ));
        out.push_str(&format!(
            "docker-cli-images = {:?}\n",
            self.settings.docker_cli_images
        ));
        match &self.settings.shellcheck_path {
            Some(p) => out.push_str(&format!("shellcheck-path = {p:?}\n")),
            None => out.push_str("# shellcheck-path: not set (found on PATH)\n"),
        }
        out.push_str(&format!(
            "shellcheck-exclude = {:?}\nshellcheck-unassigned = {}\n",
            self.settings.shellcheck_exclude, self.settings.shellcheck_unassigned
        ));
        out.push_str(&format!("\n[rules] # effective for {relative_path}\n"));
        for (id, level) in self.levels_for(relative_path) {
            let default = registry::default_severity(id);
            let note = if level == Level::On(default) {
                ""
            } else {
                " # changed"
            };
            out.push_str(&format!("\"{id}\" = \"{}\"{note}\n", level.as_str()));
        }
        out
    }
}

struct ConfigParser<'a> {
    text: &'a str,
    errors: Vec<ConfigError>,
}

impl ConfigParser<'_> {
    /// The 1-based line where `key` is first written as a key or a table header.
    fn line_of(&self, key: &str) -> Option<usize> {
        self.text
            .lines()
            .position(|l| {
                let t = l.trim_start();
                let t = t.trim_start_matches('[').trim_start_matches('[');
                let t = t.trim_start_matches(['"', '\'']);
                t.starts_with(key)
                    && t[key.len()..]
                        .trim_start_matches(['"', '\''])
                        .trim_start()
                        .starts_with(['=', ']', '.'])
            })
            .map(|i| i + 1)
    }

    fn error(&mut self, key: &str, message: String) {
        let line = self.line_of(key);
        self.errors.push(ConfigError { line, message });
    }

    fn unknown(&mut self, key: &str, known: &[&str], place: &str) {
        let mut message = format!("unknown key `{key}` in {place}");
        if let Some(best) = suggest::closest(key, known.iter().copied()) {
            message.push_str(&format!("; did you mean `{best}`?"));
        } else {
            message.push_str(&format!("; known keys: {}", known.join(", ")));
        }
        self.error(key, message);
    }

    fn rules(&mut self, value: &Value, place: &str) -> Vec<(String, Level)> {
        let Some(table) = value.as_table() else {
            self.error(
                place,
                format!("`{place}` must be a table of rule ids and levels"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (pattern, level) in table {
            let known = registry::metas().any(|m| selects(pattern, m.id));
            if !known {
                let mut message = format!("`{pattern}` is not a pipelint rule or group");
                if let Some(best) = suggest::closest(pattern, registry::metas().map(|m| m.id)) {
                    message.push_str(&format!("; did you mean `{best}`?"));
                }
                self.error(pattern, message);
                continue;
            }
            match level.as_str().and_then(Level::parse) {
                Some(l) => out.push((pattern.clone(), l)),
                None => self.error(
                    pattern,
                    format!("the level of `{pattern}` must be \"error\", \"warning\", \"info\" or \"off\""),
                ),
            }
        }
        out
    }

    fn settings(&mut self, value: &Value) -> Settings {
        let mut settings = Settings::default();
        let Some(table) = value.as_table() else {
            self.error("settings", "`settings` must be a table".into());
            return settings;
        };
        for (key, v) in table {
            match key.as_str() {
                "plan" => match v.as_str() {
                    Some("free") => settings.plan = Some(Plan::Free),
                    Some("standard") => settings.plan = Some(Plan::Standard),
                    Some("premium") => settings.plan = Some(Plan::Premium),
                    _ => self.error(
                        key,
                        "`plan` must be \"free\", \"standard\" or \"premium\"".into(),
                    ),
                },
                "runner-labels" => settings.runner_labels = Some(self.strings(v, key)),
                "default-runtime" => match v.as_integer() {
                    Some(2) => settings.default_runtime = 2,
                    Some(3) => settings.default_runtime = 3,
                    _ => self.error(key, "`default-runtime` must be 2 or 3".into()),
                },
                "docker-cli-images" => settings.docker_cli_images = self.strings(v, key),
                "shellcheck-path" => match v.as_str() {
                    Some(p) if !p.is_empty() => settings.shellcheck_path = Some(p.to_owned()),
                    _ => self.error(key, "`shellcheck-path` must be a non-empty string".into()),
                },
                "shellcheck-exclude" => settings.shellcheck_exclude = self.strings(v, key),
                "shellcheck-unassigned" => match v.as_bool() {
                    Some(b) => settings.shellcheck_unassigned = b,
                    None => self.error(key, "`shellcheck-unassigned` must be true or false".into()),
                },
                other => self.unknown(other, SETTINGS_KEYS, "`settings`"),
            }
        }
        settings
    }

    fn strings(&mut self, value: &Value, key: &str) -> Vec<String> {
        match value.as_array() {
            Some(items) if items.iter().all(Value::is_str) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => {
                self.error(key, format!("`{key}` must be a list of strings"));
                Vec::new()
            }
        }
    }

    fn globs(&mut self, patterns: &[String], key: &str) -> Option<GlobSet> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            match Glob::new(p) {
                Ok(g) => {
                    builder.add(g);
                }
                Err(e) => self.error(key, format!("`{p}` is not a valid glob: {}", e.kind())),
            }
        }
        builder.build().ok()
    }

    fn overrides(&mut self, value: &Value) -> Vec<PathOverride> {
        let Some(items) = value.as_array() else {
            self.error(
                "overrides",
                "`overrides` must be an array of tables (`[[overrides]]`)".into(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(table) = item.as_table() else {
                self.error(
                    "overrides",
                    "each `[[overrides]]` entry must be a table".into(),
                );
                continue;
            };
            let mut files = Vec::new();
            let mut rules = Vec::new();
            for (key, v) in table {
                match key.as_str() {
                    "files" => files = self.strings(v, "files"),
                    "rules" => rules = self.rules(v, "rules"),
                    other => self.unknown(other, OVERRIDE_KEYS, "`[[overrides]]`"),
                }
            }
            if files.is_empty() {
                self.error("overrides", "an `[[overrides]]` entry needs `files`".into());
                continue;
            }
            if let Some(matcher) = self.globs(&files, "files") {
                out.push(PathOverride {
                    files,
                    matcher,
                    rules,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_levels_settings_and_overrides() {
        let text = r#"
extend-ignore = ["vendor/**"]

[rules]
"docker/*" = "warning"
"docker/no-service" = "off"
"schema/unknown-key" = "error"

[settings]
plan = "free"
runner-labels = ["my.runner"]
default-runtime = 3

[[overrides]]
files = ["templates/**"]
rules = { "schema/unknown-key" = "off" }
"#;
        let config = Config::parse(text).expect("valid");
        let levels = config.levels_for("bitbucket-pipelines.yml");
        let level = |id: &str| levels.iter().find(|(i, _)| *i == id).map(|(_, l)| *l);
        assert_eq!(
            level("docker/privileged-needs-v3"),
            Some(Level::On(Severity::Warning))
        );
        assert_eq!(
            level("docker/no-service"),
            Some(Level::Off),
            "the id beats the group"
        );
        assert_eq!(
            level("schema/unknown-key"),
            Some(Level::On(Severity::Error))
        );
        let t = config.levels_for("templates/bitbucket-pipelines.yml");
        assert!(t.contains(&("schema/unknown-key", Level::Off)));
        assert_eq!(config.settings.plan, Some(Plan::Free));
        assert_eq!(config.settings.default_runtime, 3);
        assert!(config.is_ignored("vendor/x/bitbucket-pipelines.yml"));
        assert!(!config.is_ignored("bitbucket-pipelines.yml"));
        let mut opts = CheckOptions::default();
        config.apply(&mut opts, "bitbucket-pipelines.yml");
        assert!(!opts.is_enabled("docker/no-service"));
        assert!(opts.is_enabled("docker/privileged-needs-v3"));
        assert_eq!(
            opts.severities.get("docker/privileged-needs-v3"),
            Some(&Severity::Warning)
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors_with_lines() {
        let text = "[rulez]\nx = 1\n\n[settings]\nplna = \"free\"\ndefault-runtime = 4\n\n[rules]\n\"docker/no-servce\" = \"error\"\n\"yaml/syntax\" = \"loud\"\n";
        let errors = Config::parse(text).expect_err("invalid");
        let messages: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.line.unwrap_or(0), e.message))
            .collect();
        assert!(
            messages.contains(
                &"1: unknown key `rulez` in the top level; did you mean `rules`?".to_owned()
            ),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("5: unknown key `plna`") && m.contains("`plan`")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("6: `default-runtime` must be 2 or 3")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("9: `docker/no-servce` is not")
                    && m.contains("did you mean `docker/no-service`")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("10: the level of `yaml/syntax`")),
            "{messages:#?}"
        );
    }

    #[test]
    fn invalid_toml_is_one_error() {
        let errors = Config::parse("[rules\n").expect_err("invalid");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("not valid TOML"));
        assert_eq!(errors[0].line, Some(1));
    }
}
