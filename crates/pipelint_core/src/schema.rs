//! The schema pass: the file is checked against `schema/bitbucket-pipelines.schema.json`
//! with the `jsonschema` crate, and every error is turned into one diagnostic in a user's
//! words, at the span of the key or value it is about, under the rule that names it.
//!
//! The validator is compiled once per process. The tree is converted to JSON with YAML 1.1
//! booleans (`yes`/`no`/`on`/`off`), as Bitbucket's parser reads them. Values that are
//! `${{ }}` templates, and nodes the YAML layer already reported as unreadable, are exempt.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use pipelint_yaml::{Mapping, Node, NodeKind, Resolved, Span};
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
            if is_str_tagged(node) {
                return Value::String(s.value.clone());
            }
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

/// A scalar tagged `!!str`: a string whatever it looks like.
fn is_str_tagged(node: &Node) -> bool {
    matches!(node.tag.as_deref(), Some("!!str" | "tag:yaml.org,2002:str"))
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
    let broken = cx.parsed.problems.iter().any(|p| {
        matches!(
            p.kind,
            pipelint_yaml::ProblemKind::Syntax | pipelint_yaml::ProblemKind::TooDeep
        )
    });
    if root.as_mapping().is_none() {
        if broken || root.is_invalid() {
            return;
        }
        return;
    }
    let json = to_json(root);
    // Most files are valid: the fast yes/no answer saves building the evaluation tree.
    if compiled.validator.is_valid(&json) {
        return;
    }
    // The errors, with those of every failed `anyOf`/`oneOf` branch in place of the
    // `anyOf` itself (what `best_branches` chooses from). The lazy error iterator, not the
    // validator's `evaluate`: that builds the evaluation tree of the whole document, which
    // on a large file costs several times the rest of the check.
    let mut errors = Vec::new();
    for error in compiled.validator.iter_errors(&json) {
        leaf_errors(&error, &mut errors);
    }
    let mut failures = Vec::new();
    for (instance_location, keyword, schema_location) in errors {
        let path: Vec<String> = instance_location
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let Some(node) = walk(root, &path) else {
            continue;
        };
        let Some(schema) = schema_at(&compiled.schema, &schema_location) else {
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
    let quiet = left_to_structure_rules(root);
    let items = item_paths(root);
    let mut seen: Vec<(Span, &'static str, String)> = Vec::new();
    for f in &failures {
        if exempt(f.node) || left_to_rules(f) || left_to_item_rules(cx, f) {
            continue;
        }
        if quiet
            .iter()
            .any(|p| f.path.len() >= p.len() && f.path[..p.len()] == p[..])
        {
            continue;
        }
        // `required` too: a `parallel`, `stage` or `final` item in a group fails the
        // group's "`step` is required", which `parallel/nested`, `stage/no-parallel` and
        // `final/placement` name precisely.
        if items.contains(&f.path)
            && matches!(
                f.keyword.as_str(),
                "additionalProperties" | "maxProperties" | "minProperties" | "required"
            )
        {
            continue;
        }
        for mut d in describe(cx, f).into_iter().map(|d| refine(f, d)) {
            if d.help.is_none() {
                d.help = rule_help(d.rule, f);
            }
            let key = (d.span, d.rule, d.message.clone());
            if !seen.contains(&key) {
                seen.push(key);
                out.push(d);
            }
        }
    }
}

/// A validation error as (instance location, keyword, schema location), or the errors of
/// the branches of an `anyOf` or `oneOf` that no branch satisfied.
fn leaf_errors(error: &jsonschema::ValidationError<'_>, out: &mut Vec<(String, String, String)>) {
    match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            for branch in context {
                for e in branch {
                    leaf_errors(e, out);
                }
            }
        }
        kind => out.push((
            error.instance_path().as_str().to_owned(),
            kind.keyword().to_owned(),
            error.schema_path().as_str().to_owned(),
        )),
    }
}

/// What to write instead, for the rules whose findings come from the schema pass and whose
/// generic message has no help of its own.
fn rule_help(rule: &str, f: &Failure<'_>) -> Option<String> {
    let kw = f.keyword.as_str();
    let help = match (rule, kw) {
        ("onfail/strategy", "required") => {
            "add `strategy: fail`, `strategy: retry` or `strategy: ignore`"
        }
        ("onfail/strategy", "minimum" | "maximum") => {
            "retry from 1 to 10 times: `maxRetryCount: 1` is the default"
        }
        ("cond/state-length", "maxLength") => {
            "shorten the expression: compute the decision in an earlier step, export it with \
             `output-variables`, and test that one variable here"
        }
        ("child/input-vars", "maxProperties") => {
            "pass at most 20 variables; combine related values into one variable"
        }
        ("child/input-vars", "minProperties") => {
            "remove the empty `input-variables`, or give it `NAME: value` entries"
        }
        ("artifacts/upload-required", "required") => {
            "an upload entry names the artifact and its files:\n- name: <artifact name>\n  paths:\n    - <glob>"
        }
        _ => return None,
    };
    Some(help.to_owned())
}

/// Errors that a code rule reports more precisely than the schema can.
fn left_to_rules(f: &Failure<'_>) -> bool {
    let last = last_key(&f.path);
    // `clone/depth` tells a quoted number and `Full` apart, with fixes.
    if last == Some("depth") && path_has(&f.path, "clone") {
        return true;
    }
    // `triggers/limits` names the event type meant and counts conditions per event.
    if f.path.first().map(String::as_str) == Some("triggers")
        && (f.keyword == "additionalProperties" && f.path.len() == 1
            || f.keyword == "maxItems" && f.path.len() == 2)
    {
        return true;
    }
    // A cache definition that is empty, not a path, or an object without a `path`:
    // `cache/definition-empty` says so in Bitbucket's words.
    if is_cache_definition_shape(f) && crate::registry::find("cache/definition-empty").is_some() {
        return true;
    }
    match f.keyword.as_str() {
        // Variable names: `var/name-invalid` points at the very key.
        "propertyNames" => true,
        "pattern" => {
            last == Some("name") && path_has(&f.path, "variables")
                || path_has(&f.path, "output-variables")
                // `share/import-format` says which of the two forms was meant.
                || last == Some("import")
        }
        // `svc/too-many` counts `options.docker` too.
        "maxItems" => last == Some("services") || path_has(&f.path, "runs-on"),
        // `runner/labels-limits` names the label and the limit.
        "maxLength" => path_has(&f.path, "runs-on"),
        // `includePaths` beside `excludePaths`: `cond/changesets-both` points at the second.
        "maxProperties" if last == Some("changesets") => {
            crate::registry::find("cond/changesets-both").is_some()
        }
        // `struct/expected-list` says it as Bitbucket does.
        "type"
            if wants_list(f) && matches!(last, Some("script" | "after-script" | "variables")) =>
        {
            true
        }
        // `svc/variable-not-string` quotes the value, and names YAML 1.1 booleans.
        "type" => {
            f.path.len() == 5
                && f.path[0] == "definitions"
                && f.path[1] == "services"
                && f.path[3] == "variables"
                && crate::registry::find("svc/variable-not-string").is_some()
                || left_to_value_rules(f)
        }
        _ => left_to_value_rules(f),
    }
}

/// A failure about the shape of `definitions.caches.<name>` itself or its `path`.
fn is_cache_definition_shape(f: &Failure<'_>) -> bool {
    let p = &f.path;
    p.len() >= 3
        && p[0] == "definitions"
        && p[1] == "caches"
        && match p.len() {
            3 => matches!(f.keyword.as_str(), "type" | "required"),
            4 => p[3] == "path" && f.keyword == "type",
            _ => false,
        }
}

/// Errors about the shape of pipelines, items, groups, stages and scripts that the
/// `struct/`, `parallel/`, `stage/`, `step/` and `script/` rules report in their own words
/// (and through aliases, at the place of use).
fn left_to_item_rules(cx: &Context<'_>, f: &Failure<'_>) -> bool {
    let last = last_key(&f.path).unwrap_or("");
    let parent = f
        .path
        .len()
        .checked_sub(2)
        .and_then(|i| f.path.get(i))
        .map(String::as_str);
    let kw = f.keyword.as_str();
    let null = f.node.is_null();
    let empty_list = f.node.as_sequence().is_some_and(<[Node]>::is_empty);
    let in_pipelines = f.path.first().is_some_and(|s| s == "pipelines")
        || f.path.len() > 1 && f.path[0] == "definitions" && f.path[1] == "pipelines";
    match (kw, last) {
        // `pipelines:` empty or `{}`: struct/pipelines-empty.
        ("type" | "minProperties", "pipelines") if f.path.len() == 1 => {
            null || kw == "minProperties"
        }
        // `options:` empty: struct/options-empty.
        ("type", "options") if f.path.len() == 1 => null,
        // `- step:` / `- final:` empty: struct/empty-step.
        ("type", "step" | "final") if in_pipelines => null,
        // Empty `script`, or an empty command in it: step/script-empty.
        ("minItems", "script" | "after-script") => !is_list_item(&f.path),
        ("type", "script" | "after-script") if is_script_item(&f.path) => null,
        // A command read as a mapping: script/colon-mapping.
        ("required", "script" | "after-script") if is_script_item(&f.path) => {
            crate::rules::script::colon_mapping::command_text(cx.source, f.node).is_some()
        }
        // A parallel group or a stage without steps: parallel/empty, stage/empty.
        ("type", "parallel" | "stage") if in_pipelines => null,
        ("minItems", "parallel") if in_pipelines => true,
        ("minItems" | "type", "steps") if matches!(parent, Some("parallel" | "stage")) => {
            kw == "minItems" || null || empty_list
        }
        ("required", "parallel" | "stage") if in_pipelines => f.node.get("steps").is_none(),
        // `condition` on a step of a stage: stage/step-condition.
        ("false" | "falseSchema", "condition") => path_has(&f.path, "stage"),
        _ => false,
    }
}

/// Rule-specific help the generic description lacks.
fn refine(f: &Failure<'_>, d: Diagnostic) -> Diagnostic {
    let node = f.node;
    match d.rule {
        "step/size-enum" => {
            let got = node.as_str().unwrap_or_default();
            let mut d = d;
            d.fix = None;
            d.help = None;
            match crate::rules::step::size_enum::closest_size(got) {
                // A value that is wrong wherever it is used: fixing the anchor is right.
                Some(best) if best != got => d
                    .help(format!("the sizes are 1x, 2x, 4x, 8x, 16x and 32x; the closest is `{best}`"))
                    .fix(Fix::safe(
                        format!("Replace `{got}` with `{best}`"),
                        vec![Edit::replace(node.span, best)],
                    )),
                Some(best) => d.help(format!(
                    "the sizes are 1x, 2x, 4x, 8x, 16x and 32x; the closest is `{best}`"
                )),
                None => d.help("the sizes are 1x, 2x, 4x, 8x, 16x and 32x (1x = 4 GB, each doubles the one before)"),
            }
        }
        "step/trigger-enum" => {
            let got = node.as_str().unwrap_or_default();
            let case_only = ["manual", "automatic"]
                .into_iter()
                .find(|t| t.eq_ignore_ascii_case(got.trim()));
            let best = case_only.or_else(|| suggest::closest(got, ["manual", "automatic"]));
            let mut d = d;
            d.fix = None;
            match best {
                Some(best) => {
                    d = d.help(if case_only.is_some() {
                        format!("write `trigger: {best}` (the values are lower case)")
                    } else {
                        format!("did you mean `trigger: {best}`?")
                    });
                    if node.as_scalar().is_some() {
                        d = d.fix(Fix::safe(
                            format!("Replace `{got}` with `{best}`"),
                            vec![Edit::replace(node.span, best)],
                        ));
                    }
                    d
                }
                None => d.help("write `trigger: manual` to wait for someone to start it, or leave `trigger` out (`automatic` is the default)"),
            }
        }
        "step/max-time-range" => {
            let text = node.as_scalar().map(|s| s.value.trim()).unwrap_or("");
            let quoted = node.as_scalar().is_some_and(|s| s.style.is_quoted());
            let minutes = text.parse::<i64>().ok().filter(|_| quoted).or_else(|| in_minutes(text));
            match minutes.filter(|n| (1..=720).contains(n)) {
                Some(n) => {
                    let (help, fix) = if quoted && text.parse::<i64>().is_ok() {
                        (format!("write the number without quotes: `max-time: {n}`"), "Remove the quotes".to_owned())
                    } else {
                        (format!("`max-time` counts minutes: write `max-time: {n}`"), format!("Replace `{text}` with `{n}`"))
                    };
                    d.help(help).fix(Fix::safe(fix, vec![Edit::replace(node.span, n.to_string())]))
                }
                None if d.help.is_none() => d.help("give whole minutes from 1 to 720 (12 hours), e.g. `max-time: 60`; the default is 120"),
                None => d,
            }
        }
        "step/concurrency-group-len" if f.keyword == "maxLength" => d.help(
            "shorten the name to at most 50 characters; every step that shares the group must use the same name",
        ),
        _ => d,
    }
}

/// `2h`, `90m`, `90 min`, `1.5h` as whole minutes.
fn in_minutes(text: &str) -> Option<i64> {
    let t = text.to_ascii_lowercase();
    let (number, factor) = if let Some(n) = t.strip_suffix("min").or_else(|| t.strip_suffix('m')) {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 60.0)
    } else {
        return None;
    };
    let minutes = number.trim().parse::<f64>().ok()? * factor;
    (minutes.fract() == 0.0 && minutes.is_finite()).then_some(minutes as i64)
}

/// Errors about image objects, runtime values, service memory and pipe variables: their
/// rules (`image/*`, `v3/version-value`, `runtime/arch-enum`, `svc/memory-min`,
/// `pipe/variables-type`) name the exact fix, and judge what the schema cannot (an
/// integer runtime version is a warning, not an error).
fn left_to_value_rules(f: &Failure<'_>) -> bool {
    let last = last_key(&f.path);
    let kw = f.keyword.as_str();
    // The key `n` places above the value: `above(1)` is the value's own key.
    let above = |n: usize| {
        f.path
            .len()
            .checked_sub(n)
            .and_then(|i| f.path.get(i))
            .map(String::as_str)
    };
    let service_memory = f.path.len() == 4
        && f.path[0] == "definitions"
        && f.path[1] == "services"
        && f.path[3] == "memory";
    let id = match (kw, last) {
        ("enum", Some("version")) if above(2) == Some("cloud") => "v3/version-value",
        ("enum", Some("arch")) if above(2) == Some("cloud") => "runtime/arch-enum",
        ("type", Some("run-as-user")) if above(2) == Some("image") => "image/run-as-user-type",
        ("minimum" | "type", Some("memory")) if service_memory => "svc/memory-min",
        // `name` missing, or `username`/`password` without the other.
        ("required", Some("image")) if above(1) == Some("image") => "image/name-missing",
        ("type", Some("name")) if f.node.is_null() && above(2) == Some("image") => {
            "image/name-missing"
        }
        // `access-key`/`secret-key` without the other, or beside `oidc-role`.
        ("required", Some("aws")) if above(1) == Some("aws") && above(2) == Some("image") => {
            "image/aws-mixed"
        }
        ("falseSchema", _) if above(2) == Some("aws") && above(3) == Some("image") => {
            "image/aws-mixed"
        }
        ("type", _) if is_pipe_variable(&f.path) => "pipe/variables-type",
        _ => return false,
    };
    crate::registry::find(id).is_some()
}

/// A value (or list item) under a pipe's `variables`: `.. script > 0 > variables > NAME`.
fn is_pipe_variable(path: &[String]) -> bool {
    path.iter().enumerate().any(|(i, seg)| {
        seg == "variables"
            && i >= 2
            && path[i - 1].parse::<usize>().is_ok()
            && matches!(path[i - 2].as_str(), "script" | "after-script")
            && path.len() > i + 1
    })
}

fn wants_list(f: &Failure<'_>) -> bool {
    f.expected
        .as_deref()
        .unwrap_or_else(|| match f.schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            _ => "",
        })
        .contains("list")
        || f.schema.get("type").and_then(Value::as_str) == Some("array")
}

/// Paths under which the schema pass stays quiet because a structure rule names the actual
/// mistake: items whose step keys are not indented under `step:`
/// (`struct/step-indentation`), pipelines written as a mapping (`struct/expected-list`).
fn left_to_structure_rules(root: &Node) -> Vec<Vec<String>> {
    use crate::model::{File, route_segments};
    let mut out = Vec::new();
    let Some(file) = File::new(root) else {
        return out;
    };
    for item in file.items() {
        if crate::model::is_misindented_step(item.node) {
            out.push(route_segments(&item.route));
        }
    }
    for p in file.pipelines() {
        if crate::model::is_pipeline_mapping(p.node) {
            out.push(route_segments(&p.route));
        }
    }
    out
}

/// Item paths: a pipeline item's own shape (one of step, parallel, stage, final,
/// variables) is `struct/bad-item`'s to report.
fn item_paths(root: &Node) -> Vec<Vec<String>> {
    crate::model::File::new(root)
        .map(|f| {
            f.items()
                .iter()
                .map(|i| crate::model::route_segments(&i.route))
                .collect()
        })
        .unwrap_or_default()
}

fn exempt(node: &Node) -> bool {
    node.is_invalid() || is_template(node) || node.truncated
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

/// Whether the path ends at an item of a list.
fn is_list_item(path: &[String]) -> bool {
    path.last().is_some_and(|s| s.parse::<usize>().is_ok())
}

/// An item of `script` or `after-script`.
fn is_script_item(path: &[String]) -> bool {
    is_list_item(path) && matches!(last_key(path), Some("script" | "after-script"))
}

/// What the value at `path` is, for messages: "`name`", or "a `caches` item" when it is an
/// item of a list.
fn subject(path: &[String]) -> String {
    match last_key(path) {
        None => "the file".into(),
        Some(key) if is_list_item(path) => {
            let article = if key.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!("{article} `{key}` item")
        }
        Some(key) => format!("`{key}`"),
    }
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
        if let Some(p) = f.schema.get("required").and_then(Value::as_array)
            && p.iter().any(|v| v == "name")
            && path_has(&f.path, "image")
        {
            return "image/name-missing";
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
    if kw == "type" && matches!(last, "script" | "after-script") && !is_list_item(&f.path) {
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
    let what = subject(&f.path);
    match f.keyword.as_str() {
        "additionalProperties" => unknown_keys(f),
        "type" => {
            let mut want = f
                .expected
                .clone()
                .unwrap_or_else(|| type_words(f.schema.get("type")));
            if is_script_item(&f.path) && want.contains("string") && want.contains("mapping") {
                want = "a command string or a pipe".into();
            }
            // Bitbucket's YAML 1.1 parser reads `yes`/`off` as booleans.
            let got = match node.as_scalar() {
                Some(s) if s.is_yaml11_bool() => "a boolean",
                _ => node.kind_name(),
            };
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
            let mut d = Diagnostic::at(rule, node, format!("{what} must be {want}, not {got}"));
            if want.contains("string")
                && let Some(s) = node.as_scalar()
                && !s.style.is_quoted()
                && !matches!(s.resolve(), pipelint_yaml::Resolved::Null)
            {
                let quoted = format!("\"{}\"", s.value.replace('\\', "\\\\").replace('"', "\\\""));
                d = d.help(format!("quote it: {quoted}")).fix(Fix::safe(
                    format!("Quote {what}"),
                    vec![Edit::replace(node.span, quoted)],
                ));
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
            if is_script_item(&f.path) && node.get("pipe").is_none() {
                return vec![script_item_without_pipe(f, rule)];
            }
            if rule == "artifacts/upload-required" {
                return vec![Diagnostic::at(
                    rule,
                    node,
                    format!(
                        "this `upload` entry has no {}; a named artifact needs `name` and `paths`",
                        missing.join(" and ")
                    ),
                )];
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
            let count = node.as_mapping().map_or(0, Mapping::len);
            vec![Diagnostic::at(
                rule,
                node,
                format!("{what} has {count} entries; at most {n} are allowed"),
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

/// A `script` item that is a mapping without `pipe`. A command that YAML read as a mapping
/// because of a `: ` in it is `script/colon-mapping`'s (see `left_to_item_rules`); what is
/// left is a mapping that is neither a command nor a pipe.
fn script_item_without_pipe(f: &Failure<'_>, rule: &'static str) -> Diagnostic {
    let list = last_key(&f.path).unwrap_or("script");
    Diagnostic::at(
        rule,
        f.node,
        format!("this `{list}` item is a mapping without `pipe`; an item is a command string, or a mapping that runs a pipe"),
    )
    .help("write the command as a string, or name the pipe: `- pipe: atlassian/<name>:<version>`")
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
    let command_as_mapping = is_script_item(&f.path) && !map.contains_key("pipe");
    for (key, entry) in map.iter() {
        if known.contains(&key) || entry.merged_from.is_some() {
            continue;
        }
        let candidates = known.iter().copied().filter(|k| !map.contains_key(k));
        let suggestion = suggest::closest(key, candidates);
        // A command with `: ` in it, read as a mapping: the `required` error explains it.
        if command_as_mapping && suggestion.is_none() {
            continue;
        }
        // Keys that only hold an anchor for later aliases are a documented pattern.
        if holds_anchor(&entry.value) {
            continue;
        }
        let mut d = Diagnostic::at(
            "schema/unknown-key",
            &entry.key,
            format!("unknown key `{key}` in {owner}; Bitbucket ignores it"),
        );
        if f.path.len() == 1 && f.path[0] == "pipelines" && entry.value.as_sequence().is_some() {
            // `pipelines: {master: [...]}`: a branch pipeline without `branches:`.
            d.message = format!("`{key}` is not a section of `pipelines`; Bitbucket ignores it");
            d = d.help(format!(
                "a pipeline for the branch `{key}` goes under `branches:`:\npipelines:\n  branches:\n    {key}:\n      - step: ..."
            ));
        } else if let Some(best) = suggestion {
            d.message = format!("unknown key `{key}` in {owner}; did you mean `{best}`?");
            d = d.rename(entry.key.span, key, best);
        } else if let Some(present) = suggest::closest(key, known.iter().copied()) {
            d = d.help(format!(
                "`{present}` is already set here; move these entries into it and remove `{key}`"
            ));
        } else if !known.is_empty() && known.len() <= 12 {
            let mut sorted = known.clone();
            sorted.sort_unstable();
            d = d.help(format!("known keys here: {}", sorted.join(", ")));
        }
        out.push(d);
    }
    out
}

/// Whether a node or anything in it carries an anchor (`&name`) written there.
fn holds_anchor(node: &Node) -> bool {
    let mut found = false;
    node.walk(&mut |n: &Node| found |= n.anchor.is_some() && !n.is_aliased());
    found
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

#[cfg(test)]
mod tests {
    use crate::CheckOptions;

    /// The schema pass's findings: (rule, message, help).
    fn found(text: &str) -> Vec<(String, String, Option<String>)> {
        crate::check(text, &CheckOptions::default())
            .diagnostics
            .into_iter()
            .filter(|d| {
                d.rule.starts_with("schema/")
                    || d.rule == "struct/expected-list"
                    || d.message.contains(" must be ")
            })
            .map(|d| (d.rule.to_owned(), d.message, d.help))
            .collect()
    }

    fn messages(text: &str) -> Vec<String> {
        found(text).into_iter().map(|(_, m, _)| m).collect()
    }

    #[test]
    fn list_items_are_named_as_items() {
        let text = "pipelines:\n  default:\n    - step:\n        caches:\n          - {a: b}\n        script:\n          -\n          - make\n        after-script:\n          - [a]\n        artifacts:\n          - 5\n";
        // The empty `script` item is `step/script-empty`'s.
        let all = found(text);
        let messages: Vec<&str> = all.iter().map(|(_, m, _)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                "a `caches` item must be a string, not a mapping",
                "an `after-script` item must be a command string or a pipe, not a list",
                "an `artifacts` item must be a string, not an integer",
            ]
        );
        // A wrong script item is not a `script` that should be a list.
        assert!(
            all.iter()
                .all(|(rule, _, _)| rule == "schema/invalid-value")
        );
    }

    #[test]
    fn a_command_read_as_a_mapping_is_one_finding() {
        let text =
            "pipelines:\n  default:\n    - step:\n        script:\n          - echo Status: ok\n";
        let all: Vec<_> = crate::check(text, &CheckOptions::default())
            .diagnostics
            .into_iter()
            .filter(|d| d.severity > crate::Severity::Info)
            .map(|d| (d.rule, d.message))
            .collect();
        assert_eq!(all.len(), 1, "{all:#?}");
        assert_eq!(all[0].0, "script/colon-mapping");
    }

    #[test]
    fn a_misspelt_pipe_keeps_its_suggestion() {
        let text = "pipelines:\n  default:\n    - step:\n        script:\n          - pipes: atlassian/scp-deploy:1.5.1\n";
        let all = messages(text);
        assert_eq!(all.len(), 2, "{all:#?}");
        assert!(all.iter().any(|m| m.contains("did you mean `pipe`?")));
        assert!(
            all.iter()
                .any(|m| m.starts_with("this `script` item is a mapping without `pipe`"))
        );
    }

    #[test]
    fn str_tags_and_yaml11_booleans() {
        let text = "pipelines:\n  default:\n    - step:\n        name: !!str 8\n        script: [make]\n    - step:\n        name: yes\n        script: [make]\n";
        assert_eq!(messages(text), ["`name` must be a string, not a boolean"]);
    }

    #[test]
    fn service_variables_are_left_to_their_rule() {
        let text = "definitions:\n  services:\n    db:\n      image: mysql:8\n      variables:\n        MYSQL_RANDOM_ROOT_PASSWORD: 1\npipelines:\n  default:\n    - step:\n        services: [db]\n        script: [make]\n";
        let from_schema: Vec<_> = crate::check(text, &CheckOptions::default())
            .diagnostics
            .into_iter()
            .filter(|d| d.message.contains("must be a string, not"))
            .collect();
        assert!(from_schema.is_empty(), "{from_schema:#?}");
    }

    #[test]
    fn bad_variable_names_are_left_to_their_rule() {
        // The names break the schema's `propertyNames`; `var/name-invalid` says why, and
        // the schema pass adds nothing (it once added "has an unexpected form").
        let text = "definitions:\n  services:\n    es:\n      image: elasticsearch:8\n      variables:\n        discovery.type: single-node\npipelines:\n  default:\n    - step:\n        services: [es]\n        script: [make]\n  custom:\n    deploy:\n      - step:\n          script: [make]\n    run:\n      - step:\n          type: pipeline\n          custom: deploy\n          input-variables:\n            TENANT-ID: acme\n";
        let rules: Vec<&str> = crate::check(text, &CheckOptions::default())
            .diagnostics
            .iter()
            .map(|d| d.rule)
            .filter(|r| {
                r.starts_with("schema/") || *r == "var/name-invalid" || r.starts_with("child/")
            })
            .collect();
        assert_eq!(rules, ["var/name-invalid", "var/name-invalid"], "{text}");
    }
}
