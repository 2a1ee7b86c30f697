//! `sec/`: credentials written into the file.
//!
//! What counts as a hard-coded credential is decided here, once, for both rules:
//!
//! - an image's `password` and `aws.secret-key` written as a literal;
//! - a pipe variable whose name says it holds a secret (`PASSWORD`, `SECRET`, `TOKEN`,
//!   `KEY`...) and whose value is a literal that could be one. For `*KEY*`, `*TOKEN*` and
//!   `*SECRET*` names the value must look generated (long, mixed characters, or a known
//!   token format), because such names also hold identifiers (`SONAR_PROJECT_KEY: my-app`);
//!   any literal counts for a password;
//! - a service variable under such a name whose value looks generated. Service passwords
//!   (`POSTGRES_PASSWORD: test`) are not reported: they set the login of a database that
//!   exists only inside the build, which protects nothing.
//!
//! Not literals: empty values, anything with a `$` (a variable, or a value built from
//! one), `${{ }}` templates, booleans and numbers, file paths, placeholders (`<token>`,
//! `xxxx`). Names that describe a secret rather than hold one are skipped: `*_ID`,
//! `*_PATH`, `*_FILE`, `*_NAME`, `*_URL`..., public keys, and plural names that list
//! secrets (`SECRETS`). An access key ID alone (`aws.access-key`, `*_KEY_ID`) identifies a
//! key but cannot sign anything, so it is reported only with its literal secret key.

use pipelint_yaml::{Node, Resolved, Span};

use crate::context::Context;
use crate::model::{ImagePlace, image_uses, is_template};

pub mod export_secrets;
pub mod literal_credential;

/// A credential written into the file.
pub(crate) struct Credential<'a> {
    /// The value.
    pub node: &'a Node,
    /// What holds it, for messages: "pipe variable `SONAR_TOKEN`".
    pub what: String,
    /// The variable to write instead: `$SONAR_TOKEN`.
    pub variable: String,
    /// The literal access key beside a literal secret key.
    pub also: Option<&'a Node>,
}

/// Every hard-coded credential of the file. A step used through several aliases gives its
/// image and pipes once per use.
pub(crate) fn credentials<'a>(cx: &Context<'a>) -> Vec<Credential<'a>> {
    let mut out = Vec::new();
    let Some(file) = cx.file.as_ref() else {
        return out;
    };
    for u in image_uses(file, cx.steps()) {
        let owner = match u.place {
            ImagePlace::Service(name) => format!("the image of service `{name}`"),
            ImagePlace::Top => "the top-level image".to_owned(),
            ImagePlace::Step(_) => "the step's image".to_owned(),
        };
        if let Some(password) = u.node.get("password")
            && is_literal(password)
        {
            out.push(Credential {
                node: password,
                what: format!("`password` of {owner}"),
                variable: "$DOCKER_REGISTRY_PASSWORD".to_owned(),
                also: None,
            });
        }
        if let Some(aws) = u.node.get("aws")
            && let Some(secret) = aws.get("secret-key")
            && is_literal(secret)
        {
            out.push(Credential {
                node: secret,
                what: format!("`aws.secret-key` of {owner}"),
                variable: "$AWS_SECRET_ACCESS_KEY".to_owned(),
                also: aws.get("access-key").filter(|k| is_literal(k)),
            });
        }
    }
    for (name, service) in file.services().map(|s| s.iter()).into_iter().flatten() {
        let Some(vars) = service.value.get("variables").and_then(Node::as_mapping) else {
            continue;
        };
        for (var, entry) in vars.iter() {
            let kind = secret_kind(var);
            if matches!(kind, Some(Kind::Token))
                && is_literal(&entry.value)
                && looks_generated(&entry.value)
            {
                out.push(Credential {
                    node: &entry.value,
                    what: format!("service `{name}`'s variable `{var}`"),
                    variable: format!("${var}"),
                    also: None,
                });
            }
        }
    }
    for step in cx.steps() {
        for pipe in step.pipes() {
            let Some(vars) = pipe.get("variables").and_then(Node::as_mapping) else {
                continue;
            };
            let pipe_name = pipe
                .get("pipe")
                .and_then(Node::as_str)
                .unwrap_or("the pipe");
            for (var, entry) in vars.iter() {
                let Some(kind) = secret_kind(var) else {
                    continue;
                };
                if !is_literal(&entry.value) {
                    continue;
                }
                if kind == Kind::Token && !looks_generated(&entry.value) {
                    continue;
                }
                out.push(Credential {
                    node: &entry.value,
                    what: format!("variable `{var}` of pipe `{pipe_name}`"),
                    variable: format!("${var}"),
                    also: None,
                });
            }
        }
    }
    out
}

/// What a variable name says its value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A password: any literal is one.
    Password,
    /// A key, token or secret: generated, so only values that look generated are.
    Token,
}

/// Parts of a name that describe a secret rather than hold it, as its last part.
const DESCRIPTORS: &[&str] = &[
    "ID",
    "IDS",
    "PATH",
    "FILE",
    "FILES",
    "FILENAME",
    "DIR",
    "NAME",
    "NAMES",
    "URL",
    "URI",
    "ENDPOINT",
    "TYPE",
    "ARN",
    "REGION",
    "ALIAS",
    "HEADER",
    "LENGTH",
    "SIZE",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "TIMEOUT",
    "ENABLED",
    "REQUIRED",
    "FORMAT",
    "VERSION",
    "MODE",
    "METHOD",
    "POLICY",
    "FINGERPRINT",
    "HOST",
    "PORT",
    "USER",
    "USERNAME",
    "LOCATION",
    "ALGORITHM",
    "SCOPE",
    "SCOPES",
    "PREFIX",
    "FIELD",
    "PARAM",
    "VAR",
    "VARIABLE",
    "ENV",
    "BUCKET",
    "COUNT",
    "LIMIT",
    "LABEL",
    "KIND",
    "SOURCE",
    "REF",
    "NAMESPACE",
    "PROVIDER",
    "SECRETS",
    "TOKENS",
    "KEYS",
    "PASSWORDS",
];

/// Words before `KEY` that make it an identifier, not a secret (`SONAR_PROJECT_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "PROJECT",
    "ISSUE",
    "JIRA",
    "CACHE",
    "SORT",
    "PARTITION",
    "PRIMARY",
    "FOREIGN",
    "OBJECT",
    "S3",
    "ROW",
    "HASH",
    "RANGE",
    "LOOKUP",
    "GROUP",
    "ORG",
    "ORGANIZATION",
    "RELEASE",
    "ENTRY",
    "MAP",
    "IDEMPOTENCY",
    "SITE",
    "PUBLIC",
    "PUBLISHABLE",
    "SPACE",
    "BUILD",
    "SERVICE",
];

/// Whether a variable name says it holds a secret, and which kind.
pub(crate) fn secret_kind(name: &str) -> Option<Kind> {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    let last = *parts.last()?;
    if DESCRIPTORS.contains(&last) || parts.iter().any(|p| matches!(*p, "PUBLIC" | "PUBLISHABLE")) {
        return None;
    }
    if ["PASSWORD", "PASSWD"].iter().any(|w| upper.contains(w)) || parts.contains(&"PASS") {
        return Some(Kind::Password);
    }
    if ["SECRET", "TOKEN"].iter().any(|w| upper.contains(w)) {
        return Some(Kind::Token);
    }
    // `KEY` as a part (`API_KEY`, `SSH_KEY`) or a known compound (`APIKEY`), unless a
    // qualifier says it names something (`PROJECT_KEY`). `KEYCLOAK` and `MONKEY` are not
    // keys; `*_KEY_ID` ended at a descriptor above.
    let key_at = parts
        .iter()
        .position(|p| *p == "KEY" || KEY_COMPOUNDS.contains(p))?;
    let qualifier = key_at.checked_sub(1).map(|i| parts[i]);
    if parts[key_at] == "KEY" && qualifier.is_some_and(|q| KEY_QUALIFIERS.contains(&q)) {
        return None;
    }
    Some(Kind::Token)
}

/// Names that end in `KEY` written as one word and hold a key.
const KEY_COMPOUNDS: &[&str] = &[
    "APIKEY",
    "SSHKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "PRIVATEKEY",
    "LICENSEKEY",
    "AUTHKEY",
    "DEPLOYKEY",
    "SIGNINGKEY",
    "ENCRYPTIONKEY",
    "MASTERKEY",
    "APPKEY",
];

/// A value written as a literal that could be a credential.
pub(crate) fn is_literal(node: &Node) -> bool {
    if is_template(node) {
        return false;
    }
    let Some(s) = node.as_scalar() else {
        return false;
    };
    if s.is_yaml11_bool()
        || matches!(
            s.resolve(),
            Resolved::Null | Resolved::Bool(_) | Resolved::Int(_) | Resolved::Float(_)
        )
    {
        return false;
    }
    let v = s.value.trim();
    !(v.is_empty() || v.contains('$') || is_flag_word(v) || is_placeholder(v) || is_path(v))
}

fn is_flag_word(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "none"
            | "null"
            | "nil"
            | "enabled"
            | "disabled"
            | "required"
            | "optional"
            | "auto"
            | "empty"
            | "trust"
            | "0"
            | "1"
    )
}

/// `<your-token>`, `xxxxxxxx`, `********`, `...`.
fn is_placeholder(v: &str) -> bool {
    let wrapped = |open: char, close: char| {
        v.len() > 2
            && v.starts_with(open)
            && v.ends_with(close)
            && v[1..v.len() - 1]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_ .".contains(c))
    };
    wrapped('<', '>')
        || wrapped('{', '}')
        || v.chars().all(|c| c == v.chars().next().unwrap_or(' '))
}

/// A file path, or a list of them: `/run/secrets/db`, `./key.pem`, `~/.ssh/id_rsa`,
/// `secrets/app.json`, `team/secret1,team/secret2` (lower-case names joined by `/`).
fn is_path(v: &str) -> bool {
    if v.contains(char::is_whitespace) {
        return false;
    }
    if ["/", "./", "../", "~/"].iter().any(|p| v.starts_with(p)) {
        return true;
    }
    let extension = v.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if extension.is_some_and(|e| {
        matches!(
            e.as_str(),
            "pem"
                | "key"
                | "json"
                | "p12"
                | "pfx"
                | "pub"
                | "txt"
                | "env"
                | "gpg"
                | "asc"
                | "crt"
                | "cer"
                | "jks"
                | "keystore"
                | "yml"
                | "yaml"
        )
    }) {
        return true;
    }
    v.contains('/')
        && v.split([',', '/']).all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
        })
}

/// Token formats that are certainly credentials.
const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxs-",
    "sk_live_",
    "rk_live_",
    "sk-",
    "AIza",
    "ATATT",
    "ATBB",
    "npm_",
    "SG.",
    "dop_v1_",
    "hf_",
    "AKIA",
    "ASIA",
];

/// A value that looks machine-generated: a known token format, or a long string that mixes
/// kinds of characters with high entropy (API keys, tokens, base64 secrets).
pub(crate) fn looks_generated(node: &Node) -> bool {
    let Some(v) = node.as_scalar().map(|s| s.value.trim()) else {
        return false;
    };
    if TOKEN_PREFIXES.iter().any(|p| v.starts_with(p))
        || (v.starts_with("-----BEGIN") && v.contains("PRIVATE KEY"))
    {
        return true;
    }
    if v.len() < 16 || v.contains(char::is_whitespace) {
        return false;
    }
    let lower = v.chars().any(|c| c.is_ascii_lowercase());
    let upper = v.chars().any(|c| c.is_ascii_uppercase());
    let digit = v.chars().any(|c| c.is_ascii_digit());
    let classes = [lower, upper, digit].iter().filter(|b| **b).count();
    classes >= 2 && entropy(v) >= 3.0
}

/// Shannon entropy in bits per character.
fn entropy(v: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in v.chars() {
        *counts.entry(c).or_insert(0u32) += 1;
    }
    let n = v.chars().count() as f64;
    counts
        .values()
        .map(|&k| {
            let p = f64::from(k) / n;
            -p * p.log2()
        })
        .sum()
}

/// The spans of the distinct credentials (one per place in the text).
pub(crate) fn distinct_spans(found: &[Credential<'_>]) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    for c in found {
        if !spans.contains(&c.node.span) {
            spans.push(c.node.span);
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(text: &str) -> Node {
        let parsed = pipelint_yaml::parse(&format!("v: {text}\n"), &Default::default());
        parsed
            .root()
            .and_then(|r| r.get("v"))
            .cloned()
            .expect("value")
    }

    #[test]
    fn names() {
        for (name, kind) in [
            ("PASSWORD", Some(Kind::Password)),
            ("SMTP_PASS", Some(Kind::Password)),
            ("DB_PASSWD", Some(Kind::Password)),
            ("SONAR_TOKEN", Some(Kind::Token)),
            ("WRITESASTOKEN", Some(Kind::Token)),
            ("AWS_SECRET_ACCESS_KEY", Some(Kind::Token)),
            ("API_KEY", Some(Kind::Token)),
            ("DATADOG_APIKEY", Some(Kind::Token)),
            ("SSH_KEY", Some(Kind::Token)),
            ("AWS_ACCESS_KEY_ID", None),
            ("SSH_KEY_PATH", None),
            ("SSH_PUBLIC_KEY", None),
            ("SONAR_PROJECT_KEY", None),
            ("SECRETS", None),
            ("TOKEN_URL", None),
            ("KEYCLOAK_REALM", None),
            ("MONKEY", None),
            ("LICENSEKEY", Some(Kind::Token)),
            ("BUCKET", None),
        ] {
            assert_eq!(secret_kind(name), kind, "{name}");
        }
    }

    #[test]
    fn values() {
        for (text, literal, generated) in [
            ("hunter2", true, false),
            ("$PASSWORD", false, false),
            ("\"${TOKEN}\"", false, false),
            ("${{ TOKEN }}", false, false),
            ("true", false, false),
            ("'yes'", false, false),
            ("5432", false, false),
            ("''", false, false),
            ("/run/secrets/token", false, false),
            ("key.pem", false, false),
            (
                "'bitbucket-pipelines/secret1,bitbucket-pipelines/secret2'",
                false,
                false,
            ),
            ("'<your-token>'", false, false),
            ("xxxxxxxxxxxx", false, false),
            ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", true, true),
            ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true, true),
            ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", true, true),
            ("my-sonar-project", true, false),
            ("single-node", true, false),
        ] {
            let node = scalar(text);
            assert_eq!(is_literal(&node), literal, "literal: {text}");
            assert_eq!(
                is_literal(&node) && looks_generated(&node),
                generated,
                "generated: {text}"
            );
        }
    }
}
