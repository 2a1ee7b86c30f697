//! Stdio framing in front of `tower-lsp-server`.
//!
//! `tower-lsp-server` reads its input with a `FramedRead` that stops for good after the
//! first message it cannot decode, so one malformed message would end the session. This
//! module reads the frames itself: a message that is not JSON, or not a JSON-RPC request,
//! notification or response, is answered here with the JSON-RPC error (`-32700` parse
//! error, `-32600` invalid request), logged through `window/logMessage`, and never reaches
//! the server. Well-formed messages are passed on unchanged through an in-memory pipe.
//!
//! The server's output goes through the same writer as the errors injected here, one whole
//! frame at a time, so the two never interleave.
//!
//! Two orderings are also enforced here, because `tower-lsp-server` decides at the moment
//! it reads a message, not when it runs it: messages after `initialize` wait for its answer
//! (else they would be refused as "not initialized"), and `exit` waits until every request
//! before it is answered (else a `shutdown` still queued would be cancelled).

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::{Notify, mpsc};
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::MessageType;
use tower_lsp_server::{Client, Server};

use crate::server;

/// Bodies larger than this are skipped (and answered with an error).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Header lines longer than this are cut (a header is a few dozen bytes).
const MAX_HEADER_LINE: usize = 8 * 1024;

/// How long `exit` waits for the requests before it to be answered.
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// How long messages after `initialize` wait for its answer.
const INITIALIZE_GRACE: Duration = Duration::from_secs(30);

enum Out {
    Frame(Vec<u8>),
    Done,
}

/// The ids of requests passed to the server and not answered yet.
#[derive(Default)]
struct InFlight {
    ids: Mutex<HashSet<String>>,
    changed: Notify,
}

impl InFlight {
    fn ids(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.ids.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn answered(&self, id: &str) {
        if self.ids().remove(id) {
            self.changed.notify_waiters();
        }
    }

    /// Waits until `done` holds (checked after each answer), at most `limit`.
    async fn wait_until(&self, limit: Duration, done: impl Fn(&HashSet<String>) -> bool) {
        let wait = async {
            loop {
                let notified = self.changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if done(&self.ids()) {
                    return;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }
}

/// Serves one session on stdin/stdout. Returns whether it ended cleanly (`shutdown` then
/// `exit`).
pub async fn serve_stdio() -> bool {
    let (service, socket, handles) = server::build();
    let (to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (out_tx, out_rx) = mpsc::unbounded_channel::<Out>();
    let in_flight = Arc::new(InFlight::default());

    let writer = tokio::spawn(write_frames(tokio::io::stdout(), out_rx));
    let reader = tokio::spawn(read_input(
        BufReader::new(tokio::io::stdin()),
        to_server,
        out_tx.clone(),
        handles.client.clone(),
        in_flight.clone(),
    ));
    let forward = tokio::spawn(forward_output(
        BufReader::new(from_server),
        out_tx.clone(),
        in_flight,
    ));

    Server::new(server_in, server_out, socket)
        .concurrency_level(1)
        .serve(service)
        .await;

    // Everything the server wrote is in the channel once `forward` has seen the end.
    let _ = forward.await;
    let _ = out_tx.send(Out::Done);
    let _ = writer.await;
    reader.abort();
    handles.shutdown_requested.load(Ordering::SeqCst)
}

/// What reading one frame gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    Body(Vec<u8>),
    /// The headers were unusable or the body too large; the message was skipped.
    Bad(String),
    Eof,
}

/// Reads one `Content-Length` framed message from any buffered reader (the server's
/// standard input, a test's bytes, the fuzzer's): a body, a message skipped with the
/// reason, or the end of the input. An error is an IO error or a body cut short by the
/// end of the input. Memory grows with the bytes actually read, never with the length a
/// header announces. Header names are matched without regard to case; unknown headers are
/// ignored. A line that is not a header but contains `Content-Length:` (left over from a
/// broken frame) is read from there, so the stream finds its way back to the next frame.
pub async fn read_message<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Frame> {
    let mut length: Option<usize> = None;
    let mut problem: Option<String> = None;
    let mut saw_any = false;
    loop {
        let mut line = Vec::new();
        let n = (&mut *reader)
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(if saw_any {
                Frame::Bad("the input ended inside a message header".into())
            } else {
                Frame::Eof
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_any {
                continue;
            }
            break;
        }
        saw_any = true;
        let header = match text
            .find("Content-Length:")
            .or_else(|| find_ci(text, "content-length:"))
        {
            Some(at) if at > 0 => &text[at..],
            _ => text,
        };
        match header.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => problem = Some(format!("bad Content-Length `{}`", value.trim())),
                }
            }
            Some(_) => {}
            None => problem = Some(format!("`{}` is not a header", shorten(text))),
        }
    }
    let Some(length) = length else {
        return Ok(Frame::Bad(problem.unwrap_or_else(|| {
            "a message came without Content-Length".into()
        })));
    };
    if length > MAX_BODY_BYTES {
        tokio::io::copy(
            &mut (&mut *reader).take(length as u64),
            &mut tokio::io::sink(),
        )
        .await?;
        return Ok(Frame::Bad(format!(
            "a message of {length} bytes is larger than the {MAX_BODY_BYTES} bytes pipelint reads"
        )));
    }
    // Read what comes rather than allocate `length` bytes up front: a header may promise
    // far more than the input holds.
    let mut body = Vec::new();
    (&mut *reader)
        .take(length as u64)
        .read_to_end(&mut body)
        .await?;
    if body.len() < length {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the input ended inside a message body",
        ));
    }
    Ok(Frame::Body(body))
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// What to do with a message body.
enum Verdict {
    /// Pass it on; `method` for requests and notifications, `id` for requests.
    Forward {
        method: Option<String>,
        id: Option<String>,
    },
    Reject {
        id: Value,
        code: i64,
        message: String,
    },
}

fn judge(body: &[u8]) -> Verdict {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Verdict::Reject {
                id: Value::Null,
                code: -32700,
                message: format!("Parse error: {e}"),
            };
        }
    };
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    // `tower-lsp-server` would read a message without `method` as a request for the
    // method "" (its field has a default); JSON-RPC calls it an invalid request.
    let method = value
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if method.is_some() && serde_json::from_value::<Request>(value.clone()).is_ok() {
        let id = value.get("id").map(Value::to_string);
        return Verdict::Forward { method, id };
    }
    let is_response = value.get("result").is_some() || value.get("error").is_some();
    if method.is_none() && is_response && serde_json::from_value::<Response>(value).is_ok() {
        return Verdict::Forward {
            method: None,
            id: None,
        };
    }
    Verdict::Reject {
        id,
        code: -32600,
        message: "Invalid Request: not a JSON-RPC 2.0 request, notification or response".into(),
    }
}

async fn read_input<R: AsyncBufRead + Unpin, W: AsyncWrite + Unpin>(
    mut input: R,
    mut to_server: W,
    out: mpsc::UnboundedSender<Out>,
    client: Client,
    in_flight: Arc<InFlight>,
) {
    let log = |message: String| {
        let client = client.clone();
        async move { client.log_message(MessageType::ERROR, message).await }
    };
    loop {
        let body = match read_message(&mut input).await {
            Ok(Frame::Body(body)) => body,
            Ok(Frame::Bad(why)) => {
                log(format!("pipelint: skipped a malformed message: {why}")).await;
                let _ = out.send(Out::Frame(error_frame(Value::Null, -32700, &why)));
                continue;
            }
            Ok(Frame::Eof) | Err(_) => break,
        };
        match judge(&body) {
            Verdict::Forward { method, id } => {
                let method = method.unwrap_or_default();
                if !method.is_empty()
                    && !server::is_known_method(&method)
                    && !method.starts_with("$/")
                {
                    log(format!(
                        "pipelint: `{method}` is not a method this server handles"
                    ))
                    .await;
                }
                if method == "exit" {
                    in_flight.wait_until(EXIT_GRACE, HashSet::is_empty).await;
                }
                if let Some(id) = &id {
                    in_flight.ids().insert(id.clone());
                }
                if to_server.write_all(&frame(&body)).await.is_err()
                    || to_server.flush().await.is_err()
                {
                    break;
                }
                if let (Some(id), "initialize") = (&id, method.as_str()) {
                    in_flight
                        .wait_until(INITIALIZE_GRACE, |ids| !ids.contains(id))
                        .await;
                }
            }
            Verdict::Reject { id, code, message } => {
                log(format!(
                    "pipelint: answered a malformed message with an error: {message}"
                ))
                .await;
                let _ = out.send(Out::Frame(error_frame(id, code, &message)));
            }
        }
    }
    // Dropping the pipe ends the server's input: it stops as a client that went away.
    drop(to_server);
}

fn error_frame(id: Value, code: i64, message: &str) -> Vec<u8> {
    let body = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    });
    frame(body.to_string().as_bytes())
}

async fn forward_output<R: AsyncBufRead + Unpin>(
    mut from_server: R,
    out: mpsc::UnboundedSender<Out>,
    in_flight: Arc<InFlight>,
) {
    loop {
        match read_message(&mut from_server).await {
            Ok(Frame::Body(body)) => {
                let sent = out.send(Out::Frame(frame(&body)));
                // A response (an id without a method) answers a request of the client.
                if let Ok(v) = serde_json::from_slice::<Value>(&body)
                    && let (Some(id), None) = (v.get("id"), v.get("method"))
                {
                    in_flight.answered(&id.to_string());
                }
                if sent.is_err() {
                    break;
                }
            }
            Ok(Frame::Bad(_)) => continue,
            Ok(Frame::Eof) | Err(_) => break,
        }
    }
}

async fn write_frames<W: AsyncWrite + Unpin>(mut stdout: W, mut rx: mpsc::UnboundedReceiver<Out>) {
    // After a write fails (the client closed its end) frames are dropped.
    let mut failed = false;
    while let Some(msg) = rx.recv().await {
        match msg {
            Out::Frame(bytes) => {
                if !failed {
                    failed =
                        stdout.write_all(&bytes).await.is_err() || stdout.flush().await.is_err();
                }
            }
            Out::Done => break,
        }
    }
    let _ = stdout.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> Vec<Result<String, String>> {
        let mut reader = BufReader::new(input);
        let mut out = Vec::new();
        loop {
            match read_message(&mut reader).await {
                Ok(Frame::Body(b)) => out.push(Ok(String::from_utf8_lossy(&b).into_owned())),
                Ok(Frame::Bad(why)) => out.push(Err(why)),
                Ok(Frame::Eof) | Err(_) => break,
            }
        }
        out
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn reads_frames_and_recovers_from_broken_headers() {
        let input = b"Content-Length: 2\r\n\r\n{}content-length: 4\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\nnullgarbage\r\n\r\nContent-Length: 1\r\n\r\n1";
        let got = block_on(frames(input));
        assert_eq!(got[0], Ok("{}".into()));
        assert_eq!(got[1], Ok("null".into()));
        assert!(got[2].is_err(), "{got:?}");
        // `garbage` was a bad header line; the frame after it is read.
        assert_eq!(got.last(), Some(&Ok("1".to_owned())));
    }

    #[test]
    fn a_large_announced_length_reads_only_what_comes() {
        // 60 MB announced (under the limit), three bytes sent: an error for the cut-short
        // body, and the buffer never grew past what arrived.
        let input = b"Content-Length: 60000000\r\n\r\nabc";
        let mut reader = BufReader::new(&input[..]);
        let got = block_on(read_message(&mut reader));
        assert_eq!(
            got.map_err(|e| e.kind()),
            Err(std::io::ErrorKind::UnexpectedEof)
        );
        let whole = b"Content-Length: 3\r\n\r\nabc";
        let mut reader = BufReader::new(&whole[..]);
        assert_eq!(
            block_on(read_message(&mut reader)).map_err(|e| e.kind()),
            Ok(Frame::Body(b"abc".to_vec()))
        );
        assert_eq!(
            block_on(read_message(&mut reader)).map_err(|e| e.kind()),
            Ok(Frame::Eof)
        );
    }

    #[test]
    fn judges_messages() {
        assert!(matches!(
            judge(b"{not json"),
            Verdict::Reject { code: -32700, .. }
        ));
        assert!(matches!(
            judge(br#"{"jsonrpc":"2.0","id":3,"params":{}}"#),
            Verdict::Reject {
                code: -32600,
                id: Value::Number(_),
                ..
            }
        ));
        assert!(matches!(
            judge(b"[1,2]"),
            Verdict::Reject { code: -32600, .. }
        ));
        assert!(matches!(
            judge(br#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}"#),
            Verdict::Forward {
                method: Some(_),
                id: Some(_)
            }
        ));
        assert!(matches!(
            judge(br#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            Verdict::Forward {
                method: None,
                id: None
            }
        ));
    }
}
