//! `edit_scalar` and `edit_entry` against a fresh parse: whenever one takes an edit, the
//! parse it leaves equals `parse` of the new text; whenever it refuses one, it leaves the
//! parse as it was.

use pipelint_yaml::{
    Node, NodeKind, Options, Parsed, ScalarStyle, Span, edit_breaking, edit_entry, edit_scalar,
    parse, rejoin,
};

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

type Edit = fn(&mut Parsed, &str, Span, &str) -> bool;

fn scalar(parsed: &mut Parsed, text: &str, range: Span, inserted: &str) -> bool {
    edit_scalar(parsed, text, range, inserted)
}

fn entry(parsed: &mut Parsed, text: &str, range: Span, inserted: &str) -> bool {
    edit_entry(parsed, text, range, inserted, &Options::default())
}

/// Tries one edit with `edit_scalar`; returns whether it was taken.
fn try_edit(text: &str, before: &Parsed, range: Span, inserted: &str) -> bool {
    try_with(scalar, text, before, range, inserted)
}

/// Tries one edit with `how`; returns whether it was taken.
fn try_with(how: Edit, text: &str, before: &Parsed, range: Span, inserted: &str) -> bool {
    let new = [&text[..range.start], inserted, &text[range.end..]].concat();
    let mut parsed = before.clone();
    let taken = how(&mut parsed, text, range, inserted);
    if taken {
        let fresh = parse(&new, &Options::default());
        assert_fresh(&parsed, &fresh, || {
            format!("edit {range:?} -> {inserted:?} of:\n{text}\n---- new text:\n{new}")
        });
    } else {
        assert!(parsed == *before, "a refused edit changed the parse");
    }
    taken
}

/// Panics, with `what` and the lines around the first difference of the two trees, when
/// the carried-over parse is not the fresh one.
fn assert_fresh(carried: &Parsed, fresh: &Parsed, what: impl FnOnce() -> String) {
    if carried == fresh {
        return;
    }
    let (got, want) = (format!("{carried:#?}"), format!("{fresh:#?}"));
    let (got, want): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let at = got
        .iter()
        .zip(&want)
        .position(|(g, w)| g != w)
        .unwrap_or(got.len().min(want.len()));
    let from = at.saturating_sub(12);
    panic!(
        "{}\n---- carried over, from line {from}:\n{}\n---- fresh:\n{}",
        what(),
        got[from..(at + 4).min(got.len())].join("\n"),
        want[from..(at + 4).min(want.len())].join("\n"),
    );
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
    let mut next = below(0x9e37_79b9_7f4a_7c15);
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
        for _ in 0..rounds() {
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

fn own_keys(node: &Node, out: &mut Vec<Span>) {
    if !node.via.is_empty() {
        return;
    }
    match &node.kind {
        NodeKind::Sequence(items) => items.iter().for_each(|n| own_keys(n, out)),
        NodeKind::Mapping(m) => {
            for e in m.entries.iter().filter(|e| e.merged_from.is_none()) {
                if e.key.via.is_empty() {
                    out.push(e.key.span);
                }
                own_keys(&e.value, out);
            }
        }
        _ => {}
    }
}

/// A small deterministic random source (xorshift): `next(n)` is below `n`.
fn below(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    }
}

/// Rounds of random edits per file (more with `PIPELINT_INCREMENTAL_ROUNDS`).
fn rounds() -> usize {
    std::env::var("PIPELINT_INCREMENTAL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

/// Edits that change the structure: in keys, new lines and entries, lines removed, and
/// structural characters anywhere. `edit_entry` alone, so that it sees value edits too.
#[test]
fn taken_entry_edits_give_the_fresh_parse() {
    let mut next = below(0x2545_f491_4f6c_dd1d);
    let (mut taken, mut tried) = (0, 0);
    for text in corpus() {
        let before = parse(&text, &Options::default());
        for (range, inserted) in structural_edits(&text, &before, &mut next) {
            tried += 1;
            if try_with(entry, &text, &before, range, &inserted) {
                taken += 1;
            }
        }
    }
    eprintln!("incremental (entries): {taken} of {tried} edits taken");
    assert!(taken > 0, "no edit was taken: the test checks nothing");
}

/// Random edits that change the structure of `text` (parsed as `before`): in keys, new
/// lines and entries, lines removed, and structural characters anywhere.
fn structural_edits(
    text: &str,
    before: &Parsed,
    next: &mut impl FnMut(usize) -> usize,
) -> Vec<(Span, String)> {
    let in_key = ["x", "-", "_", ":", " ", "", "é", "'", "<<", "*"];
    let anywhere = [
        "\n", ": ", "  ", "- ", "x:", "#", "x: 1\n", "\n\n", "|\n", "&a ", "[", "}", "\t", "---\n",
        "\r\n", "? ", "\r",
    ];
    {
        let mut keys = Vec::new();
        if let Some(root) = before.root() {
            own_keys(root, &mut keys);
        }
        let lines: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len())
            .collect();
        let mut edits: Vec<(Span, String)> = Vec::new();
        for _ in 0..rounds() {
            if let Some(k) = keys.get(next(keys.len())).copied() {
                // Typing in a key, at its end or inside, or deleting a character of it.
                let at = k.start + next(k.len() + 1);
                if text.is_char_boundary(at) {
                    edits.push((Span::empty(at), in_key[next(in_key.len())].to_owned()));
                    if at < k.end && text.is_char_boundary(at + 1) {
                        edits.push((Span::new(at, at + 1), String::new()));
                    }
                }
                // A new entry or item after the key's line, at the key's column.
                let line = text[..k.start].rfind('\n').map_or(0, |i| i + 1);
                let column = " ".repeat(text[line..k.start].len());
                let end = text[k.start..]
                    .find('\n')
                    .map_or(text.len(), |i| k.start + i);
                let what = ["new: 1", "new:", "- x", "new: [a", "name: again", "n"][next(6)];
                edits.push((Span::empty(end), format!("\n{column}{what}")));
                // Two entries pasted; the next line taken away with the line break before
                // it (undoing a new line), or two.
                edits.push((
                    Span::empty(end),
                    format!("\n{column}a: 1\n{column}b:\n{column}  - c"),
                ));
                for lines in 1..=2 {
                    let mut to = end;
                    for _ in 0..lines {
                        to = text[(to + 1).min(text.len())..]
                            .find('\n')
                            .map_or(text.len(), |i| to + 1 + i);
                    }
                    edits.push((Span::new(end, to.min(text.len())), String::new()));
                }
            }
            if let Some(&line) = lines.get(next(lines.len())) {
                // A whole line removed, or one indented or dedented.
                let end = text[line..].find('\n').map_or(text.len(), |i| line + i + 1);
                edits.push((Span::new(line, end), String::new()));
                edits.push((Span::empty(line), " ".to_owned()));
                if text[line..].starts_with(' ') {
                    edits.push((Span::new(line, line + 1), String::new()));
                }
            }
            let at = next(text.len() + 1);
            let end = (at + next(3)).min(text.len());
            if text.is_char_boundary(at) && text.is_char_boundary(end) {
                edits.push((
                    Span::new(at, end),
                    anywhere[next(anywhere.len())].to_owned(),
                ));
            }
        }
        edits
    }
}

/// Tries one edit with `edit_breaking`; returns whether it was taken. Taken, it must give
/// the fresh parse of the new text, which stops at a syntax error, and `rejoin` must
/// give back the parse it was given; refused, it must give that parse back unchanged.
fn try_breaking(text: &str, before: &Parsed, range: Span, inserted: &str) -> bool {
    let new = [&text[..range.start], inserted, &text[range.end..]].concat();
    let (carried, rest) =
        match edit_breaking(before.clone(), text, range, inserted, &Options::default()) {
            Ok(taken) => taken,
            Err(refused) => {
                assert!(
                    refused == *before,
                    "a refused breaking edit changed the parse"
                );
                return false;
            }
        };
    let again = rejoin(carried.clone(), rest);
    assert!(
        again.as_ref() == Some(before),
        "rejoin did not give back the parse: {range:?} -> {inserted:?} of:\n{text}"
    );
    let fresh = parse(&new, &Options::default());
    assert_fresh(&carried, &fresh, || {
        format!("breaking edit {range:?} -> {inserted:?} of:\n{text}\n---- new text:\n{new}")
    });
    assert!(
        fresh.stopped(),
        "a breaking edit was taken on a text that reads"
    );
    true
}

/// Edits after which the text does not read (a key typed letter by letter on a new line,
/// before its colon; structural characters anywhere): whenever `edit_breaking` takes one,
/// it gives the fresh parse, which stops at the error.
#[test]
fn breaking_edits_give_the_fresh_parse() {
    let mut next = below(0x9e37_79b9_7f4a_7c15);
    let (mut taken, mut tried) = (0, 0);
    for text in corpus() {
        let before = parse(&text, &Options::default());
        if before.stopped() {
            continue;
        }
        let mut edits = structural_edits(&text, &before, &mut next);
        // A new key typed after a key's line, at its column, one letter at a time: each
        // version up to the colon, from the text with an empty new line.
        let mut keys = Vec::new();
        if let Some(root) = before.root() {
            own_keys(root, &mut keys);
        }
        for _ in 0..rounds() {
            let Some(k) = keys.get(next(keys.len())).copied() else {
                break;
            };
            let line = text[..k.start].rfind('\n').map_or(0, |i| i + 1);
            let column = " ".repeat(text[line..k.start].len());
            let end = text[k.start..]
                .find('\n')
                .map_or(text.len(), |i| k.start + i);
            for typed in ["c", "ca", "cach", "- x", "x y", "\"x", "[a"] {
                edits.push((Span::empty(end), format!("\n{column}{typed}")));
            }
        }
        for (range, inserted) in edits {
            let new = [&text[..range.start], inserted.as_str(), &text[range.end..]].concat();
            if !parse(&new, &Options::default()).stopped() {
                continue;
            }
            tried += 1;
            if try_breaking(&text, &before, range, &inserted) {
                taken += 1;
            }
        }
    }
    eprintln!("incremental (breaking): {taken} of {tried} edits that break the text taken");
    assert!(taken > 0, "no edit was taken: the test checks nothing");
}

/// Edits once carried over wrongly (found by the fuzzer and by the random edits above):
/// each now gives the fresh parse or is refused.
#[test]
fn regressions() {
    // A key typed on a new line after an entry that follows an explicit key with nothing
    // in it (`?`): that key is placed at the next token, the entry's key; it is written
    // before the entry all the same.
    // A tag on an empty value two lines before a `!`: the parse read that `!` as the
    // value's tag in some texts and not in others.
    let text = "image: node:\u{12}2\nniil      - step:\n  :    namstep:\n  :amstep:\n  :p:\n  :    namstenode&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&:21\nniil    - step:\n  :    namstep:\n  :p:\n  :   !namstep:\n  \n!  :te0p:\n";
    let before = parse(text, &Options::default());
    try_with(entry, text, &before, Span::empty(235), "x");
    // An explicit key with nothing in it, its value on the next line (`?` then `:`): the
    // empty key is placed at that colon, but its entry starts at the `?`. A key typed
    // before the colon is a new entry.
    let text = "a: 1\n?   \n:\n b: c\n";
    let before = parse(text, &Options::default());
    let colon = text.find("\n:").expect("in the text") + 1;
    try_with(entry, text, &before, Span::empty(colon), "x");
    let text = "g: 1\n?\nkey:\nname: x\n";
    let before = parse(text, &Options::default());
    let end = text.find("key:").expect("in the text") + 4;
    assert!(try_breaking(text, &before, Span::empty(end), "\nne"));
    // The entry's last line holds a mapping with an empty key (`:`): the node's span sits
    // at the colon, on a line of its own; the entry's lines end after it, not before.
    let text = "p:\n  - step:\n      name: x\n      script:\n       :\n  - step: {}\n";
    let before = parse(text, &Options::default());
    let name = text.find("      name").expect("in the text");
    let line = Span::new(name, name + "      name: x\n".len());
    assert!(try_with(entry, text, &before, line, ""));
    // The only line of a block scalar removed: an empty block scalar at the end of the
    // lines read again is placed differently from one before the next key; refused.
    let text = "s:\n  - pipe: x\n    variables:\n      F: >-\n        /a/b\n      A: 1\n";
    let before = parse(text, &Options::default());
    let end = text.find(">-").expect("in the text") + 2;
    let gone = Span::new(end, end + "\n        /a/b".len());
    try_with(entry, text, &before, gone, "");
    // Empty keys: the duplicate key on the line after the entry's lines (an empty span
    // where they end) is not one of theirs. (Refused now, for the colon that starts the
    // next line; the two cases below as well.)
    let text = ":\n:\n    scrp t:\n:\n";
    let before = parse(text, &Options::default());
    try_with(entry, text, &before, Span::empty(14), "x");
    // A block scalar runs on to the next token: here an empty key at the same place, the
    // mapping's last pair. The entry is not the last one though their ends meet.
    let text = "a:\nb: |+\n  x\n:\n";
    let before = parse(text, &Options::default());
    let at = text.find("  x").expect("in the text");
    try_with(entry, text, &before, Span::empty(at), "\nnew: 1");
    // An explicit key at the end of the lines takes the next line's `: v` as its value.
    let text = "a: 1\n: v\n";
    let before = parse(text, &Options::default());
    try_with(entry, text, &before, Span::empty(4), "\n? x");
    // A carriage return alone breaks a line (here after a block scalar's last line).
    let text = "p:\n  a:\n    - |\n      x\n\rt:\n  - y\n";
    let before = parse(text, &Options::default());
    try_with(entry, text, &before, Span::empty(2), "\n  b: 1");
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
