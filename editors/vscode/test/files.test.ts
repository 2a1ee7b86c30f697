// Unit tests of the pipeline file names and the effective-pipeline view's URIs.
import assert from "node:assert/strict";
import { test } from "node:test";

import { effectiveUriFor, fileUriOf } from "../src/effective";
import { baseName, isPipelineFileName } from "../src/files";

test("pipeline file names are the server's", () => {
  for (const name of ["bitbucket-pipelines.yml", "bitbucket-pipelines.yaml", "shared-pipelines.yml"]) {
    assert.ok(isPipelineFileName(name), name);
  }
  for (const name of ["docker-compose.yml", "pipelines.yaml.bak", "shared-pipelines.yaml"]) {
    assert.ok(!isPipelineFileName(name), name);
  }
  assert.equal(baseName("/a/b/bitbucket-pipelines.yml"), "bitbucket-pipelines.yml");
  assert.equal(baseName("C:\\a\\x.yml"), "x.yml");
});

test("the effective view's URI names the file and carries its URI", () => {
  const file = "file:///work/my%20repo/bitbucket-pipelines.yml";
  const view = effectiveUriFor(file);
  assert.ok(view.startsWith("pipelint-effective:bitbucket-pipelines%20(effective).yml?"), view);
  const query = view.slice(view.indexOf("?") + 1);
  assert.equal(fileUriOf(query), file);
  assert.equal(fileUriOf(""), undefined);
  assert.equal(fileUriOf("%E0%A4%A"), undefined);
});
