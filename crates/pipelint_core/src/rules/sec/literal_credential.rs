use super::credentials;
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a credential written into the file instead of read from a secured
    /// variable: an image's `password` or `aws.secret-key`, a pipe variable named like a
    /// secret (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*KEY*`) with a literal value, and a
    /// service variable named like a key, token or secret whose value looks like a real
    /// one. The message never repeats the value.
    ///
    /// To keep false alarms rare it does not report: values with a `$` (variables),
    /// `${{ }}` templates, empty values, booleans and numbers, file paths, placeholders
    /// (`<token>`); names that describe a secret rather than hold it (`*_ID`, `*_PATH`,
    /// `*_FILE`, `*_NAME`, `*_URL`, `PUBLIC_KEY`, `SONAR_PROJECT_KEY`, the list `SECRETS`);
    /// for key, token and secret names, values that do not look generated (short words);
    /// service passwords such as `POSTGRES_PASSWORD: test`, which only set the login of a
    /// database that lives inside the build; and an `aws.access-key` ID on its own, which
    /// identifies a key but is not the secret (it is named when its secret key is written
    /// out too).
    ///
    /// ## Why is this bad?
    /// Everyone who can read the repository, its forks and its history can use the
    /// credential, and removing it later does not take it out of the history: it has to
    /// be revoked. Secured repository, workspace or deployment variables keep the value
    /// out of the file and mask it in the logs.
    ///
    /// ## Example
    /// ```yaml
    /// image:
    ///   name: registry.example.com/team/build:1.4
    ///   username: ci-bot
    ///   password: s3cr3t-Passw0rd
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image:
    ///   name: registry.example.com/team/build:1.4
    ///   username: ci-bot
    ///   password: $DOCKER_REGISTRY_PASSWORD
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Docker image options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/docker-image-options/), whose
    /// examples read the password from `$DOCKER_REGISTRY_PASSWORD`, and "Variables and
    /// secrets" (https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/)
    /// on secured variables.
    pub struct LiteralCredential {
        id: "sec/literal-credential",
        severity: Error,
        summary: "A password, key or token written into the file",
        fix: false,
    }
}

impl Rule for LiteralCredential {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for c in credentials(cx) {
            let mut d = Diagnostic::at(
                Self::META.id,
                c.node,
                format!(
                    "hard-coded credential in {}: anyone who can read the repository can use it",
                    c.what
                ),
            )
            .help(format!(
                "store it as a secured repository or workspace variable and write `{}` here; then revoke the exposed value",
                c.variable
            ));
            if let Some(also) = c.also {
                d = d.related(also.span, "its access key ID is written here too");
            }
            out.push(d);
        }
    }
}
