use crate::bamboo::is_working_directory;
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `use-default-volumes: false` in a Bamboo Docker runner setting whose
    /// `volumes` do not map the build's working directory (`${bamboo.working.directory}`,
    /// also written `${bamboo.build.working.directory}`).
    ///
    /// ## Why is this bad?
    /// By default Bamboo mounts the agent's working directory and temporary directory into
    /// the runner container. Turning the defaults off removes them: the checked-out source
    /// is not in the container, and files the tasks write are not kept as the job's
    /// results or artifacts.
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
    ///     use-default-volumes: false
    ///     volumes:
    ///       /opt/cache: /opt/cache
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
    ///     use-default-volumes: false
    ///     volumes:
    ///       ${bamboo.working.directory}: ${bamboo.working.directory}
    ///       ${bamboo.tmp.directory}: ${bamboo.tmp.directory}
    ///       /opt/cache: /opt/cache
    ///   tasks:
    ///     - script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, Bamboo Specs reference (YAML), "Docker": default volumes are
    /// `${bamboo.working.directory}` and `${bamboo.tmp.directory}`, and
    /// `use-default-volumes: false` disables them. (SchemaStore's `bamboo-spec.json`
    /// declares the default as `false`; Bamboo's behaviour is the opposite.)
    pub struct DefaultVolumesOff {
        id: "bamboo/default-volumes-off",
        severity: Warning,
        summary: "Bamboo default volumes turned off without mapping the working directory",
        fix: false,
        kinds: [BambooSpecs],
    }
}

impl Rule for DefaultVolumesOff {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for d in super::written(cx) {
            let Some(flag) = d.use_default_volumes else {
                continue;
            };
            if flag.as_bool() != Some(false) || d.mounts(is_working_directory) {
                continue;
            }
            out.push(
                Diagnostic::at(Self::META.id, flag, "default volumes are off and the build's working directory is not mapped: the container will not see the checked-out source")
                    .help("map it under `volumes`: `${bamboo.working.directory}: ${bamboo.working.directory}` (and `${bamboo.tmp.directory}` likewise), or drop `use-default-volumes: false`"),
            );
        }
    }
}
