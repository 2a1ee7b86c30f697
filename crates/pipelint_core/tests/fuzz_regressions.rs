//! Inputs the fuzz targets (`fuzz/`) found, minimized, each with the property it broke.
//! See `fuzz/README.md`.

use pipelint_core::{CheckOptions, check};
use pipelint_yaml::{Options, ProblemKind, parse};

fn unreadable(text: &str) -> bool {
    parse(text, &Options::default()).problems.iter().any(|p| {
        matches!(
            p.kind,
            ProblemKind::Syntax | ProblemKind::TooDeep | ProblemKind::TooLarge
        )
    })
}

/// The `fix` target's property: fixing (safe fixes, then unsafe ones too; with and without
/// the pipeline file's path) never turns text the YAML layer reads into text it cannot.
fn assert_fixes_keep_yaml_readable(text: &str) {
    assert!(!unreadable(text), "the input itself is unreadable");
    for path in [None, Some("bitbucket-pipelines.yml")] {
        let opts = CheckOptions {
            path: path.map(str::to_owned),
            ..CheckOptions::default()
        };
        for include_unsafe in [false, true] {
            let (fixed, _) = pipelint_core::fix::fix_all(text, &opts, include_unsafe);
            assert!(
                !unreadable(&fixed),
                "fixing made the YAML unreadable (unsafe fixes: {include_unsafe}):\n{fixed}"
            );
            assert!(
                !check(&fixed, &opts)
                    .diagnostics
                    .iter()
                    .any(|d| d.rule == "yaml/syntax"),
                "fixing brought a yaml/syntax diagnostic:\n{fixed}"
            );
        }
    }
}

/// `yaml/unquoted-star` quoted only the alias name of a plain scalar that runs on past
/// it: `**{` became `'**'{`.
#[test]
fn unquoted_star_quotes_a_scalar_that_runs_on_past_the_name() {
    assert_fixes_keep_yaml_readable("**{");
    assert_fixes_keep_yaml_readable("*.{");
    assert_fixes_keep_yaml_readable("\n*/{");
    assert_fixes_keep_yaml_readable("\n*yaml/untable characacjeion${{\"1\"");
    assert_fixes_keep_yaml_readable("x:\n  - step: *\"ava/-version Reelotest-p\n");
    assert_fixes_keep_yaml_readable("x:\n  - step: *deploy-acceelease.sh]\n");
}

/// `yaml/undefined-alias` renamed `*e2` in `*e2[e` to `*e2e`, leaving `*e2e[e`.
#[test]
fn undefined_alias_offers_no_rename_inside_a_longer_scalar() {
    assert_fixes_keep_yaml_readable("a:\n  - step: &e2e {script: [x]}\nb:\n  - step: *e2[e\n");
}

/// `yaml/undefined-alias` renamed `*release` to `*release:` for the anchor `&release:`;
/// `*release:` reads as a key, not as that alias.
#[test]
fn undefined_alias_offers_no_rename_to_a_name_ending_in_a_colon() {
    assert_fixes_keep_yaml_readable(
        "a: &release:\n  - step: {script: [x]}\nb:\n  - step: *release\n",
    );
}

/// Found by the `yaml` target as a slow unit (seconds for 770 bytes): an alias bomb
/// followed by errors the YAML layer recovers from (tabs, undefined aliases). Each
/// recovery rebuilt the whole tree, alias expansion included, so the cost was the number
/// of recoveries times the alias budget. After the first, errors are now found with the
/// parser alone and the tree is built once more (counted, not timed, in pipelint_yaml's
/// `recoveries_build_the_tree_at_most_twice`).
#[test]
fn recoveries_after_an_alias_bomb_build_the_tree_once() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9 {
        let items = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    for i in 0..90 {
        text.push_str(&format!("u{i}: *undefined{i}\n"));
    }
    let parsed = parse(&text, &Options::default());
    let undefined = parsed
        .problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::UndefinedAlias { .. }))
        .count();
    assert_eq!(undefined, 90);
    assert!(
        parsed
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::AliasLimit)
    );
}

/// Found by the `fix` target in CI: in a merge key's list, `*build. *base` (an undefined
/// alias running on into a plain scalar) is no node of the tree, so `yaml/unquoted-star`
/// quoted only `*build.` and left `*base` after the closing quote.
#[test]
fn unquoted_star_quotes_a_whole_scalar_in_a_merge_list() {
    assert_fixes_keep_yaml_readable("base: &base {a: 1}\nx:\n  <<: [*build. *base]\n");
    assert_fixes_keep_yaml_readable("x:\n  <<: *build. more\n");
}

/// Found by the `fix` target in CI: `yaml/undefined-alias` offered to rename `*a` inside
/// `e: &e [*a]` to `*e`, an alias to the node that contains it.
#[test]
fn undefined_alias_offers_no_anchor_whose_node_holds_the_alias() {
    assert_fixes_keep_yaml_readable("e: &e [*a, x]\n");
}
