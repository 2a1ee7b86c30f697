//! `var/`: variables: their names, where they are defined, and where Bitbucket's own
//! variables are set.

pub mod context;
pub mod default_not_allowed;
pub mod name_invalid;
pub mod reserved_override;

/// The variables Bitbucket sets in every step (or in some steps), from Atlassian's
/// "Variables and secrets" page.
pub(crate) const BUILTIN_VARIABLES: &[&str] = &[
    "CI",
    "BITBUCKET_BOOKMARK",
    "BITBUCKET_BRANCH",
    "BITBUCKET_BUILD_NUMBER",
    "BITBUCKET_CLONE_DIR",
    "BITBUCKET_COMMIT",
    "BITBUCKET_DEPLOYMENT_ENVIRONMENT",
    "BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID",
    "BITBUCKET_DOCKER_HOST_INTERNAL",
    "BITBUCKET_EXIT_CODE",
    "BITBUCKET_GIT_HTTP_ORIGIN",
    "BITBUCKET_GIT_SSH_ORIGIN",
    "BITBUCKET_PARALLEL_STEP",
    "BITBUCKET_PARALLEL_STEP_COUNT",
    "BITBUCKET_PIPELINE_UUID",
    "BITBUCKET_PR_DESTINATION_BRANCH",
    "BITBUCKET_PR_ID",
    "BITBUCKET_PROJECT_KEY",
    "BITBUCKET_PROJECT_UUID",
    "BITBUCKET_REPO_FULL_NAME",
    "BITBUCKET_REPO_OWNER",
    "BITBUCKET_REPO_OWNER_UUID",
    "BITBUCKET_REPO_SLUG",
    "BITBUCKET_REPO_UUID",
    "BITBUCKET_SSH_KEY_FILE",
    "BITBUCKET_STEP_OIDC_TOKEN",
    "BITBUCKET_STEP_RUN_NUMBER",
    "BITBUCKET_STEP_TRIGGERER_UUID",
    "BITBUCKET_STEP_UUID",
    "BITBUCKET_TAG",
    "BITBUCKET_WORKSPACE",
];

/// A `$NAME` or `${NAME...}` reference in shell text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VarRef {
    pub name: String,
    /// Byte offsets of the whole reference (`$NAME`, `${NAME:-x}`) in the scanned text.
    pub start: usize,
    pub end: usize,
    /// Written so that an unset variable is handled: a default or alternative
    /// (`${NAME:-x}`, `${NAME-x}`, `${NAME:=x}`, `${NAME:+x}`), an error (`${NAME:?}`), or
    /// its length (`${#NAME}`).
    pub guarded: bool,
}

/// The variable references in shell text as written (quotes included): those the shell
/// expands, so not in single quotes.
pub(crate) fn var_refs(text: &str) -> Vec<VarRef> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if !single => i += 2,
            b'\'' if !double => {
                single = !single;
                i += 1;
            }
            b'"' if !single => {
                double = !double;
                i += 1;
            }
            b'$' if !single => match read_ref(text, i) {
                Some(r) => {
                    i = r.end.max(i + 1);
                    out.push(r);
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    out
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The reference starting at the `$` at `at`.
fn read_ref(text: &str, at: usize) -> Option<VarRef> {
    let bytes = text.as_bytes();
    let next = *bytes.get(at + 1)?;
    if is_name_start(next) {
        let mut end = at + 1;
        while end < bytes.len() && is_name_char(bytes[end]) {
            end += 1;
        }
        return Some(VarRef {
            name: text[at + 1..end].to_owned(),
            start: at,
            end,
            guarded: false,
        });
    }
    if next != b'{' {
        return None;
    }
    let mut i = at + 2;
    let length = bytes.get(i) == Some(&b'#');
    if length {
        i += 1;
    }
    let name_start = i;
    if !bytes.get(i).copied().is_some_and(is_name_start) {
        return None;
    }
    while i < bytes.len() && is_name_char(bytes[i]) {
        i += 1;
    }
    let name = text[name_start..i].to_owned();
    let rest = &bytes[i..];
    let operator = rest.strip_prefix(b":").unwrap_or(rest);
    let guarded = length || matches!(operator.first(), Some(b'-' | b'=' | b'?' | b'+'));
    // The end: the matching `}` (nested `${...}` in a default are skipped over).
    let mut depth = 1;
    let mut end = i;
    while end < bytes.len() {
        match bytes[end] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    end += 1;
                    break;
                }
            }
            _ => {}
        }
        end += 1;
    }
    Some(VarRef {
        name,
        start: at,
        end,
        guarded,
    })
}

#[cfg(test)]
mod tests {
    use super::var_refs;

    fn refs(text: &str) -> Vec<(String, bool)> {
        var_refs(text)
            .into_iter()
            .map(|r| (r.name, r.guarded))
            .collect()
    }

    #[test]
    fn references_and_guards() {
        assert_eq!(
            refs("echo \"$BITBUCKET_TAG\" ${BITBUCKET_BRANCH} ${BITBUCKET_PR_ID:-none}"),
            [
                ("BITBUCKET_TAG".to_owned(), false),
                ("BITBUCKET_BRANCH".to_owned(), false),
                ("BITBUCKET_PR_ID".to_owned(), true),
            ]
        );
        assert_eq!(
            refs("'$NOT' \"${A#v}\" ${B-x} ${C:+y} ${#D} ${E:?no} $$ ${{ T }} \\$F ${G:-${H}}"),
            [
                ("A".to_owned(), false),
                ("B".to_owned(), true),
                ("C".to_owned(), true),
                ("D".to_owned(), true),
                ("E".to_owned(), true),
                ("G".to_owned(), true),
            ]
        );
        let text = "x=${BITBUCKET_TAG:1}";
        let r = &var_refs(text)[0];
        assert_eq!(&text[r.start..r.end], "${BITBUCKET_TAG:1}");
        assert!(!r.guarded);
    }
}
