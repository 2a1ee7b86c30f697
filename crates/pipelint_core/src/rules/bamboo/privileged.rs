use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `--privileged` among the `docker-run-arguments` of a Bamboo Docker runner
    /// setting.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability of the agent's host: a build, or
    /// anything a build downloads, can reach the host's devices and escape the container.
    /// The Docker runner exists to isolate builds; keep the flag only where a task really
    /// needs it, and prefer mounting the Docker socket for Docker commands.
    ///
    /// ## Example
    /// ```yaml
    /// version: 2
    /// plan:
    ///   project-key: PROJ
    ///   key: BUILD
    ///   name: Build
    /// stages:
    ///   - Build:
    ///       jobs: [Compile]
    /// Compile:
    ///   docker:
    ///     image: gcc:14
    ///     docker-run-arguments:
    ///       - --privileged
    ///   tasks:
    ///     - script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// version: 2
    /// plan:
    ///   project-key: PROJ
    ///   key: BUILD
    ///   name: Build
    /// stages:
    ///   - Build:
    ///       jobs: [Compile]
    /// Compile:
    ///   docker:
    ///     image: gcc:14
    ///     docker-run-arguments:
    ///       - --net=host
    ///   tasks:
    ///     - script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, Bamboo Specs reference (YAML), "Docker" (`docker-run-arguments` are
    /// passed to `docker run`); Docker, "Runtime privilege and Linux capabilities".
    pub struct Privileged {
        id: "bamboo/privileged",
        severity: Info,
        summary: "A Bamboo Docker runner container that runs privileged",
        fix: false,
        kinds: [BambooSpecs],
    }
}

impl Rule for Privileged {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for d in super::written(cx) {
            for arg in &d.run_arguments {
                let Some(text) = arg.as_str() else { continue };
                let privileged = text
                    .split_whitespace()
                    .any(|w| w == "--privileged" || w == "--privileged=true");
                if privileged {
                    out.push(
                        Diagnostic::at(Self::META.id, arg, "the Docker runner container will run privileged, with the host's devices and capabilities")
                            .help("remove `--privileged` unless a task needs it; Docker commands need only `/var/run/docker.sock` mounted"),
                    );
                }
            }
        }
    }
}
