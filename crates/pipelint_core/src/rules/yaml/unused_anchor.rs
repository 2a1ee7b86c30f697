use pipelint_yaml::{ProblemKind, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an anchor (`&name`) that no alias (`*name`) uses. An anchor used only by a
    /// merge key (`<<: *name`) is used.
    ///
    /// Nothing is reported when the file has a syntax error (the aliases after it were
    /// never read), nor for an anchor whose name an alias before it uses (that alias is
    /// reported by `yaml/undefined-alias`).
    ///
    /// ## Why is this bad?
    /// It is harmless to Bitbucket, but it is often a sign of a step or a definition that
    /// was meant to be reused and is not, or of an alias that names another anchor by
    /// mistake. The fix removes the unused `&name`.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step: &build
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// pipelint's own rule (rule catalog, "rules added beyond the research tables");
    /// anchors and aliases as described in Atlassian, "YAML anchors" (A-ANCHOR).
    pub struct UnusedAnchor {
        id: "yaml/unused-anchor",
        severity: Info,
        summary: "An anchor that no alias uses",
        fix: true,
    }
}

impl Rule for UnusedAnchor {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let stopped = cx.parsed.problems.iter().any(|p| {
            matches!(
                p.kind,
                ProblemKind::Syntax | ProblemKind::TooDeep | ProblemKind::AliasLimit
            )
        });
        if stopped {
            return;
        }
        let undefined: Vec<&str> = cx
            .parsed
            .problems
            .iter()
            .filter_map(|p| match &p.kind {
                ProblemKind::UndefinedAlias { name } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        for anchor in &cx.parsed.anchors {
            if !anchor.uses.is_empty()
                || anchor.name.is_empty()
                || anchor.span.is_empty()
                || undefined.contains(&anchor.name.as_str())
            {
                continue;
            }
            let mut d = Diagnostic::new(
                Self::META.id,
                anchor.span,
                format!("anchor `&{}` is never used", anchor.name),
            )
            .help(format!(
                "use it with `*{}`, or remove `&{}`",
                anchor.name, anchor.name
            ));
            if let Some(span) = removal(cx.source, anchor.span) {
                d = d.fix(Fix::safe(
                    format!("Remove `&{}`", anchor.name),
                    vec![Edit::delete(span)],
                ));
            }
            out.push(d);
        }
    }
}

/// The text to remove with the anchor: the spaces after it when a value follows on the
/// line, else the spaces before it (`step: &a` at the end of a line).
fn removal(source: &str, anchor: Span) -> Option<Span> {
    let after = source.get(anchor.end..)?;
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    let next = after[spaces..].chars().next();
    if spaces > 0 && !matches!(next, None | Some('\n' | '\r' | '#')) {
        return Some(Span::new(anchor.start, anchor.end + spaces));
    }
    let before = source.get(..anchor.start)?;
    let back = before.len() - before.trim_end_matches([' ', '\t']).len();
    if matches!(
        before[..before.len() - back].chars().last(),
        Some(':' | '-')
    ) && back > 0
    {
        return Some(Span::new(anchor.start - back, anchor.end));
    }
    (spaces == 0 && matches!(next, None | Some('\n' | '\r'))).then_some(anchor)
}

#[cfg(test)]
mod tests {

    fn run(text: &str) -> Vec<crate::Diagnostic> {
        crate::check_only("yaml/unused-anchor", text)
    }

    #[test]
    fn unused_anchors_and_their_fix() {
        let text =
            "a: &one 1\nb: &two\n  x: 1\nc: &merged {y: 2}\nd:\n  <<: *merged\ne: [&three x, 2]\n";
        let found = run(text);
        let names: Vec<&str> = found.iter().map(|d| &text[d.span.range()]).collect();
        assert_eq!(names, ["&one", "&two", "&three"]);
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (fixed, n) = crate::fix::apply(text, fixes);
        assert_eq!(n, 3);
        assert_eq!(
            fixed,
            "a: 1\nb:\n  x: 1\nc: &merged {y: 2}\nd:\n  <<: *merged\ne: [x, 2]\n"
        );
        assert!(run(&fixed).is_empty());
    }

    #[test]
    fn quiet_when_aliases_may_be_unread() {
        for text in ["a: &one 1\nb: [\n", "b: *one\na: &one 1\n"] {
            assert!(run(text).is_empty(), "{text}: {:#?}", run(text));
        }
    }
}
