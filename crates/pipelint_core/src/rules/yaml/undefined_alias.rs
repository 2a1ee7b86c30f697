use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::{UndefinedAliasText, undefined_aliases};

declare_rule! {
    /// ## What it does
    /// Reports an alias (`*name`) with no anchor (`&name`) before it in the file.
    ///
    /// ## Why is this bad?
    /// Bitbucket cannot read the file. An anchor must be defined before the aliases that
    /// use it, with exactly the same name.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   steps:
    ///     - step: &build-step
    ///         script: [make]
    /// pipelines:
    ///   default:
    ///     - step: *build
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   steps:
    ///     - step: &build-step
    ///         script: [make]
    /// pipelines:
    ///   default:
    ///     - step: *build-step
    /// ```
    ///
    /// ## Source
    /// The YAML specification; Atlassian, "YAML anchors".
    pub struct UndefinedAlias {
        id: "yaml/undefined-alias",
        severity: Error,
        summary: "An alias to an anchor that is not defined",
        fix: true,
        kinds: [Pipelines, BambooSpecs, RunnerCompose],
    }
}

impl Rule for UndefinedAlias {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let aliases = UndefinedAliasText::of(cx);
        for (p, name) in undefined_aliases(cx) {
            if aliases.is_glob(p.span, name) {
                continue;
            }
            // `*name` followed by more of a plain scalar (`*name]`, `*name and more`) is
            // not an alias the user wrote on purpose: a new name would keep the rest.
            let whole = aliases
                .written
                .get(&p.span.start)
                .is_none_or(|s| *s == p.span);
            // An anchor may be named `x:` (`&x:` then a newline), but `*x:` reads as the
            // key `*x`, not as an alias to it: no fix can name that anchor.
            let nameable = |best: &str| !best.ends_with(':');
            let mut d = Diagnostic::new(
                Self::META.id,
                p.span,
                format!("alias `*{name}` refers to an anchor that is not defined"),
            );
            let anchors = cx
                .parsed
                .anchors
                .iter()
                // An alias can name only an anchor whose node is finished before it: one
                // inside the anchored node would make the node contain itself.
                .filter(|a| a.node_span.end <= p.span.start);
            match crate::suggest::closest(name, anchors.clone().map(|a| a.name.as_str())) {
                Some(best) if whole && nameable(best) => {
                    let anchor = anchors.clone().rfind(|a| a.name == best);
                    d = d
                        .help(format!("did you mean `*{best}`?"))
                        .fix(crate::Fix::unsafe_(
                            format!("Use `*{best}`"),
                            vec![crate::Edit::replace(p.span, format!("*{best}"))],
                        ));
                    if let Some(a) = anchor {
                        d = d.related(a.span, format!("anchor `&{best}` is defined here"));
                    }
                }
                _ => {
                    d = d.help(format!(
                        "define `&{name}` on a node before this alias, or quote the value if it is not meant as an alias"
                    ));
                }
            }
            out.push(d);
        }
    }
}
