//! The project's JSON schema (`pipelint_core::schema::schema()`), walked along a YAML route
//! for hover and completion.
//!
//! A key is looked up in `properties` of the schema at hand, following `$ref` into
//! `#/definitions/...` and every branch of `anyOf`/`oneOf`/`allOf` (the branch that has the
//! key wins); user-named maps (branch patterns, service names) go through
//! `additionalProperties`, list items through `items`. Descriptions come from the property
//! itself first (it often refines the shared definition), then from what it refers to.

use pipelint_core::route::Segment;
use serde_json::Value;

/// How many `$ref`s and nested branches are followed before giving up (the schema has no
/// cycles that matter, but a bound keeps a broken schema harmless).
const MAX_HOPS: usize = 32;
const MAX_BRANCHES: usize = 64;

/// A value of an `enum`, with its line from `x-enum-descriptions`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    pub value: String,
    /// The value was a string in the schema (`"3"`), not a number or boolean.
    pub is_string: bool,
    pub description: Option<&'static str>,
}

/// The schema, when it loaded.
#[derive(Clone, Copy)]
pub struct Schema {
    root: &'static Value,
}

impl Schema {
    pub fn get() -> Option<Schema> {
        pipelint_core::schema::schema().map(|root| Schema { root })
    }

    pub fn root(&self) -> &'static Value {
        self.root
    }

    /// Follows `$ref` (local `#/...` pointers only).
    pub fn deref(&self, mut v: &'static Value) -> &'static Value {
        for _ in 0..MAX_HOPS {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else {
                return v;
            };
            let Some(target) = r.strip_prefix('#').and_then(|p| self.root.pointer(p)) else {
                return v;
            };
            v = target;
        }
        v
    }

    /// The schema and every branch of its `anyOf`, `oneOf` and `allOf`, dereferenced.
    pub fn branches(&self, v: &'static Value) -> Vec<&'static Value> {
        let mut out: Vec<&'static Value> = Vec::new();
        let mut stack = vec![v];
        while let Some(x) = stack.pop() {
            if out.len() >= MAX_BRANCHES {
                break;
            }
            let d = self.deref(x);
            if out.iter().any(|seen| std::ptr::eq(*seen, d)) {
                continue;
            }
            out.push(d);
            for kw in ["allOf", "oneOf", "anyOf"] {
                if let Some(list) = d.get(kw).and_then(Value::as_array) {
                    stack.extend(list.iter().rev());
                }
            }
        }
        out
    }

    /// The schema of the value of `key` in a mapping described by `v`.
    pub fn child_key(&self, v: &'static Value, key: &str) -> Option<&'static Value> {
        let branches = self.branches(v);
        for b in &branches {
            if let Some(p) = b.get("properties").and_then(|p| p.get(key))
                && p.is_object()
            {
                return Some(p);
            }
        }
        branches
            .iter()
            .find_map(|b| b.get("additionalProperties").filter(|a| a.is_object()))
    }

    /// The schema of an item of a list described by `v`.
    pub fn child_index(&self, v: &'static Value) -> Option<&'static Value> {
        self.branches(v)
            .iter()
            .find_map(|b| b.get("items").filter(|i| i.is_object()))
    }

    /// The schema at a route from the document root.
    pub fn at(&self, route: &[Segment]) -> Option<&'static Value> {
        let mut v = self.root;
        for seg in route {
            v = match seg {
                Segment::Key(k) => self.child_key(v, k)?,
                Segment::Index(_) => self.child_index(v)?,
            };
        }
        Some(v)
    }

    /// The schema at the first route that resolves.
    pub fn at_any(&self, routes: &[Vec<Segment>]) -> Option<&'static Value> {
        routes.iter().find_map(|r| self.at(r))
    }

    fn first_str(&self, v: &'static Value, field: &str) -> Option<&'static str> {
        let mut v = v;
        for _ in 0..MAX_HOPS {
            if let Some(s) = v.get(field).and_then(Value::as_str) {
                return Some(s);
            }
            let next = self.deref(v);
            if std::ptr::eq(next, v) {
                return None;
            }
            v = next;
        }
        None
    }

    pub fn description(&self, v: &'static Value) -> Option<&'static str> {
        self.first_str(v, "description")
    }

    /// The documentation link (`x-docs`).
    pub fn docs(&self, v: &'static Value) -> Option<&'static str> {
        self.first_str(v, "x-docs")
    }

    /// The default value, when the schema gives one.
    pub fn default_value(&self, v: &'static Value) -> Option<&'static Value> {
        self.branches(v).iter().find_map(|b| b.get("default"))
    }

    /// The `enum` values of every branch, strings first where a value is given both as a
    /// string and a number (`"3"` and `3`), with their descriptions.
    pub fn enum_values(&self, v: &'static Value) -> Vec<EnumValue> {
        let mut out: Vec<EnumValue> = Vec::new();
        for b in self.branches(v) {
            let Some(list) = b.get("enum").and_then(Value::as_array) else {
                continue;
            };
            let descriptions = b.get("x-enum-descriptions");
            for item in list {
                let (value, is_string) = match item {
                    Value::String(s) => (s.clone(), true),
                    Value::Null => continue,
                    other => (other.to_string(), false),
                };
                if let Some(seen) = out.iter_mut().find(|e| e.value == value) {
                    seen.is_string |= is_string;
                    continue;
                }
                let description = descriptions
                    .and_then(|d| d.get(&value))
                    .and_then(Value::as_str);
                out.push(EnumValue {
                    value,
                    is_string,
                    description,
                });
            }
        }
        out
    }

    /// The named properties a mapping described by `v` may have, in schema order, without
    /// those a branch forbids (`"condition": false`).
    pub fn properties(&self, v: &'static Value) -> Vec<(&'static str, &'static Value)> {
        let branches = self.branches(v);
        let mut out: Vec<(&'static str, &'static Value)> = Vec::new();
        let mut forbidden: Vec<&str> = Vec::new();
        for b in &branches {
            let Some(props) = b.get("properties").and_then(Value::as_object) else {
                continue;
            };
            for (name, schema) in props {
                if schema == &Value::Bool(false) {
                    forbidden.push(name);
                } else if !out.iter().any(|(n, _)| n == name) {
                    out.push((name.as_str(), schema));
                }
            }
        }
        out.retain(|(n, _)| !forbidden.contains(n));
        out
    }

    /// The JSON types the value may have (`object`, `array`, `string`...).
    pub fn types(&self, v: &'static Value) -> Vec<&'static str> {
        let mut out = Vec::new();
        for b in self.branches(v) {
            match b.get("type") {
                Some(Value::String(t)) => out.push(t.as_str()),
                Some(Value::Array(ts)) => out.extend(ts.iter().filter_map(Value::as_str)),
                _ => {}
            }
            if b.get("properties").is_some() && !out.contains(&"object") {
                out.push("object");
            }
        }
        out.dedup();
        out
    }

    /// Whether the value is written as a block (a mapping or a list) rather than a scalar.
    pub fn is_collection(&self, v: &'static Value) -> bool {
        let types = self.types(v);
        !types.is_empty() && types.iter().all(|t| *t == "object" || *t == "array")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(parts: &[&str]) -> Vec<Segment> {
        parts
            .iter()
            .map(|p| match p.parse::<usize>() {
                Ok(i) => Segment::Index(i),
                Err(_) => Segment::Key((*p).to_owned()),
            })
            .collect()
    }

    #[test]
    fn walks_refs_branches_and_user_maps() {
        let s = Schema::get().expect("schema");
        let size = s
            .at(&route(&[
                "pipelines",
                "branches",
                "main",
                "0",
                "step",
                "size",
            ]))
            .expect("size");
        assert!(s.description(size).is_some());
        assert!(s.docs(size).is_some());
        let values = s.enum_values(size);
        assert!(
            values
                .iter()
                .any(|e| e.value == "2x" && e.description.is_some())
        );

        let version = s
            .at(&route(&["options", "runtime", "cloud", "version"]))
            .expect("version");
        let values = s.enum_values(version);
        assert_eq!(
            values.iter().map(|e| e.value.as_str()).collect::<Vec<_>>(),
            ["2", "3"]
        );

        let upload_type = s
            .at(&route(&[
                "pipelines",
                "default",
                "0",
                "step",
                "artifacts",
                "upload",
                "0",
                "type",
            ]))
            .expect("artifact type");
        assert!(
            s.enum_values(upload_type)
                .iter()
                .any(|e| e.value == "test-reports")
        );

        let service = s
            .at(&route(&["definitions", "services", "pg"]))
            .expect("service");
        let names: Vec<_> = s.properties(service).iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"memory"));

        // A stage's steps may not have a condition.
        let stage_step = s
            .at(&route(&[
                "pipelines",
                "default",
                "0",
                "stage",
                "steps",
                "0",
                "step",
            ]))
            .expect("stage step");
        let names: Vec<_> = s.properties(stage_step).iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"script") && !names.contains(&"condition"));

        assert!(s.at(&route(&["pipelines", "nonsense"])).is_none());
    }
}
