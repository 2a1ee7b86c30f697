// Unit tests of the binary resolution order: setting, bundled, PATH, then one message.
import assert from "node:assert/strict";
import { test } from "node:test";

import { type ResolveInput, bundledPath, pathCandidates, resolveServer } from "../src/binary";

function input(files: string[], over: Partial<ResolveInput> = {}): ResolveInput {
  const set = new Set(files);
  return {
    setting: "",
    extensionPath: "/ext",
    workspaceFolder: "/ws",
    platform: "linux",
    arch: "x64",
    envPath: "/usr/local/bin:/usr/bin",
    home: "/home/me",
    isFile: (p) => set.has(p),
    ...over,
  };
}

test("the setting wins over the bundled binary and the PATH", () => {
  const files = ["/opt/pipelint", "/ext/bin/linux-x64/pipelint", "/usr/bin/pipelint"];
  assert.deepEqual(resolveServer(input(files, { setting: "/opt/pipelint" })), {
    kind: "setting",
    path: "/opt/pipelint",
  });
});

test("a setting with ~ or a relative path is expanded", () => {
  assert.deepEqual(resolveServer(input(["/home/me/bin/pipelint"], { setting: "~/bin/pipelint" })), {
    kind: "setting",
    path: "/home/me/bin/pipelint",
  });
  assert.deepEqual(resolveServer(input(["/ws/tools/pipelint"], { setting: "tools/pipelint" })), {
    kind: "setting",
    path: "/ws/tools/pipelint",
  });
});

test("a wrong setting is reported, not replaced by another binary", () => {
  const r = resolveServer(input(["/usr/bin/pipelint"], { setting: "/nope/pipelint" }));
  assert.equal(r.kind, "missing");
  assert.ok(r.kind === "missing" && r.message.includes("/nope/pipelint"), JSON.stringify(r));
  assert.ok(r.kind === "missing" && r.message.includes("pipelint.path"));
});

test("the bundled binary comes before the PATH", () => {
  const r = resolveServer(input(["/ext/bin/linux-x64/pipelint", "/usr/bin/pipelint"]));
  assert.deepEqual(r, { kind: "bundled", path: "/ext/bin/linux-x64/pipelint" });
});

test("the PATH is searched in order", () => {
  const r = resolveServer(input(["/usr/bin/pipelint", "/usr/local/bin/pipelint"], { setting: "  " }));
  assert.deepEqual(r, { kind: "path", path: "/usr/local/bin/pipelint" });
});

test("nothing found: one message with how to install, and every place tried", () => {
  const r = resolveServer(input([]));
  assert.equal(r.kind, "missing");
  if (r.kind !== "missing") return;
  assert.deepEqual(r.tried, [
    "/ext/bin/linux-x64/pipelint",
    "/usr/local/bin/pipelint",
    "/usr/bin/pipelint",
  ]);
  assert.match(r.message, /not found/);
  assert.match(r.message, /cargo install/);
  assert.equal(r.message.split("\n").length, 1);
});

test("windows names and separators", () => {
  assert.equal(bundledPath("C:\\ext", "win32", "x64"), "C:\\ext\\bin\\win32-x64\\pipelint.exe");
  assert.deepEqual(pathCandidates("C:\\a;;C:\\b", "win32", ".COM;.EXE"), [
    "C:\\a\\pipelint.com",
    "C:\\a\\pipelint.exe",
    "C:\\b\\pipelint.com",
    "C:\\b\\pipelint.exe",
  ]);
  const r = resolveServer(
    input(["C:\\b\\pipelint.exe"], {
      platform: "win32",
      extensionPath: "C:\\ext",
      envPath: "C:\\a;C:\\b",
      envPathExt: ".EXE",
    }),
  );
  assert.deepEqual(r, { kind: "path", path: "C:\\b\\pipelint.exe" });
});

test("an empty PATH gives no candidates", () => {
  assert.deepEqual(pathCandidates(undefined, "linux"), []);
  assert.deepEqual(pathCandidates("", "linux"), []);
});
