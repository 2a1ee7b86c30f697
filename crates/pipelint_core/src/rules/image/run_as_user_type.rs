use pipelint_yaml::Resolved;

use super::{image_label, image_objects, key_of};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an image's `run-as-user` that is not an integer: a user name such as
    /// `node`, a `uid:gid` pair, or a number written in quotes. The fix removes the quotes
    /// around a number (`"1000"` becomes `1000`).
    ///
    /// ## Why is this bad?
    /// `run-as-user` takes the numeric UID the build container runs as; Bitbucket rejects
    /// any other value. A user name has to be turned into its UID, which `id -u <name>`
    /// prints inside the image. The user must exist in the image and have a home
    /// directory.
    ///
    /// ## Example
    /// ```yaml
    /// image:
    ///   name: node:20
    ///   run-as-user: "1000"
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [npm ci, npm test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image:
    ///   name: node:20
    ///   run-as-user: 1000
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [npm ci, npm test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Docker image options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/docker-image-options/):
    /// `run-as-user` is the UID; the official schema gives it `type: integer`.
    pub struct RunAsUserType {
        id: "image/run-as-user-type",
        severity: Error,
        summary: "An image `run-as-user` that is not a numeric UID",
        fix: true,
    }
}

impl Rule for RunAsUserType {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for u in image_objects(cx) {
            let Some((_, value)) = key_of(u.node, "run-as-user") else {
                continue;
            };
            if value.is_invalid() || is_template(value) {
                continue;
            }
            let label = image_label(&u);
            let Some(s) = value.as_scalar() else {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        value,
                        format!(
                            "`run-as-user` of {label} must be a numeric UID, not {}",
                            value.kind_name()
                        ),
                    )
                    .help("write one number, e.g. `run-as-user: 1000`"),
                );
                continue;
            };
            match s.resolve() {
                Resolved::Int(_) => {}
                Resolved::Str(text) if is_uid(text.trim()) => {
                    let uid = text.trim();
                    out.push(
                        Diagnostic::at(
                            Self::META.id,
                            value,
                            format!(
                                "`run-as-user` of {label} must be a number, not the string \"{uid}\""
                            ),
                        )
                        .help(format!("remove the quotes: `run-as-user: {uid}`"))
                        .fix(Fix::safe(
                            "Remove the quotes",
                            vec![Edit::replace(value.span, uid.to_owned())],
                        )),
                    );
                }
                Resolved::Null => out.push(
                    Diagnostic::at(
                        Self::META.id,
                        value,
                        format!("`run-as-user` of {label} is empty"),
                    )
                    .help("write the numeric UID, e.g. `run-as-user: 1000`, or remove the key to run as the image's user"),
                ),
                _ => {
                    let got = s.value.trim();
                    let help = match got.split_once(':') {
                        Some((uid, _)) if is_uid(uid) => format!(
                            "only the user ID can be given: `run-as-user: {uid}`"
                        ),
                        _ if is_user_name(got) => format!(
                            "write the user's numeric UID, e.g. `run-as-user: 1000`; `id -u {got}` prints it inside the image"
                        ),
                        _ => "write the numeric UID as a whole number, e.g. `run-as-user: 1000`"
                            .to_owned(),
                    };
                    out.push(
                        Diagnostic::at(
                            Self::META.id,
                            value,
                            format!("`run-as-user` of {label} must be a numeric UID; got `{got}`"),
                        )
                        .help(help),
                    );
                }
            }
        }
    }
}

/// A Unix user name: `node`, `build_user`, `www-data`.
fn is_user_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn is_uid(text: &str) -> bool {
    !text.is_empty() && text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection, fix};

    #[test]
    fn quoted_uid_is_unquoted() {
        let source = "image:\n  name: node:20\n  run-as-user: '1000' # the node user\npipelines:\n  default:\n    - step: {script: [x]}\n";
        let opts = CheckOptions {
            select: Selection::Only(vec!["image/run-as-user-type".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(source, &opts).diagnostics;
        assert_eq!(found.len(), 1, "{found:#?}");
        let (fixed, n) = fix::apply(source, found.iter().filter_map(|d| d.fix.as_ref()));
        assert_eq!(n, 1);
        assert!(
            fixed.contains("  run-as-user: 1000 # the node user\n"),
            "{fixed}"
        );
        assert!(crate::check(&fixed, &opts).diagnostics.is_empty());
    }
}
