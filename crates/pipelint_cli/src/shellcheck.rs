//! Runs the `shellcheck` program for `script/shellcheck`: the [`ShellChecker`] that core
//! asks (core itself runs nothing).
//!
//! Bounded: one process per job (a step's script), at most as many at once as the machine
//! has cores (across all the files that `pipelint check` checks at once on its threads),
//! each with a time limit after which it is killed. Standard input is written
//! and standard output and error are read on threads of their own, so a large script or a
//! long answer cannot deadlock on a full pipe. Answers are cached by the job's content
//! (text, dialect, excluded codes), so the language server, which checks a document on
//! every change, starts a process only for a script that changed.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use pipelint_core::shellcheck::{ScriptJob, ShellChecker, ShellFinding};

/// How long one shellcheck run may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Cached answers kept at most (the cache is emptied when it grows past this).
const MAX_CACHED: usize = 4096;

/// Runs a `shellcheck` binary.
pub struct ProcessChecker {
    program: PathBuf,
    timeout: Duration,
    parallel: usize,
    /// Processes running now, over every caller: at most `parallel`.
    running: Mutex<usize>,
    finished: Condvar,
    cache: Mutex<HashMap<ScriptJob, Vec<ShellFinding>>>,
    errors: Mutex<Vec<String>>,
    runs: AtomicUsize,
}

impl ProcessChecker {
    /// The checker for the program the `shellcheck-path` setting names, or `shellcheck` on
    /// `PATH`. `Err` says, in a user's words, why there is none.
    pub fn find(setting: Option<&str>) -> Result<ProcessChecker, String> {
        let program = match setting {
            Some(p) => {
                let path = PathBuf::from(p);
                if !path.is_file() {
                    return Err(format!(
                        "`shellcheck-path` names `{p}`, which is not a file; script/shellcheck is skipped"
                    ));
                }
                path
            }
            None => on_path("shellcheck").ok_or_else(|| {
                "`shellcheck` was not found on PATH; script/shellcheck is skipped (install \
                 it, or set `shellcheck-path` under [settings] in pipelint.toml)"
                    .to_owned()
            })?,
        };
        let parallel = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(ProcessChecker::new(program, parallel, DEFAULT_TIMEOUT))
    }

    pub fn new(program: PathBuf, parallel: usize, timeout: Duration) -> ProcessChecker {
        ProcessChecker {
            program,
            timeout,
            parallel: parallel.max(1),
            running: Mutex::new(0),
            finished: Condvar::new(),
            cache: Mutex::new(HashMap::new()),
            errors: Mutex::new(Vec::new()),
            runs: AtomicUsize::new(0),
        }
    }

    /// The problems met since the last call (a run that timed out, crashed or answered
    /// something unreadable), each once.
    pub fn take_errors(&self) -> Vec<String> {
        let mut errors = self
            .errors
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default();
        errors.dedup();
        errors
    }

    /// How many processes have been started (for tests of the cache).
    pub fn runs(&self) -> usize {
        self.runs.load(Ordering::Relaxed)
    }

    fn cached(&self, job: &ScriptJob) -> Option<Vec<ShellFinding>> {
        self.cache.lock().ok()?.get(job).cloned()
    }

    fn remember(&self, job: &ScriptJob, findings: &[ShellFinding]) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(job.clone(), findings.to_vec());
        }
    }

    fn run(&self, job: &ScriptJob) -> Result<Vec<ShellFinding>, String> {
        let _slot = self.slot();
        self.runs.fetch_add(1, Ordering::Relaxed);
        run_shellcheck(&self.program, job, self.timeout)
    }

    /// Waits until fewer than `parallel` processes run, and counts one more until the
    /// returned guard is dropped.
    fn slot(&self) -> Slot<'_> {
        if let Ok(mut running) = self.running.lock() {
            while *running >= self.parallel {
                match self.finished.wait(running) {
                    Ok(r) => running = r,
                    Err(_) => return Slot(self),
                }
            }
            *running += 1;
        }
        Slot(self)
    }
}

/// One of the `parallel` places for a running process; dropping it frees the place.
struct Slot<'a>(&'a ProcessChecker);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.0.running.lock() {
            *running = running.saturating_sub(1);
        }
        self.0.finished.notify_one();
    }
}

impl ShellChecker for ProcessChecker {
    fn check(&self, jobs: &[ScriptJob]) -> Vec<Vec<ShellFinding>> {
        let mut results: Vec<Option<Vec<ShellFinding>>> =
            jobs.iter().map(|j| self.cached(j)).collect();
        let todo: Vec<usize> = (0..jobs.len()).filter(|&i| results[i].is_none()).collect();
        if !todo.is_empty() {
            let next = AtomicUsize::new(0);
            let answers: Mutex<Vec<(usize, Vec<ShellFinding>)>> = Mutex::new(Vec::new());
            let workers = self.parallel.min(todo.len());
            std::thread::scope(|scope| {
                for _ in 0..workers {
                    scope.spawn(|| {
                        loop {
                            let k = next.fetch_add(1, Ordering::Relaxed);
                            let Some(&i) = todo.get(k) else { break };
                            match self.run(&jobs[i]) {
                                Ok(found) => {
                                    self.remember(&jobs[i], &found);
                                    if let Ok(mut a) = answers.lock() {
                                        a.push((i, found));
                                    }
                                }
                                Err(e) => {
                                    if let Ok(mut errors) = self.errors.lock() {
                                        errors.push(e);
                                    }
                                }
                            }
                        }
                    });
                }
            });
            for (i, found) in answers.into_inner().unwrap_or_default() {
                results[i] = Some(found);
            }
        }
        results.into_iter().map(Option::unwrap_or_default).collect()
    }
}

/// The checkers of one `pipelint check` run, one per `shellcheck-path` setting met, found
/// once each. When none is found, the run says so once on standard error (the caller
/// prints the line [`Checkers::take_note`] gives, where it belongs among its output).
#[derive(Default)]
pub struct Checkers {
    found: HashMap<Option<String>, Option<std::sync::Arc<ProcessChecker>>>,
    told: bool,
    note: Option<String>,
}

impl Checkers {
    /// The checker for a `shellcheck-path` setting; `None` (and, the first time, a note
    /// for standard error) when there is no program to run.
    pub fn get(&mut self, setting: Option<&str>) -> Option<std::sync::Arc<ProcessChecker>> {
        let key = setting.map(str::to_owned);
        if let Some(found) = self.found.get(&key) {
            return found.clone();
        }
        let found = match ProcessChecker::find(setting) {
            Ok(c) => Some(std::sync::Arc::new(c)),
            Err(message) => {
                if !self.told {
                    self.note = Some(format!("pipelint: info: {message}"));
                    self.told = true;
                }
                None
            }
        };
        self.found.insert(key, found.clone());
        found
    }

    /// The line for standard error that the last [`Checkers::get`] left, once.
    pub fn take_note(&mut self) -> Option<String> {
        self.note.take()
    }

    /// Prints the problems the checkers met (timeouts, crashes), each once.
    pub fn report_errors(&self) {
        let mut all: Vec<String> = self
            .found
            .values()
            .flatten()
            .flat_map(|c| c.take_errors())
            .collect();
        all.sort();
        all.dedup();
        for e in all {
            eprintln!("pipelint: warning: {e}");
        }
    }
}

/// The first `name` in the directories of `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// One shellcheck run: the script on standard input, `json1` on standard output.
pub fn run_shellcheck(
    program: &Path,
    job: &ScriptJob,
    timeout: Duration,
) -> Result<Vec<ShellFinding>, String> {
    let mut cmd = Command::new(program);
    cmd.args(["--format=json1", "--shell", job.shell, "--norc"]);
    if !job.exclude.is_empty() {
        let codes: Vec<String> = job.exclude.iter().map(|c| format!("SC{c}")).collect();
        cmd.arg(format!("--exclude={}", codes.join(",")));
    }
    cmd.arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("shellcheck's pipes could not be opened".into());
    };
    let text = job.text.clone();
    let writer = std::thread::spawn(move || {
        // A shellcheck that stops reading early closes the pipe: not an error here.
        let _ = stdin.write_all(text.as_bytes());
    });
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for shellcheck: {e}")),
        }
    };
    let _ = writer.join();
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(format!(
            "shellcheck took longer than {}s on a script and was stopped",
            timeout.as_secs()
        ));
    };
    // 0: nothing found; 1: findings. Anything else is shellcheck's own trouble.
    if !matches!(status.code(), Some(0 | 1)) {
        let message = String::from_utf8_lossy(&err);
        return Err(format!(
            "shellcheck failed ({status}): {}",
            message.lines().next().unwrap_or("no message")
        ));
    }
    parse_json1(&out)
}

/// Reads shellcheck's `json1` answer.
pub fn parse_json1(out: &[u8]) -> Result<Vec<ShellFinding>, String> {
    #[derive(serde::Deserialize)]
    struct Answer {
        comments: Vec<Comment>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Comment {
        line: usize,
        end_line: usize,
        column: usize,
        end_column: usize,
        level: String,
        code: u32,
        message: String,
    }
    let answer: Answer = serde_json::from_slice(out)
        .map_err(|e| format!("shellcheck's answer could not be read: {e}"))?;
    Ok(answer
        .comments
        .into_iter()
        .map(|c| ShellFinding {
            line: c.line,
            column: c.column,
            end_line: c.end_line,
            end_column: c.end_column,
            code: c.code,
            level: c.level,
            message: c.message,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json1_is_read() {
        let out = br#"{"comments":[{"file":"-","line":2,"endLine":2,"column":6,"endColumn":10,"level":"info","code":2086,"message":"Double quote.","fix":null}]}"#;
        let found = parse_json1(out).expect("read");
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].line, found[0].column, found[0].end_column),
            (2, 6, 10)
        );
        assert_eq!(found[0].code, 2086);
        assert!(parse_json1(b"not json").is_err());
    }

    #[test]
    fn a_missing_program_is_an_error_not_a_panic() {
        let checker =
            ProcessChecker::new(PathBuf::from("/nonexistent/shellcheck"), 2, DEFAULT_TIMEOUT);
        let jobs = vec![ScriptJob {
            text: "echo $x\n".into(),
            shell: "bash",
            exclude: vec![],
        }];
        assert_eq!(checker.check(&jobs), vec![Vec::<ShellFinding>::new()]);
        assert_eq!(checker.take_errors().len(), 1);
        assert!(ProcessChecker::find(Some("/nonexistent/shellcheck")).is_err());
    }
}
