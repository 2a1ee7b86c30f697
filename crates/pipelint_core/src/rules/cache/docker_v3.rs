use pipelint_yaml::{Entry, Node, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::StepRef;
use crate::route::Segment;
use crate::rule::{Rule, RuleMeta};
use crate::rules::docker::{dash_before, flow_element, is_cloud_v3, whole_lines};

declare_rule! {
    /// ## What it does
    /// Reports the `docker` item of a step's `caches` when the step runs on Runtime v3
    /// (set on the step or in `options`). A step taken from a YAML anchor is judged where
    /// it is used: an anchored `caches: [docker]` is reported for the uses on v3 only.
    ///
    /// The fix removes the item: its line in a block list, the element and its comma in a
    /// flow list, or the whole `caches` key when `docker` is its only item. It is marked
    /// unsafe when the list is shared (through an anchor) with a step that does not run on
    /// v3, where the cache still works.
    ///
    /// ## Why is this bad?
    /// Runtime v3 does not support the predefined `docker` cache: it is ignored and a
    /// warning is printed in the step's log. The step saves nothing and restores nothing,
    /// so the line only suggests a speed-up that does not happen. To reuse image layers on
    /// v3, export and import a build cache with buildx (`--cache-to` / `--cache-from`).
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runtime:
    ///           cloud:
    ///             version: "3"
    ///         image: docker:27-cli
    ///         services: [docker]
    ///         caches:
    ///           - docker
    ///         script:
    ///           - docker build -t app .
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runtime:
    ///           cloud:
    ///             version: "3"
    ///         image: docker:27-cli
    ///         services: [docker]
    ///         script:
    ///           - docker build -t app .
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Enable and use Runtime v3" (the `docker` cache is deprecated: "ignored
    /// and a warning message will be displayed") and the knowledge-base article "Pipeline
    /// build cache related issues".
    pub struct DockerV3 {
        id: "cache/docker-v3",
        severity: Warning,
        summary: "The docker cache on a Runtime v3 step, which ignores it",
        fix: true,
    }
}

impl Rule for DockerV3 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            if !is_cloud_v3(step, cx) {
                continue;
            }
            let Some(entry) = step.map().and_then(|m| m.entry("caches")) else {
                continue;
            };
            let Some(items) = entry.value.as_sequence() else {
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                if item.as_str() != Some("docker") {
                    continue;
                }
                let mut d = Diagnostic::at(
                    Self::META.id,
                    item,
                    "the `docker` cache is ignored on Runtime v3 (Bitbucket logs a warning)",
                )
                .help(
                    "remove `docker` from `caches`; to reuse image layers on v3, use a buildx \
                     cache (`docker buildx build --cache-to ... --cache-from ...`)",
                );
                d.route = step
                    .route
                    .push(Segment::Key("caches".into()))
                    .push(Segment::Index(i));
                if let Some(fix) = remove_item(cx, step, entry, items, i) {
                    d = d.fix(fix);
                }
                out.push(d);
            }
        }
    }
}

/// The fix that removes `items[i]` (the `docker` item) from the step's `caches`.
fn remove_item(
    cx: &Context<'_>,
    step: &StepRef<'_>,
    entry: &Entry,
    items: &[Node],
    i: usize,
) -> Option<Fix> {
    let source = cx.source;
    let list = &entry.value;
    if list.truncated
        || items
            .iter()
            .filter(|n| n.as_str() == Some("docker"))
            .count()
            > 1
    {
        return None;
    }
    let item = items.get(i)?;
    let flow_list = cx.text(list.span).starts_with('[');
    let span = if items.len() == 1 {
        remove_entry(cx, step, entry)?
    } else if flow_list {
        flow_element(
            source,
            i.checked_sub(1)
                .and_then(|p| items.get(p))
                .map(|n| n.span.end),
            item.span.start,
            item.span.end,
            items.get(i + 1).map(|n| n.span.start),
        )?
    } else {
        let dash = dash_before(source, item.span.start)?;
        whole_lines(source, dash, item.span.end)?
    };
    let edits = vec![Edit::delete(span)];
    // Every step that uses this very list (through an anchor) loses the item.
    let all_v3 = cx.steps().iter().all(|s| {
        s.map()
            .and_then(|m| m.get("caches"))
            .is_none_or(|c| c.span != list.span || is_cloud_v3(s, cx))
    });
    Some(if all_v3 {
        Fix::safe("Remove the `docker` cache", edits)
    } else {
        Fix::unsafe_(
            "Remove the `docker` cache (also from the steps on Runtime v2 that share this list)",
            edits,
        )
    })
}

/// The span that removes the whole `caches` entry of the step.
fn remove_entry(cx: &Context<'_>, step: &StepRef<'_>, entry: &Entry) -> Option<Span> {
    let source = cx.source;
    let (start, end) = (entry.key.span.start, entry.value.span.end);
    let map = step.map()?;
    if cx.text(step.node.span).starts_with('{') {
        // A flow mapping: `{caches: [docker], script: [...]}`.
        let at = map
            .entries
            .iter()
            .position(|e| e.key.span == entry.key.span)?;
        let prev = at
            .checked_sub(1)
            .and_then(|p| map.entries.get(p))
            .map(|e| e.value.span.end);
        let next = map.entries.get(at + 1).map(|e| e.key.span.start);
        flow_element(source, prev, start, end, next)
    } else {
        whole_lines(source, start, end)
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Applicability;
    use crate::{CheckOptions, Selection};

    fn fixed(source: &str) -> (String, Vec<Applicability>) {
        let opts = CheckOptions {
            select: Selection::Only(vec!["cache/docker-v3".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(source, &opts).diagnostics;
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        let kinds = fixes.iter().map(|f| f.applicability).collect();
        (crate::fix::apply(source, fixes).0, kinds)
    }

    const V3: &str = "options:\n  runtime:\n    cloud:\n      version: \"3\"\n";

    #[test]
    fn removes_a_block_item_and_keeps_comments() {
        let src = format!(
            "{V3}pipelines:\n  default:\n    - step:\n        caches:\n          # keep me\n          - node\n          - docker # layers\n          - pip\n        script: [x]\n"
        );
        let (out, kinds) = fixed(&src);
        assert_eq!(
            out,
            format!(
                "{V3}pipelines:\n  default:\n    - step:\n        caches:\n          # keep me\n          - node\n          - pip\n        script: [x]\n"
            )
        );
        assert_eq!(kinds, [Applicability::Safe]);
    }

    #[test]
    fn removes_flow_elements() {
        let src = format!(
            "{V3}pipelines:\n  default:\n    - step: {{caches: [docker, node], script: [x]}}\n    - step: {{caches: [node, docker], script: [x]}}\n    - step: {{name: a, caches: [docker], script: [x]}}\n    - step: {{script: [x], caches: [docker]}}\n"
        );
        let (out, _) = fixed(&src);
        assert_eq!(
            out,
            format!(
                "{V3}pipelines:\n  default:\n    - step: {{caches: [node], script: [x]}}\n    - step: {{caches: [node], script: [x]}}\n    - step: {{name: a, script: [x]}}\n    - step: {{script: [x]}}\n"
            )
        );
    }

    #[test]
    fn removes_the_key_when_docker_is_the_only_cache() {
        let src = format!(
            "{V3}pipelines:\n  default:\n    - step:\n        caches:\n          - docker\n        script: [x]\n    - step:\n        caches: [docker]  # old\n        script: [x]\n"
        );
        let (out, _) = fixed(&src);
        assert_eq!(
            out,
            format!(
                "{V3}pipelines:\n  default:\n    - step:\n        script: [x]\n    - step:\n        script: [x]\n"
            )
        );
    }

    #[test]
    fn an_anchor_shared_with_v2_is_reported_for_v3_only_with_an_unsafe_fix() {
        let src = "definitions:\n  steps:\n    - step: &b\n        caches: [node, docker]\n        script: [x]\npipelines:\n  default:\n    - step: *b\n    - step:\n        <<: *b\n        runtime: {cloud: {version: \"3\"}}\n";
        let opts = CheckOptions {
            select: Selection::Only(vec!["cache/docker-v3".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(src, &opts).diagnostics;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].related.len(), 1);
        assert_eq!(&src[found[0].related[0].span.range()], "*b");
        assert!(found[0].related[0].span.start > src.find("<<").unwrap_or(0));
        let (_, kinds) = fixed(src);
        assert_eq!(kinds, [Applicability::Unsafe]);
    }
}
