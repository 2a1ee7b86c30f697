use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::MAX_SERVICES;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a step that uses more than 5 services. `docker` counts as one, and so does
    /// `options.docker: true`, which adds the docker service to every step that does not
    /// list it already.
    ///
    /// ## Why is this bad?
    /// Bitbucket starts at most 5 service containers next to a step and rejects a step that
    /// asks for more. With `options.docker: true` a step that lists 5 services of its own
    /// is already over the limit.
    ///
    /// ## Example
    /// ```yaml
    /// options:
    ///   docker: true
    /// definitions:
    ///   services:
    ///     postgres: {image: postgres:16}
    ///     redis: {image: redis:7}
    ///     mongo: {image: mongo:7}
    ///     rabbitmq: {image: rabbitmq:3}
    ///     elastic: {image: elasticsearch:8.13.0}
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [postgres, redis, mongo, rabbitmq, elastic]
    ///         script: [npm run test:integration]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   services:
    ///     postgres: {image: postgres:16}
    ///     redis: {image: redis:7}
    ///     mongo: {image: mongo:7}
    ///     rabbitmq: {image: rabbitmq:3}
    ///     elastic: {image: elasticsearch:8.13.0}
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [postgres, redis, mongo, rabbitmq, elastic]
    ///         script: [npm run test:integration]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Databases and service containers" (at most 5 services per step) and "Run
    /// Docker commands in Bitbucket Pipelines" (`docker` counts as a service, also when it is
    /// enabled with `options.docker`); the official schema's `maxItems: 5`.
    pub struct TooMany {
        id: "svc/too-many",
        severity: Error,
        summary: "A step uses more than 5 services, docker included",
        fix: false,
    }
}

impl Rule for TooMany {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        let global_docker = file
            .options()
            .and_then(|o| o.as_mapping())
            .and_then(|o| o.entry("docker"))
            .filter(|_| file.options_docker());
        for step in cx.steps() {
            let listed = step.service_nodes();
            let lists_docker = listed.iter().any(|n| n.as_str() == Some("docker"));
            let added = global_docker.filter(|_| !lists_docker);
            let count = listed.len() + usize::from(added.is_some());
            if count <= MAX_SERVICES {
                continue;
            }
            let services_key = step.map().and_then(|m| m.entry("services")).map(|e| &e.key);
            let mut message = format!(
                "this step uses {count} services; a step can use at most {MAX_SERVICES}, docker included"
            );
            if added.is_some() {
                message.push_str(" (`options.docker: true` adds docker to every step)");
            }
            // When only `options.docker` pushes the step over, point at the step itself.
            let (at, own_list) = match services_key {
                Some(key) if listed.len() > MAX_SERVICES => (key, None),
                other => (step.key, other),
            };
            let mut d = Diagnostic::at(Self::META.id, at, message);
            if let Some(key) = own_list {
                d = d.related(
                    key.span,
                    format!("the step lists {} services here", listed.len()),
                );
            }
            if let Some(opt) = added {
                d = d.related(
                    opt.key.span,
                    "`options.docker: true` adds docker to every step",
                );
            }
            d = if added.is_some() && listed.len() <= MAX_SERVICES {
                d.help("list `docker` only in the `services` of the steps that run docker, instead of `options.docker: true`")
            } else {
                d.help("remove the services this step does not need, or split the step in two")
            };
            out.push(d);
        }
    }
}
