// Writes schema/bitbucket-pipelines.schema.json for the package: pipelint's own schema
// (../../schema) with its validation keywords removed, so that Red Hat's YAML extension
// takes hover and completion from it but reports nothing (see src/schemaForYaml.ts).
// Runs after `tsc` (it uses the compiled module).
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..");
const require = createRequire(import.meta.url);
const { describeOnly, remainingConstraints } = require(path.join(root, "out", "src", "schemaForYaml.js"));

const source = path.join(root, "..", "..", "schema", "bitbucket-pipelines.schema.json");
const schema = describeOnly(JSON.parse(fs.readFileSync(source, "utf8")));
const left = remainingConstraints(schema);
if (left.length > 0) {
  console.error(`copy-schema: constraints left in the schema: ${left.join(", ")}`);
  process.exit(1);
}
fs.mkdirSync(path.join(root, "schema"), { recursive: true });
fs.writeFileSync(
  path.join(root, "schema", "bitbucket-pipelines.schema.json"),
  JSON.stringify(schema, null, 2) + "\n",
);
console.log("copy-schema: wrote schema/bitbucket-pipelines.schema.json");
