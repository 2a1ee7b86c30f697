use super::{cloud_v2_runtime, option_value, script_diagnostic, v3_help, with_runtime_note};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};
use crate::shell::{Command, Word};

declare_rule! {
    /// ## What it does
    /// Reports, on a Bitbucket Cloud step whose runtime is v2 (the default), a script
    /// command that needs buildx or a multi-platform build: `docker buildx build`,
    /// `docker buildx bake` and `docker buildx create` (pointing at `buildx`), and
    /// `docker build --platform ...` (pointing at `--platform`).
    ///
    /// `docker buildx create` with the `docker-container` driver (its default) is left to
    /// `docker/privileged-needs-v3`, which reports it as an error. Steps on self-hosted
    /// runners and steps whose runtime is a `${{ }}` template are not reported.
    ///
    /// ## Why is this bad?
    /// On the v2 runtime the buildx plugin, BuildKit multi-platform builds and `--platform`
    /// are disabled, so these commands fail or do not build what they ask for. Runtime v3
    /// allows them. Note that v3 no longer mounts the Docker CLI into the build container,
    /// so the step's image must bring it (with the buildx plugin).
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         image: docker:27-cli
    ///         services: [docker]
    ///         script:
    ///           - docker buildx build --platform linux/amd64,linux/arm64 -t app .
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
    ///           - docker buildx build --platform linux/amd64,linux/arm64 -t app .
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Run Docker commands in Bitbucket Pipelines" (BuildKit restrictions on
    /// the v2 runtime: no multi-platform builds, no buildx) and "Enable and use Runtime v3"
    /// with the announcement "Introducing Runtime v3: multi-arch images and more control
    /// over Docker".
    pub struct BuildxNeedsV3 {
        id: "docker/buildx-needs-v3",
        severity: Warning,
        summary: "buildx or --platform on a step that runs on Runtime v2",
        fix: false,
    }
}

impl Rule for BuildxNeedsV3 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let Some(rt) = cloud_v2_runtime(step, cx) else {
                continue;
            };
            for sc in step.script_commands() {
                let Some((word, message)) = needs_buildx(&sc.command) else {
                    continue;
                };
                let d = script_diagnostic(Self::META.id, cx, step, sc, &[word], message)
                    .help(v3_help(&rt));
                out.push(with_runtime_note(d, &rt));
            }
        }
    }
}

/// The word to point at and the message, when the command needs buildx or a
/// multi-platform build.
fn needs_buildx<'c>(cmd: &'c Command<'c>) -> Option<(&'c Word<'c>, String)> {
    const DISABLED: &str = "is disabled on Runtime v2; it needs Runtime v3";
    for sub in ["build", "bake", "create"] {
        if !cmd.is(&["docker", "buildx", sub]) {
            continue;
        }
        // The docker-container driver is privileged: `docker/privileged-needs-v3`.
        if sub == "create" && option_value(cmd, "--driver").is_none_or(|d| d == "docker-container")
        {
            return None;
        }
        let word = cmd.args().iter().find(|w| w.text == "buildx")?;
        return Some((word, format!("`docker buildx {sub}` {DISABLED}")));
    }
    let is_build = cmd.is(&["docker", "build"]) || cmd.is(&["docker", "image", "build"]);
    if is_build {
        let flag = cmd.flag("--platform")?;
        let value = option_value(cmd, "--platform").filter(|v| !v.is_empty())?;
        let message = if value.contains(',') {
            format!("a multi-platform build (`--platform {value}`) {DISABLED}")
        } else {
            format!("`docker build --platform` {DISABLED}")
        };
        return Some((flag, message));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    fn found(script: &str) -> Option<String> {
        commands(script)
            .iter()
            .find_map(|c| needs_buildx(c).map(|(w, _)| w.text.to_string()))
    }

    #[test]
    fn finds_buildx_and_platform() {
        assert_eq!(found("docker buildx build -t x ."), Some("buildx".into()));
        assert_eq!(found("docker buildx bake"), Some("buildx".into()));
        assert_eq!(
            found("docker build --platform=linux/arm64 ."),
            Some("--platform=linux/arm64".into())
        );
        assert_eq!(
            found("docker buildx create --driver remote tcp://x"),
            Some("buildx".into())
        );
        assert_eq!(found("docker buildx create --use"), None);
        assert_eq!(found("docker buildx ls"), None);
        assert_eq!(found("docker build -t x ."), None);
        assert_eq!(found("echo docker buildx build"), None);
    }
}
