use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::entry_lines;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an `options:` key with nothing in it (empty, `~` or `{}`).
    ///
    /// An `options` block with only unknown keys is left to `schema/unknown-key`, which
    /// names the misspelt key. The fix removes the empty `options:` line.
    ///
    /// ## Why is this bad?
    /// `options` requires one or more of `docker`, `max-time`, `size` and `runtime`; an
    /// empty one does nothing, and usually means its settings were indented wrong or
    /// deleted by mistake.
    ///
    /// ## Example
    /// ```yaml
    /// options:
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// options:
    ///   max-time: 30
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Global options" (A-GLOBAL,
    /// <https://support.atlassian.com/bitbucket-cloud/docs/global-options/>): `options`
    /// "requires one or more of max-time, docker, size, runtime".
    pub struct OptionsEmpty {
        id: "struct/options-empty",
        severity: Warning,
        summary: "An `options:` with nothing in it",
        fix: true,
    }
}

impl Rule for OptionsEmpty {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        let Some(entry) = file.map.entry("options") else {
            return;
        };
        let value = &entry.value;
        let empty = value.is_null()
            || value
                .as_mapping()
                .is_some_and(|m| m.is_empty() && m.merges.is_empty() && !value.truncated);
        if !empty {
            return;
        }
        let mut d = Diagnostic::at(
            Self::META.id,
            &entry.key,
            "`options` is empty; it takes one or more of docker, max-time, size and runtime",
        )
        .help("put the settings under `options:`, indented, e.g.\noptions:\n  max-time: 30\nor remove the empty `options:`");
        if let Some(span) = entry_lines(cx.source, &entry.key, value) {
            d = d.fix(Fix::safe(
                "Remove the empty `options:`",
                vec![Edit::delete(span)],
            ));
        }
        out.push(d);
    }
}
