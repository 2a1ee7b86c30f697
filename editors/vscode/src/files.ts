/**
 * Which files are pipeline files: the same names the server checks
 * (`bitbucket-pipelines.yml`/`.yaml`, and shared `*pipelines.yml` files), as a document
 * selector for the language client and as a predicate for commands.
 */

/** Glob patterns, for the document selector and `yamlValidation`. */
export const PIPELINE_GLOBS = ["**/bitbucket-pipelines.yaml", "**/*pipelines.yml"];

/**
 * Bamboo YAML specs, which the server also checks (their Docker runner setup). They are
 * served by the language client but get no `yamlValidation`: pipelint's schema is for
 * Bitbucket Pipelines files only.
 */
export const BAMBOO_GLOBS = ["**/bamboo-specs/*.yml", "**/bamboo-specs/*.yaml"];

/** Every file the language client hands to the server. */
export const SERVED_GLOBS = [...PIPELINE_GLOBS, ...BAMBOO_GLOBS];

/** Whether a file name (the last path segment) is a pipeline file. */
export function isPipelineFileName(name: string): boolean {
  return name === "bitbucket-pipelines.yaml" || name.endsWith("pipelines.yml");
}

/** The last segment of a path or URI path. */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] ?? "";
}
