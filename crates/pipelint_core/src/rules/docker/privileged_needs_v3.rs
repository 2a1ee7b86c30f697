use super::{cloud_v2_runtime, option_value, script_diagnostic, v3_help, with_runtime_note};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};
use crate::shell::{Command, Word};

declare_rule! {
    /// ## What it does
    /// Reports a script command that starts a privileged container on a Bitbucket Cloud
    /// step whose runtime is v2 (the default): `docker run --privileged` (or
    /// `--privileged=true`), `docker create --privileged`, and `docker buildx create` with
    /// the `docker-container` driver, which is the default driver of `buildx create` and
    /// runs BuildKit in a privileged container. It points at the flag.
    ///
    /// Steps on self-hosted runners (`runs-on: self.hosted`) and steps whose runtime is a
    /// `${{ }}` template are not reported. `docker compose` files are not read.
    ///
    /// ## Why is this bad?
    /// The v2 runtime refuses privileged containers: the command fails with
    /// `authorization denied by plugin pipelines: --privileged=true is not allowed`.
    /// Runtime v3 allows them. Note that v3 no longer mounts the Docker CLI into the build
    /// container, so the step's image must bring it.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         image: docker:27-cli
    ///         services: [docker]
    ///         script:
    ///           - docker run --privileged --rm tonistiigi/binfmt --install arm64
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         image: docker:27-cli
    ///         runtime:
    ///           cloud:
    ///             version: "3"
    ///         services: [docker]
    ///         script:
    ///           - docker run --privileged --rm tonistiigi/binfmt --install arm64
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Run Docker commands in Bitbucket Pipelines" (privileged containers are
    /// restricted) and "Enable and use Runtime v3" (`--privileged` is allowed on v3); the
    /// error text as users report it on the Atlassian Community ("Docker build failing for
    /// buildkit with error authorization denied").
    pub struct PrivilegedNeedsV3 {
        id: "docker/privileged-needs-v3",
        severity: Error,
        summary: "A privileged container on a step that runs on Runtime v2",
        fix: false,
    }
}

impl Rule for PrivilegedNeedsV3 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let Some(rt) = cloud_v2_runtime(step, cx) else {
                continue;
            };
            for sc in step.script_commands() {
                let Some((words, what)) = privileged(&sc.command) else {
                    continue;
                };
                let message = format!(
                    "{what} needs Runtime v3: on v2 Bitbucket refuses it with \"authorization \
                     denied by plugin pipelines: --privileged=true is not allowed\""
                );
                let d = script_diagnostic(Self::META.id, cx, step, sc, &words, message)
                    .help(v3_help(&rt));
                out.push(with_runtime_note(d, &rt));
            }
        }
    }
}

/// The words to point at and what the command does, when it starts a privileged
/// container.
fn privileged<'c>(cmd: &'c Command<'c>) -> Option<(Vec<&'c Word<'c>>, String)> {
    for sub in [
        &["docker", "run"][..],
        &["docker", "create"],
        &["docker", "container", "run"],
        &["docker", "container", "create"],
    ] {
        if cmd.is(sub) {
            let flag = cmd.flag("--privileged")?;
            let on = match flag.text.split_once('=') {
                None => true,
                Some((_, v)) => matches!(v, "true" | "True" | "TRUE" | "t" | "T" | "1"),
            };
            return on.then(|| (vec![flag], format!("`{} --privileged`", sub.join(" "))));
        }
    }
    if cmd.is(&["docker", "buildx", "create"]) {
        let driver = option_value(cmd, "--driver");
        if driver.is_some_and(|d| d != "docker-container") {
            return None;
        }
        let args = cmd.args();
        let words = match args.iter().position(|w| w.text.starts_with("--driver")) {
            Some(i) if args[i].text == "--driver" => args.get(i..=i + 1)?.iter().collect(),
            Some(i) => vec![&args[i]],
            None => vec![args.iter().find(|w| w.text == "create")?],
        };
        let what = if driver.is_some() {
            "`docker buildx create --driver docker-container` starts BuildKit in a privileged \
             container, which"
        } else {
            "`docker buildx create` starts BuildKit in a privileged container (its default \
             driver is `docker-container`), which"
        };
        return Some((words, what.to_owned()));
    }
    None
}
