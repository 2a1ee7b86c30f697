use pipelint_yaml::Span;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::route::{Route, Segment};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `options.docker: true`, which gives every step of the file the `docker`
    /// service.
    ///
    /// ## Why is this bad?
    /// The global switch adds the Docker service to steps that do not need it. Each one
    /// then counts it toward the limit of 5 services per step and gives it memory (1024 MB
    /// unless `definitions.services.docker.memory` says otherwise) that the build container
    /// could use. Listing `docker` in the `services` of the steps that run Docker commands
    /// says which steps need it and leaves the others their memory.
    ///
    /// ## Example
    /// ```yaml
    /// options:
    ///   docker: true
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [docker build -t app .]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [docker]
    ///         script: [docker build -t app .]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Run Docker commands in Bitbucket Pipelines"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/run-docker-commands-in-bitbucket-pipelines/)
    /// and "Global options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/global-options/).
    pub struct DockerLegacy {
        id: "options/docker-legacy",
        severity: Info,
        summary: "`options.docker: true` adds the Docker service to every step",
        fix: false,
    }
}

impl Rule for DockerLegacy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(entry) = cx
            .file
            .as_ref()
            .and_then(|f| f.options())
            .and_then(|o| o.as_mapping())
            .and_then(|m| m.entry("docker"))
        else {
            return;
        };
        if entry.value.as_bool() != Some(true) {
            return;
        }
        let memory = cx
            .file
            .as_ref()
            .and_then(|f| f.services())
            .and_then(|s| s.get("docker"))
            .and_then(|d| d.get("memory"))
            .and_then(pipelint_yaml::Node::as_i64)
            .and_then(|mb| u64::try_from(mb).ok())
            .unwrap_or(crate::model::DEFAULT_SERVICE_MEMORY_MB);
        let span = Span::cover(entry.key.span, entry.value.span);
        let mut d = Diagnostic::new(
                Self::META.id,
                span,
                format!("`options.docker: true` gives every step the docker service, which counts toward each step's 5 services and takes {memory} MB of its memory"),
            )
            .help("remove it and list the service on the steps that run Docker: `services: [docker]`");
        d.route = Route(vec![
            Segment::Key("options".into()),
            Segment::Key("docker".into()),
        ]);
        out.push(d);
    }
}
