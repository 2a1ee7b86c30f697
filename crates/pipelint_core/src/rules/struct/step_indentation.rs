use pipelint_yaml::{Entry, Mapping, Node};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::is_misindented_step;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a pipeline item `- step:` (or `- final:`) whose value is empty while the
    /// step's keys (`name`, `script`, `caches`...) stand beside it, at the level of the
    /// list item, instead of under it. It looks at the items of every pipeline, inside
    /// `parallel` groups and `stage.steps` too.
    ///
    /// The fix indents those keys, and every line under them (comments included), two
    /// spaces deeper than `step`, so that they belong to the step.
    ///
    /// ## Why is this bad?
    /// In YAML a key belongs to `step:` only when it is indented more than `step`. Keys
    /// written at the same column as `step` are siblings of it in the list item, so the
    /// step itself is empty: Bitbucket rejects the file with "The step section is empty or
    /// null." The mistake is easy to make because `- step:` already looks indented, and
    /// the keys line up under the `s` of `step`.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///       name: Build and test
    ///       caches:
    ///         - node
    ///       script:
    ///         - npm ci
    ///         - npm test
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build and test
    ///         caches:
    ///           - node
    ///         script:
    ///           - npm ci
    ///           - npm test
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Step options": a step's options are written under `step:`. Bitbucket's
    /// own message for a step without content, "The step section is empty or null.", is an
    /// observed error (research §3, `struct/empty-step`). The rule is one pipelint adds to
    /// the catalog: real pipeline files make this mistake often (rules/README.md).
    pub struct StepIndentation {
        id: "struct/step-indentation",
        severity: Error,
        summary: "The keys of a step are not indented under `step:`, so the step is empty",
        fix: true,
    }
}

impl Rule for StepIndentation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        for pipeline in file.pipelines() {
            visit(cx, pipeline.node, out);
        }
    }
}

/// Looks at every item of a pipeline list, going into `parallel` groups and stages the way
/// the schema pass does (it leaves the items reported here to this rule).
fn visit(cx: &Context<'_>, list: &Node, out: &mut Vec<Diagnostic>) {
    let Some(items) = list.as_sequence() else {
        return;
    };
    for item in items {
        if is_misindented_step(item) {
            out.extend(report(cx, item));
            continue;
        }
        for key in ["parallel", "stage"] {
            if let Some(inner) = item.get(key) {
                match inner.get("steps") {
                    Some(steps) => visit(cx, steps, out),
                    None => visit(cx, inner, out),
                }
            }
        }
    }
}

fn report(cx: &Context<'_>, item: &Node) -> Option<Diagnostic> {
    let map = item.as_mapping()?;
    let step = map
        .entries
        .iter()
        .find(|e| matches!(e.key.as_key(), Some("step" | "final")) && e.value.is_null())?;
    let word = step.key.as_key().unwrap_or("step");
    let siblings: Vec<&Entry> = map
        .entries
        .iter()
        .filter(|e| !std::ptr::eq(*e, step))
        .collect();
    let names: Vec<String> = siblings
        .iter()
        .filter_map(|e| e.key.as_key())
        .map(|k| format!("`{k}`"))
        .collect();
    let what = if word == "final" {
        "this final step"
    } else {
        "this step"
    };
    let message = if names.len() == 1 {
        format!(
            "The key of {what} ({}) is not indented under `{word}:`, so the step is empty.",
            names.join(", ")
        )
    } else {
        format!(
            "The keys of {what} ({}) are not indented under `{word}:`, so the step is empty.",
            names.join(", ")
        )
    };
    // The line as it should read: `- step:` and the first key two columns deeper.
    let dash = cx
        .source
        .get(line_start(cx.source, step.key.span.start)..step.key.span.start)
        .map_or("", |p| p.trim_start_matches(' '));
    let first = siblings
        .iter()
        .find_map(|e| e.key.as_key())
        .unwrap_or("script");
    let list = and_list(&names);
    let mut d = Diagnostic::at(StepIndentation::META.id, &step.key, message).help(format!(
        "indent {} and every line under {} two spaces deeper than `{word}`: `{dash}{word}:` followed by `{}{first}: ...`",
        if names.len() == 1 { "it" } else { "these keys" },
        if names.len() == 1 { "it" } else { "them" },
        " ".repeat(dash.len() + 2),
    ));
    if let Some(edits) = reindent(cx.source, item, map, step, &siblings) {
        d = d.fix(Fix::safe(format!("Indent {list} under `{word}:`"), edits));
    }
    Some(d)
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(names: &[String]) -> String {
    match names {
        [] => "the step's keys".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The start of the line that holds `offset`.
fn line_start(src: &str, offset: usize) -> usize {
    src.get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The start of the line after the one that holds `offset` (the text's length on the last
/// line).
fn next_line(src: &str, offset: usize) -> usize {
    src.get(offset..)
        .and_then(|s| s.find('\n'))
        .map_or(src.len(), |i| offset + i + 1)
}

/// The edits that move the sibling keys of an empty `step:` under it: every line after the
/// `step:` line, up to the end of the item, gets the same number of spaces in front, so the
/// keys end up two columns deeper than `step` and everything under them keeps its place
/// relative to them. Comment lines that follow the item at the keys' depth move with it.
///
/// `None` when the layout is not the plain block form this can repair safely: a flow
/// mapping, keys before `step`, keys that came from a merge, a value written after
/// `step:` (`~`, an anchor, a tag), or tabs in the indentation.
fn reindent(
    src: &str,
    item: &Node,
    map: &Mapping,
    step: &Entry,
    siblings: &[&Entry],
) -> Option<Vec<Edit>> {
    if !map.merges.is_empty()
        || map.entries.iter().any(|e| e.merged_from.is_some())
        || siblings.is_empty()
    {
        return None;
    }
    let key_start = step.key.span.start;
    let key_line = line_start(src, key_start);
    if !src
        .get(key_line..key_start)?
        .bytes()
        .all(|b| b == b' ' || b == b'-')
    {
        return None;
    }
    let step_col = key_start - key_line;

    // Every sibling key starts its own line after `step`, all at one column.
    let mut col = None;
    for e in siblings {
        let at = e.key.span.start;
        if at < step.key.span.end {
            return None;
        }
        let start = line_start(src, at);
        if !src.get(start..at)?.bytes().all(|b| b == b' ') {
            return None;
        }
        if col.is_some_and(|c| c != at - start) {
            return None;
        }
        col = Some(at - start);
    }
    let col = col?;
    let target = step_col + 2;
    if col >= target {
        return None;
    }
    let pad = " ".repeat(target - col);

    // Nothing but `:` and comments between the `step` key and the next line.
    let from = next_line(src, step.key.span.end);
    let rest = src.get(step.key.span.end..from)?.trim_start();
    let rest = rest.strip_prefix(':')?.trim();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }

    let end = item.span.end;
    let mut edits = Vec::new();
    let mut at = from;
    while at < end && at < src.len() {
        let line_end = next_line(src, at);
        let line = src.get(at..line_end)?.trim_end_matches(['\n', '\r']);
        if line.starts_with('\t') {
            return None;
        }
        if !line.is_empty() {
            edits.push(Edit::insert(at, pad.clone()));
        }
        at = line_end;
    }
    // Comments right after the item, at the keys' depth, belong to its block.
    while at < src.len() {
        let line_end = next_line(src, at);
        let line = src.get(at..line_end)?.trim_end_matches(['\n', '\r']);
        let body = line.trim_start_matches(' ');
        if body.trim().is_empty() {
            at = line_end;
            continue;
        }
        if body.starts_with('#') && line.len() - body.len() >= col {
            edits.push(Edit::insert(at, pad.clone()));
            at = line_end;
            continue;
        }
        break;
    }
    (!edits.is_empty()).then_some(edits)
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    const ID: &str = "struct/step-indentation";

    fn check(text: &str) -> Vec<crate::Diagnostic> {
        let opts = CheckOptions::default();
        crate::check(text, &opts).diagnostics
    }

    fn only(text: &str, id: &str) -> Vec<crate::Diagnostic> {
        let opts = CheckOptions {
            select: Selection::Only(vec![id.to_owned()]),
            ..CheckOptions::default()
        };
        crate::check(text, &opts).diagnostics
    }

    /// Applies this rule's fixes and checks the result: the rule is gone, no step lacks
    /// its script, and every step of the file is a mapping.
    fn fixed(text: &str) -> String {
        let found = only(text, ID);
        assert!(!found.is_empty(), "the rule should fire on:\n{text}");
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        assert_eq!(fixes.len(), found.len(), "every finding has a fix");
        let (out, applied) = crate::fix::apply(text, fixes);
        assert_eq!(applied, found.len());
        let after = check(&out);
        let bad: Vec<_> = after
            .iter()
            .filter(|d| d.rule == ID || d.rule == "step/script-missing")
            .collect();
        assert!(bad.is_empty(), "after the fix:\n{out}\n{bad:#?}");
        let parsed = pipelint_yaml::parse(&out, &Default::default());
        let file = parsed
            .root()
            .and_then(crate::model::File::new)
            .expect("file");
        for step in file.steps() {
            assert!(
                step.get("script").is_some(),
                "a step without script after the fix:\n{out}"
            );
        }
        out
    }

    /// The lines of `after` that are not lines of `before` moved right by `n` spaces.
    fn assert_shifted_lines(before: &str, after: &str, from_line: usize, n: usize) {
        let pad = " ".repeat(n);
        for (i, (b, a)) in before.lines().zip(after.lines()).enumerate() {
            if i < from_line || b.is_empty() {
                assert_eq!(a, b, "line {} changed", i + 1);
            } else {
                assert_eq!(a, format!("{pad}{b}"), "line {} not shifted", i + 1);
            }
        }
        assert_eq!(before.lines().count(), after.lines().count());
    }

    // Real files from the corpus (`/work/shared/corpus/real/`), byte for byte.

    const AND_GASPER: &str = "image: python:3.5.1\n\npipelines:\n  branches: \n    master:\n      - step:\n        script:\n          - pip install boto3===1.3.0\n          # Grab the latest published tag\n          - export TAG=`git describe --abbrev=0 --tags`\n          # invoke the ecs deploy python script\n          # first argument is a template task definition\n          # second argument is the docker image we want to deploy composed of our environment variables\n          # third argument is the minimum number of health containers that should be running on the cluster\n            # zero = 1 host\n          # fourth argument is the minimum number of healthy containers that should be running on the cluster\n          # fifth argument is the maximum number of healthy containers that should be running on the cluster\n          - python ecs_deploy.py task_definition.json $DOCKER_IMAGE:$TAG 1 0 200\n";

    const DALT0NIK: &str = "image: node:22\n\npipelines:\n  default:\n    - step:\n      name: Build and Test\n      caches:\n        - node\n      script:\n        - npm install\n        - npm test\n        - npm build\n";

    const CLEAR_ROUTE: &str = "pipelines:\n  pull-requests:\n    '**': \n      - step:\n        name: unit-test\n        runs-on: ubuntu-latest\n        script:\n          - echo \"test that we are able to run on the specified operating system\"\n          ";

    const SMARTWARE: &str = "image: node:10.15.0\npipelines:\n  default:\n    - step:\n       script:          \n          - npm install\n          - yarn global add grunt-cli #added grant locally\n          - yarn\n          #- grunt #will add later..now needs to be fixed\n          \n          #- npm tscop\n          #- npm install -g grunt-cli\n\n  branches :\n    David-RAS:\n      - step:\n        script:\n          - npm install\n          - npm run lint\n    NoPu:\n      - step:\n        script:\n          - npm install\n          - npm run lint\n    Moses:\n      - step:\n        script:\n          - npm install\n          - npm run lint\n    mwando-RAS:\n      - step:\n        script:\n          - npm install\n          - npm run lint\n    elias-branch:\n      - step:\n        script:\n          - npm install\n          - npm run lint\n\n\n\n";

    const SSKALNIK: &str = "image: hashicorp/terraform:light\n\npipelines:\n  branches:\n    master:\n      - step:\n        script:\n          - echo 'Moving to the cloned repo directory...'\n          - cd ${BITBUCKET_CLONE_DIR}\n          - echo 'Checking Terraform version...'\n          - terraform version\n          - echo 'Updating Terraform modules if needed...'\n          - terraform get -update\n          - echo 'Terraform environment set to \"test\"!'\n          - export TF_VAR_environment=test\n          - echo 'Terraform initializing...'\n          - terraform init -input=false\n          - echo 'Automagically formatting source per `terraform fmt`...'\n          - terraform fmt -list=true -diff -write=true\n          - echo 'Validating source after formatting...'\n          - terraform validate -check-variables=true\n          - echo 'Creating Terraform plan...'\n          - terraform plan -out blueprint-plan -input=false\n          - echo 'Applying the Terraform plan...'\n          - terraform apply -auto-approve blueprint-plan -input=false\n          - echo 'All steps completed!'\n";

    #[test]
    fn fixes_the_corpus_files() {
        for text in [AND_GASPER, DALT0NIK, CLEAR_ROUTE, SMARTWARE, SSKALNIK] {
            let out = fixed(text);
            // Lines only gain two leading spaces; nothing else changes.
            assert_eq!(out.lines().count(), text.lines().count());
            for (a, b) in out.lines().zip(text.lines()) {
                assert!(
                    a == b || a.strip_prefix("  ") == Some(b),
                    "`{b}` became `{a}`"
                );
            }
        }
    }

    #[test]
    fn comments_move_with_the_block_and_are_kept() {
        let out = fixed(AND_GASPER);
        // Everything from `script:` (line 7) on moves by two spaces; comments too, with
        // their text unchanged, the deeper one included.
        assert_shifted_lines(AND_GASPER, &out, 6, 2);
        assert!(out.contains("\n              # zero = 1 host\n"));
        assert!(out.contains("\n            # Grab the latest published tag\n"));
    }

    #[test]
    fn one_finding_per_misindented_step() {
        let found = only(SMARTWARE, ID);
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(
            found[0]
                .message
                .starts_with("The key of this step (`script`) is not indented under `step:`")
        );
        let out = fixed(SMARTWARE);
        // The first step was right (its `script` is one column deeper than `step`) and
        // keeps its text, trailing blanks and comments included.
        let first_block: String = SMARTWARE.lines().take(13).collect::<Vec<_>>().join("\n");
        assert!(out.starts_with(&first_block));
        assert!(out.contains(
            "    David-RAS:\n      - step:\n          script:\n            - npm install\n"
        ));
    }

    #[test]
    fn keeps_the_last_line_without_newline() {
        let out = fixed(CLEAR_ROUTE);
        assert_eq!(
            out,
            "pipelines:\n  pull-requests:\n    '**': \n      - step:\n          name: unit-test\n          runs-on: ubuntu-latest\n          script:\n            - echo \"test that we are able to run on the specified operating system\"\n          "
        );
    }

    #[test]
    fn parallel_stage_and_final_items() {
        let text = "pipelines:\n  default:\n    - parallel:\n        - step:\n          name: a\n          script: [echo a]\n        - step:\n            script: [echo b]\n    - stage:\n        name: s\n        steps:\n          - step:\n            script:\n              - echo c\n    - final:\n      script: [echo d]\n  custom:\n    run:\n      - parallel:\n          steps:\n            - step:\n              script: [echo e]\n            - step: {script: [echo f]}\n";
        let found = only(text, ID);
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[2].message.contains("this final step"));
        assert!(found[2].message.contains("`final:`"));
        let out = fixed(text);
        assert!(out.contains("    - final:\n        script: [echo d]\n"));
    }

    #[test]
    fn block_scalars_and_trailing_comments_move_whole() {
        let text = "pipelines:\n  default:\n    - step:\n      name: build\n      script:\n        - |\n          echo one\n\n            echo indented\n        # the end of the script\n    # next item\n    - step:\n        script: [echo two]\n";
        let out = fixed(text);
        assert_eq!(
            out,
            "pipelines:\n  default:\n    - step:\n        name: build\n        script:\n          - |\n            echo one\n\n              echo indented\n          # the end of the script\n    # next item\n    - step:\n        script: [echo two]\n"
        );
        // The literal block keeps its value.
        let parsed = pipelint_yaml::parse(&out, &Default::default());
        let file = parsed
            .root()
            .and_then(crate::model::File::new)
            .expect("file");
        let steps = file.steps();
        let script = steps[0].commands(false);
        assert_eq!(script[0].as_str(), Some("echo one\n\n  echo indented\n"));
    }

    #[test]
    fn through_an_anchor_the_anchor_is_fixed_once() {
        let text = "definitions:\n  build: &build\n    step:\n    name: build\n    script: [make]\npipelines:\n  default:\n    - *build\n  branches:\n    main:\n      - *build\n";
        let found = only(text, ID);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].related.len(), 2, "both alias uses are noted");
        let out = fixed(text);
        assert!(out.starts_with(
            "definitions:\n  build: &build\n    step:\n      name: build\n      script: [make]\n"
        ));
    }

    #[test]
    fn no_fix_when_the_layout_is_unusual() {
        for text in [
            // An explicit null after `step:`: indenting the keys would not parse.
            "pipelines:\n  default:\n    - step: ~\n      script: [make]\n",
            // A key before `step`.
            "pipelines:\n  default:\n    - name: x\n      step:\n      script: [make]\n",
            // A flow mapping.
            "pipelines:\n  default:\n    - {step: , script: [make]}\n",
        ] {
            let found = only(text, ID);
            assert_eq!(found.len(), 1, "{text}: {found:#?}");
            assert!(found[0].fix.is_none(), "{text}");
        }
    }

    #[test]
    fn well_indented_and_empty_steps_are_not_reported() {
        for text in [
            "pipelines:\n  default:\n    - step:\n        script: [make]\n",
            "pipelines:\n  default:\n    - step:\n       script: [make]\n",
            // An empty step with nothing beside it is struct/empty-step's case.
            "pipelines:\n  default:\n    - step:\n    - step:\n        script: [make]\n",
        ] {
            assert!(only(text, ID).is_empty(), "{text}");
        }
    }
}
