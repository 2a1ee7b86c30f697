//! The schema pass: the file is checked against `schema/bitbucket-pipelines.schema.json`
//! with the `jsonschema` crate, and every error is turned into one diagnostic in a user's
//! words, at the span of the key or value it is about, under the rule that names it.
//!
//! The validator is compiled once per process. The tree is converted to JSON with YAML 1.1
//! booleans (`yes`/`no`/`on`/`off`), as Bitbucket's parser reads them. Values that are
//! `${{ }}` templates, and nodes the YAML layer already reported as unreadable, are exempt.

use std::sync::OnceLock;

use pipelint_yaml::{Node, NodeKind, Resolved, Span};
use serde_json::{Map, Value};

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::model::is_template;
use crate::suggest;

/// The schema's text, as shipped in `schema/`.
pub const SCHEMA_TEXT: &str = include_str!("../../../schema/bitbucket-pipelines.schema.json");

struct Compiled {
    schema: Value,
    validator: jsonschema::Validator,
}

fn compiled() -> Option<&'static Compiled> {
    static COMPILED: OnceLock<Option<Compiled>> = OnceLock::new();
    COMPILED
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(SCHEMA_TEXT).ok()?;
            let validator = jsonschema::draft7::new(&schema).ok()?;
            Some(Compiled { schema, validator })
        })
        .as_ref()
}

/// The schema as JSON (for hover descriptions and completion).
pub fn schema() -> Option<&'static Value> {
    compiled().map(|c| &c.schema)
}

/// Converts a node to JSON as Bitbucket's YAML 1.1 parser sees it.
pub fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Mapping(m) => {
            let mut obj = Map::new();
            for e in &m.entries {
                if let Some(k) = e.key.as_key() {
                    obj.insert(k.to_owned(), to_json(&e.value));
                }
            }
            Value::Object(obj)
        }
        NodeKind::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Scalar(s) => {
            if s.is_yaml11_bool() {
                let truthy = matches!(s.value.to_ascii_lowercase().as_str(), "yes" | "on" | "true");
                return Value::Bool(truthy);
            }
            match s.resolve() {
                Resolved::Null => Value::Null,
                Resolved::Bool(b) => Value::Bool(b),
                Resolved::Int(i) => Value::from(i),
                Resolved::Float(f) => serde_json::Number::from_f64(f)
                    .map_or_else(|| Value::String(s.value.clone()), Value::Number),
                Resolved::Str(t) => Value::String(t.to_owned()),
            }
        }
        NodeKind::Invalid => Value::Null,
    }
}

/// One schema error, resolved to the nodes it is about.
struct Failure<'a> {
    keyword: String,
    /// The instance location as path segments.
    path: Vec<String>,
    node: &'a Node,
    /// The schema object that holds the failing keyword.
    schema: &'a Value,
    /// For a type error standing for several `anyOf` branches: every accepted type.
    expected: Option<String>,
}

/// Runs the schema pass over the first document.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(root), Some(compiled)) = (cx.root, compiled()) else {
        return;
    };
    if !root.is_invalid() && root.as_mapping().is_none() {
        out.push(top_level_not_mapping(root));
        return;
    }
    let json = to_json(root);
    let evaluation = compiled.validator.evaluate(&json);
    let mut failures = Vec::new();
    for entry in evaluation.iter_errors() {
        let path: Vec<String> = entry
            .instance_location
            .as_str()
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let Some(node) = walk(root, &path) else {
            continue;
        };
        let keyword = entry.error.keyword().to_owned();
        let Some(schema) = schema_at(&compiled.schema, entry.schema_location) else {
            continue;
        };
        failures.push(Failure {
            keyword,
            path,
            node,
            schema,
            expected: None,
        });
    }
    let failures = best_branches(failures);
    let mut seen: Vec<(Span, &'static str, String)> = Vec::new();
    for f in &failures {
        if exempt(f.node) {
            continue;
        }
        for d in describe(cx, f) {
            let key = (d.span, d.rule, d.message.clone());
            if !seen.contains(&key) {
                seen.push(key);
                out.push(d);
            }
        }
    }
}

fn exempt(node: &Node) -> bool {
    node.is_invalid() || is_template(node) || node.truncated
}

fn top_level_not_mapping(root: &Node) -> Diagnostic {
    Diagnostic::at(
        "struct/expected-list",
        root,
        format!(
            "the top level of a pipeline file must be a mapping of keys such as `pipelines:`, not {}",
            root.kind_name()
        ),
    )
    .help("start the file with `image:`, `definitions:` or `pipelines:` at column 1, without a leading `- `")
}

/// The node at a JSON-pointer path.
fn walk<'a>(root: &'a Node, path: &[String]) -> Option<&'a Node> {
    let mut node = root;
    for seg in path {
        node = match &node.kind {
            NodeKind::Mapping(m) => m.get(seg)?,
            NodeKind::Sequence(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The schema object holding the keyword at `location`: a JSON pointer, or an absolute
/// keyword location (`...#/definitions/step/additionalProperties`) whose fragment is one.
fn schema_at<'a>(schema: &'a Value, location: &str) -> Option<&'a Value> {
    let pointer = location.rsplit_once('#').map_or(location, |(_, frag)| frag);
    let (holder, _keyword) = pointer.rsplit_once('/')?;
    schema.pointer(holder)
}

/// Resolves `anyOf` noise. The validator reports every branch that failed; when a value
/// fails some branches only by its type and others by their content, the type errors are
/// the branches that do not apply, so they are dropped. When every error at a value is a
/// type error, they become one error that names every accepted type.
fn best_branches(failures: Vec<Failure<'_>>) -> Vec<Failure<'_>> {
    let is_under = |path: &[String], prefix: &[String]| {
        path.len() >= prefix.len() && path[..prefix.len()] == *prefix
    };
    let mut keep = vec![true; failures.len()];
    let mut merged: Vec<(usize, String)> = Vec::new();
    for (i, f) in failures.iter().enumerate() {
        if f.keyword != "type" || !keep[i] {
            continue;
        }
        let others = failures
            .iter()
            .any(|g| g.keyword != "type" && is_under(&g.path, &f.path))
            || failures.iter().any(|g| {
                g.keyword == "type" && g.path.len() > f.path.len() && is_under(&g.path, &f.path)
            });
        if others {
            keep[i] = false;
            continue;
        }
        // Other type errors at the same value: merge their expected types into this one.
        let mut words = vec![type_words(f.schema.get("type"))];
        for (j, g) in failures.iter().enumerate().skip(i + 1) {
            if g.keyword == "type" && g.path == f.path {
                keep[j] = false;
                let w = type_words(g.schema.get("type"));
                if !words.contains(&w) {
                    words.push(w);
                }
            }
        }
        if words.len() > 1 {
            merged.push((i, words.join(" or ")));
        }
    }
    failures
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep[*i])
        .map(|(i, mut f)| {
            if let Some((_, words)) = merged.iter().find(|(j, _)| *j == i) {
                f.expected = Some(words.clone());
            }
            f
        })
        .collect()
}

/// The name of what holds the value at `path`, for messages: "step", "options", "service
/// `db`", "the top level".
fn owner(path: &[String]) -> String {
    let named_maps = [
        "services",
        "caches",
        "branches",
        "tags",
        "custom",
        "pull-requests",
        "bookmarks",
        "imports",
    ];
    let mut i = path.len();
    while i > 0 {
        let seg = &path[i - 1];
        if seg.parse::<usize>().is_ok() {
            i -= 1;
            continue;
        }
        if i >= 2 && named_maps.contains(&path[i - 2].as_str()) && path[i - 2] != "pipelines" {
            let kind = match path[i - 2].as_str() {
                "services" => "service",
                "caches" => "cache",
                "imports" => "import source",
                _ => "pipeline",
            };
            return format!("{kind} `{seg}`");
        }
        return format!("`{seg}`");
    }
    "the top level".into()
}

fn last_key(path: &[String]) -> Option<&str> {
    path.iter()
        .rev()
        .find(|s| s.parse::<usize>().is_err())
        .map(String::as_str)
}

fn path_has(path: &[String], key: &str) -> bool {
    path.iter().any(|s| s == key)
}

/// The rule a failure belongs to, from where it is and what failed.
fn classify(f: &Failure<'_>) -> &'static str {
    let last = last_key(&f.path).unwrap_or("");
    let parent = f
        .path
        .len()
        .checked_sub(2)
        .and_then(|i| f.path.get(i))
        .map(String::as_str);
    let kw = f.keyword.as_str();
    if kw == "additionalProperties" {
        return "schema/unknown-key";
    }
    let in_services_def =
        f.path.len() >= 3 && f.path[0] == "definitions" && f.path[1] == "services";
    match last {
        "max-time" => return "step/max-time-range",
        "size" => return "step/size-enum",
        "trigger" if !path_has(&f.path, "triggers") => return "step/trigger-enum",
        "concurrency-group" => return "step/concurrency-group-len",
        "version" if path_has(&f.path, "cloud") => return "v3/version-value",
        "arch" => return "runtime/arch-enum",
        "depth" if path_has(&f.path, "clone") => return "clone/depth",
        "run-as-user" => return "image/run-as-user-type",
        "memory" if in_services_def => return "svc/memory-min",
        "input-variables" => return "child/input-vars",
        "state" if path_has(&f.path, "condition") => return "cond/state-length",
        _ => {}
    }
    if path_has(&f.path, "runs-on") {
        return "runner/labels-limits";
    }
    if path_has(&f.path, "on-fail") {
        return "onfail/strategy";
    }
    if in_services_def && parent == Some("variables") {
        return "svc/variable-not-string";
    }
    if path_has(&f.path, "input-variables") {
        return "child/input-vars";
    }
    if kw == "required" {
        if let Some(p) = f.schema.get("required").and_then(Value::as_array) {
            if p.iter().any(|v| v == "name") && path_has(&f.path, "image") {
                return "image/name-missing";
            }
        }
        if path_has(&f.path, "upload") {
            return "artifacts/upload-required";
        }
    }
    if last == "services" && kw == "maxItems" {
        return "svc/too-many";
    }
    if parent == Some("variables") && path_has(&f.path, "script")
        || path_has(&f.path, "after-script") && parent == Some("variables")
    {
        return "pipe/variables-type";
    }
    if kw == "type" && matches!(last, "script" | "after-script") {
        return "struct/expected-list";
    }
    "schema/invalid-value"
}

/// The failure in a user's words, as one diagnostic (or one per unknown key).
fn describe(cx: &Context<'_>, f: &Failure<'_>) -> Vec<Diagnostic> {
    let rule = classify(f);
    // Ids whose rule is not registered fall back to the generic one.
    let rule = if crate::registry::find(rule).is_some() {
        rule
    } else {
        "schema/invalid-value"
    };
    let node = f.node;
    let what = last_key(&f.path)
        .map(|k| format!("`{k}`"))
        .unwrap_or_else(|| "the file".into());
    match f.keyword.as_str() {
        "additionalProperties" => unknown_keys(f),
        "type" => {
            let want = f
                .expected
                .clone()
                .unwrap_or_else(|| type_words(f.schema.get("type")));
            let rule = if want.contains("list")
                && matches!(node.kind, NodeKind::Mapping(_) | NodeKind::Scalar(_))
                && matches!(
                    last_key(&f.path),
                    Some("script" | "after-script" | "default")
                ) {
                "struct/expected-list"
            } else {
                rule
            };
            let mut d = Diagnostic::at(
                rule,
                node,
                format!("{what} must be {want}, not {}", node.kind_name()),
            );
            if want.contains("string") {
                if let Some(s) = node.as_scalar() {
                    if !s.style.is_quoted() && !s.value.is_empty() {
                        let quoted =
                            format!("\"{}\"", s.value.replace('\\', "\\\\").replace('"', "\\\""));
                        d = d.help(format!("quote it: {quoted}")).fix(Fix::safe(
                            format!("Quote {what}"),
                            vec![Edit::replace(node.span, quoted)],
                        ));
                    }
                }
            }
            if rule == "v3/version-value" && matches!(node.as_i64(), Some(2 | 3)) {
                d = d.severity(Severity::Warning);
            }
            vec![d]
        }
        "enum" => {
            let options: Vec<String> = f
                .schema
                .get("enum")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let got = node.as_str().unwrap_or_default();
            let mut d = Diagnostic::at(
                rule,
                node,
                format!("{what} must be one of {}; got `{got}`", options.join(", ")),
            );
            if let Some(best) = suggest::closest(got, options.iter().map(String::as_str)) {
                d = d.help(format!("did you mean `{best}`?")).fix(Fix::safe(
                    format!("Replace with `{best}`"),
                    vec![Edit::replace(node.span, best.to_owned())],
                ));
            }
            vec![d]
        }
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
            let min = f.schema.get("minimum").or(f.schema.get("exclusiveMinimum"));
            let max = f.schema.get("maximum");
            let range = match (min, max) {
                (Some(a), Some(b)) => format!("an integer from {a} to {b}"),
                (Some(a), None) => format!("at least {a}"),
                (None, Some(b)) => format!("at most {b}"),
                (None, None) => "in range".into(),
            };
            vec![Diagnostic::at(
                rule,
                node,
                format!("{what} must be {range}, got {}", cx.text(node.span).trim()),
            )]
        }
        "required" => {
            let missing: Vec<String> = f
                .schema
                .get("required")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter(|k| node.get(k).is_none())
                        .map(|k| format!("`{k}`"))
                        .collect()
                })
                .unwrap_or_default();
            if node.truncated {
                return Vec::new();
            }
            vec![Diagnostic::at(
                rule,
                node,
                format!(
                    "{} is required in {}",
                    missing.join(" and "),
                    owner(&f.path)
                ),
            )]
        }
        "minItems" | "minProperties" => vec![Diagnostic::at(
            rule,
            node,
            format!("{what} must not be empty"),
        )],
        "maxItems" => {
            let n = f
                .schema
                .get("maxItems")
                .map_or_else(String::new, Value::to_string);
            let count = node.as_sequence().map_or(0, <[Node]>::len);
            vec![Diagnostic::at(
                rule,
                node,
                format!("{what} has {count} entries; at most {n} are allowed"),
            )]
        }
        "maxProperties" => {
            let n = f
                .schema
                .get("maxProperties")
                .map_or_else(String::new, Value::to_string);
            if f.schema.get("minProperties").and_then(Value::as_u64) == Some(1) && n == "1" {
                let keys: Vec<String> = node
                    .as_mapping()
                    .map(|m| m.iter().map(|(k, _)| format!("`{k}`")).collect())
                    .unwrap_or_default();
                return vec![Diagnostic::at(
                    "struct/bad-item",
                    node,
                    format!(
                        "a list item here takes exactly one key, got {}",
                        keys.join(", ")
                    ),
                )];
            }
            vec![Diagnostic::at(
                rule,
                node,
                format!("{what} has too many entries; at most {n} are allowed"),
            )]
        }
        "maxLength" => {
            let n = f
                .schema
                .get("maxLength")
                .map_or_else(String::new, Value::to_string);
            let len = node.as_str().map_or(0, |s| s.chars().count());
            vec![Diagnostic::at(
                rule,
                node,
                format!("{what} is {len} characters long; at most {n} are allowed"),
            )]
        }
        "minLength" => vec![Diagnostic::at(
            rule,
            node,
            format!("{what} must not be empty"),
        )],
        "pattern" => {
            let desc = f
                .schema
                .get("x-pattern-description")
                .and_then(Value::as_str);
            let got = node.as_str().unwrap_or_default();
            let message = match desc {
                Some(desc) => format!("{what} must be {desc}; got `{got}`"),
                None => format!("{what} has an unexpected form: `{got}`"),
            };
            vec![Diagnostic::at(rule, node, message)]
        }
        "propertyNames" => vec![Diagnostic::at(
            rule,
            node,
            format!("{what} has a key of an invalid form"),
        )],
        "const" => vec![Diagnostic::at(
            rule,
            node,
            format!("{what} has an unexpected value"),
        )],
        "false" | "not" => vec![Diagnostic::at(
            rule,
            node,
            format!("{what} is not allowed here"),
        )],
        _ => vec![Diagnostic::at(
            rule,
            node,
            format!("{what} is not valid here ({})", f.keyword),
        )],
    }
}

fn unknown_keys(f: &Failure<'_>) -> Vec<Diagnostic> {
    let Some(map) = f.node.as_mapping() else {
        return Vec::new();
    };
    let known: Vec<&str> = f
        .schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let owner = if f.path.is_empty() {
        "the top level".to_owned()
    } else {
        owner(&f.path)
    };
    let mut out = Vec::new();
    for (key, entry) in map.iter() {
        if known.contains(&key) || entry.merged_from.is_some() {
            continue;
        }
        // Keys that only hold an anchor for later aliases are a documented pattern.
        if entry.value.anchor.is_some() {
            continue;
        }
        let mut d = Diagnostic::at(
            "schema/unknown-key",
            &entry.key,
            format!("unknown key `{key}` in {owner}; Bitbucket ignores it"),
        );
        let candidates = known.iter().copied().filter(|k| !map.contains_key(k));
        if let Some(best) = suggest::closest(key, candidates) {
            d.message = format!("unknown key `{key}` in {owner}; did you mean `{best}`?");
            d = d.help(format!("rename it to `{best}`")).fix(Fix::safe(
                format!("Rename `{key}` to `{best}`"),
                vec![Edit::replace(entry.key.span, best.to_owned())],
            ));
        } else if !known.is_empty() {
            let mut sorted = known.clone();
            sorted.sort_unstable();
            d = d.help(format!("known keys here: {}", sorted.join(", ")));
        }
        out.push(d);
    }
    out
}

fn type_words(t: Option<&Value>) -> String {
    let one = |s: &str| match s {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "a list",
        "object" => "a mapping",
        "null" => "empty",
        _ => "of another type",
    };
    match t {
        Some(Value::String(s)) => one(s).to_owned(),
        Some(Value::Array(list)) => {
            let words: Vec<&str> = list.iter().filter_map(Value::as_str).map(one).collect();
            words.join(" or ")
        }
        _ => "of another type".into(),
    }
}
