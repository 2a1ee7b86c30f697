//! A small shell reader for the rules that look at `script` commands.
//!
//! It splits a script into simple commands and words the way a POSIX shell would for the
//! purpose of recognising commands: quotes (`'...'`, `"..."`), backslash escapes and line
//! continuations, command separators (`;`, `&&`, `||`, `|`, `&`, newlines, subshell
//! parentheses), comments, and command substitutions (`$(...)`, backticks), whose inner
//! commands are read as commands too. Wrappers are looked through: `sudo`, `env`, `time`,
//! `command`, `exec`, `nohup`, leading `VAR=value` assignments, and the script of `eval`,
//! `sh -c` and `bash -c`. So `echo "docker run --privileged"` is an `echo`, and
//! `sudo docker run --privileged` is a `docker run`.
//!
//! It does not expand variables, globs or aliases; it is a reader, not an interpreter.

use std::borrow::Cow;

/// A word with its place in the script text (byte offsets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word with quotes and escapes removed: a slice of the script when the word is
    /// written in one piece (`docker`, `'a b'`), its own string when pieces were joined
    /// (`a"b"`) or an escape removed. Most words are the former, and reading a script
    /// then allocates little.
    pub text: Cow<'a, str>,
    pub start: usize,
    pub end: usize,
}

impl<'a> Word<'a> {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Adds a piece of the word: borrowed while it is the only piece.
    fn push_piece(&mut self, piece: &'a str) {
        if self.text.is_empty() {
            self.text = Cow::Borrowed(piece);
        } else {
            self.text.to_mut().push_str(piece);
        }
    }
}

/// One simple command: a program and its arguments.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Command<'a> {
    pub words: Vec<Word<'a>>,
}

impl<'a> Command<'a> {
    /// The command with every word owning its text, free of the script it was read from.
    fn into_owned(self) -> Command<'static> {
        Command {
            words: self
                .words
                .into_iter()
                .map(|w| Word {
                    text: Cow::Owned(w.text.into_owned()),
                    start: w.start,
                    end: w.end,
                })
                .collect(),
        }
    }

    /// The program name (basename of the first word).
    pub fn program(&self) -> Option<&str> {
        self.words.first().map(|w| basename(&w.text))
    }

    pub fn args(&self) -> &[Word<'a>] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// Whether the command is `program` followed by these leading non-option words: e.g.
    /// `is(&["docker", "buildx"])`. Options before a subcommand are skipped
    /// (`docker --debug run`).
    pub fn is(&self, path: &[&str]) -> bool {
        let Some((first, rest)) = path.split_first() else {
            return false;
        };
        if self.program() != Some(first) {
            return false;
        }
        let mut words = self.args().iter().filter(|w| !w.text.starts_with('-'));
        rest.iter()
            .all(|want| words.next().is_some_and(|w| w.text == *want))
    }

    /// The first argument equal to `flag` or starting with `flag=`.
    pub fn flag(&self, flag: &str) -> Option<&Word<'a>> {
        self.args().iter().find(|w| {
            w.text == flag
                || w.text
                    .strip_prefix(flag)
                    .is_some_and(|rest| rest.starts_with('='))
        })
    }
}

/// Splits a script into its simple commands, looking through wrappers and substitutions.
pub fn commands(script: &str) -> Vec<Command<'_>> {
    let mut out = Vec::new();
    read(script, 0, &mut out, 0);
    out
}

/// Every word of the script as it is written, command by command: assignments
/// (`TAG=$BITBUCKET_TAG`) and wrappers (`sudo`, `env`) included, and the words of command
/// substitutions after them. Unlike [`commands`], nothing is looked through: the script of
/// `bash -c '...'` stays one word.
pub fn words(script: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    read_words(script, 0, &mut out, 0);
    out
}

fn read_words<'a>(script: &'a str, base: usize, out: &mut Vec<Word<'a>>, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
    let mut reader = Reader {
        src: script,
        bytes: script.as_bytes(),
        i: 0,
        base,
        depth,
        subs: Vec::new(),
    };
    for cmd in reader.run() {
        out.extend(cmd.words);
    }
    for (text, offset) in std::mem::take(&mut reader.subs) {
        read_words(text, offset, out, depth + 1);
    }
}

const MAX_NESTING: usize = 16;

fn read<'a>(script: &'a str, base: usize, out: &mut Vec<Command<'a>>, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
    let mut reader = Reader {
        src: script,
        bytes: script.as_bytes(),
        i: 0,
        base,
        depth,
        subs: Vec::new(),
    };
    let raw = reader.run();
    let subs = std::mem::take(&mut reader.subs);
    for cmd in raw {
        unwrap_command(cmd, out, depth);
    }
    for (text, offset) in subs {
        read(text, offset, out, depth + 1);
    }
}

/// [`read`] for a script made here (the words of `eval` joined, a quoted `sh -c` script
/// whose quotes were removed): its commands own their words.
fn read_detached(script: &str, base: usize, out: &mut Vec<Command<'_>>, depth: usize) {
    let mut inner = Vec::new();
    read(script, base, &mut inner, depth);
    out.extend(inner.into_iter().map(|c| c.into_owned()));
}

/// The programs [`unwrap_command`] treats specially.
const LOOKED_THROUGH: &[&str] = &[
    "command", "if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "sudo", "time",
    "exec", "nohup", "env", "eval", "sh", "bash", "zsh", "dash", "ash",
];

/// Looks through wrappers; `eval`, `sh -c` and `bash -c` scripts are read as commands.
fn unwrap_command<'a>(mut cmd: Command<'a>, out: &mut Vec<Command<'a>>, depth: usize) {
    loop {
        let Some(first) = cmd.words.first() else {
            return;
        };
        if is_assignment(&first.text) {
            cmd.words.remove(0);
            continue;
        }
        // The names below, as a `&'static str` so that `cmd` can change while matching.
        let program = basename(&first.text);
        let Some(name) = LOOKED_THROUGH.iter().copied().find(|n| *n == program) else {
            out.push(cmd);
            return;
        };
        match name {
            // `command -v docker` and `type docker` look a program up; they run nothing.
            "command"
                if cmd
                    .words
                    .get(1)
                    .is_some_and(|w| matches!(w.as_str(), "-v" | "-V")) =>
            {
                out.push(cmd);
                return;
            }
            // Reserved words before a command: `if docker ps`, `then docker build`, `! cmd`.
            "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "{" | "}" => {
                cmd.words.remove(0);
            }
            "sudo" | "time" | "command" | "exec" | "nohup" | "env" => {
                cmd.words.remove(0);
                // Their options (`sudo -E`, `env -i`) and env's assignments.
                while cmd.words.first().is_some_and(|w| {
                    w.text.starts_with('-') || (name == "env" && is_assignment(&w.text))
                }) {
                    let opt = cmd.words.remove(0);
                    // `sudo -u user`: the option's value.
                    if name == "sudo"
                        && matches!(opt.as_str(), "-u" | "-g" | "-C" | "-D")
                        && !cmd.words.is_empty()
                    {
                        cmd.words.remove(0);
                    }
                }
            }
            "eval" => {
                if let Some(first_arg) = cmd.words.get(1) {
                    let text: Vec<&str> = cmd.words[1..].iter().map(Word::as_str).collect();
                    read_detached(&text.join(" "), first_arg.start, out, depth + 1);
                }
                return;
            }
            "sh" | "bash" | "zsh" | "dash" | "ash" => {
                if let Some(pos) = cmd.words.iter().position(|w| {
                    w.text == "-c"
                        || (w.text.starts_with('-')
                            && !w.text.starts_with("--")
                            && w.text.ends_with('c'))
                }) && let Some(script) = cmd.words.get(pos + 1)
                {
                    match script.text {
                        Cow::Borrowed(text) => read(text, script.start, out, depth + 1),
                        Cow::Owned(ref text) => read_detached(text, script.start, out, depth + 1),
                    }
                    return;
                }
                out.push(cmd);
                return;
            }
            _ => {
                out.push(cmd);
                return;
            }
        }
    }
}

/// The part of a path after its last `/`. Program names are short, so a plain scan from
/// the end beats `rsplit`'s searcher, which showed up in profiles: every rule that looks
/// at commands asks for the program name of each.
pub fn basename(path: &str) -> &str {
    match path.bytes().rposition(|b| b == b'/') {
        Some(slash) => &path[slash + 1..],
        None => path,
    }
}

fn is_assignment(word: &str) -> bool {
    // `NAME=...`: a name (a letter or `_`, then letters, digits or `_`), then `=`. One
    // pass over the bytes; most words fail on their first or second byte.
    let bytes = word.as_bytes();
    if !bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return false;
    }
    for b in &bytes[1..] {
        match b {
            b'=' => return true,
            b if b.is_ascii_alphanumeric() || *b == b'_' => {}
            _ => return false,
        }
    }
    false
}

struct Reader<'a> {
    src: &'a str,
    bytes: &'a [u8],
    i: usize,
    base: usize,
    depth: usize,
    /// Command substitutions found, with their offsets, read after the main text.
    subs: Vec<(&'a str, usize)>,
}

impl<'a> Reader<'a> {
    fn run(&mut self) -> Vec<Command<'a>> {
        let mut commands = Vec::new();
        let mut current = Command::default();
        let mut word: Option<Word<'a>> = None;
        let end_word = |word: &mut Option<Word<'a>>, current: &mut Command<'a>| {
            if let Some(w) = word.take() {
                current.words.push(w);
            }
        };
        while self.i < self.bytes.len() {
            let c = self.bytes[self.i];
            match c {
                b' ' | b'\t' | b'\r' => {
                    end_word(&mut word, &mut current);
                    self.i += 1;
                }
                b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                    end_word(&mut word, &mut current);
                    if !current.words.is_empty() {
                        commands.push(std::mem::take(&mut current));
                    }
                    self.i += 1;
                }
                b'\\' if word.is_none() && self.bytes.get(self.i + 1) == Some(&b'\n') => {
                    // A line continuation between words.
                    self.i += 2;
                }
                b'#' if word.is_none() => {
                    while self.i < self.bytes.len() && self.bytes[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                _ => {
                    let w = word.get_or_insert_with(|| Word {
                        text: Cow::Borrowed(""),
                        start: self.base + self.i,
                        end: self.base + self.i,
                    });
                    self.word_part(w);
                    w.end = self.base + self.i;
                }
            }
        }
        end_word(&mut word, &mut current);
        if !current.words.is_empty() {
            commands.push(current);
        }
        commands
    }

    /// Reads one piece of a word (a quoted run, an escape, a substitution or a character).
    fn word_part(&mut self, w: &mut Word<'a>) {
        let c = self.bytes[self.i];
        match c {
            b'\\' => {
                match self.bytes.get(self.i + 1) {
                    Some(b'\n') => {}
                    Some(_) => {
                        let ch = self.char_at(self.i + 1);
                        w.text.to_mut().push(ch);
                        self.i += ch.len_utf8();
                    }
                    None => {}
                }
                self.i += if self.bytes.get(self.i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            b'\'' => {
                let start = self.i + 1;
                let end = self.src[start..]
                    .find('\'')
                    .map_or(self.bytes.len(), |e| start + e);
                w.push_piece(&self.src[start..end]);
                self.i = (end + 1).min(self.bytes.len());
            }
            b'"' => {
                self.i += 1;
                while self.i < self.bytes.len() && self.bytes[self.i] != b'"' {
                    match self.bytes[self.i] {
                        b'\\'
                            if matches!(
                                self.bytes.get(self.i + 1),
                                Some(b'"' | b'\\' | b'$' | b'`')
                            ) =>
                        {
                            w.text.to_mut().push(self.bytes[self.i + 1] as char);
                            self.i += 2;
                        }
                        b'\\' if self.bytes.get(self.i + 1) == Some(&b'\n') => self.i += 2,
                        b'$' if self.bytes.get(self.i + 1) == Some(&b'(') => self.substitution(w),
                        b'`' => self.backtick(w),
                        // A run of plain text, up to the next byte that means something
                        // here (all ASCII, so the run ends on a character boundary).
                        _ => self.plain_run(w, |b| matches!(b, b'"' | b'\\' | b'$' | b'`')),
                    }
                }
                self.i = (self.i + 1).min(self.bytes.len());
            }
            b'$' if self.bytes.get(self.i + 1) == Some(&b'(') => self.substitution(w),
            b'`' => self.backtick(w),
            _ => self.plain_run(w, |b| {
                matches!(
                    b,
                    b' ' | b'\t'
                        | b'\r'
                        | b'\n'
                        | b';'
                        | b'&'
                        | b'|'
                        | b'('
                        | b')'
                        | b'\\'
                        | b'\''
                        | b'"'
                        | b'$'
                        | b'`'
                )
            }),
        }
    }

    /// Adds the text from the current byte (always taken) up to the next byte for which
    /// `stop` holds, or the end. `stop` must only hold for ASCII bytes, so that the run
    /// ends on a character boundary.
    fn plain_run(&mut self, w: &mut Word<'a>, stop: impl Fn(u8) -> bool) {
        let start = self.i;
        let mut j = start + self.char_at(start).len_utf8();
        while j < self.bytes.len() && !stop(self.bytes[j]) {
            j += 1;
        }
        w.push_piece(&self.src[start..j]);
        self.i = j;
    }

    fn char_at(&self, i: usize) -> char {
        self.src[i..].chars().next().unwrap_or(' ')
    }

    /// `$(...)`: kept in the word as written, its inside read as commands later.
    fn substitution(&mut self, w: &mut Word<'a>) {
        let start = self.i;
        let inner_start = self.i + 2;
        let mut depth = 1;
        let mut j = inner_start;
        let mut quote: Option<u8> = None;
        while j < self.bytes.len() {
            let b = self.bytes[j];
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), b'\\') => j += 1,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => quote = Some(b),
                (None, b'\\') => j += 1,
                (None, b'(') => depth += 1,
                (None, b')') => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let inner_end = j.min(self.bytes.len());
        if self.depth < MAX_NESTING {
            self.subs
                .push((&self.src[inner_start..inner_end], self.base + inner_start));
        }
        self.i = (inner_end + 1).min(self.bytes.len());
        w.push_piece(&self.src[start..self.i]);
    }

    fn backtick(&mut self, w: &mut Word<'a>) {
        let start = self.i;
        let inner_start = self.i + 1;
        let inner_end = self.src[inner_start..]
            .find('`')
            .map_or(self.bytes.len(), |e| inner_start + e);
        if self.depth < MAX_NESTING {
            self.subs
                .push((&self.src[inner_start..inner_end], self.base + inner_start));
        }
        self.i = (inner_end + 1).min(self.bytes.len());
        w.push_piece(&self.src[start..self.i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(script: &str) -> Vec<String> {
        commands(script)
            .iter()
            .map(|c| {
                c.words
                    .iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn echo_of_a_command_is_not_the_command() {
        let cmds = commands("echo \"docker run --privileged\"");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].program(), Some("echo"));
        assert!(!cmds[0].is(&["docker", "run"]));
    }

    #[test]
    fn wrappers_are_looked_through() {
        let cmds = commands("sudo -E docker run --privileged img");
        assert!(cmds[0].is(&["docker", "run"]));
        assert!(cmds[0].flag("--privileged").is_some());
        let cmds = commands("FOO=1 env BAR=2 time /usr/bin/docker buildx build .");
        assert!(cmds[0].is(&["docker", "buildx", "build"]));
        let cmds = commands("bash -c 'docker run --privileged x'");
        assert!(cmds[0].is(&["docker", "run"]));
        let cmds = commands("eval \"aws ecr get-login --no-include-email\"");
        assert!(cmds[0].is(&["aws", "ecr", "get-login"]));
    }

    #[test]
    fn separators_and_substitutions() {
        assert_eq!(
            programs("a 1 && b 2 || c; d | e & f\ng"),
            ["a 1", "b 2", "c", "d", "e", "f", "g"]
        );
        let cmds = commands("$(aws ecr get-login --no-include-email --region x)");
        assert!(cmds.iter().any(|c| c.is(&["aws", "ecr", "get-login"])));
        let cmds = commands("echo \"$(docker version)\" `docker ps`");
        assert!(cmds.iter().any(|c| c.is(&["docker", "version"])));
        assert!(cmds.iter().any(|c| c.is(&["docker", "ps"])));
    }

    #[test]
    fn quotes_escapes_and_continuations() {
        assert_eq!(
            programs("echo 'a b' \"c \\\"d\\\"\" e\\ f"),
            ["echo a b c \"d\" e f"]
        );
        assert_eq!(
            programs("docker build \\\n  --platform linux/arm64 ."),
            ["docker build --platform linux/arm64 ."]
        );
        assert_eq!(programs("echo hi # docker run --privileged"), ["echo hi"]);
    }

    #[test]
    fn words_written_in_one_piece_borrow_the_script() {
        let ws = words("docker 'a b' x\"y\" \\z");
        let borrowed: Vec<bool> = ws
            .iter()
            .map(|w| matches!(w.text, Cow::Borrowed(_)))
            .collect();
        assert_eq!(borrowed, [true, true, false, false]);
        let texts: Vec<&str> = ws.iter().map(Word::as_str).collect();
        assert_eq!(texts, ["docker", "a b", "xy", "z"]);
    }

    #[test]
    fn words_know_their_offsets() {
        let script = "docker run --privileged x";
        let cmds = commands(script);
        let flag = cmds[0].flag("--privileged").expect("flag");
        assert_eq!(&script[flag.start..flag.end], "--privileged");
        let script = "echo $(sudo docker run --privileged x)";
        let cmds = commands(script);
        let run = cmds.iter().find(|c| c.is(&["docker", "run"])).expect("run");
        let flag = run.flag("--privileged").expect("flag");
        assert_eq!(&script[flag.start..flag.end], "--privileged");
    }

    #[test]
    fn lookups_and_reserved_words() {
        let cmds = commands("command -v docker || apt-get install -y docker.io");
        assert_eq!(cmds[0].program(), Some("command"));
        assert!(!cmds[0].is(&["docker"]));
        let cmds = commands("if docker info; then docker build -t x .; fi");
        assert!(cmds[0].is(&["docker", "info"]));
        assert!(cmds.iter().any(|c| c.is(&["docker", "build"])));
        let cmds = commands("for f in a b; do docker push \"$f\"; done");
        assert!(cmds.iter().any(|c| c.is(&["docker", "push"])));
    }

    #[test]
    fn flags_with_values() {
        let cmds = commands("docker run --privileged=true x");
        assert!(cmds[0].flag("--privileged").is_some());
        assert!(cmds[0].flag("--priv").is_none());
    }

    #[test]
    fn words_keep_assignments_and_substitutions() {
        let script = "TAG=$BITBUCKET_TAG; sudo env X=1 make \"$(echo ${V:-x})\" # $NOT";
        let texts: Vec<String> = words(script)
            .into_iter()
            .map(|w| w.text.into_owned())
            .collect();
        assert_eq!(
            texts,
            [
                "TAG=$BITBUCKET_TAG",
                "sudo",
                "env",
                "X=1",
                "make",
                "$(echo ${V:-x})",
                "echo",
                "${V:-x}"
            ]
        );
        for w in words(script) {
            assert!(
                script[w.start..w.end].contains(w.text.trim_matches('"')),
                "{w:?}"
            );
        }
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for s in [
            "echo 'x", "echo \"x", "$(a", "`a", "a \\", "\"$(\"", "é'ü", "$((1+2))",
        ] {
            let _ = commands(s);
            let _ = words(s);
        }
    }
}
