/**
 * The read-only view of the effective pipeline: the custom LSP request and the virtual
 * document URIs that carry which file it shows (`pipelint-effective:` + the file's path,
 * with the file's URI in the query).
 */

/** The server's custom request. Params: `{ textDocument: { uri } }`; result: YAML text. */
export const EFFECTIVE_PIPELINE_METHOD = "pipelint/effectivePipeline";

/** The scheme of the virtual documents. */
export const EFFECTIVE_SCHEME = "pipelint-effective";

/** The virtual document's URI for a file's URI (a string), as a string: the path reads
 * `<name> (effective).yml` so the tab says what it is and the language is YAML. */
export function effectiveUriFor(fileUri: string): string {
  const name = fileUri.split(/[?#]/)[0]?.split("/").pop() ?? "pipeline.yml";
  const stem = decodeURIComponent(name).replace(/\.ya?ml$/, "");
  return `${EFFECTIVE_SCHEME}:${encodeURIComponent(`${stem} (effective).yml`)}?${encodeURIComponent(fileUri)}`;
}

/** The file URI a virtual document shows (from its query), or undefined. */
export function fileUriOf(query: string): string | undefined {
  if (query === "") {
    return undefined;
  }
  try {
    return decodeURIComponent(query);
  } catch {
    return undefined;
  }
}
