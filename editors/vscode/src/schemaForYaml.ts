/**
 * The schema the extension gives Red Hat's YAML extension (through `yamlValidation`):
 * pipelint's own schema with every keyword that can fail validation taken out. Red Hat
 * YAML keeps its hover, completion and outline from it; the findings come from pipelint
 * alone, so nothing is reported twice. The schema association also takes the place of
 * Atlassian's schema from SchemaStore, which Red Hat YAML would otherwise apply to the
 * same files (an association made by an extension ranks above SchemaStore).
 *
 * `enum` lists become `examples` (still offered in completion), `oneOf` becomes `anyOf`
 * (with types removed, several branches could match and `oneOf` would fail).
 */

/** Keywords that only constrain: dropped. */
const CONSTRAINTS = new Set([
  "required",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "pattern",
  "format",
  "uniqueItems",
  "const",
  "not",
  "if",
  "then",
  "else",
  "dependencies",
  "dependentRequired",
  "dependentSchemas",
  "propertyNames",
  "contains",
  "additionalItems",
  "type",
]);

/** Keywords whose value is a map of name to schema. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs"]);

/** Keywords whose value is a schema or a list of schemas. */
const SCHEMAS = new Set(["items", "additionalProperties", "anyOf", "allOf", "oneOf"]);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Returns a copy of `schema` that describes but never fails. */
export function describeOnly(schema: Json): Json {
  if (Array.isArray(schema)) {
    return schema.map(describeOnly);
  }
  if (typeof schema !== "object" || schema === null) {
    return schema;
  }
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (CONSTRAINTS.has(key)) {
      continue;
    }
    if (key === "enum") {
      if (Array.isArray(value) && schema["examples"] === undefined) {
        out["examples"] = value;
      }
      continue;
    }
    if (key === "additionalProperties" && value === false) {
      continue;
    }
    if (SCHEMA_MAPS.has(key) && typeof value === "object" && value !== null && !Array.isArray(value)) {
      const map: { [key: string]: Json } = {};
      for (const [name, sub] of Object.entries(value)) {
        map[name] = describeOnly(sub);
      }
      out[key] = map;
      continue;
    }
    if (SCHEMAS.has(key)) {
      out[key === "oneOf" ? "anyOf" : key] = describeOnly(value);
      continue;
    }
    out[key] = value;
  }
  return out;
}

/** Every keyword that can fail validation still present in `schema` (empty when the
 * schema never fails), as `route: keyword` strings; for tests and the packaging check. */
export function remainingConstraints(schema: Json, route = "#"): string[] {
  const found: string[] = [];
  if (Array.isArray(schema)) {
    schema.forEach((s, i) => found.push(...remainingConstraints(s, `${route}/${i}`)));
    return found;
  }
  if (typeof schema !== "object" || schema === null) {
    return found;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (CONSTRAINTS.has(key) || key === "enum" || key === "oneOf" || (key === "additionalProperties" && value === false)) {
      found.push(`${route}: ${key}`);
    }
    if (SCHEMA_MAPS.has(key) && typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [name, sub] of Object.entries(value)) {
        found.push(...remainingConstraints(sub, `${route}/${key}/${name}`));
      }
    } else if (SCHEMAS.has(key)) {
      found.push(...remainingConstraints(value, `${route}/${key}`));
    }
  }
  return found;
}
