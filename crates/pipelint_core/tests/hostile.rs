//! Hostile input: each case finishes (bounded by the YAML layer's limits, not by luck)
//! with a clear diagnostic or a clean result, and never panics.

use pipelint_core::{CheckOptions, Severity, check};

/// The rules of the errors and warnings (infos such as `image/default-image` aside).
fn rules(text: &str) -> Vec<&'static str> {
    check(text, &CheckOptions::default())
        .diagnostics
        .iter()
        .filter(|d| d.severity > Severity::Info)
        .map(|d| d.rule)
        .collect()
}

#[test]
fn alias_bomb_nine_by_nine() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9 {
        let items = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    text.push_str("pipelines:\n  default:\n    - step: {script: [make]}\n");
    assert!(rules(&text).contains(&"yaml/alias-limit"));
}

#[test]
fn deeply_nested_flow_sequences() {
    let text = format!("pipelines: {}", "[".repeat(100_000));
    let found = rules(&text);
    assert!(found.contains(&"yaml/syntax"), "{found:?}");
}

#[test]
fn deeply_nested_block_mappings() {
    let mut text = String::new();
    for depth in 0..300 {
        text.push_str(&" ".repeat(depth));
        text.push_str("k:\n");
    }
    let found = rules(&text);
    assert!(found.contains(&"yaml/syntax"), "{found:?}");
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let text = "# padding\n".repeat(5_300_000); // about 50 MB
    let analysis = check(&text, &CheckOptions::default());
    assert_eq!(analysis.diagnostics.len(), 1);
    assert_eq!(analysis.diagnostics[0].rule, "yaml/syntax");
    assert!(
        analysis.diagnostics[0]
            .message
            .contains("pipelint reads files up to")
    );
}

#[test]
fn a_single_long_line() {
    let text = format!(
        "pipelines:\n  default:\n    - step:\n        script:\n          - echo {}\n",
        "x".repeat(5 * 1024 * 1024)
    );
    assert!(rules(&text).is_empty());
}

#[test]
fn nul_bytes_and_control_characters() {
    let text = "pipelines:\n  default:\n    - step:\n        script: [\"a\u{0}b\"]\n\u{0}\u{1}\n";
    let found = rules(text);
    assert!(found.contains(&"yaml/syntax"), "{found:?}");
}

#[test]
fn crlf_and_mixed_line_endings() {
    let crlf = "pipelines:\r\n  default:\r\n    - step:\r\n        cache: [node]\r\n        script: [make]\r\n";
    let analysis = check(crlf, &CheckOptions::default());
    let d = analysis
        .diagnostics
        .iter()
        .find(|d| d.rule == "schema/unknown-key")
        .expect("the typo is found");
    assert_eq!(&crlf[d.span.range()], "cache");
    let mixed = "pipelines:\r\n  default:\n    - step:\r\n        cache: [node]\n        script: [make]\r\n";
    let analysis = check(mixed, &CheckOptions::default());
    let d = analysis
        .diagnostics
        .iter()
        .find(|d| d.rule == "schema/unknown-key")
        .expect("the typo is found");
    assert_eq!(&mixed[d.span.range()], "cache");
}

#[test]
fn ten_thousand_anchors() {
    let mut text = String::from("definitions:\n  steps:\n");
    for i in 0..10_000 {
        text.push_str(&format!("    - step: &s{i} {{script: [echo {i}]}}\n"));
    }
    text.push_str("pipelines:\n  default:\n    - step: *s9999\n");
    let found = rules(&text);
    assert!(!found.contains(&"yaml/syntax"), "{found:?}");
}

#[test]
fn a_key_of_one_megabyte() {
    let text = format!(
        "{}: 1\npipelines:\n  default:\n    - step: {{script: [make]}}\n",
        "k".repeat(1024 * 1024)
    );
    let found = rules(&text);
    // YAML limits implicit keys to 1024 characters: the parser says so, pipelint goes on.
    assert!(
        found.contains(&"yaml/syntax") || found.contains(&"schema/unknown-key"),
        "{found:?}"
    );
}

#[test]
fn byte_order_mark_inside_the_text() {
    let text = "\u{feff}pipelines:\n  default:\n    - step: {script: [make]}\n";
    let _ = rules(text);
}
