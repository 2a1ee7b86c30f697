// Unit tests of the mapping from `pipelint.*` settings to what the server reads.
import assert from "node:assert/strict";
import { test } from "node:test";

import { needsRestart, toServerSettings } from "../src/settings";

function from(values: Record<string, unknown>) {
  return toServerSettings((key) => values[key]);
}

test("defaults: every rule, no severity change, no inlay hints", () => {
  assert.deepEqual(from({}), {
    settings: { pipelint: { select: [], severity: {}, inlayHints: false } },
    problems: [],
  });
});

test("values are passed under the pipelint key; path and trace are not sent", () => {
  const { settings, problems } = from({
    select: ["docker/", " svc/memory-budget "],
    severity: { "image/unpinned": "info" },
    inlayHints: true,
    path: "/opt/pipelint",
    "trace.server": "verbose",
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    pipelint: {
      select: ["docker/", "svc/memory-budget"],
      severity: { "image/unpinned": "info" },
      inlayHints: true,
    },
  });
});

test("wrong values are dropped and reported, the rest applies", () => {
  const { settings, problems } = from({
    select: ["docker/", 3, ""],
    severity: { "image/unpinned": "loud", "docker/no-service": "warning" },
    inlayHints: "yes",
  });
  assert.deepEqual(settings.pipelint.select, ["docker/"]);
  assert.deepEqual(settings.pipelint.severity, { "docker/no-service": "warning" });
  assert.equal(settings.pipelint.inlayHints, false);
  assert.equal(problems.length, 4, problems.join("\n"));
  assert.ok(problems.some((p) => p.includes("image/unpinned")));
});

test("wrong shapes", () => {
  const { problems } = from({ select: "docker/", severity: ["x"] });
  assert.equal(problems.length, 2);
});

test("only the path needs a restart", () => {
  assert.equal(needsRestart((s) => s === "pipelint.path"), true);
  assert.equal(needsRestart((s) => s === "pipelint.select"), false);
});
