// Unit tests of the schema given to Red Hat YAML: descriptions kept, nothing that fails.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import { type Json, describeOnly, remainingConstraints } from "../src/schemaForYaml";

test("constraints are removed, descriptions and structure kept", () => {
  const schema: Json = {
    type: "object",
    required: ["a"],
    additionalProperties: false,
    properties: {
      a: { type: "string", enum: ["x", "y"], description: "A." },
      b: { oneOf: [{ type: "integer", minimum: 1 }, { const: 2 }] },
      c: { additionalProperties: { type: "string", pattern: "^a" } },
    },
    definitions: { d: { items: { $ref: "#/definitions/d", maxItems: 2 } } },
  };
  assert.deepEqual(describeOnly(schema), {
    properties: {
      a: { examples: ["x", "y"], description: "A." },
      b: { anyOf: [{}, {}] },
      c: { additionalProperties: {} },
    },
    definitions: { d: { items: { $ref: "#/definitions/d" } } },
  });
});

test("a property called like a keyword is kept", () => {
  const out = describeOnly({ properties: { type: { description: "t" }, pattern: {} } });
  assert.deepEqual(out, { properties: { type: { description: "t" }, pattern: {} } });
});

test("pipelint's schema becomes one that never fails, with every description", () => {
  const file = path.join(__dirname, "..", "..", "..", "..", "schema", "bitbucket-pipelines.schema.json");
  const original = JSON.parse(fs.readFileSync(file, "utf8")) as Json;
  assert.ok(remainingConstraints(original).length > 10);
  const out = describeOnly(original);
  assert.deepEqual(remainingConstraints(out), []);
  const count = (s: string) => (s.match(/"description"/g) ?? []).length;
  assert.equal(count(JSON.stringify(out)), count(JSON.stringify(original)));
});
