//! Typed views over the span tree of a `bitbucket-pipelines.yml`.
//!
//! The views borrow the tree; they never copy it. [`File::steps`] visits every step of
//! every pipeline (inside parallel groups and stages too) with its context, and
//! [`StepRef`] computes the step's effective runtime, size, image and services the way
//! Bitbucket does: the step's own value, then `options`, then the default.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pipelint_yaml::{Mapping, Node, NodeKind, Span};

use crate::route::{Route, Segment};
use crate::settings::Settings;

/// Memory of a step by size, in MB. 16x and 32x are extrapolated (Atlassian documents up
/// to 8x = 32 GB).
pub const SIZE_MEMORY_MB: &[(&str, u64)] = &[
    ("1x", 4096),
    ("2x", 8192),
    ("4x", 16384),
    ("8x", 32768),
    ("16x", 65536),
    ("32x", 131072),
];

/// Memory a service gets when its definition does not say (MB).
pub const DEFAULT_SERVICE_MEMORY_MB: u64 = 1024;

/// Memory the build container keeps at least (MB).
pub const BUILD_CONTAINER_MIN_MB: u64 = 1024;

/// The most services one step may use, `docker` included.
pub const MAX_SERVICES: usize = 5;

/// Caches Bitbucket defines itself.
pub const PREDEFINED_CACHES: &[&str] = &[
    "docker",
    "composer",
    "dotnetcore",
    "gradle",
    "ivy2",
    "maven",
    "node",
    "pip",
    "sbt",
];

/// The memory of a step size in MB.
pub fn size_memory(size: &str) -> Option<u64> {
    SIZE_MEMORY_MB
        .iter()
        .find(|(s, _)| *s == size)
        .map(|(_, mb)| *mb)
}

/// A value that YAML templating fills in when the pipeline starts (`${{ VAR }}`): it is
/// valid wherever a value is.
pub fn is_template(node: &Node) -> bool {
    node.as_scalar().is_some_and(|s| s.value.contains("${{"))
}

/// Keys a step may have (the inline and the child-pipeline forms).
pub const STEP_KEYS: &[&str] = &[
    "name",
    "script",
    "after-script",
    "image",
    "caches",
    "services",
    "artifacts",
    "clone",
    "condition",
    "deployment",
    "environment",
    "concurrency-group",
    "fail-fast",
    "max-time",
    "size",
    "oidc",
    "runs-on",
    "runtime",
    "trigger",
    "on-fail",
    "output-variables",
    "type",
    "custom",
    "input-variables",
];

/// A pipeline item `- step:` whose value is empty while step keys (`script`, `name`...)
/// stand beside it at the item's level: the step's keys were not indented under `step:`.
pub fn is_misindented_step(item: &Node) -> bool {
    let Some(m) = item.as_mapping() else {
        return false;
    };
    let step_empty = ["step", "final"]
        .iter()
        .any(|k| m.get(k).is_some_and(Node::is_null));
    step_empty && m.iter().any(|(k, _)| STEP_KEYS.contains(&k))
}

/// Where a pipeline stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipelineKind {
    Default,
    Branch,
    Tag,
    Bookmark,
    PullRequest,
    Custom,
    /// `definitions.pipelines`: shared pipelines other files import.
    Shared,
}

impl PipelineKind {
    pub fn is_custom_like(self) -> bool {
        matches!(self, PipelineKind::Custom | PipelineKind::Shared)
    }
}

/// One pipeline: a list of items, or `{import: ...}`.
#[derive(Clone, Debug)]
pub struct Pipeline<'a> {
    pub kind: PipelineKind,
    /// The key naming it (branch pattern, custom name); `None` for `default`.
    pub name: Option<&'a Node>,
    /// The `default`/pattern key itself.
    pub key: &'a Node,
    pub node: &'a Node,
    pub route: Route,
}

impl<'a> Pipeline<'a> {
    pub fn items(&self) -> &'a [Node] {
        self.node.as_sequence().unwrap_or(&[])
    }

    pub fn name_str(&self) -> &'a str {
        self.name.and_then(Node::as_key).unwrap_or("default")
    }
}

/// A step with where it stands.
#[derive(Clone, Debug)]
pub struct StepRef<'a> {
    /// The step's mapping (`step:`'s value). May be null or not a mapping in broken files.
    pub node: &'a Node,
    /// The `step` (or `final`) key.
    pub key: &'a Node,
    /// Index of the pipeline in [`File::pipelines`].
    pub pipeline: usize,
    pub pipeline_kind: PipelineKind,
    /// The top-level item of the pipeline that holds the step.
    pub item_index: usize,
    /// The `parallel` value when the step is in a parallel group.
    pub parallel: Option<&'a Node>,
    /// The stage mapping when the step is in a stage.
    pub stage: Option<&'a Node>,
    pub is_final: bool,
    pub route: Route,
    /// [`StepRef::script_commands`], read on first use.
    commands: OnceLock<Vec<ScriptCommand<'a>>>,
    /// Shared by the steps of one [`File::steps`] list.
    readings: Arc<ScriptReadings<'a>>,
}

/// The commands of the script items read so far, by the item's span. A step that comes
/// through an alias (`- step: *build` in ten pipelines) is a copy of the anchored one with
/// the same spans: its script is read once for all the copies.
#[derive(Default)]
struct ScriptReadings<'a>(Mutex<HashMap<Span, Reading<'a>>>);

struct Reading<'a> {
    /// The item's value the commands were read from.
    text: &'a str,
    commands: Vec<Arc<crate::shell::Command<'a>>>,
}

impl std::fmt::Debug for ScriptReadings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScriptReadings")
    }
}

/// Where the effective value of a setting came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Step,
    Options,
    Default,
}

/// The runtime version a step runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeVersion {
    V2,
    V3,
    /// A `${{ }}` template or a value that is not a version: unknown until run time.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Effective<'a, T> {
    pub value: T,
    pub origin: Origin,
    /// The node that set it, when one did.
    pub node: Option<&'a Node>,
}

impl<'a> StepRef<'a> {
    pub fn map(&self) -> Option<&'a Mapping> {
        self.node.as_mapping()
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    pub fn name(&self) -> Option<&'a str> {
        self.get("name").and_then(Node::as_str)
    }

    /// A child-pipeline step (`type: pipeline`).
    pub fn is_child_pipeline(&self) -> bool {
        self.get("type").and_then(Node::as_str) == Some("pipeline")
    }

    /// The step's runtime version: the step's `runtime.cloud.version`, then `options`', then
    /// the configured default (v2 unless set).
    pub fn runtime<'f: 'a>(
        &self,
        file: &File<'f>,
        settings: &Settings,
    ) -> Effective<'a, RuntimeVersion> {
        let version_of = |n: &'a Node| {
            n.get("runtime")
                .and_then(|r| r.get("cloud"))
                .and_then(|c| c.get("version"))
        };
        if let Some(v) = version_of(self.node) {
            return Effective {
                value: runtime_version(v),
                origin: Origin::Step,
                node: Some(v),
            };
        }
        if let Some(v) = file.options().and_then(version_of) {
            return Effective {
                value: runtime_version(v),
                origin: Origin::Options,
                node: Some(v),
            };
        }
        Effective {
            value: if settings.default_runtime == 3 {
                RuntimeVersion::V3
            } else {
                RuntimeVersion::V2
            },
            origin: Origin::Default,
            node: None,
        }
    }

    /// Whether the step runs on a self-hosted runner (`runs-on` names `self.hosted`).
    pub fn is_self_hosted(&self) -> bool {
        self.runs_on().contains(&"self.hosted")
    }

    /// The `runs-on` labels.
    pub fn runs_on(&self) -> Vec<&'a str> {
        match self.get("runs-on") {
            Some(n) => match &n.kind {
                NodeKind::Sequence(items) => items.iter().filter_map(Node::as_str).collect(),
                _ => n.as_str().into_iter().collect(),
            },
            None => Vec::new(),
        }
    }

    /// The step's size: the step's, then `options`', then 1x.
    pub fn size<'f: 'a>(&self, file: &File<'f>) -> Effective<'a, &'a str> {
        if let Some(n) = self.get("size") {
            return Effective {
                value: n.as_str().unwrap_or(""),
                origin: Origin::Step,
                node: Some(n),
            };
        }
        if let Some(n) = file.options().and_then(|o| o.get("size")) {
            return Effective {
                value: n.as_str().unwrap_or(""),
                origin: Origin::Options,
                node: Some(n),
            };
        }
        Effective {
            value: "1x",
            origin: Origin::Default,
            node: None,
        }
    }

    /// The image node: the step's, then the file's; `None` means Bitbucket's default image.
    pub fn image<'f: 'a>(&self, file: &File<'f>) -> Option<Effective<'a, &'a str>> {
        let (node, origin) = match self.get("image") {
            Some(n) => (n, Origin::Step),
            None => (file.map.get("image")?, Origin::Options),
        };
        Some(Effective {
            value: image_name(node).unwrap_or(""),
            origin,
            node: Some(node),
        })
    }

    /// The services the step names, with their nodes.
    pub fn service_nodes(&self) -> &'a [Node] {
        self.get("services")
            .and_then(Node::as_sequence)
            .unwrap_or(&[])
    }

    /// Whether `docker` is available: named in `services`, or `options.docker: true`.
    pub fn has_docker(&self, file: &File<'_>) -> bool {
        self.service_nodes()
            .iter()
            .any(|n| n.as_str() == Some("docker"))
            || file.options_docker()
    }

    /// The commands of `script` (and of `after-script` when `after` is true): the string
    /// items; pipes are skipped.
    pub fn commands(&self, after: bool) -> Vec<&'a Node> {
        let key = if after { "after-script" } else { "script" };
        self.get(key)
            .and_then(Node::as_sequence)
            .unwrap_or(&[])
            .iter()
            .filter(|n| n.as_scalar().is_some())
            .collect()
    }

    /// The pipe items (`- pipe: ...`) of `script` and `after-script`.
    pub fn pipes(&self) -> Vec<&'a Node> {
        ["script", "after-script"]
            .iter()
            .filter_map(|k| self.get(k).and_then(Node::as_sequence))
            .flatten()
            .filter(|n| n.get("pipe").is_some())
            .collect()
    }
}

fn runtime_version(node: &Node) -> RuntimeVersion {
    if is_template(node) {
        return RuntimeVersion::Unknown;
    }
    match node.as_str() {
        Some("3") => RuntimeVersion::V3,
        Some("2") => RuntimeVersion::V2,
        _ => RuntimeVersion::Unknown,
    }
}

/// An image's name, from its string or object form.
pub fn image_name(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Mapping(m) => m.get("name").and_then(Node::as_str),
        _ => node.as_str(),
    }
}

/// The root mapping of a pipeline file.
///
/// The lists every rule walks ([`File::pipelines`], [`File::items`]) are computed on first
/// use and kept: a check reads them a hundred times.
#[derive(Clone, Debug)]
pub struct File<'a> {
    pub root: &'a Node,
    pub map: &'a Mapping,
    pipelines: OnceLock<Vec<Pipeline<'a>>>,
    items: OnceLock<Vec<ItemRef<'a>>>,
}

impl<'a> File<'a> {
    /// A view of the document's root, when it is a mapping.
    pub fn new(root: &'a Node) -> Option<Self> {
        Some(File {
            root,
            map: root.as_mapping()?,
            pipelines: OnceLock::new(),
            items: OnceLock::new(),
        })
    }

    pub fn options(&self) -> Option<&'a Node> {
        self.map.get("options")
    }

    pub fn options_docker(&self) -> bool {
        self.options()
            .and_then(|o| o.get("docker"))
            .and_then(Node::as_bool)
            == Some(true)
    }

    pub fn definitions(&self) -> Option<&'a Node> {
        self.map.get("definitions")
    }

    /// `definitions.services` as a mapping.
    pub fn services(&self) -> Option<&'a Mapping> {
        self.definitions()?.get("services")?.as_mapping()
    }

    /// `definitions.caches` as a mapping.
    pub fn caches(&self) -> Option<&'a Mapping> {
        self.definitions()?.get("caches")?.as_mapping()
    }

    /// Every pipeline of the file: `pipelines.*` and `definitions.pipelines.*`.
    pub fn pipelines(&self) -> &[Pipeline<'a>] {
        self.pipelines.get_or_init(|| self.collect_pipelines())
    }

    fn collect_pipelines(&self) -> Vec<Pipeline<'a>> {
        let mut out = Vec::new();
        if let Some(pipelines) = self.map.entry("pipelines")
            && let Some(m) = pipelines.value.as_mapping()
        {
            for (name, entry) in m.iter() {
                let base = Route(vec![
                    Segment::Key("pipelines".into()),
                    Segment::Key(name.to_owned()),
                ]);
                let kind = match name {
                    "default" => {
                        out.push(Pipeline {
                            kind: PipelineKind::Default,
                            name: None,
                            key: &entry.key,
                            node: &entry.value,
                            route: base,
                        });
                        continue;
                    }
                    "branches" => PipelineKind::Branch,
                    "tags" => PipelineKind::Tag,
                    "bookmarks" => PipelineKind::Bookmark,
                    "pull-requests" => PipelineKind::PullRequest,
                    "custom" => PipelineKind::Custom,
                    _ => continue,
                };
                collect_named(&mut out, kind, &entry.value, &base);
            }
        }
        if let Some(shared) = self
            .definitions()
            .and_then(|d| d.as_mapping())
            .and_then(|d| d.entry("pipelines"))
        {
            let base = Route(vec![
                Segment::Key("definitions".into()),
                Segment::Key("pipelines".into()),
            ]);
            collect_named(&mut out, PipelineKind::Shared, &shared.value, &base);
        }
        out
    }

    /// Every step of every pipeline, in order.
    pub fn steps(&self) -> Vec<StepRef<'a>> {
        let mut out = Vec::new();
        let readings = Arc::new(ScriptReadings::default());
        for (p_index, pipeline) in self.pipelines().iter().enumerate() {
            for (i, item) in pipeline.items().iter().enumerate() {
                let route = pipeline.route.push(Segment::Index(i));
                let cx = StepCx {
                    pipeline: p_index,
                    kind: pipeline.kind,
                    item_index: i,
                    readings: readings.clone(),
                };
                collect_item_steps(&mut out, item, &cx, route, None, None);
            }
        }
        out
    }
}

struct StepCx<'a> {
    pipeline: usize,
    kind: PipelineKind,
    item_index: usize,
    readings: Arc<ScriptReadings<'a>>,
}

fn collect_named<'a>(
    out: &mut Vec<Pipeline<'a>>,
    kind: PipelineKind,
    node: &'a Node,
    base: &Route,
) {
    let Some(m) = node.as_mapping() else {
        return;
    };
    for (name, entry) in m.iter() {
        let route = base.push(Segment::Key(name.to_owned()));
        // pull-requests may nest a `destinations` map of patterns.
        if kind == PipelineKind::PullRequest && entry.value.get("destinations").is_some() {
            if let Some(dest) = entry
                .value
                .as_mapping()
                .and_then(|m| m.entry("destinations"))
            {
                collect_named(
                    out,
                    kind,
                    &dest.value,
                    &route.push(Segment::Key("destinations".into())),
                );
            }
            continue;
        }
        out.push(Pipeline {
            kind,
            name: Some(&entry.key),
            key: &entry.key,
            node: &entry.value,
            route,
        });
    }
}

fn collect_item_steps<'a>(
    out: &mut Vec<StepRef<'a>>,
    item: &'a Node,
    cx: &StepCx<'a>,
    route: Route,
    parallel: Option<&'a Node>,
    stage: Option<&'a Node>,
) {
    let Some(m) = item.as_mapping() else {
        return;
    };
    for (key, entry) in m.iter() {
        let route = route.push(Segment::Key(key.to_owned()));
        match key {
            "step" | "final" => out.push(StepRef {
                node: &entry.value,
                key: &entry.key,
                pipeline: cx.pipeline,
                pipeline_kind: cx.kind,
                item_index: cx.item_index,
                parallel,
                stage,
                is_final: key == "final",
                route,
                commands: OnceLock::new(),
                readings: cx.readings.clone(),
            }),
            "parallel" if parallel.is_none() => {
                let (items, route) = match &entry.value.kind {
                    NodeKind::Sequence(items) => (items.as_slice(), route),
                    NodeKind::Mapping(_) => (
                        entry
                            .value
                            .get("steps")
                            .and_then(Node::as_sequence)
                            .unwrap_or(&[]),
                        route.push(Segment::Key("steps".into())),
                    ),
                    _ => (&[][..], route),
                };
                for (i, inner) in items.iter().enumerate() {
                    collect_item_steps(
                        out,
                        inner,
                        cx,
                        route.push(Segment::Index(i)),
                        Some(&entry.value),
                        stage,
                    );
                }
            }
            "stage" if stage.is_none() && parallel.is_none() => {
                let route = route.push(Segment::Key("steps".into()));
                let items = entry
                    .value
                    .get("steps")
                    .and_then(Node::as_sequence)
                    .unwrap_or(&[]);
                for (i, inner) in items.iter().enumerate() {
                    collect_item_steps(
                        out,
                        inner,
                        cx,
                        route.push(Segment::Index(i)),
                        parallel,
                        Some(&entry.value),
                    );
                }
            }
            _ => {}
        }
    }
}

impl Route {
    /// This route with one more segment.
    pub fn push(&self, seg: Segment) -> Route {
        let mut r = self.clone();
        r.0.push(seg);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file<R>(text: &str, f: impl FnOnce(&File<'_>) -> R) -> R {
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let root = parsed.root().expect("root");
        f(&File::new(root).expect("mapping"))
    }

    #[test]
    fn visits_every_step_with_context() {
        let text = r#"
options:
  size: 2x
  runtime:
    cloud:
      version: "3"
pipelines:
  default:
    - step: {name: a, script: [x]}
    - parallel:
        - step: {name: b, script: [x], size: 4x}
        - step: {name: c, script: [x]}
    - stage:
        steps:
          - step: {name: d, script: [x], runtime: {cloud: {version: "2"}}}
    - final: {name: e, script: [x]}
  branches:
    main:
      - step: {name: f, script: [x]}
  pull-requests:
    '**':
      destinations:
        main:
          - step: {name: g, script: [x]}
  custom:
    deploy:
      - variables: [{name: X}]
      - step: {name: h, script: [x]}
"#;
        with_file(text, |file| {
            let steps = file.steps();
            let names: Vec<_> = steps.iter().filter_map(StepRef::name).collect();
            assert_eq!(names, ["a", "b", "c", "d", "e", "f", "g", "h"]);
            let settings = Settings::default();
            assert_eq!(steps[0].size(file).value, "2x");
            assert_eq!(steps[0].size(file).origin, Origin::Options);
            assert_eq!(steps[1].size(file).value, "4x");
            assert!(steps[1].parallel.is_some());
            assert!(steps[3].stage.is_some());
            assert!(steps[4].is_final);
            assert_eq!(steps[0].runtime(file, &settings).value, RuntimeVersion::V3);
            assert_eq!(steps[3].runtime(file, &settings).value, RuntimeVersion::V2);
            assert_eq!(
                steps[3].route.to_string(),
                "pipelines > default > 2 > stage > steps > 0 > step"
            );
            assert_eq!(steps[6].pipeline_kind, PipelineKind::PullRequest);
            assert_eq!(steps[7].pipeline_kind, PipelineKind::Custom);
        });
    }

    #[test]
    fn docker_and_image() {
        let text = "image: node:20\noptions: {docker: true}\npipelines:\n  default:\n    - step: {script: [x]}\n    - step: {script: [x], image: {name: 'python:3'}}\n";
        with_file(text, |file| {
            let steps = file.steps();
            assert!(steps[0].has_docker(file));
            assert_eq!(steps[0].image(file).map(|i| i.value), Some("node:20"));
            assert_eq!(steps[1].image(file).map(|i| i.value), Some("python:3"));
        });
    }
}

// Script text: the commands of a step and where their words stand in the YAML source.
// Shared by the rules that read scripts (`docker/*`, `v3/docker-cli-missing`,
// `script/aws-ecr-get-login`).

/// One simple command of a step's script, with the script item it was read from.
#[derive(Clone, Debug)]
pub struct ScriptCommand<'a> {
    /// The `script` (or `after-script`) item: a string scalar.
    pub node: &'a Node,
    /// Shared with the copies of the same item (see [`ScriptReadings`]).
    pub command: Arc<crate::shell::Command<'a>>,
    /// Read from `after-script`.
    pub after: bool,
    /// The item's index in its list.
    pub index: usize,
}

impl ScriptCommand<'_> {
    /// The route of the script item, below the step's route.
    pub fn route(&self, step: &Route) -> Route {
        let key = if self.after { "after-script" } else { "script" };
        step.push(Segment::Key(key.into()))
            .push(Segment::Index(self.index))
    }
}

impl<'a> StepRef<'a> {
    /// Every simple command of `script`, then of `after-script`, read with
    /// [`crate::shell::commands`]. Word offsets are into the item's cooked value.
    /// Read once per step and kept.
    pub fn script_commands(&self) -> &[ScriptCommand<'a>] {
        self.commands.get_or_init(|| self.read_script_commands())
    }

    fn read_script_commands(&self) -> Vec<ScriptCommand<'a>> {
        let mut out = Vec::new();
        for after in [false, true] {
            let key = if after { "after-script" } else { "script" };
            let items = self.get(key).and_then(Node::as_sequence).unwrap_or(&[]);
            for (index, node) in items.iter().enumerate() {
                let Some(scalar) = node.as_scalar() else {
                    continue;
                };
                // A poisoned lock only means another rule's thread panicked: the readings
                // in it are whole (each is inserted in one step).
                let mut readings = self.readings.0.lock().unwrap_or_else(|e| e.into_inner());
                let read = || Reading {
                    text: &scalar.value,
                    commands: crate::shell::commands(&scalar.value)
                        .into_iter()
                        .map(Arc::new)
                        .collect(),
                };
                let reading = readings.entry(node.span).or_insert_with(read);
                if reading.text != scalar.value {
                    *reading = read();
                }
                for command in &reading.commands {
                    out.push(ScriptCommand {
                        node,
                        command: command.clone(),
                        after,
                        index,
                    });
                }
            }
        }
        out
    }

    /// Whether the step has a Docker daemon: `docker` in its services, `options.docker:
    /// true`, or a service whose definition says `type: docker` (a custom Docker service).
    pub fn has_docker_service(&self, file: &File<'_>) -> bool {
        if self.has_docker(file) {
            return true;
        }
        let defs = file.services();
        self.service_nodes()
            .iter()
            .filter_map(Node::as_str)
            .any(|name| {
                defs.and_then(|d| d.get(name))
                    .and_then(|def| def.get("type"))
                    .and_then(Node::as_str)
                    == Some("docker")
            })
    }
}

/// Where the part `cooked_start..cooked_end` of a string scalar's value is written in the
/// source. Found by text: the piece's k-th occurrence in the value is taken to be its k-th
/// occurrence in the raw text at `node.span`, which holds for plain, quoted (without escapes
/// in the piece) and block scalars. When the counts differ, or the node is not a scalar,
/// the whole node span is returned.
pub fn locate_in_scalar(
    source: &str,
    node: &Node,
    cooked_start: usize,
    cooked_end: usize,
) -> pipelint_yaml::Span {
    let whole = node.span;
    let Some(value) = node.as_scalar().map(|s| s.value.as_str()) else {
        return whole;
    };
    let Some(needle) = value
        .get(cooked_start..cooked_end)
        .filter(|n| !n.is_empty())
    else {
        return whole;
    };
    let Some(raw) = source.get(whole.range()) else {
        return whole;
    };
    let cooked: Vec<usize> = value.match_indices(needle).map(|(i, _)| i).collect();
    let written: Vec<usize> = raw.match_indices(needle).map(|(i, _)| i).collect();
    if cooked.len() != written.len() {
        return whole;
    }
    match cooked.iter().position(|&i| i == cooked_start) {
        Some(k) => {
            let start = whole.start + written[k];
            pipelint_yaml::Span::new(start, start + needle.len())
        }
        None => whole,
    }
}

/// Where a shell word of a script item is written in the source: the word's text (quotes
/// removed) inside the item, found as [`locate_in_scalar`] does. Words read from an
/// `eval` line may carry approximate offsets; the nearest occurrence of the text is used.
pub fn locate_word(source: &str, node: &Node, word: &crate::shell::Word) -> pipelint_yaml::Span {
    let Some(value) = node.as_scalar().map(|s| s.value.as_str()) else {
        return node.span;
    };
    let text = word.as_str();
    if text.is_empty() {
        return node.span;
    }
    // The word as written in the script may carry quotes (`"--privileged"`): its text is
    // inside it.
    if let Some(at) = value.get(word.start..word.end).and_then(|w| w.find(text)) {
        let start = word.start + at;
        return locate_in_scalar(source, node, start, start + text.len());
    }
    match value
        .match_indices(text)
        .map(|(i, _)| i)
        .min_by_key(|i| i.abs_diff(word.start))
    {
        Some(start) => locate_in_scalar(source, node, start, start + text.len()),
        None => node.span,
    }
}

#[cfg(test)]
mod script_tests {
    use super::*;

    #[test]
    fn words_are_found_in_the_source() {
        let text = "pipelines:\n  default:\n    - step:\n        script:\n          - echo --privileged && docker run --privileged x\n          - \"docker run \\\"--privileged\\\" y\"\n          - |\n            docker run \\\n              --privileged z\n";
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let root = parsed.root().expect("root");
        let file = File::new(root).expect("mapping");
        let steps = file.steps();
        let cmds = steps[0].script_commands();
        let runs: Vec<_> = cmds
            .iter()
            .filter(|c| c.command.is(&["docker", "run"]))
            .collect();
        assert_eq!(runs.len(), 3);
        for run in runs {
            let flag = run.command.flag("--privileged").expect("flag");
            let span = locate_word(text, run.node, flag);
            assert_eq!(&text[span.range()], "--privileged");
        }
        // The first item: the flag of `docker run`, not the echoed one.
        let run = &cmds[1];
        let span = locate_word(
            text,
            run.node,
            run.command.flag("--privileged").expect("flag"),
        );
        assert!(text[..span.start].ends_with("docker run "));
    }
}

/// Where a pipeline item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemPlace {
    /// Directly in a pipeline's list.
    Pipeline,
    /// In a parallel group's list.
    Parallel,
    /// In a stage's `steps`.
    Stage,
}

/// A list item of a pipeline, parallel group or stage, with its route.
#[derive(Clone, Debug)]
pub struct ItemRef<'a> {
    pub node: &'a Node,
    pub place: ItemPlace,
    pub pipeline_kind: PipelineKind,
    /// Index in its list.
    pub index: usize,
    /// Index of the pipeline in [`File::pipelines`].
    pub pipeline: usize,
    pub route: Route,
}

impl<'a> File<'a> {
    /// Every item of every pipeline list, parallel group and stage, in order.
    pub fn items(&self) -> &[ItemRef<'a>] {
        self.items.get_or_init(|| {
            let mut out = Vec::new();
            for (i, p) in self.pipelines().iter().enumerate() {
                let place = (ItemPlace::Pipeline, p.kind, i);
                collect_items(&mut out, p.node, place, &p.route);
            }
            out
        })
    }
}

/// Where a list stands: its place, its pipeline's kind and the pipeline's index.
type ListPlace = (ItemPlace, PipelineKind, usize);

fn collect_items<'a>(out: &mut Vec<ItemRef<'a>>, list: &'a Node, at: ListPlace, route: &Route) {
    let (place, kind, pipeline) = at;
    let Some(items) = list.as_sequence() else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let item_route = route.push(Segment::Index(i));
        out.push(ItemRef {
            node: item,
            place,
            pipeline_kind: kind,
            index: i,
            pipeline,
            route: item_route.clone(),
        });
        if place != ItemPlace::Pipeline {
            continue;
        }
        if let Some(inner) = item.get("parallel") {
            let r = item_route.push(Segment::Key("parallel".into()));
            let at = (ItemPlace::Parallel, kind, pipeline);
            match inner.get("steps") {
                Some(steps) => collect_items(out, steps, at, &r.push(Segment::Key("steps".into()))),
                None => collect_items(out, inner, at, &r),
            }
        }
        if let Some(steps) = item.get("stage").and_then(|s| s.get("steps")) {
            let r = item_route
                .push(Segment::Key("stage".into()))
                .push(Segment::Key("steps".into()));
            collect_items(out, steps, (ItemPlace::Stage, kind, pipeline), &r);
        }
    }
}

/// A route as JSON-pointer segments (`["pipelines", "default", "0"]`).
pub fn route_segments(route: &Route) -> Vec<String> {
    route
        .0
        .iter()
        .map(|s| match s {
            Segment::Key(k) => k.clone(),
            Segment::Index(n) => n.to_string(),
        })
        .collect()
}

/// A pipeline written as a mapping where Bitbucket wants a list of items (and not the
/// `{import: ...}` form): `default:\n  step: ...` with the `- ` missing.
pub fn is_pipeline_mapping(node: &Node) -> bool {
    node.as_mapping().is_some_and(|m| !m.contains_key("import"))
}

/// A string that YAML templating fills in when the pipeline starts (`${{ VAR }}` in it).
pub fn is_template_str(s: &str) -> bool {
    s.contains("${{")
}

/// `true` as Bitbucket's YAML 1.1 parser reads it: `true`, and also `yes` and `on` in
/// their usual spellings.
pub fn is_yaml_true(node: &Node) -> bool {
    node.as_bool() == Some(true)
        || node.as_scalar().is_some_and(|s| {
            s.is_yaml11_bool()
                && matches!(s.value.to_ascii_lowercase().as_str(), "yes" | "on" | "true")
        })
}

// Whole-line spans, for fixes that remove an entry or a list item. Shared by the rules
// that delete a key (`final/unsupported-keys`, `stage/step-manual`...) or an empty item
// (`step/script-empty`).

/// The start of the line that holds `at`.
fn line_start(source: &str, at: usize) -> usize {
    source
        .get(..at)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// From `end`, past `extra` (when it follows) and trailing spaces, to just after the
/// newline; `None` when anything else stands there.
fn to_line_end(source: &str, end: usize, extra: Option<char>) -> Option<usize> {
    let rest = source.get(end..)?;
    let rest_trimmed = match extra {
        Some(c) => rest.strip_prefix(c).unwrap_or(rest),
        None => rest,
    };
    let skipped = rest.len() - rest_trimmed.len();
    let line = rest_trimmed.split('\n').next().unwrap_or("");
    if !line.trim_end_matches([' ', '\t', '\r']).is_empty() {
        return None;
    }
    let mut at = end + skipped + line.len();
    if source.as_bytes().get(at) == Some(&b'\n') {
        at += 1;
    }
    Some(at)
}

/// The whole lines that hold a block-style entry `key: value`, newline included. `None`
/// when anything but indentation stands before the key (`- key:`, a flow mapping), when
/// anything follows the value on its last line, when the lines hold a comment, or when the
/// entry's text is shared through an alias.
pub fn entry_lines(source: &str, key: &Node, value: &Node) -> Option<pipelint_yaml::Span> {
    if key.is_aliased() || value.is_aliased() {
        return None;
    }
    let start = line_start(source, key.span.start);
    if !source.get(start..key.span.start)?.trim().is_empty() {
        return None;
    }
    let end = key.span.end.max(value.span.end);
    let end = to_line_end(source, end, value.is_null().then_some(':'))?;
    let span = pipelint_yaml::Span::new(start, end);
    (!source.get(span.range())?.contains('#')).then_some(span)
}

/// The whole lines of a block-style list item (`- value`), newline included; `None` when
/// anything but indentation stands before the `- `, anything follows the value, or the lines
/// hold a comment. An item that came through an alias gives its anchored text: whether to
/// edit it there is the caller's choice.
pub fn item_lines(source: &str, item: &Node) -> Option<pipelint_yaml::Span> {
    let start = line_start(source, item.span.start);
    if source.get(start..item.span.start)?.trim() != "-" {
        return None;
    }
    let end = to_line_end(source, item.span.end, None)?;
    let span = pipelint_yaml::Span::new(start, end);
    (!source.get(span.range())?.contains('#')).then_some(span)
}

/// The indentation (spaces) of the line that holds `at`.
pub fn indent_at(source: &str, at: usize) -> &str {
    let start = line_start(source, at);
    let line = source.get(start..).unwrap_or("");
    let n = line.len() - line.trim_start_matches(' ').len();
    &line[..n]
}

#[cfg(test)]
mod line_tests {
    use super::*;

    #[test]
    fn entry_and_item_lines() {
        let text = "options:\npipelines:\n  default:\n    - step:\n        trigger: manual  \n        script:\n          -\n          - \"\" # note\n          - make\n        name: {a: b}\n";
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let root = parsed.root().expect("root");
        let file = File::new(root).expect("mapping");
        let options = file.map.entry("options").expect("options");
        let span = entry_lines(text, &options.key, &options.value).expect("lines");
        assert_eq!(&text[span.range()], "options:\n");
        let steps = file.steps();
        let step = steps[0].map().expect("map");
        let trigger = step.entry("trigger").expect("trigger");
        let span = entry_lines(text, &trigger.key, &trigger.value).expect("lines");
        assert_eq!(&text[span.range()], "        trigger: manual  \n");
        let items = step
            .get("script")
            .and_then(Node::as_sequence)
            .expect("script");
        let span = item_lines(text, &items[0]).expect("lines");
        assert_eq!(&text[span.range()], "          -\n");
        assert_eq!(item_lines(text, &items[1]), None, "comment kept");
        let name = step.entry("name").expect("name");
        let span = entry_lines(text, &name.key, &name.value).expect("lines");
        assert_eq!(&text[span.range()], "        name: {a: b}\n");
        assert_eq!(indent_at(text, trigger.key.span.start), "        ");
    }
}

// Images: where a file sets them, and what an image reference says.

/// Where an image is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImagePlace<'a> {
    /// The top-level `image`, the default of every step that sets none.
    Top,
    /// A step's own `image`: the index of the step in [`File::steps`] (as in
    /// `Context::steps`).
    Step(usize),
    /// The `image` of a service under `definitions.services`.
    Service(&'a str),
}

/// An `image` setting: its key, its value (a string or a mapping) and where it stands.
/// A step image that came through an alias appears once per step that uses it.
#[derive(Clone, Debug)]
pub struct ImageUse<'a> {
    pub key: &'a Node,
    pub node: &'a Node,
    pub place: ImagePlace<'a>,
}

/// Every `image` of the file: the top-level one, each service's, and each step's own (in
/// the order of `steps`, which should be [`File::steps`]).
pub fn image_uses<'a>(file: &File<'a>, steps: &[StepRef<'a>]) -> Vec<ImageUse<'a>> {
    let mut out = Vec::new();
    if let Some(e) = file.map.entry("image") {
        out.push(ImageUse {
            key: &e.key,
            node: &e.value,
            place: ImagePlace::Top,
        });
    }
    for (name, service) in file.services().map(Mapping::iter).into_iter().flatten() {
        if let Some(e) = service.value.as_mapping().and_then(|m| m.entry("image")) {
            out.push(ImageUse {
                key: &e.key,
                node: &e.value,
                place: ImagePlace::Service(name),
            });
        }
    }
    for (i, step) in steps.iter().enumerate() {
        if let Some(e) = step.map().and_then(|m| m.entry("image")) {
            out.push(ImageUse {
                key: &e.key,
                node: &e.value,
                place: ImagePlace::Step(i),
            });
        }
    }
    out
}

/// The parts of an image reference `[registry/]repository[:tag][@digest]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageParts<'a> {
    /// The registry host (with its port), when the first path part names one: it holds a
    /// `.` or a `:`, or is `localhost`.
    pub registry: Option<&'a str>,
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    /// The digest after `@` (`sha256:...`).
    pub digest: Option<&'a str>,
}

/// Splits an image reference into its parts, as Docker reads it.
pub fn image_parts(name: &str) -> ImageParts<'_> {
    let (rest, digest) = match name.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (name, None),
    };
    let (registry, path) = match rest.split_once('/') {
        Some((first, path))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first), path)
        }
        _ => (None, rest),
    };
    // The tag follows the last `:` of the last path part.
    let last_part_start = path.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match path[last_part_start..].rfind(':') {
        Some(i) => (
            &path[..last_part_start + i],
            Some(&path[last_part_start + i + 1..]),
        ),
        None => (path, None),
    };
    ImageParts {
        registry,
        repository,
        tag,
        digest,
    }
}

#[cfg(test)]
mod image_tests {
    use super::*;

    #[test]
    fn image_references() {
        let p = image_parts("python:3.12");
        assert_eq!(
            (p.registry, p.repository, p.tag),
            (None, "python", Some("3.12"))
        );
        let p = image_parts("localhost:5000/team/app");
        assert_eq!(
            (p.registry, p.repository, p.tag),
            (Some("localhost:5000"), "team/app", None)
        );
        let p = image_parts("10.0.0.5:5000/app:1@sha256:abc");
        assert_eq!(
            (p.registry, p.repository, p.tag, p.digest),
            (Some("10.0.0.5:5000"), "app", Some("1"), Some("sha256:abc"))
        );
        let p = image_parts("atlassian/default-image");
        assert_eq!(
            (p.registry, p.repository, p.tag),
            (None, "atlassian/default-image", None)
        );
        let p = image_parts("");
        assert_eq!((p.repository, p.tag), ("", None));
    }

    #[test]
    fn every_image_setting() {
        let text = "image: node:20\ndefinitions:\n  services:\n    db: {image: postgres:16}\n    docker: {memory: 2048}\npipelines:\n  default:\n    - step: &s {image: python:3, script: [x]}\n    - step: *s\n    - step: {script: [x]}\n";
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let file = File::new(parsed.root().expect("root")).expect("mapping");
        let steps = file.steps();
        let places: Vec<ImagePlace<'_>> =
            image_uses(&file, &steps).iter().map(|u| u.place).collect();
        assert_eq!(
            places,
            [
                ImagePlace::Top,
                ImagePlace::Service("db"),
                ImagePlace::Step(0),
                ImagePlace::Step(1)
            ]
        );
    }
}
