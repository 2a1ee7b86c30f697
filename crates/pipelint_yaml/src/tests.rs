//! Tests of the span tree: positions, anchors, merges, recovery and limits.

use super::*;

fn parse_default(text: &str) -> Parsed {
    parse(text, &Options::default())
}

fn text_of(text: &str, span: Span) -> &str {
    &text[span.range()]
}

fn root(p: &Parsed) -> &Node {
    p.root().expect("a root node")
}

#[test]
fn quoted_scalars_end_at_their_closing_quote() {
    let text = "a: '1000' # uid\nb: \"x \\\" y\"  # c\nc: 'it''s' #\nd: &q \"v\" # c\n";
    let p = parse_default(text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let r = root(&p);
    let value = |k: &str| text_of(text, r.get(k).unwrap().span);
    assert_eq!(value("a"), "'1000'");
    assert_eq!(value("b"), "\"x \\\" y\"");
    assert_eq!(value("c"), "'it''s'");
    assert_eq!(value("d"), "\"v\"");
}

#[test]
fn every_key_and_value_has_its_byte_span() {
    let text = "image: node:20\npipelines:\n  default:\n    - step:\n        name: \"Build 🚀\"\n        script: [npm ci, 'npm test']\n";
    let p = parse_default(text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let r = root(&p);
    let image = r.as_mapping().unwrap().entry("image").unwrap();
    assert_eq!(text_of(text, image.key.span), "image");
    assert_eq!(text_of(text, image.value.span), "node:20");
    let step = r
        .get("pipelines")
        .and_then(|n| n.get("default"))
        .and_then(|n| n.as_sequence())
        .and_then(|s| s[0].get("step"))
        .unwrap();
    assert_eq!(
        text_of(text, step.get("name").unwrap().span),
        "\"Build 🚀\""
    );
    let script = step.get("script").unwrap();
    assert_eq!(text_of(text, script.span), "[npm ci, 'npm test']");
    let items = script.as_sequence().unwrap();
    assert_eq!(text_of(text, items[0].span), "npm ci");
    assert_eq!(text_of(text, items[1].span), "'npm test'");
    assert_eq!(items[1].as_str(), Some("npm test"));
    // A block mapping spans from its first key to the end of its last value.
    assert!(text_of(text, step.span).starts_with("name:"));
    assert!(text_of(text, step.span).ends_with("'npm test']"));
}

#[test]
fn aliases_keep_anchor_and_use_site() {
    let text = "definitions:\n  steps:\n    - step: &build\n        name: b\n        script: [echo]\npipelines:\n  default:\n    - step: *build\n";
    let p = parse_default(text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let used = root(&p)
        .get("pipelines")
        .and_then(|n| n.get("default"))
        .and_then(|n| n.as_sequence())
        .and_then(|s| s[0].get("step"))
        .unwrap();
    assert_eq!(text_of(text, used.site()), "*build");
    let name = used.get("name").unwrap();
    assert_eq!(
        text_of(text, name.span),
        "b",
        "the text stands in the anchor"
    );
    assert_eq!(
        text_of(text, name.site()),
        "*build",
        "used through the alias"
    );
    assert_eq!(p.anchors.len(), 1);
    assert_eq!(p.anchors[0].name, "build");
    assert_eq!(text_of(text, p.anchors[0].span), "&build");
    assert_eq!(p.anchors[0].uses.len(), 1);
    assert_eq!(p.aliases[0].anchor, Some(0));
    let anchored = root(&p).get("definitions").unwrap().get("steps").unwrap();
    let mark = anchored.as_sequence().unwrap()[0]
        .get("step")
        .unwrap()
        .anchor
        .clone()
        .unwrap();
    assert_eq!(mark.name, "build");
}

#[test]
fn merge_keys_are_shallow_and_later_keys_win() {
    let text = "a: &a {name: x, caches: [node], size: 2x}\nb: &b {name: y, image: z}\nm:\n  <<: [*a, *b]\n  caches: [pip]\n";
    let p = parse_default(text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let m = root(&p).get("m").unwrap().as_mapping().unwrap();
    assert_eq!(
        m.get("name").and_then(Node::as_str),
        Some("x"),
        "earlier source wins"
    );
    assert_eq!(m.get("image").and_then(Node::as_str), Some("z"));
    let caches = m.get("caches").unwrap().as_sequence().unwrap();
    assert_eq!(caches.len(), 1);
    assert_eq!(
        caches[0].as_str(),
        Some("pip"),
        "explicit key replaces the whole list"
    );
    assert_eq!(m.merges.len(), 1);
    assert_eq!(m.merges[0].sources.len(), 2);
    assert_eq!(m.merges[0].overrides.len(), 1);
    assert_eq!(m.merges[0].overrides[0].key, "caches");
    let from = m.entry("name").unwrap().merged_from.unwrap();
    assert_eq!(text_of(text, from), "*a");
    assert!(
        m.entry("<<").is_none(),
        "the merge key itself is not an entry"
    );
}

#[test]
fn merge_in_flow_mapping() {
    let text = "x: &x {script: [echo], name: b}\ny: {<<: *x, name: z}\n";
    let p = parse_default(text);
    let y = root(&p).get("y").unwrap();
    assert_eq!(y.get("name").and_then(Node::as_str), Some("z"));
    assert!(y.get("script").is_some());
}

#[test]
fn duplicate_keys_are_kept_and_reported_quoted_or_not() {
    let text = "branches:\n  main: [a]\n  'main': [b]\n";
    let p = parse_default(text);
    assert_eq!(p.problems.len(), 1);
    let prob = &p.problems[0];
    assert!(matches!(&prob.kind, ProblemKind::DuplicateKey { key, .. } if key == "main"));
    assert_eq!(text_of(text, prob.span), "'main'");
    assert_eq!(text_of(text, prob.related[0].0), "main");
    let branches = root(&p).get("branches").unwrap().as_mapping().unwrap();
    assert_eq!(branches.len(), 2, "both kept");
    let last = branches.get("main").unwrap().as_sequence().unwrap();
    assert_eq!(last[0].as_str(), Some("b"), "lookups give the last");
}

#[test]
fn tab_indentation_is_reported_and_read_as_space() {
    let text = "pipelines:\n\tdefault:\n\t\t- step:\n\t\t\t\tscript: [echo]\n";
    let p = parse_default(text);
    let tabs: Vec<_> = p
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::TabIndent)
        .collect();
    assert!(!tabs.is_empty(), "{:?}", p.problems);
    assert_eq!(tabs[0].span, Span::new(11, 12));
    assert!(
        p.problems.iter().all(|p| p.kind == ProblemKind::TabIndent),
        "{:?}",
        p.problems
    );
    assert!(
        root(&p)
            .get("pipelines")
            .and_then(|n| n.get("default"))
            .is_some()
    );
}

#[test]
fn unquoted_star_is_an_undefined_alias_and_parsing_goes_on() {
    let text = "pipelines:\n  branches:\n    **:\n      - step: {script: [echo]}\n    main:\n      - step: {script: [x]}\n";
    let p = parse_default(text);
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
    assert!(matches!(&p.problems[0].kind, ProblemKind::UndefinedAlias { name } if name == "*"));
    assert_eq!(text_of(text, p.problems[0].span), "**");
    let branches = root(&p)
        .get("pipelines")
        .and_then(|n| n.get("branches"))
        .unwrap();
    assert!(branches.get("**").is_some(), "the key keeps its text");
    assert!(branches.get("main").is_some(), "the rest is read");
    assert_eq!(p.aliases.len(), 1);
    assert_eq!(p.aliases[0].anchor, None);
}

#[test]
fn undefined_alias_value_is_invalid() {
    let text = "a: *nope\nb: 1\n";
    let p = parse_default(text);
    assert!(matches!(&p.problems[0].kind, ProblemKind::UndefinedAlias { name } if name == "nope"));
    assert!(root(&p).get("a").unwrap().is_invalid());
    assert_eq!(root(&p).get("b").and_then(Node::as_i64), Some(1));
}

/// A text without errors is read once; one with recoverable errors twice (the first
/// build finds the first error, the others are found with the parser alone), however
/// many errors it has: each build expands aliases up to the budget.
#[test]
fn recoveries_build_the_tree_at_most_twice() {
    let builds = |text: &str| {
        build::BUILDS.with(|b| b.set(0));
        let p = parse_default(text);
        (build::BUILDS.with(std::cell::Cell::get), p)
    };
    assert_eq!(builds("a: 1\nb: [x, y]\n").0, 1);
    let mut text = String::from("a0: &a0 [x, x, x]\n");
    for i in 0..40 {
        text.push_str(&format!("u{i}: *undefined{i}\n"));
    }
    text.push_str("t:\n\t- tab\n");
    let (n, p) = builds(&text);
    assert_eq!(n, 2);
    let undefined = p
        .problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::UndefinedAlias { .. }))
        .count();
    assert_eq!(undefined, 40);
}

#[test]
fn alias_bomb_is_bounded() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    let p = parse_default(&text);
    assert!(
        p.problems.iter().any(|p| p.kind == ProblemKind::AliasLimit),
        "{:?}",
        p.problems
    );
    let total: usize = p
        .documents
        .iter()
        .filter_map(|d| d.root.as_ref())
        .map(Node::count)
        .sum();
    assert!(total < 2 * Options::default().alias_budget, "{total}");
}

#[test]
fn deep_nesting_stops_without_overflow() {
    let text = "[".repeat(100_000);
    let p = parse_default(&text);
    assert!(p.problems.iter().any(|p| p.kind == ProblemKind::TooDeep));
    let text = "a:\n".to_owned() + &"  - [".repeat(1000);
    let p = parse_default(&text);
    assert!(!p.problems.is_empty());
}

#[test]
fn too_large_is_refused() {
    let opts = Options {
        max_bytes: 10,
        ..Options::default()
    };
    let p = parse("a: 123456789012", &opts);
    assert_eq!(p.problems[0].kind, ProblemKind::TooLarge);
    assert!(p.documents.is_empty());
}

#[test]
fn syntax_error_keeps_what_was_read() {
    let text = "image: node\npipelines:\n  default:\n    - step:\n        script:\n          - echo \"unclosed\n  other: [\n";
    let p = parse_default(text);
    let syntax: Vec<_> = p
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Syntax)
        .collect();
    assert_eq!(syntax.len(), 1, "{:?}", p.problems);
    assert_eq!(root(&p).get("image").and_then(Node::as_str), Some("node"));
}

#[test]
fn syntax_error_position_is_exact() {
    let text = "a: 1\nb: [1, 2\nc: 3\n";
    let p = parse_default(text);
    let prob = &p.problems[0];
    assert_eq!(prob.kind, ProblemKind::Syntax);
    assert!(prob.span.start > 5, "{:?}", prob);
}

#[test]
fn unicode_positions_are_bytes() {
    let text = "name: \"é🚀\"\nnext: ü\n";
    let p = parse_default(text);
    let next = root(&p).as_mapping().unwrap().entry("next").unwrap();
    assert_eq!(text_of(text, next.key.span), "next");
    assert_eq!(text_of(text, next.value.span), "ü");
}

#[test]
fn multiple_documents() {
    let text = "a: 1\n---\nb: 2\n";
    let p = parse_default(text);
    assert_eq!(p.documents.len(), 2);
    assert!(p.documents[1].root.as_ref().unwrap().get("b").is_some());
}

#[test]
fn empty_and_scalar_documents() {
    assert!(parse_default("").root().is_none());
    assert!(parse_default("# only a comment\n").root().is_none());
    let p = parse_default("just text");
    assert_eq!(root(&p).as_str(), Some("just text"));
}

#[test]
fn tags_are_kept() {
    let text = "a: !include other.yml\n";
    let p = parse_default(text);
    let a = root(&p).get("a").unwrap();
    assert_eq!(a.tag.as_deref(), Some("!include"));
    assert_eq!(text_of(text, a.span), "other.yml");
}

#[test]
fn anchored_scalar_span_excludes_the_anchor() {
    let text = "a: &img node:20\nb: *img\n";
    let p = parse_default(text);
    let a = root(&p).get("a").unwrap();
    assert_eq!(text_of(text, a.span), "node:20");
    let b = root(&p).get("b").unwrap();
    assert_eq!(text_of(text, b.site()), "*img");
    assert_eq!(b.as_str(), Some("node:20"));
}

#[test]
fn null_values() {
    let text = "- step:\n  name: x\n";
    let p = parse_default(text);
    let item = &root(&p).as_sequence().unwrap()[0];
    assert!(item.get("step").unwrap().is_null());
    assert!(item.get("name").is_some());
}

#[test]
fn the_tag_of_an_empty_value_is_its_own() {
    // The parser places an empty value after its tag; the `!` two lines down is not it.
    let tags = |text: &str| {
        let parsed = crate::parse(text, &crate::Options::default());
        let mut tags = Vec::new();
        if let Some(root) = parsed.root() {
            root.walk(&mut |n: &Node| tags.extend(n.tag.as_deref().map(str::to_owned)));
        }
        tags
    };
    assert_eq!(tags("a:\n  c: !t\n  \n!  :d\n"), ["!t"]);
    assert_eq!(tags("c: !t\n  \nd: 1\n"), ["!t"]);
    assert_eq!(tags("a: !t # c\n  \nb: !!str\n"), ["!t", "!!str"]);
    // An anchor alone is no tag, whatever follows.
    assert_eq!(tags("a:\n  c: &x\n  \n!  :d\n"), Vec::<String>::new());
}
