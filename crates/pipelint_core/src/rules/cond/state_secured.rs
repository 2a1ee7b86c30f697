use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{is_template, locate_in_scalar};
use crate::rule::{Rule, RuleMeta};

use super::conditions;

/// Words that, as the last word of a variable's name, mark a secret: `DEPLOY_TOKEN`,
/// `dbPassword`, `NPM_AUTH_SECRET`.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "TOKENS",
    "CREDENTIAL",
    "CREDENTIALS",
    "APIKEY",
];

/// Words that make a last word `KEY` a secret: `API_KEY`, `SSH_PRIVATE_KEY`.
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "ACCESS",
    "SECRET",
    "PRIVATE",
    "SSH",
    "SIGNING",
    "ENCRYPTION",
    "AUTH",
    "LICENSE",
    "MASTER",
];

declare_rule! {
    /// ## What it does
    /// Reports a variable in a `condition.state` expression whose name ends in a word that
    /// marks a secret (`*_TOKEN`, `*_PASSWORD`, `*_SECRET`, `API_KEY`, `SSH_PRIVATE_KEY`...):
    /// such variables are almost always secured variables, which a state condition cannot
    /// read.
    ///
    /// pipelint cannot see which of the workspace's or repository's variables are secured;
    /// it judges by the name. Bitbucket's own variables (`BITBUCKET_*`) are not reported.
    ///
    /// ## Why is this bad?
    /// A state condition is evaluated with the workspace, repository, deployment and
    /// pipeline variables, except secured ones: the value of a secured variable is not
    /// available there. A condition that tests one does not test what it seems to, and the
    /// step runs or is skipped regardless of the secret's value.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Publish
    ///         condition:
    ///           state: NPM_TOKEN != ""
    ///         script: [npm publish]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Publish
    ///         condition:
    ///           state: PUBLISH_ENABLED == "true"
    ///         script: [npm publish]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Introducing Dynamic Step Condition for Bitbucket Pipelines"
    /// (https://www.atlassian.com/blog/bitbucket/introducing-dynamic-step-condition-for-bitbucket-pipelines)
    /// and "Expression language" (https://support.atlassian.com/bitbucket-cloud/docs/expression-language/):
    /// variables are referred to by name. That secured variables can't be read in a state
    /// condition rests on a third-party model (udmada/pkl-bitbucket-pipelines,
    /// `Condition.state`: "not secured or vault variables"). Recognising a secured
    /// variable by its name is pipelint's heuristic.
    pub struct StateSecured {
        id: "cond/state-secured",
        severity: Warning,
        summary: "A state condition that reads a variable that looks secured",
        fix: false,
    }
}

impl Rule for StateSecured {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for condition in conditions(cx) {
            let Some(state) = condition.node.get("state") else {
                continue;
            };
            let Some(expr) = state.as_scalar().map(|s| s.value.as_str()) else {
                continue;
            };
            if is_template(state) {
                continue;
            }
            let mut reported: Vec<&str> = Vec::new();
            for (start, name) in variables(expr) {
                if reported.contains(&name) || !looks_secret(name) {
                    continue;
                }
                reported.push(name);
                let span = locate_in_scalar(cx.source, state, start, start + name.len());
                let mut d = Diagnostic::new(
                    Self::META.id,
                    span,
                    format!(
                        "`{name}` looks like a secured variable; `condition.state` can't read secured variables"
                    ),
                )
                .help(
                    "test a variable that is not secured (for example a flag an earlier step \
                     exports with `output-variables`), or check the secret in the step's script",
                );
                if let Some(site) = state.via.first() {
                    d = d.via(*site);
                }
                out.push(d);
            }
        }
    }
}

/// The variable names of a state expression with their byte offsets: identifiers outside
/// string literals that are not `true`/`false`/`null` and are not called as functions.
/// A leading `$` is skipped.
fn variables(expr: &str) -> Vec<(usize, &str)> {
    let bytes = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' {
            // A string literal, with backslash escapes.
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &expr[start..i];
            let called = expr[i..].trim_start().starts_with('(');
            if !called && !matches!(word, "true" | "false" | "null") {
                out.push((start, word));
            }
            continue;
        }
        i += 1;
    }
    out
}

/// Whether a variable's name marks it as a secret.
fn looks_secret(name: &str) -> bool {
    if name.starts_with("BITBUCKET_") {
        return false;
    }
    // The last word names what the variable holds: `NPM_TOKEN`, not `TOKEN_URL`.
    let words = words(name);
    match words.as_slice() {
        [.., before, last] if last == "KEY" => KEY_QUALIFIERS.contains(&before.as_str()),
        [.., last] => SECRET_WORDS.contains(&last.as_str()),
        [] => false,
    }
}

/// The words of a name, upper-cased: split at `_` and at camel-case humps.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut word = String::new();
        let mut prev_lower = false;
        for ch in part.chars() {
            if ch.is_ascii_uppercase() && prev_lower && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
            word.push(ch.to_ascii_uppercase());
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_look_secret() {
        for yes in [
            "NPM_TOKEN",
            "dbPassword",
            "API_KEY",
            "SSH_PRIVATE_KEY",
            "apiToken",
            "SECRET",
        ] {
            assert!(looks_secret(yes), "{yes}");
        }
        for no in [
            "BITBUCKET_STEP_OIDC_TOKEN",
            "KEY",
            "MONKEY",
            "TOKENIZER_MODE",
            "TOKEN_URL",
            "block_deployment",
            "PASS_RATE",
            "PWD",
        ] {
            assert!(!looks_secret(no), "{no}");
        }
    }

    #[test]
    fn variables_skip_strings_and_functions() {
        let vars: Vec<&str> = variables(
            r#"glob(BITBUCKET_BRANCH, "feature/*") && $API_KEY != "TOKEN" || ok == true"#,
        )
        .into_iter()
        .map(|(_, v)| v)
        .collect();
        assert_eq!(vars, ["BITBUCKET_BRANCH", "API_KEY", "ok"]);
    }
}
