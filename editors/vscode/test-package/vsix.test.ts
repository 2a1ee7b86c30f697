// Checks the packaged extension (pipelint.vsix, built by `npm run package`): what must be
// in it (manifest, compiled JS, the README with a quick start, the schema) and what must
// not (sources, tests and their source maps, packages only the development tools need).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import { type Json, remainingConstraints } from "../src/schemaForYaml";
import { type ZipEntry, entries, read } from "./zip";

const root = path.join(__dirname, "..", "..");
const vsixPath = path.join(root, "pipelint.vsix");

function load(): { zip: Buffer; list: ZipEntry[]; byName: Map<string, ZipEntry> } {
  assert.ok(fs.existsSync(vsixPath), `${vsixPath} is missing: run \`npm run package\` first`);
  const zip = fs.readFileSync(vsixPath);
  const list = entries(zip);
  return { zip, list, byName: new Map(list.map((e) => [e.name, e])) };
}

function text(name: string): string {
  const { zip, byName } = load();
  const entry = byName.get(name);
  assert.ok(entry !== undefined, `${name} is not in the .vsix`);
  return read(zip, entry).toString("utf8");
}

test("the manifest is there and its entry point is packaged", () => {
  const { byName } = load();
  assert.ok(byName.has("extension.vsixmanifest"));
  const manifest = JSON.parse(text("extension/package.json")) as { main: string; name: string };
  assert.equal(manifest.name, "pipelint");
  const main = path.posix.join("extension", manifest.main);
  assert.ok(byName.has(main), `${main} (the main entry point) is not packaged`);
});

test("every compiled module of src/ is packaged", () => {
  const { byName } = load();
  const modules = fs
    .readdirSync(path.join(root, "src"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `extension/out/src/${f.replace(/\.ts$/, ".js")}`);
  assert.ok(modules.length >= 5);
  for (const m of modules) {
    assert.ok(byName.has(m), `${m} is missing`);
  }
});

test("the README is the Marketplace page: a quick start and no screenshots", () => {
  const { list } = load();
  const readme = list.find((e) => /^extension\/readme\.md$/i.test(e.name));
  assert.ok(readme !== undefined, "no README in the .vsix");
  const body = text(readme.name);
  assert.match(body, /^## Quick start$/m);
  assert.doesNotMatch(body, /!\[|<img|\.(png|gif|jpe?g|svg)\b/i, "the README shows an image");
  assert.match(body, /pipelint\.path/);
});

test("the schema for Red Hat YAML is packaged and never fails validation", () => {
  const manifest = JSON.parse(text("extension/package.json")) as {
    contributes: { yamlValidation: { url: string }[] };
  };
  for (const v of manifest.contributes.yamlValidation) {
    const schema = JSON.parse(text(path.posix.join("extension", v.url))) as Json;
    assert.deepEqual(remainingConstraints(schema), []);
    assert.match(JSON.stringify(schema), /"description"/);
  }
});

test("no sources, tests, test source maps or tool files", () => {
  const { list } = load();
  const bad = list
    .map((e) => e.name)
    .filter(
      (n) =>
        /^extension\/(src|test|test-package|scripts)\//.test(n) ||
        /^extension\/out\/(test|test-package)\//.test(n) ||
        (n.endsWith(".ts") && !n.endsWith(".d.ts")) ||
        /^extension\/(tsconfig\.json|eslint\.config\.mjs|\.vscodeignore|package-lock\.json)$/.test(n) ||
        n.includes("node_modules/.bin/"),
    );
  assert.deepEqual(bad, []);
});

test("node_modules holds only what the extension runs with, nothing of the dev tools", () => {
  const { list } = load();
  const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const packaged = new Set<string>();
  for (const { name } of list) {
    const m = /^extension\/((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+)/.exec(name);
    if (m?.[1] !== undefined) {
      packaged.add(m[1].replace(/\/$/, ""));
    }
  }
  assert.ok(packaged.has("node_modules/vscode-languageclient"), [...packaged].join(", "));
  for (const pkg of packaged) {
    const info = lock.packages[pkg];
    assert.ok(info !== undefined, `${pkg} is packaged but not in package-lock.json`);
    assert.notEqual(info.dev, true, `${pkg} is a development dependency`);
  }
  for (const tool of ["typescript", "eslint", "@vscode/vsce", "@types/node", "@types/vscode"]) {
    assert.ok(!packaged.has(`node_modules/${tool}`), `${tool} is packaged`);
  }
});
