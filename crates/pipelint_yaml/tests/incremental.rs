//! `edit_scalar` against a fresh parse: whenever it takes an edit, the parse it leaves
//! equals `parse` of the new text; whenever it refuses one, it leaves the parse as it was.

use pipelint_yaml::{Node, NodeKind, Options, Parsed, ScalarStyle, Span, edit_scalar, parse};

const SAMPLE: &str = "image: node:20\n\ndefinitions:\n  steps:\n    - step: &test\n        name: Test\n        script:\n          - npm test\n\npipelines:\n  default:\n    - step: *test\n    - step:\n        <<: *test\n        name: Lint 0 # the linter\n        size: 2x\n        services: [docker, postgres]\n        script:\n          - npm run lint\n          - echo {a: b}\n  branches:\n    main:\n      - step:\n          name: Deploy\n          deployment: production\n          trigger: manual\n          script:\n            - ./deploy.sh  production\n";

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let mut texts = vec![SAMPLE.to_owned()];
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        texts.extend(paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
    } else {
        eprintln!("the corpus is not beside the checkout: the sample only");
    }
    texts
}

/// Tries one edit; returns whether `edit_scalar` took it.
fn try_edit(text: &str, before: &Parsed, range: Span, inserted: &str) -> bool {
    let new = [&text[..range.start], inserted, &text[range.end..]].concat();
    let mut parsed = before.clone();
    let taken = edit_scalar(&mut parsed, text, range, inserted);
    if taken {
        assert_eq!(
            parsed,
            parse(&new, &Options::default()),
            "edit {range:?} -> {inserted:?} of:\n{text}"
        );
    } else {
        assert!(parsed == *before, "a refused edit changed the parse");
    }
    taken
}

fn plain_values(node: &Node, out: &mut Vec<Span>) {
    match &node.kind {
        NodeKind::Scalar(s) if s.style == ScalarStyle::Plain && node.via.is_empty() => {
            out.push(node.span);
        }
        NodeKind::Sequence(items) => items.iter().for_each(|n| plain_values(n, out)),
        NodeKind::Mapping(m) => m.entries.iter().for_each(|e| plain_values(&e.value, out)),
        _ => {}
    }
}

#[test]
fn taken_edits_give_the_fresh_parse() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let pieces = [
        "x", "1", " ", "-", ":", "#", ": ", " #", "\n", "'", "é", "[", ",", "ab", "", ":2", "://h",
        ":/", ":a ",
    ];
    let (mut taken, mut tried) = (0, 0);
    for text in corpus() {
        let before = parse(&text, &Options::default());
        let mut spans = Vec::new();
        if let Some(root) = before.root() {
            plain_values(root, &mut spans);
        }
        // At the end of a value (typing on), inside it, and anywhere in the file.
        let mut edits: Vec<(Span, &str)> = Vec::new();
        for _ in 0..12 {
            if let Some(s) = spans.get(next(spans.len())).copied() {
                edits.push((Span::empty(s.end), pieces[next(pieces.len())]));
                if s.end > s.start + 1 && text.is_char_boundary(s.end - 1) {
                    edits.push((Span::new(s.end - 1, s.end), pieces[next(pieces.len())]));
                }
            }
            let at = next(text.len() + 1);
            if text.is_char_boundary(at) {
                let end = (at + next(3)).min(text.len());
                if text.is_char_boundary(end) {
                    edits.push((Span::new(at, end), pieces[next(pieces.len())]));
                }
            }
        }
        for (range, inserted) in edits {
            tried += 1;
            if try_edit(&text, &before, range, inserted) {
                taken += 1;
            }
        }
    }
    eprintln!("incremental: {taken} of {tried} edits taken");
    assert!(taken > 0, "no edit was taken: the test checks nothing");
}

#[test]
fn what_is_refused() {
    let text = SAMPLE;
    let before = parse(text, &Options::default());
    let at = |s: &str| text.find(s).expect("in the sample");
    // Typing at the end of `Lint 0` is taken; each of these is not.
    let lint = at("Lint 0") + "Lint 0".len();
    assert!(try_edit(text, &before, Span::empty(lint), "x"));
    // A colon and space make a mapping; `#` after a space, a comment.
    assert!(!try_edit(text, &before, Span::empty(lint), ": y"));
    assert!(!try_edit(text, &before, Span::empty(lint), " #"));
    // Under the anchor `&test`: its copies would keep the old text.
    let test = at("npm test") + 3;
    assert!(!try_edit(text, &before, Span::empty(test), "x"));
    // A key.
    let size = at("size") + 2;
    assert!(!try_edit(text, &before, Span::empty(size), "x"));
    // At a scalar's first character.
    assert!(!try_edit(text, &before, Span::empty(at("2x")), "3"));
    // In a flow sequence, a comma would split the item.
    let docker = at("docker,") + "docker".len();
    assert!(try_edit(text, &before, Span::empty(docker), "d"));
    assert!(!try_edit(text, &before, Span::empty(docker), ",x"));
}
