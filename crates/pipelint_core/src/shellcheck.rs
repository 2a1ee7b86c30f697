//! Scripts as shell for `script/shellcheck`: a step's commands joined into one script, the
//! question asked of a [`ShellChecker`], and its answers placed back in the YAML file.
//!
//! Core runs no program. The caller (the CLI, the language server) passes a
//! [`ShellChecker`] in [`crate::CheckOptions::shellcheck`]; the CLI's runs the `shellcheck`
//! binary. Without one, `script/shellcheck` reports nothing.
//!
//! One [`ScriptJob`] per step and part: the string items of `script` joined by newlines
//! into one script (they run in one shell, so a variable set by one item is known in the
//! next), and the items of `after-script` as another. Pipes are left out. Steps that share
//! their script through an anchor give one job.
//!
//! Positions: shellcheck answers with lines and columns of the joined script. The job
//! remembers where each item starts in it; inside an item, [`pipelint_yaml::cooked::offsets`]
//! gives the source byte of every byte of the item's value, so a finding lands on the exact
//! characters in the YAML, in plain, quoted (escapes included) and block scalars. A space
//! that a folded scalar (`>`) made of a line break maps to that break. When the value cannot
//! be reproduced, the finding covers the whole item.
//!
//! Variables: Bitbucket sets `CI` and `BITBUCKET_*`, some only in some places
//! ([`context_variable_allowed`]), and custom pipelines declare `variables`. Secured,
//! repository, workspace and deployment variables are set in Bitbucket's settings and
//! cannot be known, so SC2154 ("referenced but not assigned") is off unless
//! `shellcheck-unassigned` is set; then the known names are declared at the top of the
//! script (two lines the positions account for).

use std::collections::HashMap;
use std::fmt;

use pipelint_yaml::{Node, Span};

use crate::context::Context;
use crate::model::{PipelineKind, StepRef};

/// The wiki page of a shellcheck code.
pub fn wiki_url(code: u32) -> String {
    format!("https://www.shellcheck.net/wiki/SC{code}")
}

/// One script to check.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScriptJob {
    /// The script text, as shellcheck reads it on standard input.
    pub text: String,
    /// The dialect (`-s`): `bash`, as Bitbucket's images run scripts.
    pub shell: &'static str,
    /// Codes left out (`-e`), numbers without the `SC`.
    pub exclude: Vec<u32>,
}

/// One finding, in the job's text: lines and columns are 1-based, columns in characters
/// (shellcheck's `json1` format counts a tab as one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellFinding {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The number of `SC2086`.
    pub code: u32,
    /// `error`, `warning`, `info` or `style`.
    pub level: String,
    pub message: String,
}

/// Checks scripts. Implementations run shellcheck (or answer from a cache); core only asks.
pub trait ShellChecker: Send + Sync {
    /// The findings of each job, in the order of `jobs` (one entry per job; empty when the
    /// job could not be checked).
    fn check(&self, jobs: &[ScriptJob]) -> Vec<Vec<ShellFinding>>;
}

impl fmt::Debug for dyn ShellChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShellChecker")
    }
}

/// One script item inside a job's text.
#[derive(Debug)]
pub struct Piece<'a> {
    /// The item's byte offset in the job's text.
    pub start: usize,
    pub node: &'a Node,
    /// The item's index in `script` or `after-script`.
    pub index: usize,
    /// The file's text, to place findings in (see [`StepScript::place`]).
    source: &'a str,
}

impl Piece<'_> {
    /// The source offset of each byte of the item's value, when it can be reproduced. Made
    /// on demand, for the items that have findings, not for every item of every check.
    pub fn map(&self) -> Option<Vec<usize>> {
        let scalar = self.node.as_scalar()?;
        pipelint_yaml::cooked::offsets(self.source, self.node.span, scalar)
    }
}

/// A step's script (or after-script) as one job, with what places its findings.
#[derive(Debug)]
pub struct StepScript<'a> {
    pub job: ScriptJob,
    pub after: bool,
    pub pieces: Vec<Piece<'a>>,
}

impl StepScript<'_> {
    /// The source span of a finding; `None` when it falls outside every item (in the
    /// declarations at the top, or between items).
    pub fn place(&self, f: &ShellFinding) -> Option<(Span, &Piece<'_>)> {
        let start = offset_of(&self.job.text, f.line, f.column)?;
        let end = offset_of(&self.job.text, f.end_line, f.end_column).unwrap_or(start);
        let piece = self
            .pieces
            .iter()
            .rev()
            .find(|p| p.start <= start && start <= p.start + value_len(p))?;
        let len = value_len(piece);
        let Some(map) = piece.map() else {
            return Some((piece.node.span, piece));
        };
        let at = |offset: usize| map.get(offset.min(len)).copied();
        let s = at(start - piece.start)?;
        let e = if end >= start && end <= piece.start + len {
            at(end - piece.start).unwrap_or(s)
        } else {
            // The finding runs past the item: up to the item's end.
            at(len).unwrap_or(s)
        };
        Some((Span::new(s, e.max(s)), piece))
    }
}

fn value_len(p: &Piece<'_>) -> usize {
    p.node.as_scalar().map_or(0, |s| s.value.len())
}

/// The byte offset of a 1-based line and character column in `text`, clamped to the line.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text.get(start..)?.find('\n')? + 1;
    }
    let rest = text.get(start..)?;
    let line_text = rest.split('\n').next().unwrap_or("");
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    Some(start + within)
}

/// The shellcheck code of a setting's entry: `SC2086` or `2086`.
pub fn parse_code(s: &str) -> Option<u32> {
    let s = s.trim();
    let digits = s
        .strip_prefix("SC")
        .or_else(|| s.strip_prefix("sc"))
        .unwrap_or(s);
    digits.parse().ok()
}

/// Whether Bitbucket sets a `BITBUCKET_*` variable in this place: some exist only in
/// after-script, deployment steps, OIDC steps, pull-request, tag or parallel steps.
pub fn context_variable_allowed(name: &str, step: &StepRef<'_>, after: bool) -> bool {
    match name {
        "BITBUCKET_EXIT_CODE" => after,
        "BITBUCKET_DEPLOYMENT_ENVIRONMENT" | "BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID" => {
            step.get("deployment").is_some()
        }
        "BITBUCKET_STEP_OIDC_TOKEN" => step.get("oidc").is_some_and(|n| n.as_bool() == Some(true)),
        "BITBUCKET_PR_ID"
        | "BITBUCKET_PR_DESTINATION_BRANCH"
        | "BITBUCKET_PR_DESTINATION_COMMIT" => step.pipeline_kind == PipelineKind::PullRequest,
        "BITBUCKET_TAG" => step.pipeline_kind == PipelineKind::Tag,
        "BITBUCKET_PARALLEL_STEP" | "BITBUCKET_PARALLEL_STEP_COUNT" => step.parallel.is_some(),
        _ => name == "CI" || name.starts_with("BITBUCKET_"),
    }
}

/// The names of `variables` declared by the custom pipeline holding the step.
fn custom_variables<'a>(cx: &Context<'a>, step: &StepRef<'a>) -> Vec<&'a str> {
    let Some(file) = &cx.file else {
        return Vec::new();
    };
    let Some(pipeline) = file.pipelines().get(step.pipeline) else {
        return Vec::new();
    };
    pipeline
        .items()
        .iter()
        .filter_map(|item| item.get("variables").and_then(Node::as_sequence))
        .flatten()
        .filter_map(|v| v.get("name").and_then(Node::as_str))
        .collect()
}

/// The variable names a script references (`$NAME`, `${NAME...}`).
fn referenced(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('$') {
        let from = if bytes.get(i + 1) == Some(&b'{') {
            i + 2
        } else {
            i + 1
        };
        let len = text.get(from..).map_or(0, |r| {
            r.bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count()
        });
        if len > 0 && !bytes[from].is_ascii_digit() {
            out.push(&text[from..from + len]);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Bitbucket replaces `${{ NAME }}` templates before the script runs; shellcheck would
/// read them as bad substitutions. Each (ASCII) template becomes a plain word of the same
/// length, so positions do not move.
fn mask_templates(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("${{") {
        let Some(len) = rest[at..].find("}}").map(|e| e + 2) else {
            break;
        };
        let template = &rest[at..at + len];
        out.push_str(&rest[..at]);
        if template.is_ascii() && !template.contains('\n') {
            out.extend(std::iter::repeat_n('_', len));
        } else {
            out.push_str(template);
        }
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The jobs of every step of the file: `script`, then `after-script`, for steps with at
/// least one string item.
pub fn step_scripts<'c, 'a>(cx: &'c Context<'a>) -> Vec<(&'c StepRef<'a>, StepScript<'a>)> {
    let mut exclude: Vec<u32> = cx
        .settings
        .shellcheck_exclude
        .iter()
        .filter_map(|c| parse_code(c))
        .collect();
    // SC1091 ("not following a sourced file") is about what shellcheck was given, not
    // about the script: the sourced file is in the repository or made by the build.
    exclude.push(1091);
    if !cx.settings.shellcheck_unassigned {
        exclude.push(2154);
    }
    exclude.sort_unstable();
    exclude.dedup();
    let mut out = Vec::new();
    for step in cx.steps() {
        for after in [false, true] {
            let key = if after { "after-script" } else { "script" };
            let items = step.get(key).and_then(Node::as_sequence).unwrap_or(&[]);
            let mut body = String::new();
            let mut pieces: Vec<(usize, &'a Node, usize)> = Vec::new();
            for (index, node) in items.iter().enumerate() {
                let Some(scalar) = node.as_scalar() else {
                    continue;
                };
                if !body.is_empty() {
                    body.push('\n');
                }
                pieces.push((body.len(), node, index));
                body.push_str(&scalar.value);
            }
            if pieces.is_empty() {
                continue;
            }
            let mut text = String::new();
            if cx.settings.shellcheck_unassigned {
                let mut known: Vec<&str> = referenced(&body)
                    .into_iter()
                    .filter(|n| context_variable_allowed(n, step, after))
                    .collect();
                known.extend(
                    custom_variables(cx, step)
                        .into_iter()
                        .filter(|n| is_name(n)),
                );
                known.sort_unstable();
                known.dedup();
                if !known.is_empty() {
                    text.push_str("# shellcheck disable=SC2034\n");
                    for name in known {
                        text.push_str(name);
                        text.push_str("= ");
                    }
                    text.push_str("# Bitbucket sets these\n");
                }
            }
            let shift = text.len();
            text.push_str(&mask_templates(&body));
            let pieces = pieces
                .into_iter()
                .map(|(start, node, index)| Piece {
                    start: start + shift,
                    node,
                    index,
                    source: cx.source,
                })
                .collect();
            out.push((
                step,
                StepScript {
                    job: ScriptJob {
                        text,
                        shell: "bash",
                        exclude: exclude.clone(),
                    },
                    after,
                    pieces,
                },
            ));
        }
    }
    out
}

/// Asks the checker once for all distinct jobs and hands each step its findings.
pub fn run<'s, 'c, 'a>(
    checker: &dyn ShellChecker,
    scripts: &'s [(&'c StepRef<'a>, StepScript<'a>)],
) -> Vec<(&'c StepRef<'a>, &'s StepScript<'a>, ShellFinding)> {
    let mut unique: Vec<ScriptJob> = Vec::new();
    let mut index: HashMap<&ScriptJob, usize> = HashMap::new();
    let mut which = Vec::with_capacity(scripts.len());
    for (_, s) in scripts {
        let i = *index.entry(&s.job).or_insert_with(|| {
            unique.push(s.job.clone());
            unique.len() - 1
        });
        which.push(i);
    }
    let results = checker.check(&unique);
    let mut out = Vec::new();
    for ((step, script), i) in scripts.iter().zip(which) {
        for f in results.get(i).into_iter().flatten() {
            out.push((*step, script, f.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    fn scripts_of(
        text: &str,
        settings: &Settings,
        f: impl FnOnce(&[(&StepRef<'_>, StepScript<'_>)]),
    ) {
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let cx = Context::new(text, None, &parsed, settings);
        let scripts = step_scripts(&cx);
        f(&scripts);
    }

    fn finding(line: usize, column: usize, end_column: usize) -> ShellFinding {
        ShellFinding {
            line,
            column,
            end_line: line,
            end_column,
            code: 2086,
            level: "info".into(),
            message: "m".into(),
        }
    }

    #[test]
    fn items_join_into_one_script_and_findings_land_in_the_yaml() {
        let text = "pipelines:\n  default:\n    - step:\n        script:\n          - X=1\n          - pipe: atlassian/x:1\n          - \"echo \\\"a\\\" $X\"\n          - |\n            if true; then\n              echo $X\n            fi\n          - >\n            echo one\n            $X\n        after-script:\n          - echo $BITBUCKET_EXIT_CODE\n";
        scripts_of(text, &Settings::default(), |scripts| {
            assert_eq!(scripts.len(), 2);
            let (_, s) = &scripts[0];
            assert_eq!(
                s.job.text,
                "X=1\necho \"a\" $X\nif true; then\n  echo $X\nfi\n\necho one $X\n"
            );
            assert_eq!(s.job.exclude, vec![1091, 2154]);
            // `$X` on line 2 (after the escaped quotes), line 4 (in the literal block) and
            // line 7 (after a folded break).
            for (line, col) in [(2, 10), (4, 8), (7, 10)] {
                let (span, _) = s.place(&finding(line, col, col + 2)).expect("placed");
                assert_eq!(&text[span.range()], "$X", "line {line}");
            }
            // A finding in the folded scalar that spans the folded break.
            let (span, piece) = s.place(&finding(7, 6, 12)).expect("placed");
            assert_eq!(&text[span.range()], "one\n            $X");
            assert_eq!(piece.index, 4);
            let (_, after) = &scripts[1];
            assert!(after.after);
            let (span, _) = after.place(&finding(1, 6, 26)).expect("placed");
            assert_eq!(&text[span.range()], "$BITBUCKET_EXIT_CODE");
        });
    }

    #[test]
    fn known_variables_are_declared_when_sc2154_is_on() {
        let text = "pipelines:\n  custom:\n    deploy:\n      - variables:\n          - name: region\n      - step:\n          script:\n            - echo \"$region $BITBUCKET_COMMIT $BITBUCKET_EXIT_CODE $BITBUCKET_TAG $CI\"\n          after-script:\n            - echo \"$BITBUCKET_EXIT_CODE\"\n";
        let settings = Settings {
            shellcheck_unassigned: true,
            ..Settings::default()
        };
        scripts_of(text, &settings, |scripts| {
            let (_, s) = &scripts[0];
            assert_eq!(s.job.exclude, vec![1091]);
            let first = s.job.text.lines().nth(1).expect("declarations");
            assert_eq!(
                first,
                "BITBUCKET_COMMIT= CI= region= # Bitbucket sets these"
            );
            // Positions skip the declarations.
            let (span, _) = s.place(&finding(3, 7, 14)).expect("placed");
            assert_eq!(&text[span.range()], "$region");
            assert_eq!(s.place(&finding(1, 1, 2)).map(|(sp, _)| sp), None);
            let (_, after) = &scripts[1];
            assert!(after.job.text.contains("\nBITBUCKET_EXIT_CODE= region= #"));
        });
    }

    #[test]
    fn offsets_count_characters() {
        assert_eq!(offset_of("a\n\tü x", 2, 4), Some(6));
        assert_eq!(offset_of("ab", 1, 9), Some(2));
        assert_eq!(offset_of("ab", 3, 1), None);
        assert_eq!(parse_code("SC2086"), Some(2086));
        assert_eq!(parse_code("2086"), Some(2086));
        assert_eq!(parse_code("x"), None);
        assert_eq!(referenced("$A ${B:-x} $1 $_c"), ["A", "B", "_c"]);
        let masked = mask_templates("echo ${{ BITBUCKET_BRANCH }} ${x}");
        assert_eq!(masked, format!("echo {} ${{x}}", "_".repeat(23)));
        assert_eq!(mask_templates("a ${{ open"), "a ${{ open");
    }
}
