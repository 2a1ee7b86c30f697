use pipelint_yaml::{Node, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{ScriptCommand, image_name, locate_word};
use crate::rule::{Rule, RuleMeta};
use crate::rules::docker::option_value;
use crate::shell::{Command, Word};

/// The port Bitbucket Pipelines keeps for itself.
const PORT: &str = "29418";

declare_rule! {
    /// ## What it does
    /// Reports what would listen on port 29418 in a step: a service variable set to that
    /// port (`PORT: "29418"`, `LISTEN: ":29418"`), a Gerrit service (Gerrit's SSH port is
    /// 29418), and script commands that open it: `docker run -p 29418:...`, `nc -l 29418`,
    /// `socat TCP-LISTEN:29418`, `python -m http.server 29418`, or a server started with
    /// `--port 29418`. Clients that only connect to the port (`ssh -p 29418`, `git clone
    /// ssh://host:29418/...`) are fine and not reported.
    ///
    /// ## Why is this bad?
    /// Services and the build container share one network, and Atlassian lists port 29418
    /// among the limitations of service containers: it can't be used. A service or test
    /// server that listens on it fails to start or can't be reached.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   services:
    ///     mock-git:
    ///       image: acme/mock-git-server:1.2
    ///       variables:
    ///         SSH_PORT: "29418"
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [mock-git]
    ///         script: [make integration]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   services:
    ///     mock-git:
    ///       image: acme/mock-git-server:1.2
    ///       variables:
    ///         SSH_PORT: "2222"
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [mock-git]
    ///         script: [make integration]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Databases and service containers"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/databases-and-service-containers/):
    /// "Port 29418 can't be used."
    pub struct Port29418 {
        id: "svc/port-29418",
        severity: Info,
        summary: "A service or script command that listens on port 29418",
        fix: false,
    }
}

const MESSAGE_TAIL: &str = "port 29418 can't be used in Bitbucket Pipelines";

impl Rule for Port29418 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file.as_ref() else {
            return;
        };
        let help = "use another port (e.g. 2222 for SSH), and point the tests at it";
        for (name, def) in file.services().map(|s| s.iter()).into_iter().flatten() {
            if let Some(vars) = def.value.get("variables").and_then(Node::as_mapping) {
                for (var, entry) in vars.iter() {
                    if entry.value.as_str().is_some_and(|v| names_the_port(var, v)) {
                        out.push(
                            Diagnostic::at(
                                Self::META.id,
                                &entry.value,
                                format!("service `{name}` is set to listen on port 29418 (`{var}`); {MESSAGE_TAIL}"),
                            )
                            .help(help),
                        );
                    }
                }
            }
            if let Some(image) = def.value.get("image")
                && image_name(image).is_some_and(is_gerrit)
            {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        image,
                        format!("service `{name}` runs Gerrit, whose SSH daemon listens on port 29418 by default; {MESSAGE_TAIL}"),
                    )
                    .help("configure Gerrit's `sshd.listenAddress` to another port, e.g. `*:2222`"),
                );
            }
        }
        for step in cx.steps() {
            for sc in step.script_commands() {
                if let Some(word) = listening_word(&sc.command) {
                    out.push(script_finding(cx, sc, word, help));
                }
            }
        }
    }
}

fn script_finding(cx: &Context<'_>, sc: &ScriptCommand<'_>, word: &Word, help: &str) -> Diagnostic {
    let span: Span = locate_word(cx.source, sc.node, word);
    let program = sc.command.program().unwrap_or("the command");
    let what = if program == "docker" {
        "the container publishes port 29418 on the step's network".to_owned()
    } else {
        format!("`{program}` listens on port 29418")
    };
    let mut d =
        Diagnostic::new(Port29418::META.id, span, format!("{what}; {MESSAGE_TAIL}")).help(help);
    if let Some(site) = sc.node.via.first() {
        d = d.via(*site);
    }
    d
}

/// A value that names port 29418 to listen on: `29418`, `:29418`, or an address of this
/// machine with it (`0.0.0.0:29418`, `*:29418`, `[::]:29418`, `localhost:29418`). A
/// remote `host:29418` is where a client connects, not a port opened here.
/// Whether `word` holds `29418`: a scan for its first digit, as most words have none.
fn mentions_port(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'2' && bytes.get(i..i + PORT.len()) == Some(PORT.as_bytes()))
}

fn is_bind_address(value: &str) -> bool {
    let v = value.trim();
    if v == PORT {
        return true;
    }
    let Some((host, port)) = v.rsplit_once(':') else {
        return false;
    };
    port == PORT
        && matches!(
            host,
            "" | "*" | "0.0.0.0" | "::" | "[::]" | "127.0.0.1" | "[::1]" | "localhost"
        )
}

/// A service variable that sets the port or address the service listens on.
fn names_the_port(name: &str, value: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PORT", "LISTEN", "BIND", "ADDR"]
        .iter()
        .any(|w| upper.contains(w))
        && is_bind_address(value)
}

fn is_gerrit(image: &str) -> bool {
    let repo = crate::model::image_parts(image).repository;
    repo == "gerrit" || repo.ends_with("/gerrit") || repo == "gerritcodereview/gerrit"
}

/// Programs that connect to a port rather than listen on it, or only print.
const CLIENTS: &[&str] = &[
    "echo",
    "printf",
    "ssh",
    "scp",
    "sftp",
    "git",
    "curl",
    "wget",
    "telnet",
    "ssh-keyscan",
    "rsync",
    "psql",
    "mysql",
    "redis-cli",
    "http",
    "nmap",
];

/// The word that makes the command listen on port 29418, if it does.
fn listening_word<'c>(cmd: &'c Command<'c>) -> Option<&'c Word<'c>> {
    let program = cmd.program()?;
    let args = cmd.args();
    // Every form below names the port in one of the words: most commands are done here.
    if !args.iter().any(|w| mentions_port(&w.text)) {
        return None;
    }
    let port_word = || args.iter().find(|w| is_bind_address(&w.text));
    // `docker run -p 29418:22`, `--publish=0.0.0.0:29418:22`.
    for sub in [
        &["docker", "run"][..],
        &["docker", "create"],
        &["docker", "container", "run"],
        &["docker", "container", "create"],
    ] {
        if cmd.is(sub) {
            return args.iter().enumerate().find_map(|(i, w)| {
                let (word, value) = match w.as_str() {
                    "-p" | "--publish" => {
                        let next = args.get(i + 1)?;
                        (next, next.as_str())
                    }
                    t => (
                        w,
                        t.strip_prefix("--publish=")
                            .or_else(|| t.strip_prefix("-p").filter(|r| !r.is_empty()))?,
                    ),
                };
                publishes_host_port(value).then_some(word)
            });
        }
    }
    if program == "docker" {
        return None;
    }
    match program {
        "nc" | "ncat" | "netcat" => {
            let listens = args.iter().any(|w| {
                w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('l')
            }) || args.iter().any(|w| w.text == "--listen");
            if listens { port_word() } else { None }
        }
        "socat" => args.iter().find(|w| {
            let t = w.text.to_ascii_uppercase();
            ["TCP-LISTEN:", "TCP4-LISTEN:", "TCP6-LISTEN:"]
                .iter()
                .any(|p| {
                    t.strip_prefix(p)
                        .is_some_and(|rest| rest.split(',').next() == Some(PORT))
                })
        }),
        "python" | "python3" if args.iter().any(|w| w.text == "http.server") => port_word(),
        p if CLIENTS.contains(&p) => None,
        _ => {
            for flag in ["--port", "--listen", "--bind", "--http-port", "--ssh-port"] {
                if !option_value(cmd, flag).is_some_and(is_bind_address) {
                    continue;
                }
                let i = args.iter().position(|w| w.text.starts_with(flag))?;
                return if args[i].text == flag {
                    args.get(i + 1)
                } else {
                    Some(&args[i])
                };
            }
            None
        }
    }
}

/// Whether a `-p` value publishes host port 29418: `29418`, `29418:22`,
/// `127.0.0.1:29418:22`, `29418:22/tcp`.
fn publishes_host_port(value: &str) -> bool {
    let parts: Vec<&str> = value.split(':').collect();
    let host_port = match parts.as_slice() {
        [only] => *only,
        [host, _container] => host,
        [_ip, host, _container] => host,
        _ => return false,
    };
    host_port.split('/').next() == Some(PORT)
}

#[cfg(test)]
mod tests {
    use super::listening_word;
    use crate::shell::commands;

    fn listens(script: &str) -> bool {
        commands(script).iter().any(|c| listening_word(c).is_some())
    }

    #[test]
    fn servers_listen_and_clients_connect() {
        for s in [
            "docker run -d -p 29418:29418 gerritcodereview/gerrit",
            "docker run --publish=127.0.0.1:29418:22 img",
            "nc -lk 29418",
            "socat TCP-LISTEN:29418,fork TCP:localhost:22",
            "python3 -m http.server 29418",
            "./mock-server --port=29418 &",
            "node server.js --port 29418",
        ] {
            assert!(listens(s), "{s}");
        }
        for s in [
            "ssh -p 29418 ci@review.example.com gerrit review",
            "git clone ssh://ci@review.example.com:29418/app",
            "nc -z review.example.com 29418",
            "docker run -p 8080:29418 img",
            "echo --port 29418",
            "curl --port 29418 x",
        ] {
            assert!(!listens(s), "{s}");
        }
    }
}
