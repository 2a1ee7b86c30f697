#!/usr/bin/env python3
"""Benchmark of `pipelint lsp` as a client sees it.

Measures, over stdio with plain JSON-RPC (no dependencies):
- the time from sending a `textDocument/didChange` of a 5,000-line pipeline file to
  receiving the `textDocument/publishDiagnostics` for that version (any coalescing delay
  included), over many edits, as median and 95th percentile, in four series: typing in a
  value (a step's name), typing in a key, adding a line (each change then undone by the
  next), and typing a new key letter by letter near the end of the file;
- the server's resident memory (VmRSS) with 20 such documents open, and after closing
  them.

Usage: bench/lsp.py [path/to/pipelint]   (default: target/release/pipelint)
This is a benchmark, not a test: it prints figures and asserts nothing about time.
"""

import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def generated(lines: int) -> str:
    """A realistic pipeline file of about `lines` lines (anchors, merges, parallel groups,
    services, scripts), like the criterion benchmark's."""
    head = (
        "image: node:20\n\ndefinitions:\n  caches:\n    npm: ~/.npm\n  services:\n"
        "    postgres:\n      image: postgres:16\n      memory: 1024\n  steps:\n"
        "    - step: &test\n        name: Test\n        caches: [npm, node]\n"
        "        services: [postgres]\n        script:\n          - npm ci\n"
        "          - npm test -- --ci\n\npipelines:\n  branches:\n"
    )
    out = [head]
    i = 0
    while sum(s.count("\n") for s in out) < lines:
        out.append(
            f"    'feature/{i}-*':\n      - step: *test\n      - parallel:\n"
            f"          - step:\n              <<: *test\n              name: Lint {i}\n"
            f"              script:\n                - npm run lint\n          - step:\n"
            f"              name: Build {i}\n              size: 2x\n              services: [docker]\n"
            f"              script:\n                - docker build -t app:{i} .\n"
            f"      - step:\n          name: Deploy {i}\n          deployment: staging-{i}\n"
            f"          trigger: manual\n          script:\n            - ./deploy.sh staging\n"
        )
        i += 1
    return "".join(out)


class Client:
    def __init__(self, binary: str):
        self.proc = subprocess.Popen(
            [binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.next_id = 0

    def send(self, method: str, params, request: bool = False):
        msg = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            msg["id"] = self.next_id
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return msg.get("id")

    def read(self):
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def wait(self, pred):
        while True:
            msg = self.read()
            if pred(msg):
                return msg

    def cpu_ms(self) -> float:
        """The server's CPU time so far (user + system, all threads)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "pipelint")
    text = generated(5000)
    c = Client(binary)
    rid = c.send("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}}, True)
    c.wait(lambda m: m.get("id") == rid)
    c.send("initialized", {})
    uri = "file:///bench/bitbucket-pipelines.yml"
    c.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
    is_publish = lambda version: lambda m: (
        m.get("method") == "textDocument/publishDiagnostics"
        and m["params"]["uri"] == uri
        and m["params"].get("version") == version
    )
    c.wait(is_publish(1))

    # Isolated edits, one change at a time, each waited for. Four series: typing a
    # character in a step's name (a plain value) and removing it; the same in a key (the
    # structure changes); adding a line with a new key and removing it; and typing a new
    # key letter by letter on a new line in the last step of the file, where the text
    # does not read from the first letter to the colon: those versions are parsed whole,
    # up to the error near the end of the file (the worst place for it).
    lines = text.splitlines()
    line = lines.index("              name: Lint 0")
    last = max(i for i, s in enumerate(lines) if s.startswith("          deployment: staging-"))
    end_of_last = len(lines[last])

    def toggle(at, to, typed):
        return [((at, to if i % 2 else at), "" if i % 2 else typed) for i in range(200)]

    def new_key():
        edits = []
        for _ in range(25):
            edits.append((((last, end_of_last), (last, end_of_last)), "\n          "))
            for i, ch in enumerate("caches:"):
                at = (last + 1, 10 + i)
                edits.append(((at, at), ch))
            edits.append((((last, end_of_last), (last + 1, 17)), ""))
        return edits

    series = (
        ("typing in a value (`name: Lint 0`)", toggle((line, 26), (line, 27), "x")),
        ("typing in a key (`name`)", toggle((line, 18), (line, 19), "x")),
        ("adding a line (`size: 2x` after the name)", toggle((line, 26), (line + 1, 22), "\n              size: 2x")),
        ("typing a new key (`caches:`) in the last step", new_key()),
    )
    version = 1
    for what, edits in series:
        times = []
        cpu_before = c.cpu_ms()
        for (at, to), typed in edits:
            version += 1
            change = {
                "range": {
                    "start": {"line": at[0], "character": at[1]},
                    "end": {"line": to[0], "character": to[1]},
                },
                "text": typed,
            }
            start = time.perf_counter()
            c.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
            c.wait(is_publish(version))
            times.append((time.perf_counter() - start) * 1000)
        cpu = (c.cpu_ms() - cpu_before) / len(times)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"didChange -> publishDiagnostics, {len(lines)}-line file, {len(times)} edits {what}:"
              f" median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms"
              f" (server CPU time per edit: {cpu:.1f} ms, all threads)")

    base = c.rss_kib()
    for n in range(20):
        u = f"file:///bench/{n}/bitbucket-pipelines.yml"
        c.send("textDocument/didOpen", {"textDocument": {"uri": u, "languageId": "yaml", "version": 1, "text": text}})
        c.wait(lambda m, u=u: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == u)
    with_20 = c.rss_kib()
    for n in range(20):
        c.send("textDocument/didClose", {"textDocument": {"uri": f"file:///bench/{n}/bitbucket-pipelines.yml"}})
    # Freed memory goes back to the system within about a second (jemalloc's background
    # thread); wait for the figure to settle, at most 10 s.
    after, waited = c.rss_kib(), 0.0
    while waited < 10:
        time.sleep(0.5)
        waited += 0.5
        now = c.rss_kib()
        if abs(now - after) < 1024 and waited >= 2:
            after = now
            break
        after = now
    print(f"server memory: {base / 1024:.1f} MB with 1 document, {with_20 / 1024:.1f} MB with 21 open,"
          f" {after / 1024:.1f} MB {waited:.1f} s after closing 20")
    rid = c.send("shutdown", None, True)
    c.wait(lambda m: m.get("id") == rid)
    c.send("exit", None)
    c.proc.wait(timeout=10)


if __name__ == "__main__":
    main()
