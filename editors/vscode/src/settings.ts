/**
 * The extension's `pipelint.*` settings turned into what the language server reads
 * (`initializationOptions` and `workspace/didChangeConfiguration`): `{ pipelint: {
 * select, severity, inlayHints } }`. `pipelint.path` and `pipelint.trace.server` belong to
 * the extension and are not sent. Values of the wrong type are left out (the server keeps
 * its defaults for them) and reported, so a typo in settings.json never stops the server.
 */

/** The settings the server understands. */
export interface ServerSettings {
  pipelint: {
    select: string[];
    severity: Record<string, "error" | "warning" | "info">;
    inlayHints: boolean;
  };
}

const SEVERITIES = new Set(["error", "warning", "info"]);

/** Reads `pipelint.<key>` through `get` (VS Code's `WorkspaceConfiguration.get`). */
export function toServerSettings(get: (key: string) => unknown): {
  settings: ServerSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const select: string[] = [];
  const rawSelect = get("select");
  if (Array.isArray(rawSelect)) {
    for (const item of rawSelect) {
      if (typeof item === "string" && item.trim() !== "") {
        select.push(item.trim());
      } else {
        problems.push(`pipelint.select: ${JSON.stringify(item)} is not a rule id or group`);
      }
    }
  } else if (rawSelect !== undefined && rawSelect !== null) {
    problems.push("pipelint.select must be a list of rule ids or groups");
  }

  const severity: Record<string, "error" | "warning" | "info"> = {};
  const rawSeverity = get("severity");
  if (typeof rawSeverity === "object" && rawSeverity !== null && !Array.isArray(rawSeverity)) {
    for (const [id, level] of Object.entries(rawSeverity as Record<string, unknown>)) {
      if (typeof level === "string" && SEVERITIES.has(level)) {
        severity[id] = level as "error" | "warning" | "info";
      } else {
        problems.push(
          `pipelint.severity.${id}: ${JSON.stringify(level)} is not "error", "warning" or "info"`,
        );
      }
    }
  } else if (rawSeverity !== undefined && rawSeverity !== null) {
    problems.push("pipelint.severity must map rule ids to severities");
  }

  const rawHints = get("inlayHints");
  let inlayHints = false;
  if (typeof rawHints === "boolean") {
    inlayHints = rawHints;
  } else if (rawHints !== undefined && rawHints !== null) {
    problems.push("pipelint.inlayHints must be true or false");
  }

  return { settings: { pipelint: { select, severity, inlayHints } }, problems };
}

/** Settings whose change needs a new server process rather than a notification. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects("pipelint.path");
}
