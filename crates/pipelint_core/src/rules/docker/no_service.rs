use pipelint_yaml::Node;

use super::{dash_before, indent_before, line_end, script_diagnostic, uses_docker};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{MAX_SERVICES, ScriptCommand, StepRef};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a step whose `script` or `after-script` runs the Docker CLI (`docker ...`,
    /// `docker-compose ...`) while the step has no Docker service: neither `docker` in its
    /// `services`, nor a service defined with `type: docker`, nor `options.docker: true`.
    /// It points at the first such command of the step, once per step. Only commands count:
    /// `echo docker` or `pip install docker` do not, nor version probes such as
    /// `docker --version || true`, which need no daemon.
    ///
    /// Steps on shell runners (`runs-on` with `linux.shell`, `windows` or `macos`), which
    /// use the host's Docker, are not reported; Bitbucket Cloud steps and Linux Docker
    /// runners are. Steps that start their own daemon (`dockerd`) or point `DOCKER_HOST`
    /// elsewhere are not reported either.
    ///
    /// The fix adds `docker` to the step's services: a `- docker` item in a block list,
    /// `, docker` in a flow list, `[docker]` after an empty `services:`, or a `services:`
    /// key before `script:`. It is marked unsafe when that text is shared with other steps
    /// through a YAML anchor.
    ///
    /// ## Why is this bad?
    /// The Docker daemon, and on the v2 runtime the `docker` command itself, are there only
    /// when the step has the Docker service. Without it the step fails with
    /// `docker: command not found` or `Cannot connect to the Docker daemon`.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build image
    ///         script:
    ///           - docker build -t app .
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build image
    ///         services:
    ///           - docker
    ///         script:
    ///           - docker build -t app .
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Run Docker commands in Bitbucket Pipelines": add `docker` as a service
    /// of the step (or `options: docker: true`) to get the Docker daemon and CLI; "Runners"
    /// for the shell runners, which use the host's tools.
    pub struct NoService {
        id: "docker/no-service",
        severity: Error,
        summary: "A step runs docker without the Docker service",
        fix: true,
    }
}

/// `runs-on` labels of runners that run scripts on the host, not in containers.
const SHELL_RUNNER_LABELS: &[&str] = &["linux.shell", "windows", "macos"];

impl Rule for NoService {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file.as_ref() else {
            return;
        };
        for step in cx.steps() {
            if step.is_child_pipeline()
                || step
                    .runs_on()
                    .iter()
                    .any(|l| SHELL_RUNNER_LABELS.contains(l))
                || step.has_docker_service(file)
            {
                continue;
            }
            let commands = step.script_commands();
            if commands.iter().any(has_own_daemon) {
                continue;
            }
            let Some(sc) = commands.iter().find(|c| uses_docker(&c.command)) else {
                continue;
            };
            let Some(word) = sc.command.words.first() else {
                continue;
            };
            let program = sc.command.program().unwrap_or("docker");
            let message = format!("this step runs `{program}` but has no Docker service");
            let mut d = script_diagnostic(Self::META.id, cx, step, sc, &[word], message)
                .help("add `docker` to the step's services: `services: [docker]`");
            if let Some(fix) = add_docker(cx, step) {
                d = d.fix(fix);
            }
            out.push(d);
        }
    }
}

/// `dockerd ...` or `export DOCKER_HOST=...`: the step brings its own daemon.
fn has_own_daemon(sc: &ScriptCommand<'_>) -> bool {
    let cmd = &sc.command;
    match cmd.program() {
        Some("dockerd") => true,
        Some("export") => cmd
            .args()
            .iter()
            .any(|w| w.text.starts_with("DOCKER_HOST=")),
        _ => false,
    }
}

/// The fix that adds `docker` to the step's services, when the layout is plain enough to
/// edit. Unsafe when the edited text is shared with other steps (written in an anchor the
/// step takes through `<<:` or an alias of its own).
fn add_docker(cx: &Context<'_>, step: &StepRef<'_>) -> Option<Fix> {
    let map = step.map()?;
    let source = cx.source;
    let nl = if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let (edit, target) = match map.entry("services") {
        // `services:` with nothing after it.
        Some(entry) if entry.value.is_null() && entry.value.span.is_empty() => {
            let colon = entry.key.span.end;
            let rest = source.get(colon..line_end(source, colon))?;
            let after = rest.strip_prefix(':')?.trim_start_matches(' ');
            if !(after.is_empty() || after.starts_with('#')) {
                return None;
            }
            (Edit::insert(colon + 1, " [docker]"), &entry.key)
        }
        Some(entry) => {
            let items = entry.value.as_sequence()?;
            if items.len() >= MAX_SERVICES || entry.value.truncated {
                return None;
            }
            let edit = if cx.text(entry.value.span).starts_with('[') {
                match items.last() {
                    Some(last) => Edit::insert(last.span.end, ", docker"),
                    None => Edit::insert(entry.value.span.start + 1, "docker"),
                }
            } else {
                let first = items.first()?;
                let dash = dash_before(source, first.span.start)?;
                let indent = indent_before(source, dash)?;
                let end = line_end(source, items.last()?.span.end);
                Edit::insert(end, format!("{nl}{indent}- docker"))
            };
            (edit, &entry.value)
        }
        None => {
            let script = map.entry("script")?;
            let at = script.key.span.start;
            let edit = if cx.text(step.node.span).starts_with('{') {
                Edit::insert(at, "services: [docker], ")
            } else {
                let indent = indent_before(source, at)?;
                // Indent the item as the script's items are, else by two spaces.
                let pad = script
                    .value
                    .as_sequence()
                    .and_then(|items| items.first())
                    .filter(|_| !cx.text(script.value.span).starts_with('['))
                    .and_then(|item| dash_before(source, item.span.start))
                    .and_then(|dash| indent_before(source, dash))
                    .and_then(|item_indent| item_indent.len().checked_sub(indent.len()))
                    .unwrap_or(2);
                let line = at - indent.len();
                let pad = " ".repeat(pad);
                Edit::insert(
                    line,
                    format!("{indent}services:{nl}{indent}{pad}- docker{nl}"),
                )
            };
            (edit, &script.key)
        }
    };
    let message = "Add `docker` to the step's services";
    Some(if is_shared(step.node, target) {
        Fix::unsafe_(message, vec![edit])
    } else {
        Fix::safe(message, vec![edit])
    })
}

/// Whether `node` of the step is written in text other steps may share: it came through
/// an alias the step itself did not.
fn is_shared(step: &Node, node: &Node) -> bool {
    node.via != step.via
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Applicability;
    use crate::{CheckOptions, Selection};

    /// The text after applying the rule's fixes, and whether they were all safe.
    fn fixed(source: &str) -> (String, bool) {
        let opts = CheckOptions {
            select: Selection::Only(vec!["docker/no-service".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(source, &opts).diagnostics;
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        let safe = fixes.iter().all(|f| f.applicability == Applicability::Safe);
        (crate::fix::apply(source, fixes).0, safe)
    }

    #[test]
    fn adds_an_item_to_a_block_list() {
        let src = "pipelines:\n  default:\n    - step:\n        services:\n          - postgres # db\n        script:\n          - docker ps\n";
        let (out, safe) = fixed(src);
        assert_eq!(
            out,
            "pipelines:\n  default:\n    - step:\n        services:\n          - postgres # db\n          - docker\n        script:\n          - docker ps\n"
        );
        assert!(safe);
    }

    #[test]
    fn adds_an_item_to_a_flow_list_and_a_flow_step() {
        let src = "pipelines:\n  default:\n    - step: {services: [redis], script: [docker ps]}\n    - step: {name: x, script: [docker ps]}\n    - step:\n        services: []\n        script: [docker ps]\n";
        let (out, _) = fixed(src);
        assert_eq!(
            out,
            "pipelines:\n  default:\n    - step: {services: [redis, docker], script: [docker ps]}\n    - step: {name: x, services: [docker], script: [docker ps]}\n    - step:\n        services: [docker]\n        script: [docker ps]\n"
        );
    }

    #[test]
    fn adds_a_services_key_before_script() {
        let src = "pipelines:\n  default:\n    - step:\n        name: Build\n        # build it\n        script:\n        - docker build .\n";
        let (out, safe) = fixed(src);
        assert_eq!(
            out,
            "pipelines:\n  default:\n    - step:\n        name: Build\n        # build it\n        services:\n        - docker\n        script:\n        - docker build .\n"
        );
        assert!(safe);
        let crlf = src.replace('\n', "\r\n");
        assert_eq!(fixed(&crlf).0, out.replace('\n', "\r\n"));
    }

    #[test]
    fn an_aliased_step_is_fixed_once_in_the_anchor() {
        let src = "definitions:\n  steps:\n    - step: &b\n        script:\n          - docker build .\npipelines:\n  default:\n    - step: *b\n    - step: *b\n";
        let (out, safe) = fixed(src);
        assert_eq!(
            out,
            "definitions:\n  steps:\n    - step: &b\n        services:\n          - docker\n        script:\n          - docker build .\npipelines:\n  default:\n    - step: *b\n    - step: *b\n"
        );
        assert!(safe);
    }

    #[test]
    fn fills_an_empty_services_key() {
        let src = "pipelines:\n  default:\n    - step:\n        services: # none yet\n        script:\n          - docker ps\n";
        let (out, safe) = fixed(src);
        assert_eq!(
            out,
            "pipelines:\n  default:\n    - step:\n        services: [docker] # none yet\n        script:\n          - docker ps\n"
        );
        assert!(safe);
    }

    #[test]
    fn merged_text_is_an_unsafe_fix() {
        let src = "definitions:\n  base: &base\n    services: [redis]\npipelines:\n  default:\n    - step:\n        <<: *base\n        script: [docker ps]\n";
        let (out, safe) = fixed(src);
        assert!(out.contains("services: [redis, docker]"));
        assert!(!safe);
    }
}
