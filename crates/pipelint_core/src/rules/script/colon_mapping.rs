use pipelint_yaml::{Node, NodeKind, ScalarStyle, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::route::Segment;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `script` or `after-script` item that YAML read as a mapping, not as a
    /// command, because of an unquoted `: ` (or a `:` at the end) in it:
    /// `- echo Status: ok` is the mapping `{echo Status: ok}`. Items with a `pipe` key are
    /// pipes and are not reported.
    ///
    /// The fix quotes the whole command as it is written, in single quotes (a `'` in it
    /// is doubled), so the shell gets exactly the text that is there.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the file: "Missing or empty command string. Each item in this
    /// list should either be a single command string or a map defining a pipe invocation."
    /// The message does not say that the `: ` is the cause.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - curl -H "Content-Type: application/json" -d @body.json "$HOOK_URL"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - 'curl -H "Content-Type: application/json" -d @body.json "$HOOK_URL"'
    /// ```
    ///
    /// ## Source
    /// Bitbucket's error message for such an item, in a public README (G-FR) and an
    /// Atlassian community answer (C-ANCHOR); research §3 #3.
    pub struct ColonMapping {
        id: "script/colon-mapping",
        severity: Error,
        summary: "A command that YAML read as a mapping because of `: ` in it",
        fix: true,
    }
}

impl Rule for ColonMapping {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            for key in ["script", "after-script"] {
                let items = step.get(key).and_then(Node::as_sequence).unwrap_or(&[]);
                for (index, item) in items.iter().enumerate() {
                    let Some((span, text)) = command_text(cx.source, item) else {
                        continue;
                    };
                    let quoted = format!("'{}'", text.replace('\'', "''"));
                    // The whole command, colon included; the item's own span may stop
                    // before a trailing colon. The text is wrong wherever it is used, so
                    // the fix may edit an anchored script.
                    let mut d = Diagnostic::new(
                        Self::META.id,
                        span,
                        format!("this `{key}` item was read as a YAML mapping because of the `:` in it, not as a command"),
                    )
                    .help(format!("quote the whole command: `- {quoted}`"))
                    .fix(Fix::safe(
                        "Quote the command",
                        vec![Edit::replace(span, quoted)],
                    ));
                    if let Some(site) = item.via.first() {
                        d = d.via(*site);
                    }
                    d.route = step
                        .route
                        .push(Segment::Key(key.into()))
                        .push(Segment::Index(index));
                    out.push(d);
                }
            }
        }
    }
}

/// The command as written and where, when `item` is a one-line command that YAML read as
/// a mapping: one plain key and a scalar (or empty) value, no `pipe`, no merge key.
pub(crate) fn command_text<'a>(source: &'a str, item: &Node) -> Option<(Span, &'a str)> {
    let NodeKind::Mapping(m) = &item.kind else {
        return None;
    };
    if m.entries.len() != 1 || !m.merges.is_empty() || item.truncated {
        return None;
    }
    let entry = &m.entries[0];
    let key = entry.key.as_scalar()?;
    if key.style != ScalarStyle::Plain || entry.key.as_key() == Some("pipe") {
        return None;
    }
    // A misspelt `pipe` (`pipes:`, `Pipe:`) is a pipe, named by `schema/unknown-key`.
    if crate::suggest::closest(&key.value, ["pipe"]).is_some() {
        return None;
    }
    let value = entry.value.as_scalar()?;
    if value.style.is_block() {
        return None;
    }
    let mut span = item.span;
    let mut text = source.get(span.range())?.trim_end();
    // Without a value the span stops before the colon (`- echo done:`).
    if entry.value.is_null() {
        let after = source.get(item.span.end..)?;
        if let Some(rest) = after.strip_prefix(':')
            && rest.split('\n').next().is_some_and(|l| {
                let l = l.trim();
                l.is_empty() || l.starts_with('#')
            })
        {
            span = Span::new(item.span.start, item.span.end + 1);
            text = source.get(span.range())?;
        }
    }
    if text.contains('\n') || !text.contains(':') {
        return None;
    }
    Some((Span::new(span.start, span.start + text.len()), text))
}

#[cfg(test)]
mod tests {

    fn run(text: &str) -> Vec<crate::Diagnostic> {
        crate::check_only("script/colon-mapping", text)
    }

    #[test]
    fn quotes_the_command_as_written() {
        let text = "pipelines:\n  default:\n    - step:\n        script:\n          - echo Status: \"ok\"\n          - echo it's done:\n          - pipe: atlassian/slack-notify:2.0.0\n          - echo fine\n        after-script:\n          - echo \"Exit: $BITBUCKET_EXIT_CODE\" # why\n";
        let found = run(text);
        assert_eq!(found.len(), 3, "{found:#?}");
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (fixed, n) = crate::fix::apply(text, fixes);
        assert_eq!(n, 3);
        assert_eq!(
            fixed,
            "pipelines:\n  default:\n    - step:\n        script:\n          - 'echo Status: \"ok\"'\n          - 'echo it''s done:'\n          - pipe: atlassian/slack-notify:2.0.0\n          - echo fine\n        after-script:\n          - 'echo \"Exit: $BITBUCKET_EXIT_CODE\"' # why\n"
        );
        let parsed = pipelint_yaml::parse(&fixed, &Default::default());
        let file = crate::model::File::new(parsed.root().expect("root")).expect("map");
        let cmds: Vec<String> = file.steps()[0]
            .commands(false)
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
        assert_eq!(
            cmds,
            ["echo Status: \"ok\"", "echo it's done:", "echo fine"]
        );
        assert!(run(&fixed).is_empty());
    }

    #[test]
    fn leaves_real_mappings_alone() {
        for text in [
            "pipelines:\n  default:\n    - step:\n        script:\n          - pipes: atlassian/x:1\n",
            "pipelines:\n  default:\n    - step:\n        script:\n          - name: x\n            value: y\n",
            "pipelines:\n  default:\n    - step:\n        script:\n          - key:\n              a: b\n",
        ] {
            assert!(run(text).is_empty(), "{text}: {:#?}", run(text));
        }
    }
}
