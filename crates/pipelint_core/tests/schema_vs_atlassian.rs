//! Compares the project's schema with Atlassian's (`../shared/reference/atlassian/`):
//! the property paths of both are recomputed with the walk `docs/schema.md` describes, and
//! every path found in one schema only must be listed in `schema/atlassian-differences.json`
//! (and nothing else may be listed), so the documented differences stay true.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

fn is_forbidden(s: &Value) -> bool {
    match s {
        Value::Bool(false) => true,
        Value::Object(m) => {
            m.len() == 1
                && m.get("not")
                    .is_some_and(|n| n.as_object().is_some_and(|o| o.is_empty()))
        }
        _ => false,
    }
}

fn resolve<'a>(root: &'a Value, mut s: &'a Value, chain: &mut Vec<String>) -> Option<&'a Value> {
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        if chain.iter().any(|c| c == r) {
            return None;
        }
        chain.push(r.to_owned());
        s = root.pointer(r.strip_prefix('#')?)?;
    }
    s.is_object().then_some(s)
}

fn walk(
    root: &Value,
    s: &Value,
    path: &str,
    forbidden: &BTreeSet<String>,
    chain: &mut Vec<String>,
    out: &mut BTreeSet<String>,
) {
    let depth = chain.len();
    let Some(s) = resolve(root, s, chain) else {
        chain.truncate(depth);
        return;
    };
    let mut f: BTreeSet<String> = forbidden.clone();
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        f.extend(
            props
                .iter()
                .filter(|(_, t)| is_forbidden(t))
                .map(|(n, _)| n.clone()),
        );
    }
    for b in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut c = chain.clone();
        if let Some(b) = resolve(root, b, &mut c)
            && let Some(props) = b.get("properties").and_then(Value::as_object)
        {
            f.extend(
                props
                    .iter()
                    .filter(|(_, t)| is_forbidden(t))
                    .map(|(n, _)| n.clone()),
            );
        }
    }
    let join = |p: &str, n: &str| {
        if p.is_empty() {
            n.to_owned()
        } else {
            format!("{p}.{n}")
        }
    };
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (n, t) in props {
            if f.contains(n) || is_forbidden(t) {
                continue;
            }
            let p = join(path, n);
            out.insert(p.clone());
            walk(root, t, &p, &BTreeSet::new(), chain, out);
        }
    }
    let mut maps: Vec<&Value> = Vec::new();
    if let Some(t) = s.get("additionalProperties").filter(|t| t.is_object()) {
        maps.push(t);
    }
    if let Some(pp) = s.get("patternProperties").and_then(Value::as_object) {
        maps.extend(pp.values());
    }
    for t in maps {
        let p = join(path, "*");
        out.insert(p.clone());
        walk(root, t, &p, &BTreeSet::new(), chain, out);
    }
    match s.get("items") {
        Some(Value::Array(items)) => items
            .iter()
            .for_each(|t| walk(root, t, &format!("{path}[]"), &BTreeSet::new(), chain, out)),
        Some(t @ Value::Object(_)) => {
            walk(root, t, &format!("{path}[]"), &BTreeSet::new(), chain, out)
        }
        _ => {}
    }
    for key in ["anyOf", "oneOf"] {
        for b in s.get(key).and_then(Value::as_array).into_iter().flatten() {
            walk(root, b, path, &BTreeSet::new(), chain, out);
        }
    }
    for b in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(root, b, path, &f, chain, out);
    }
    chain.truncate(depth);
}

fn paths(schema: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(
        schema,
        schema,
        "",
        &BTreeSet::new(),
        &mut Vec::new(),
        &mut out,
    );
    out
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read schema")).expect("valid JSON")
}

#[test]
fn differences_from_atlassian_are_all_listed() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let theirs_path = repo.join("../shared/reference/atlassian/pipelines-schema.json");
    if !theirs_path.is_file() {
        eprintln!(
            "SKIPPED: ../shared/reference/atlassian/pipelines-schema.json not found beside the checkout"
        );
        return;
    }
    let ours = paths(&load(&repo.join("schema/bitbucket-pipelines.schema.json")));
    let theirs = paths(&load(&theirs_path));
    assert!(
        ours.len() > 1000 && theirs.len() > 1000,
        "walk found too little: {} / {}",
        ours.len(),
        theirs.len()
    );
    let listed = load(&repo.join("schema/atlassian-differences.json"));
    let list = |k: &str| -> BTreeSet<String> {
        listed[k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let only_theirs: BTreeSet<String> = theirs.difference(&ours).cloned().collect();
    let only_ours: BTreeSet<String> = ours.difference(&theirs).cloned().collect();
    assert_eq!(
        only_theirs,
        list("only_in_atlassian"),
        "paths only in Atlassian's schema changed; update schema/atlassian-differences.json and docs/schema.md"
    );
    assert_eq!(
        only_ours,
        list("only_in_pipelint"),
        "paths only in ours changed; update schema/atlassian-differences.json and docs/schema.md"
    );
}

#[test]
fn every_keyword_has_a_description() {
    let schema = load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/bitbucket-pipelines.schema.json"),
    );
    let mut missing = Vec::new();
    fn visit(v: &Value, at: &str, missing: &mut Vec<String>) {
        if let Some(props) = v.get("properties").and_then(Value::as_object) {
            for (k, t) in props {
                let here = format!("{at}/{k}");
                if t.is_object() && t.get("description").is_none() && !super_forbidden(t) {
                    missing.push(here.clone());
                }
                visit(t, &here, missing);
            }
        }
        for key in ["definitions", "items", "additionalProperties"] {
            match v.get(key) {
                Some(Value::Object(m)) if key == "definitions" => {
                    for (k, t) in m {
                        if t.get("description").is_none() {
                            missing.push(format!("#/definitions/{k}"));
                        }
                        visit(t, &format!("#/definitions/{k}"), missing);
                    }
                }
                Some(t @ Value::Object(_)) => visit(t, &format!("{at}/{key}"), missing),
                _ => {}
            }
        }
    }
    fn super_forbidden(t: &Value) -> bool {
        is_forbidden(t)
    }
    visit(&schema, "", &mut missing);
    assert!(
        missing.is_empty(),
        "keywords without a description: {missing:#?}"
    );
}
