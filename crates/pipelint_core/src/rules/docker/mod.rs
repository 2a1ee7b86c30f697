//! `docker/*`: the Docker service a step needs to run `docker`, and what the v2 runtime
//! refuses (privileged containers, buildx). Also the helpers the rules that read Docker
//! commands in scripts share.

use pipelint_yaml::Span;

use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::model::{Effective, Origin, RuntimeVersion, ScriptCommand, StepRef, locate_word};
use crate::shell::{Command, Word};

pub mod buildx_needs_v3;
pub mod no_service;
pub mod privileged_needs_v3;

/// The YAML that puts a step on Runtime v3, for help texts.
pub(crate) const RUNTIME_V3_YAML: &str = "runtime: {cloud: {version: \"3\"}}";

/// The step's effective runtime when the step runs on Bitbucket Cloud and the runtime is
/// known to be v2. `None` for v3, for a templated runtime, and for self-hosted steps.
pub(crate) fn cloud_v2_runtime<'a>(
    step: &StepRef<'a>,
    cx: &Context<'a>,
) -> Option<Effective<'a, RuntimeVersion>> {
    let file = cx.file.as_ref()?;
    if step.is_self_hosted() {
        return None;
    }
    let rt = step.runtime(file, cx.settings);
    (rt.value == RuntimeVersion::V2).then_some(rt)
}

/// Whether the step runs on Bitbucket Cloud with Runtime v3.
pub(crate) fn is_cloud_v3<'a>(step: &StepRef<'a>, cx: &Context<'a>) -> bool {
    let Some(file) = cx.file.as_ref() else {
        return false;
    };
    !step.is_self_hosted() && step.runtime(file, cx.settings).value == RuntimeVersion::V3
}

/// Points at the `runtime` value that chose v2, when the file sets one.
pub(crate) fn with_runtime_note(d: Diagnostic, rt: &Effective<'_, RuntimeVersion>) -> Diagnostic {
    match (rt.node, rt.origin) {
        (Some(node), Origin::Step) => d.related(node.span, "the step asks for Runtime v2 here"),
        (Some(node), Origin::Options) => d.related(node.span, "Runtime v2 is chosen here"),
        _ => d,
    }
}

/// What to write to run the step on Runtime v3, for a step whose runtime is `rt`.
pub(crate) fn v3_help(rt: &Effective<'_, RuntimeVersion>) -> String {
    let what = match rt.origin {
        Origin::Step => "set the step's `runtime.cloud.version` to \"3\"".to_owned(),
        Origin::Options => format!(
            "set `options.runtime.cloud.version` to \"3\", or add `{RUNTIME_V3_YAML}` to this step"
        ),
        Origin::Default => {
            format!("add `{RUNTIME_V3_YAML}` to the step (or under `options:` for every step)")
        }
    };
    format!(
        "run the step on Runtime v3: {what}; v3 no longer mounts the Docker CLI, so the image must have it"
    )
}

/// Whether the command runs the Docker CLI: `docker ...` or `docker-compose ...` as the
/// program (not `docker` as an argument of another command).
pub(crate) fn is_docker_cli(cmd: &Command) -> bool {
    matches!(cmd.program(), Some("docker" | "docker-compose"))
}

/// Whether the command runs the Docker CLI for more than printing its version:
/// `docker --version` and `docker-compose -v` are availability probes, often written
/// `|| true`, and need no daemon.
pub(crate) fn uses_docker(cmd: &Command) -> bool {
    is_docker_cli(cmd)
        && !matches!(
            cmd.args(),
            [only] if only.text == "--version" || only.text == "-v"
        )
}

/// The span covering `words` of a script command in the source, or the whole script item
/// when they cannot be found there exactly.
pub(crate) fn words_span(source: &str, sc: &ScriptCommand<'_>, words: &[&Word]) -> Span {
    let whole = sc.node.span;
    let mut found = words
        .iter()
        .map(|w| locate_word(source, sc.node, w))
        .filter(|s| *s != whole);
    match found.next() {
        Some(first) => found.fold(first, Span::cover),
        None => whole,
    }
}

/// A diagnostic at `words` of a script command of `step`, with the item's route,
/// remembering the alias the script came through.
pub(crate) fn script_diagnostic(
    id: &'static str,
    cx: &Context<'_>,
    step: &StepRef<'_>,
    sc: &ScriptCommand<'_>,
    words: &[&Word],
    message: impl Into<String>,
) -> Diagnostic {
    let mut d = Diagnostic::new(id, words_span(cx.source, sc, words), message);
    d.route = sc.route(&step.route);
    match sc.node.via.first() {
        Some(site) => d.via(*site),
        None => d,
    }
}

/// The value of an option written `--name value` or `--name=value`.
pub(crate) fn option_value<'c>(cmd: &'c Command, name: &str) -> Option<&'c str> {
    let args = cmd.args();
    let i = args.iter().position(|w| {
        w.text == name
            || w.text
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('='))
    })?;
    let word = &args[i];
    match word
        .text
        .strip_prefix(name)
        .and_then(|r| r.strip_prefix('='))
    {
        Some(v) => Some(v),
        None => args.get(i + 1).map(|w| w.as_str()),
    }
}

// Text helpers for fixes that edit block YAML.

/// The offset of the `-` of the block sequence item whose value starts at `item`.
pub(crate) fn dash_before(source: &str, item: usize) -> Option<usize> {
    let before = source.get(..item)?;
    let trimmed = before.trim_end_matches(' ');
    trimmed
        .ends_with('-')
        .then(|| trimmed.len() - 1)
        .filter(|_| trimmed.len() < item)
}

/// The spaces between the start of the line and `at`, when only spaces stand there.
pub(crate) fn indent_before(source: &str, at: usize) -> Option<&str> {
    let before = source.get(..at)?;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let indent = &before[start..];
    indent.bytes().all(|b| b == b' ').then_some(indent)
}

/// The end of the line holding `at` (before its `\r\n` or `\n`).
pub(crate) fn line_end(source: &str, at: usize) -> usize {
    let end = source
        .get(at..)
        .and_then(|rest| rest.find('\n'))
        .map_or(source.len(), |i| at + i);
    if end > at && source.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// The span of the whole lines from the one holding `start` to the one holding `end`,
/// line break included, when only spaces stand before `start` on its line and only spaces
/// or a comment after `end` on its line.
pub(crate) fn whole_lines(source: &str, start: usize, end: usize) -> Option<Span> {
    let indent = indent_before(source, start)?;
    let eol = line_end(source, end);
    let rest = source.get(end..eol)?.trim_start_matches([' ', '\t']);
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    let after = if source[eol..].starts_with("\r\n") {
        eol + 2
    } else if source[eol..].starts_with('\n') {
        eol + 1
    } else {
        eol
    };
    Some(Span::new(start - indent.len(), after))
}

/// The span to delete to remove one element of a flow collection written from `start` to
/// `end`, with the comma that separates it from its neighbour: up to the next element
/// (`docker, ` in `[docker, node]`) or from the previous one (`, docker`).
pub(crate) fn flow_element(
    source: &str,
    prev_end: Option<usize>,
    start: usize,
    end: usize,
    next_start: Option<usize>,
) -> Option<Span> {
    let is_separator = |from: usize, to: usize| {
        source
            .get(from..to)
            .is_some_and(|t| t.trim_matches([' ', '\t', '\r', '\n']) == ",")
    };
    match (prev_end, next_start) {
        (_, Some(next)) if is_separator(end, next) => Some(Span::new(start, next)),
        (Some(prev), _) if is_separator(prev, start) => Some(Span::new(prev, end)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    #[test]
    fn option_values() {
        let cmds = commands("docker buildx create --driver docker-container --use");
        assert_eq!(option_value(&cmds[0], "--driver"), Some("docker-container"));
        let cmds = commands("docker buildx create --driver=remote");
        assert_eq!(option_value(&cmds[0], "--driver"), Some("remote"));
        assert_eq!(option_value(&cmds[0], "--name"), None);
    }

    #[test]
    fn docker_cli() {
        let cmds =
            commands("echo docker; sudo docker ps; docker-compose up; /usr/bin/docker version");
        let found: Vec<bool> = cmds.iter().map(is_docker_cli).collect();
        assert_eq!(found, [false, true, true, true]);
        let cmds = commands("docker --version || true; docker-compose -v; docker version");
        let found: Vec<bool> = cmds.iter().map(uses_docker).collect();
        assert_eq!(found, [false, false, false, true]);
    }
}
