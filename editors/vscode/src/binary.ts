/**
 * Where the pipelint binary comes from: the `pipelint.path` setting, then the binary
 * bundled in the extension (`bin/<platform>-<arch>/pipelint`), then `pipelint` on the PATH.
 *
 * Pure: the file system is reached only through the `isFile` function the caller passes,
 * so the unit tests run the whole order without touching the disk.
 */
import * as path from "node:path";

/** What the resolution needs to know about the machine and the user's settings. */
export interface ResolveInput {
  /** The `pipelint.path` setting, as written (may be empty). */
  setting: string | undefined;
  /** The folder the extension is installed in. */
  extensionPath: string;
  /** The first workspace folder, against which a relative setting is read. */
  workspaceFolder: string | undefined;
  /** `process.platform` and `process.arch`. */
  platform: string;
  arch: string;
  /** The PATH variable (and PATHEXT on Windows). */
  envPath: string | undefined;
  envPathExt?: string | undefined;
  /** The home directory, for a setting that starts with `~`. */
  home: string;
  /** Whether a file exists there and can be run. */
  isFile: (p: string) => boolean;
}

/** Found: the path, and which step of the order found it. */
export interface Found {
  kind: "setting" | "bundled" | "path";
  path: string;
}

/** Not found: every place looked at, and the one message to show. */
export interface Missing {
  kind: "missing";
  tried: string[];
  message: string;
}

export const INSTALL_HINT =
  "Install it with `cargo install --locked --git <pipelint repository> pipelint_cli` " +
  "(or download a release binary), then reload the window, or set `pipelint.path` to the binary.";

/** The name of the binary on this platform. */
export function executableName(platform: string): string {
  return platform === "win32" ? "pipelint.exe" : "pipelint";
}

/** The folder of the bundled binary: `bin/<platform>-<arch>` inside the extension. */
export function bundledPath(extensionPath: string, platform: string, arch: string): string {
  const p = platformPath(platform);
  return p.join(extensionPath, "bin", `${platform}-${arch}`, executableName(platform));
}

function platformPath(platform: string): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** The setting made absolute: `~` is the home directory, a relative path is read from the
 * first workspace folder. */
export function expandSetting(
  setting: string,
  home: string,
  workspaceFolder: string | undefined,
  platform: string,
): string {
  const p = platformPath(platform);
  let s = setting.trim();
  if (s === "~" || s.startsWith("~/") || s.startsWith("~\\")) {
    s = p.join(home, s.slice(1));
  }
  if (!p.isAbsolute(s) && workspaceFolder !== undefined) {
    s = p.join(workspaceFolder, s);
  }
  return s;
}

/** Every candidate on the PATH, in order. */
export function pathCandidates(
  envPath: string | undefined,
  platform: string,
  envPathExt?: string,
): string[] {
  if (envPath === undefined || envPath === "") {
    return [];
  }
  const p = platformPath(platform);
  const sep = platform === "win32" ? ";" : ":";
  const names =
    platform === "win32"
      ? (envPathExt ?? ".EXE").split(";").filter((e) => e !== "").map((e) => `pipelint${e.toLowerCase()}`)
      : ["pipelint"];
  const out: string[] = [];
  for (const dir of envPath.split(sep)) {
    if (dir === "") {
      continue;
    }
    for (const name of names) {
      out.push(p.join(dir, name));
    }
  }
  return out;
}

/** Finds the binary. A `pipelint.path` that is set but wrong is reported as such: the
 * other places are not tried, so the user is not silently given another binary. */
export function resolveServer(input: ResolveInput): Found | Missing {
  const setting = input.setting?.trim() ?? "";
  if (setting !== "") {
    const p = expandSetting(setting, input.home, input.workspaceFolder, input.platform);
    if (input.isFile(p)) {
      return { kind: "setting", path: p };
    }
    return {
      kind: "missing",
      tried: [p],
      message: `pipelint: the \`pipelint.path\` setting names ${p}, which is not a file. Fix the setting, or clear it to use the bundled binary or the one on the PATH.`,
    };
  }
  const tried: string[] = [];
  const bundled = bundledPath(input.extensionPath, input.platform, input.arch);
  tried.push(bundled);
  if (input.isFile(bundled)) {
    return { kind: "bundled", path: bundled };
  }
  for (const candidate of pathCandidates(input.envPath, input.platform, input.envPathExt)) {
    tried.push(candidate);
    if (input.isFile(candidate)) {
      return { kind: "path", path: candidate };
    }
  }
  return {
    kind: "missing",
    tried,
    message: `pipelint: the pipelint binary was not found (no bundled binary for ${input.platform}-${input.arch}, none on the PATH). ${INSTALL_HINT}`,
  };
}
