//! The client's settings for pipelint, from `initializationOptions` or
//! `workspace/didChangeConfiguration` (or a `workspace/configuration` answer), and how they
//! become [`CheckOptions`].
//!
//! Accepted shape, either at the top level or under a `pipelint` key:
//!
//! ```json
//! { "inlayHints": true,
//!   "select": ["docker/", "svc/memory-budget"],
//!   "severity": { "svc/memory-budget": "warning" } }
//! ```

use std::collections::HashMap;

use pipelint_core::{CheckOptions, Selection, Severity, registry};
use serde_json::Value;

/// The settings the server acts on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Show the effective runtime and size of steps as inlay hints.
    pub inlay_hints: bool,
    /// Only these rule ids or groups; empty means every rule.
    pub select: Vec<String>,
    /// Severities the user changed, by rule id.
    pub severity: Vec<(String, Severity)>,
}

impl Config {
    /// Reads settings from JSON. Returns the settings and what was wrong in them (to be
    /// logged); wrong entries are skipped, the rest applies. `None` when `value` holds no
    /// pipelint settings at all.
    pub fn from_json(value: &Value) -> Option<(Config, Vec<String>)> {
        let obj = match value.get("pipelint") {
            Some(inner @ Value::Object(_)) => inner.as_object()?,
            _ => value.as_object()?,
        };
        let mut problems = Vec::new();
        let mut config = Config::default();
        let mut any = false;
        if let Some(v) = obj.get("inlayHints") {
            any = true;
            match v.as_bool() {
                Some(b) => config.inlay_hints = b,
                None => problems.push("`inlayHints` must be true or false".to_owned()),
            }
        }
        if let Some(v) = obj.get("select") {
            any = true;
            match v.as_array() {
                Some(items) => {
                    for item in items {
                        match item.as_str() {
                            Some(s) if is_rule_or_group(s) => {
                                config.select.push(s.trim_end_matches('/').to_owned());
                            }
                            Some(s) => problems.push(format!(
                                "`select`: no rule or group `{s}`; `pipelint rules` lists them"
                            )),
                            None => problems.push(format!("`select`: `{item}` is not a string")),
                        }
                    }
                    if config.select.is_empty() && !items.is_empty() {
                        problems.push(
                            "`select` names no known rule, so every rule stays on".to_owned(),
                        );
                    }
                }
                None => problems.push("`select` must be a list of rule ids".to_owned()),
            }
        }
        if let Some(v) = obj.get("severity") {
            any = true;
            match v.as_object() {
                Some(map) => {
                    for (id, sev) in map {
                        let parsed = sev.as_str().and_then(Severity::parse);
                        match parsed {
                            Some(sev) if registry::find(id).is_some() => {
                                config.severity.push((id.clone(), sev));
                            }
                            Some(_) => problems.push(format!("`severity`: no rule `{id}`")),
                            None => problems.push(format!(
                                "`severity.{id}`: `{sev}` is not \"error\", \"warning\" or \"info\""
                            )),
                        }
                    }
                }
                None => problems.push("`severity` must map rule ids to severities".to_owned()),
            }
        }
        if !any && !obj.is_empty() && value.get("pipelint").is_none() {
            return None;
        }
        Some((config, problems))
    }

    /// The options for one check of a file at `path`.
    pub fn check_options(&self, path: Option<String>) -> CheckOptions {
        CheckOptions {
            select: if self.select.is_empty() {
                Selection::All
            } else {
                Selection::Only(self.select.clone())
            },
            severities: self.severity.iter().cloned().collect::<HashMap<_, _>>(),
            path,
            shellcheck: crate::shellcheck(),
            ..CheckOptions::default()
        }
    }
}

fn is_rule_or_group(s: &str) -> bool {
    let group = s.trim_end_matches('*').trim_end_matches('/');
    registry::find(s).is_some() || registry::metas().any(|m| m.group() == group)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_nested_and_flat_settings() {
        let (c, problems) = Config::from_json(&json!({"pipelint": {
            "inlayHints": true,
            "select": ["yaml/", "nope/none"],
            "severity": {"yaml/duplicate-key": "info", "yaml/syntax": "loud"}
        }}))
        .expect("settings");
        assert!(c.inlay_hints);
        assert_eq!(c.select, ["yaml"]);
        assert_eq!(
            c.severity,
            [("yaml/duplicate-key".to_owned(), Severity::Info)]
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        let (flat, _) = Config::from_json(&json!({"inlayHints": false})).expect("flat");
        assert!(!flat.inlay_hints);
        assert!(Config::from_json(&json!(null)).is_none());
        assert!(Config::from_json(&json!({"other": 1})).is_none());
    }
}
