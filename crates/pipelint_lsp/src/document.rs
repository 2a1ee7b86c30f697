//! Open documents: their text (a [`Rope`], edited in place by incremental changes), their
//! version, whether they are pipeline files, and the [`Snapshot`] of the latest version:
//! the text with its [`Analysis`], computed once per version and setting change, on first
//! use.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock};

use pipelint_core::{Analysis, CheckOptions, FileKind, Parsed, Settings};
use pipelint_yaml::{Rest, Span, edit, edit_breaking, rejoin};
use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::position::{Encoding, Lines, line_starts};

/// Whether a file name is one pipelint checks: `bitbucket-pipelines.yml` or `.yaml`, or a
/// name ending in `pipelines.yml` (shared pipeline files, `bitbucket-pipelines.yml` copies).
pub fn is_pipeline_name(name: &str) -> bool {
    name == "bitbucket-pipelines.yaml" || name.ends_with("pipelines.yml")
}

/// The kind of a file pipelint checks besides pipeline files, from its URI and its text
/// when opened: a YAML file directly in a `bamboo-specs` folder is Bamboo specs; a compose
/// file or a shell script that mentions the runner image is a runner setup.
pub fn other_kind(uri: &Uri, text: &str) -> Option<FileKind> {
    let s = uri.as_str();
    let s = s.split(['?', '#']).next().unwrap_or(s);
    let mut segments = s.rsplit('/');
    let name = segments.next().unwrap_or("");
    let folder = segments.next().unwrap_or("");
    match pipelint_core::kind::from_path(&format!("{folder}/{name}"))? {
        FileKind::BambooSpecs => Some(FileKind::BambooSpecs),
        k @ (FileKind::RunnerCompose | FileKind::RunnerScript)
            if text.contains(pipelint_core::kind::RUNNER_IMAGE) =>
        {
            Some(k)
        }
        _ => None,
    }
}

/// The file name of a URI (its last path segment, without query or fragment).
pub fn file_name(uri: &Uri) -> &str {
    let s = uri.as_str();
    let s = s.split(['?', '#']).next().unwrap_or(s);
    s.rsplit('/').next().unwrap_or(s)
}

/// One open document.
pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub rope: Rope,
    /// A file pipelint checks: a pipeline file by its name, or Bamboo specs or a runner
    /// setup ([`other_kind`]); other files are kept but never checked.
    pub is_pipeline: bool,
    /// The kind, for the files that are not pipeline files.
    pub kind: Option<FileKind>,
    snapshot: Option<Arc<Snapshot>>,
    /// The parse of the current text, carried over from the previous version by
    /// [`pipelint_yaml::edit`] when the changes allowed it; the next analysis then skips
    /// parsing.
    kept: Option<Kept>,
    /// The last parse without a syntax error, kept while later versions could not be
    /// carried over (in the middle of typing a key, before its colon): once the text reads
    /// again, the whole change since that parse is carried over as one edit.
    readable: Option<Kept>,
    /// While the current version does not read and its parse was made from the readable
    /// one by [`pipelint_yaml::edit_breaking`]: what that left of the readable parse (then
    /// empty in `readable`), to be made whole again with the current version's parse.
    rest: Option<Rest>,
    /// How many analyses parsed the whole text (the tests count them).
    #[cfg(test)]
    full_parses: usize,
}

/// What a change or an eviction made stale: for the caller to drop where the time it
/// takes does not delay an answer.
#[derive(Default)]
pub struct Stale {
    snapshot: Option<Arc<Snapshot>>,
    parse: Option<Kept>,
}

impl Stale {
    /// The stale analysis, if there is one.
    pub fn snapshot(&self) -> Option<&Arc<Snapshot>> {
        self.snapshot.as_ref()
    }
}

/// A parse of a document's text made by editing the parse of an earlier version.
struct Kept {
    version: i32,
    /// The settings generation of the analysis the parse came from.
    generation: u64,
    text: String,
    parsed: Parsed,
    /// The limits the parse was made with.
    yaml: pipelint_yaml::Options,
}

/// The latest version of a document with its analysis. Immutable: features read it after
/// the state's lock is released.
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub rope: Rope,
    pub encoding: Encoding,
    pub analysis: Analysis,
    /// The settings generation the analysis was made with.
    pub generation: u64,
    /// The settings the analysis was made with (the configuration file's), for the
    /// features that compute effective values (hover, inlay hints).
    pub settings: Settings,
    /// The line starts of `text`, made on first use.
    line_starts: OnceLock<Vec<usize>>,
    /// The limits of the parse, for carrying it over to the next version.
    yaml: pipelint_yaml::Options,
}

impl Snapshot {
    pub fn lines(&self) -> Lines<'_> {
        let starts = self.line_starts.get_or_init(|| line_starts(&self.text));
        Lines::indexed(&self.rope, self.encoding, &self.text, starts)
    }
}

impl Document {
    pub fn new(uri: Uri, version: i32, text: &str) -> Self {
        let kind = other_kind(&uri, text);
        let is_pipeline = kind.is_some() || is_pipeline_name(file_name(&uri));
        Document {
            uri,
            version,
            rope: Rope::from_str(text),
            is_pipeline,
            kind,
            snapshot: None,
            kept: None,
            readable: None,
            rest: None,
            #[cfg(test)]
            full_parses: 0,
        }
    }

    /// Applies changes in order: a change without a range replaces the text, one with a
    /// range replaces that range (clamped to the text, in the negotiated encoding).
    ///
    /// The analysis of the previous version is taken out: when nothing else holds it and
    /// every change is one [`pipelint_yaml::edit`] takes, its parse is carried over
    /// to the new text; when one is not, a parse without a syntax error is kept as
    /// [`Document::readable`]. Returns what was not re-used.
    pub fn apply(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Stale {
        let (mut base, snapshot) = self.take_base();
        if self.rest.is_some() {
            self.rejoin_readable(base.take().map(|b| b.parsed));
        }
        let mut stale = Stale {
            snapshot,
            parse: None,
        };
        for change in changes {
            match change.range {
                None => {
                    base = None;
                    self.rope = Rope::from_str(&change.text);
                }
                Some(range) => {
                    let lines = Lines::new(&self.rope, encoding);
                    let a = lines.char_index(range.start);
                    let b = lines.char_index(range.end);
                    let (start, end) = (a.min(b), a.max(b));
                    if let Some(kept) = &mut base {
                        let span =
                            Span::new(self.rope.char_to_byte(start), self.rope.char_to_byte(end));
                        if edit(&mut kept.parsed, &kept.text, span, &change.text, &kept.yaml) {
                            kept.text.replace_range(span.range(), &change.text);
                        } else if let Some(refused) = base.take() {
                            // A parse that reads is kept in case the next text reads again.
                            stale.parse = if refused.parsed.stopped() {
                                Some(refused)
                            } else {
                                self.readable.replace(refused)
                            };
                        }
                    }
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                }
            }
        }
        self.version = version;
        if base.is_some() {
            // Carried over: the parse of this version reads.
            stale.parse = self.readable.take();
        }
        self.kept = base.map(|k| Kept { version, ..k });
        stale
    }

    /// The readable parse of an earlier version carried over to `text` (made with the
    /// settings of `generation`), when the change since is one edit that
    /// [`pipelint_yaml::edit`] takes (the readable parse is used up then), or one after
    /// which the text does not read that [`pipelint_yaml::edit_breaking`] takes (what the
    /// new parse does not take of the readable one is kept in [`Document::rest`]).
    fn carry_readable(&mut self, text: &str, generation: u64) -> Option<Parsed> {
        let mut old = self.readable.take()?;
        let mut carried = None;
        if old.generation == generation && self.rest.is_none() {
            let (range, inserted) = difference(&old.text, text);
            if edit(&mut old.parsed, &old.text, range, inserted, &old.yaml) {
                return Some(old.parsed);
            }
            let whole = std::mem::take(&mut old.parsed);
            match edit_breaking(whole, &old.text, range, inserted, &old.yaml) {
                Ok((broken, rest)) => {
                    self.rest = Some(rest);
                    carried = Some(broken);
                }
                Err(whole) => old.parsed = whole,
            }
        }
        self.readable = Some(old);
        carried
    }

    /// Makes the readable parse whole again after [`pipelint_yaml::edit_breaking`] took
    /// part of it, from the parse of the version it made (`broken`, taken back from that
    /// version's analysis). Without it (a request still holds the analysis), the readable
    /// parse is forgotten: the next versions are parsed whole.
    fn rejoin_readable(&mut self, broken: Option<Parsed>) {
        let Some(rest) = self.rest.take() else {
            return;
        };
        match (broken.and_then(|p| rejoin(p, rest)), &mut self.readable) {
            (Some(whole), Some(readable)) => readable.parsed = whole,
            _ => self.readable = None,
        }
    }

    /// The parse of the current text to carry over (from an earlier carry-over, or from
    /// the analysis when nothing else holds it), and the analysis when it is not used.
    fn take_base(&mut self) -> (Option<Kept>, Option<Arc<Snapshot>>) {
        if let Some(kept) = self.kept.take().filter(|k| k.version == self.version) {
            return (Some(kept), self.snapshot.take());
        }
        let Some(snap) = self.snapshot.take() else {
            return (None, None);
        };
        if snap.version != self.version {
            return (None, Some(snap));
        }
        match Arc::try_unwrap(snap) {
            Ok(snap) => (
                Some(Kept {
                    version: snap.version,
                    generation: snap.generation,
                    text: snap.text,
                    parsed: snap.analysis.parsed,
                    yaml: snap.yaml,
                }),
                None,
            ),
            Err(shared) => (None, Some(shared)),
        }
    }

    /// Forgets the analysis (the text or the settings changed, or it is evicted to save
    /// memory: it is made again when asked for). Returns it, for the caller to drop where
    /// the time it takes does not delay an answer.
    pub fn invalidate(&mut self) -> Stale {
        self.kept = None;
        self.rest = None;
        Stale {
            snapshot: self.snapshot.take(),
            parse: self.readable.take(),
        }
    }

    /// The size of the text the analysis was made of (0 without one).
    pub fn analysed_len(&self) -> usize {
        self.snapshot.as_ref().map_or(0, |s| s.text.len())
    }

    /// The snapshot of the current version, analysed with `opts` when there is none for
    /// `generation` yet. The second value is the message of a panic caught during the
    /// analysis (the snapshot then has an empty analysis).
    pub fn snapshot(
        &mut self,
        encoding: Encoding,
        generation: u64,
        opts: impl FnOnce() -> CheckOptions,
    ) -> (Arc<Snapshot>, Option<String>) {
        if let Some(s) = &self.snapshot
            && s.version == self.version
            && s.generation == generation
            && s.encoding == encoding
        {
            return (s.clone(), None);
        }
        // Analysed again (other settings or encoding) while the readable parse is in
        // part: made whole first, from the analysis it was taken for.
        if self.rest.is_some() {
            let broken = (self.snapshot.take())
                .filter(|s| s.version == self.version)
                .and_then(|s| Arc::try_unwrap(s).ok())
                .map(|s| s.analysis.parsed);
            self.rejoin_readable(broken);
        }
        let kept = self
            .kept
            .take()
            .filter(|k| k.version == self.version && k.generation == generation);
        let (text, parsed) = match kept {
            Some(k) => (k.text, Some(k.parsed)),
            None => {
                let text = self.rope.to_string();
                let parsed = self.carry_readable(&text, generation);
                (text, parsed)
            }
        };
        let (analysis, panic, settings, yaml) = if self.is_pipeline {
            let opts = opts();
            #[cfg(test)]
            {
                self.full_parses += usize::from(parsed.is_none());
            }
            let (analysis, panic) = match parsed {
                Some(parsed) => analyze_parsed(&text, parsed, &opts),
                None => analyze(&text, &opts),
            };
            (analysis, panic, opts.settings, opts.yaml)
        } else {
            let none = pipelint_yaml::Options::default();
            (empty_analysis(), None, Settings::default(), none)
        };
        let snap = Arc::new(Snapshot {
            uri: self.uri.clone(),
            version: self.version,
            text,
            rope: self.rope.clone(),
            encoding,
            analysis,
            generation,
            settings,
            line_starts: OnceLock::new(),
            yaml,
        });
        self.snapshot = Some(snap.clone());
        (snap, panic)
    }
}

/// The one edit that turns `old` into `new`: the bytes between their common start and
/// their common end (on character boundaries).
fn difference<'n>(old: &str, new: &'n str) -> (Span, &'n str) {
    let (o, n) = (old.as_bytes(), new.as_bytes());
    let mut start = common_start(o, n);
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let room = o.len().min(n.len()) - start;
    let mut same_end = common_end(&o[o.len() - room..], &n[n.len() - room..]);
    while !old.is_char_boundary(o.len() - same_end) || !new.is_char_boundary(n.len() - same_end) {
        same_end -= 1;
    }
    (
        Span::new(start, o.len() - same_end),
        &new[start..n.len() - same_end],
    )
}

/// How many bytes `a` and `b` have in common at their start: compared a block at a time
/// (a large file's texts differ by a keystroke), then byte by byte.
fn common_start(a: &[u8], b: &[u8]) -> usize {
    let blocks = (a.chunks_exact(BLOCK).zip(b.chunks_exact(BLOCK)))
        .take_while(|(x, y)| x == y)
        .count()
        * BLOCK;
    blocks
        + (a[blocks..].iter().zip(&b[blocks..]))
            .take_while(|(x, y)| x == y)
            .count()
}

/// How many bytes `a` and `b` have in common at their end, the same way.
fn common_end(a: &[u8], b: &[u8]) -> usize {
    let blocks = (a.rchunks_exact(BLOCK).zip(b.rchunks_exact(BLOCK)))
        .take_while(|(x, y)| x == y)
        .count()
        * BLOCK;
    let (a, b) = (&a[..a.len() - blocks], &b[..b.len() - blocks]);
    blocks
        + (a.iter().rev().zip(b.iter().rev()))
            .take_while(|(x, y)| x == y)
            .count()
}

/// The bytes [`common_start`] and [`common_end`] compare at a time.
const BLOCK: usize = 64;

fn empty_analysis() -> Analysis {
    Analysis {
        parsed: Parsed::default(),
        diagnostics: Vec::new(),
        followed: Vec::new(),
    }
}

/// Runs the check, catching a panic (reported by the caller, never fatal).
pub fn analyze(text: &str, opts: &CheckOptions) -> (Analysis, Option<String>) {
    caught(|| pipelint_core::check(text, opts))
}

/// [`analyze`] of a text whose parse is at hand.
fn analyze_parsed(text: &str, parsed: Parsed, opts: &CheckOptions) -> (Analysis, Option<String>) {
    caught(|| pipelint_core::check_parsed(text, parsed, opts))
}

/// The analysis `check` makes, or an empty one and the message of its panic.
fn caught(check: impl FnOnce() -> Analysis) -> (Analysis, Option<String>) {
    match catch_unwind(AssertUnwindSafe(check)) {
        Ok(a) => (a, None),
        Err(payload) => (empty_analysis(), Some(panic_message(payload.as_ref()))),
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use tower_lsp_server::ls_types::{Position, Range};

    fn uri(s: &str) -> Uri {
        Uri::from_str(s).expect("uri")
    }

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range
                .map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn names() {
        for yes in [
            "file:///r/bitbucket-pipelines.yml",
            "file:///r/bitbucket-pipelines.yaml",
            "file:///r/shared-pipelines.yml",
            "untitled:/x/my.bitbucket-pipelines.yml?x=1",
        ] {
            assert!(is_pipeline_name(file_name(&uri(yes))), "{yes}");
        }
        for no in [
            "file:///r/docker-compose.yml",
            "file:///r/pipelines.yml/x.yaml",
            "file:///r/a.yaml",
        ] {
            assert!(!is_pipeline_name(file_name(&uri(no))), "{no}");
        }
    }

    #[test]
    fn bamboo_specs_and_runner_setups() {
        let runner = "services:\n  r:\n    image: bitbucket-pipelines-runner\n";
        let kind = |u: &str, text: &str| Document::new(uri(u), 1, text).kind;
        assert_eq!(
            kind("file:///r/bamboo-specs/bamboo.yml", ""),
            Some(FileKind::BambooSpecs)
        );
        assert_eq!(
            kind("file:///r/docker-compose.yml", runner),
            Some(FileKind::RunnerCompose)
        );
        assert_eq!(
            kind("file:///r/start.sh", runner),
            Some(FileKind::RunnerScript)
        );
        assert_eq!(kind("file:///r/docker-compose.yml", "services: {}\n"), None);
        assert_eq!(kind("file:///r/bitbucket-pipelines.yml", runner), None);
        assert!(Document::new(uri("file:///r/start.sh"), 1, runner).is_pipeline);
        assert!(!Document::new(uri("file:///r/build.sh"), 1, "make\n").is_pipeline);
    }

    #[test]
    fn incremental_edits_in_utf16_and_utf8() {
        let start = "name: \"🚀 x\"\nsize: 1x\n";
        for (enc, col) in [(Encoding::Utf16, 10), (Encoding::Utf8, 12)] {
            let mut doc = Document::new(uri("file:///bitbucket-pipelines.yml"), 1, start);
            // Replace `x` (after the rocket) with `y`, then `1x` with `2x`, then insert a
            // line at the end and delete the first line.
            doc.apply(2, vec![change(Some(((0, col), (0, col + 1))), "y")], enc);
            doc.apply(
                3,
                vec![
                    change(Some(((1, 6), (1, 7))), "2"),
                    change(Some(((2, 0), (2, 0))), "clone: {depth: 1}\n"),
                ],
                enc,
            );
            assert_eq!(
                doc.rope.to_string(),
                "name: \"🚀 y\"\nsize: 2x\nclone: {depth: 1}\n"
            );
            doc.apply(4, vec![change(Some(((0, 0), (1, 0))), "")], enc);
            assert_eq!(doc.rope.to_string(), "size: 2x\nclone: {depth: 1}\n");
            assert_eq!(doc.version, 4);
        }
    }

    #[test]
    fn edits_out_of_range_are_clamped_and_full_sync_replaces() {
        let mut doc = Document::new(uri("file:///bitbucket-pipelines.yml"), 1, "a\nb");
        doc.apply(
            2,
            vec![change(Some(((7, 3), (9, 9))), "!")],
            Encoding::Utf16,
        );
        assert_eq!(doc.rope.to_string(), "a\nb!");
        // A reversed range is read the other way round.
        doc.apply(
            3,
            vec![change(Some(((1, 1), (0, 1))), "-")],
            Encoding::Utf16,
        );
        assert_eq!(doc.rope.to_string(), "a-!");
        doc.apply(4, vec![change(None, "new")], Encoding::Utf16);
        assert_eq!(doc.version, 4);
        assert_eq!(doc.rope.to_string(), "new");
    }

    #[test]
    fn typing_carries_the_parse_over() {
        let text = "pipelines:\n  default:\n    - step:\n        name: Build 🚀\n        image: node:20\n        script:\n          - make\n          - make test # all\n";
        let name = uri("file:///r/bitbucket-pipelines.yml");
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            let mut doc = Document::new(name.clone(), 1, text);
            let (first, _) = doc.snapshot(enc, 0, CheckOptions::default);
            drop(first);
            // `make` -> `makex` (line 6), then, in one message, `make test` -> `make tests`
            // and `node:20` -> `node:2` (a colon before a digit stays in the value).
            doc.apply(2, vec![change(Some(((6, 16), (6, 16))), "x")], enc);
            assert!(doc.kept.is_some(), "the parse was carried over");
            doc.apply(
                3,
                vec![
                    change(Some(((7, 21), (7, 21))), "s"),
                    change(Some(((4, 21), (4, 22))), ""),
                ],
                enc,
            );
            assert!(doc.kept.is_some(), "and over a second change");
            // Changes to the structure: the key `image` -> `imagex` (an unknown key now), a
            // new line with `size: 2x` after it, and `makex` -> `makex: y`.
            doc.apply(
                4,
                vec![
                    change(Some(((4, 13), (4, 13))), "x"),
                    change(Some(((4, 22), (4, 22))), "\n        size: 2x"),
                    change(Some(((8, 17), (8, 17))), ": y"),
                ],
                enc,
            );
            assert!(doc.kept.is_some(), "and over changes to the structure");
            let (kept, _) = doc.snapshot(enc, 0, CheckOptions::default);
            let new = doc.rope.to_string();
            assert_eq!(kept.text, new);
            assert!(new.contains("imagex: node:2\n        size: 2x\n"), "{new}");
            let mut fresh = Document::new(name.clone(), 4, &new);
            let (fresh, _) = fresh.snapshot(enc, 0, CheckOptions::default);
            assert!(kept.analysis.parsed == fresh.analysis.parsed);
            assert_eq!(kept.analysis.diagnostics, fresh.analysis.diagnostics);
            assert!(
                (kept.analysis.diagnostics.iter()).any(|d| d.rule == "schema/unknown-key"),
                "{:?}",
                kept.analysis.diagnostics
            );
            // An anchor is not carried over (its aliases would need the new node); nor is
            // a change while a request still holds the analysis.
            doc.apply(5, vec![change(Some(((8, 12), (8, 12))), "&a ")], enc);
            assert!(doc.kept.is_none());
            let (held, _) = doc.snapshot(enc, 0, CheckOptions::default);
            let stale = doc.apply(6, vec![change(Some(((8, 16), (8, 16))), "z")], enc);
            assert!(doc.kept.is_none() && stale.snapshot().is_some_and(|s| Arc::ptr_eq(s, &held)));
        }
    }

    #[test]
    fn typing_a_new_key_carries_the_last_readable_parse_over() {
        let text = "pipelines:\n  default:\n    - step:\n        name: Build\n        script:\n          - make\n";
        let name = uri("file:///r/bitbucket-pipelines.yml");
        let enc = Encoding::Utf16;
        let mut doc = Document::new(name.clone(), 1, text);
        drop(doc.snapshot(enc, 0, CheckOptions::default));
        // A new line after the name, then `size: 2x` letter by letter, each version
        // analysed as an editor would ask: `s` to `size` do not read (no colon yet).
        doc.apply(2, vec![change(Some(((3, 19), (3, 19))), "\n        ")], enc);
        drop(doc.snapshot(enc, 0, CheckOptions::default));
        for (i, c) in "size: 2x".char_indices() {
            let at = (4, 8 + i as u32);
            doc.apply(
                3 + i as i32,
                vec![change(Some((at, at)), &c.to_string())],
                enc,
            );
            let (snap, _) = doc.snapshot(enc, 0, CheckOptions::default);
            let reads = !snap
                .analysis
                .diagnostics
                .iter()
                .any(|d| d.rule == "yaml/syntax");
            assert_eq!(reads, i >= 4, "after {:?}", &"size: 2x"[..=i]);
            // Each version, read or not, is carried over, and is what a fresh analysis of
            // its text gives.
            assert_eq!(doc.full_parses, 1, "after {:?}", &"size: 2x"[..=i]);
            let mut fresh = Document::new(name.clone(), 1, &doc.rope.to_string());
            let (fresh, _) = fresh.snapshot(enc, 0, CheckOptions::default);
            assert!(snap.analysis.parsed == fresh.analysis.parsed);
            assert_eq!(snap.analysis.diagnostics, fresh.analysis.diagnostics);
            // Kept while the text does not read; used up once it does.
            assert_eq!(
                doc.readable.is_some(),
                !reads,
                "after {:?}",
                &"size: 2x"[..=i]
            );
            drop(snap);
        }
        let (snap, _) = doc.snapshot(enc, 0, CheckOptions::default);
        let new = doc.rope.to_string();
        assert!(new.contains("name: Build\n        size: 2x\n"), "{new}");
        let mut fresh = Document::new(name.clone(), 1, &new);
        let (fresh, _) = fresh.snapshot(enc, 0, CheckOptions::default);
        assert!(snap.analysis.parsed == fresh.analysis.parsed);
        assert_eq!(snap.analysis.diagnostics, fresh.analysis.diagnostics);
        drop(snap);

        // Another key, `image`, while a request holds the analysis of `i`: the readable
        // parse cannot be made whole without it and is forgotten, so the versions from
        // `im` to the colon are parsed whole. Each is what a fresh analysis gives.
        doc.apply(
            20,
            vec![change(Some(((4, 16), (4, 16))), "\n        ")],
            enc,
        );
        drop(doc.snapshot(enc, 0, CheckOptions::default));
        let mut held = None;
        for (i, c) in "image: x".char_indices() {
            let at = (5, 8 + i as u32);
            let parses = doc.full_parses;
            doc.apply(
                21 + i as i32,
                vec![change(Some((at, at)), &c.to_string())],
                enc,
            );
            let (snap, _) = doc.snapshot(enc, 0, CheckOptions::default);
            let whole = doc.full_parses > parses;
            assert_eq!(whole, (1..=5).contains(&i), "after {:?}", &"image: x"[..=i]);
            let mut fresh = Document::new(name.clone(), 1, &doc.rope.to_string());
            let (fresh, _) = fresh.snapshot(enc, 0, CheckOptions::default);
            assert!(snap.analysis.parsed == fresh.analysis.parsed);
            assert_eq!(snap.analysis.diagnostics, fresh.analysis.diagnostics);
            if i == 0 {
                held = Some(snap);
            }
        }
        drop(held);
    }

    #[test]
    fn the_difference_of_two_texts_is_one_edit() {
        let d = |a: &str, b: &str| {
            let (span, inserted) = difference(a, b);
            (span.start, span.end, inserted.to_owned())
        };
        assert_eq!(d("abc", "abc"), (3, 3, String::new()));
        // Long texts, compared a block at a time: a difference anywhere, at the ends too.
        let long: String = (0..300)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        for at in [0, 1, 63, 64, 65, 150, 235, 236, 299, 300] {
            let new = [&long[..at], "XY", &long[at..]].concat();
            assert_eq!(d(&long, &new), (at, at, "XY".to_owned()), "insert at {at}");
            if at < 300 {
                let gone = [&long[..at], &long[at + 1..]].concat();
                let (a, b, ins) = d(&long, &gone);
                assert_eq!((b - a, ins.as_str()), (1, ""), "remove at {at}");
                assert_eq!([&long[..a], &long[b..]].concat(), gone);
            }
        }
        assert_eq!(d("a: 1\n", "a: 1\nb: 2\n"), (5, 5, "b: 2\n".to_owned()));
        assert_eq!(d("xaay", "xay"), (2, 3, String::new()));
        assert_eq!(d("", "new"), (0, 0, "new".to_owned()));
        // Never inside a character: `é` and `è` share their first byte.
        assert_eq!(d("café", "cafè"), (3, 5, "è".to_owned()));
    }

    #[test]
    fn snapshot_is_cached_per_version_and_generation() {
        let mut doc = Document::new(
            uri("file:///bitbucket-pipelines.yml"),
            1,
            "pipelines:\n  default:\n    - step: {script: [x]}\n",
        );
        let (a, _) = doc.snapshot(Encoding::Utf16, 0, CheckOptions::default);
        let (b, _) = doc.snapshot(Encoding::Utf16, 0, CheckOptions::default);
        assert!(Arc::ptr_eq(&a, &b));
        let (c, _) = doc.snapshot(Encoding::Utf16, 1, CheckOptions::default);
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(c.analysis.parsed.root().is_some());
    }
}
