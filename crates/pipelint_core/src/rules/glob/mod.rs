//! `glob/`: the patterns that key branch, tag and pull-request pipelines. Bitbucket's
//! glob: `*` matches any characters but `/`, `**` any characters including `/`, `?` one
//! character, `{a,b}` either alternative. An exact name beats every pattern that matches
//! it, and a more specific pattern beats a more generic one.

use pipelint_yaml::{Entry, Node};

use crate::context::Context;

pub mod shadowed;
pub mod star_no_slash;

/// The sections keyed by patterns, by name, with the label of what their keys match.
pub(crate) const SECTIONS: &[(&str, &str)] = &[
    ("branches", "branch"),
    ("tags", "tag"),
    ("bookmarks", "bookmark"),
    ("pull-requests", "branch"),
];

/// One mapping of patterns: a section of `pipelines` (`branches`, `tags`, `bookmarks`,
/// `pull-requests`), or the `destinations` of a pull-request pattern.
pub(crate) struct PatternMap<'a> {
    /// What the keys match: branch, tag or bookmark names.
    pub names: &'static str,
    pub entries: &'a [Entry],
}

/// Every mapping of patterns in the file.
pub(crate) fn pattern_maps<'a>(cx: &Context<'a>) -> Vec<PatternMap<'a>> {
    let mut out = Vec::new();
    let Some(pipelines) = cx.file.as_ref().and_then(|f| f.map.get("pipelines")) else {
        return out;
    };
    for (section, names) in SECTIONS {
        let Some(m) = pipelines
            .get(section)
            .filter(|n| !n.truncated)
            .and_then(Node::as_mapping)
        else {
            continue;
        };
        out.push(PatternMap {
            names,
            entries: &m.entries,
        });
        if *section == "pull-requests" {
            for e in &m.entries {
                if let Some(dest) = e
                    .value
                    .get("destinations")
                    .filter(|n| !n.truncated)
                    .and_then(Node::as_mapping)
                {
                    out.push(PatternMap {
                        names: "branch",
                        entries: &dest.entries,
                    });
                }
            }
        }
    }
    out
}

/// The alternatives of a pattern with `{a,b}` groups expanded (groups do not nest in
/// Bitbucket's patterns; a pattern with unbalanced braces is taken as written). Bounded:
/// at most 64 alternatives.
pub(crate) fn alternatives(pattern: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let prefix = &rest[..open];
        let options: Vec<&str> = rest[open + 1..close].split(',').collect();
        if out.len() * options.len() > 64 {
            return vec![pattern.to_owned()];
        }
        out = out
            .iter()
            .flat_map(|head| options.iter().map(move |o| format!("{head}{prefix}{o}")))
            .collect();
        rest = &rest[close + 1..];
    }
    for o in &mut out {
        o.push_str(rest);
    }
    out
}

/// Whether a pattern (without braces) has a wildcard.
pub(crate) fn has_wildcard(alternative: &str) -> bool {
    alternative.contains(['*', '?', '['])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_expand() {
        assert_eq!(alternatives("{main,develop}"), ["main", "develop"]);
        assert_eq!(
            alternatives("{feature,fix}/{a,b}"),
            ["feature/a", "feature/b", "fix/a", "fix/b"]
        );
        assert_eq!(alternatives("release/*"), ["release/*"]);
        assert_eq!(alternatives("{open"), ["{open"]);
    }
}
