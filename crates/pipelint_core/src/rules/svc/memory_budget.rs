use pipelint_yaml::{Mapping, Node};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{
    BUILD_CONTAINER_MIN_MB, DEFAULT_SERVICE_MEMORY_MB, File, SIZE_MEMORY_MB, StepRef, is_template,
    size_memory,
};
use crate::rule::{Rule, RuleMeta};
use crate::settings::Plan;

declare_rule! {
    /// ## What it does
    /// Adds up the memory of the services a step uses (each service's `memory`, 1024 MB
    /// when it sets none; `docker` takes `definitions.services.docker.memory`, and
    /// `options.docker: true` counts as using docker) and reports the step when the build
    /// container would be left with less than 1024 MB of the step's memory: 4096 MB for
    /// `size: 1x`, 8192 MB for 2x, 16384 MB for 4x, 32768 MB for 8x. The help names the
    /// smallest size that fits (at most 2x on the Free plan, at most 8x on self-hosted
    /// runners).
    ///
    /// Steps whose size is a `${{ }}` template or not a known size, and steps that use a
    /// service whose `memory` is a template or not a number, are not checked. Services
    /// that are not defined are left to `svc/undefined` and not counted.
    ///
    /// Steps on self-hosted runners (`runs-on: self.hosted`) are checked the same way:
    /// runners give a step the memory of its size (up to 8x = 32 GB) and take the services'
    /// memory out of it, as the cloud does.
    ///
    /// ## Why is this bad?
    /// Services take their memory out of the step's. Bitbucket refuses to start a step
    /// whose services leave the build container less than 1024 MB ("A step does not have
    /// the minimum resources needed to run").
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   services:
    ///     docker:
    ///       memory: 2048
    ///     postgres:
    ///       image: postgres:16
    ///       memory: 1536
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [docker, postgres]
    ///         script: [docker compose run tests]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   services:
    ///     docker:
    ///       memory: 2048
    ///     postgres:
    ///       image: postgres:16
    ///       memory: 1536
    /// pipelines:
    ///   default:
    ///     - step:
    ///         size: 2x
    ///         services: [docker, postgres]
    ///         script: [docker compose run tests]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Databases and service containers" (service memory, 1024 MB by default, and
    /// the 1024 MB the build container keeps) and the knowledge-base article "Pipeline build
    /// failed with Container 'Build' exceeded memory limit"; the memory of each size from
    /// Atlassian's community answers (1x = 4096 MB, 2x = 8192 MB) and the 4x/8x announcement
    /// (up to 32 GB). Runners: Atlassian, "Runners" (steps up to 8x).
    pub struct MemoryBudget {
        id: "svc/memory-budget",
        severity: Error,
        summary: "A step's services leave the build container less than 1024 MB",
        fix: false,
    }
}

/// The largest size a self-hosted runner gives a step.
const RUNNER_MAX_MB: u64 = 32768;
/// The largest size of the Free plan.
const FREE_MAX_MB: u64 = 8192;

impl Rule for MemoryBudget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        for step in cx.steps() {
            if step.is_child_pipeline() {
                continue;
            }
            if let Some(d) = check_step(cx, file, step) {
                out.push(d);
            }
        }
    }
}

/// One service's share of the step's memory.
struct Share<'a> {
    name: &'a str,
    mb: u64,
    /// The `memory:` node that set it, when one did.
    node: Option<&'a Node>,
}

fn check_step<'a>(cx: &Context<'a>, file: &File<'a>, step: &StepRef<'a>) -> Option<Diagnostic> {
    let size = step.size(file);
    if size.node.is_some_and(is_template) {
        return None;
    }
    let step_mb = size_memory(size.value)?;
    let self_hosted = step.is_self_hosted();
    if self_hosted && step_mb > RUNNER_MAX_MB {
        return None;
    }
    let defs = file.services();
    let mut shares: Vec<Share<'a>> = Vec::new();
    for n in step.service_nodes() {
        if is_template(n) {
            return None;
        }
        let Some(name) = n.as_str() else {
            continue;
        };
        if shares.iter().any(|s| s.name == name) {
            continue;
        }
        match share(defs, name)? {
            Some(s) => shares.push(s),
            None => continue,
        }
    }
    let docker_option = file
        .options()
        .and_then(Node::as_mapping)
        .and_then(|o| o.entry("docker"))
        .filter(|_| file.options_docker());
    let added_docker = docker_option.filter(|_| !shares.iter().any(|s| s.name == "docker"));
    if added_docker.is_some()
        && let Some(s) = share(defs, "docker")?
    {
        shares.push(s);
    }
    let used: u64 = shares.iter().map(|s| s.mb).sum();
    if used + BUILD_CONTAINER_MIN_MB <= step_mb {
        return None;
    }

    let left = step_mb.saturating_sub(used);
    let what = match shares.as_slice() {
        [one] => format!("service `{}` uses {used} MB", one.name),
        many => {
            let parts: Vec<String> = many
                .iter()
                .map(|s| format!("{} {} MB", s.name, s.mb))
                .collect();
            format!("services use {used} MB ({})", parts.join(", "))
        }
    };
    let message = if left > 0 {
        format!(
            "{what}; a {} step ({step_mb} MB) leaves {left} MB for the build container, which needs at least {BUILD_CONTAINER_MIN_MB} MB",
            size.value
        )
    } else {
        format!(
            "{what}; a {} step has {step_mb} MB, which leaves nothing for the build container (it needs at least {BUILD_CONTAINER_MIN_MB} MB)",
            size.value
        )
    };

    let services_key = step.map().and_then(|m| m.entry("services")).map(|e| &e.key);
    let step_size = size.node.filter(|_| step.get("size").is_some());
    let at = services_key.or(step_size).unwrap_or(step.key);
    let mut d = Diagnostic::at(MemoryBudget::META.id, at, message);

    let cap = match (self_hosted, cx.settings.plan) {
        (true, _) => RUNNER_MAX_MB,
        (false, Some(Plan::Free)) => FREE_MAX_MB,
        _ => u64::MAX,
    };
    let fits = SIZE_MEMORY_MB
        .iter()
        .find(|(_, mb)| *mb >= used + BUILD_CONTAINER_MIN_MB && *mb <= cap);
    d = match fits {
        Some((name, mb)) => d.help(format!(
            "use `size: {name}` ({mb} MB), or lower the services' `memory` in `definitions.services`"
        )),
        None => d.help("lower the services' `memory` in `definitions.services`"),
    };
    if let Some(size_node) = size.node
        && size_node.span != at.span
    {
        d = d.related(
            size_node.span,
            format!("the step size is {} here", size.value),
        );
    }
    for s in &shares {
        if let Some(node) = s.node {
            d = d.related(node.span, format!("`{}` takes {} MB", s.name, s.mb));
        }
    }
    if let Some(opt) = added_docker {
        d = d.related(
            opt.key.span,
            "`options.docker: true` adds the docker service",
        );
    }
    Some(d)
}

/// The share of the service `name`: `Some(None)` when it is not defined (not counted),
/// `None` when its memory is unknown (a template or not a number), so the step is skipped.
fn share<'a>(defs: Option<&'a Mapping>, name: &'a str) -> Option<Option<Share<'a>>> {
    let def = defs.and_then(|m| m.get(name));
    let Some(def) = def else {
        return Some((name == "docker").then_some(Share {
            name,
            mb: DEFAULT_SERVICE_MEMORY_MB,
            node: None,
        }));
    };
    let Some(memory) = def.get("memory") else {
        return Some(Some(Share {
            name,
            mb: DEFAULT_SERVICE_MEMORY_MB,
            node: None,
        }));
    };
    let mb = u64::try_from(memory.as_i64()?).ok()?;
    Some(Some(Share {
        name,
        mb,
        node: Some(memory),
    }))
}
