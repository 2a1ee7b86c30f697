/**
 * The VS Code side of pipelint: starts `pipelint lsp` for pipeline files, passes the
 * `pipelint.*` settings to it (at start and on every change, without a restart), and adds
 * three commands: restart the server, show its output, show the effective pipeline.
 *
 * Everything that can be decided without VS Code lives in pure modules (`binary`,
 * `settings`, `files`, `schemaForYaml`, `effective`), which the unit tests cover.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

import { resolveServer } from "./binary";
import {
  EFFECTIVE_PIPELINE_METHOD,
  EFFECTIVE_SCHEME,
  effectiveUriFor,
  fileUriOf,
} from "./effective";
import { SERVED_GLOBS, baseName, isPipelineFileName } from "./files";
import { needsRestart, toServerSettings } from "./settings";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let missingShown = false;

function isRunnableFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(p, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

function currentSettings() {
  const config = vscode.workspace.getConfiguration("pipelint");
  const { settings, problems } = toServerSettings((key) => config.get(key));
  for (const p of problems) {
    output.appendLine(`settings: ${p}`);
  }
  return settings;
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("pipelint");
  const found = resolveServer({
    setting: config.get<string>("path"),
    extensionPath: context.extensionPath,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    platform: process.platform,
    arch: process.arch,
    envPath: process.env["PATH"],
    envPathExt: process.env["PATHEXT"],
    home: os.homedir(),
    isFile: isRunnableFile,
  });
  if (found.kind === "missing") {
    output.appendLine(found.message);
    output.appendLine(`looked at: ${found.tried.join(", ") || "(nothing)"}`);
    if (!missingShown) {
      missingShown = true;
      const choice = await vscode.window.showErrorMessage(found.message, "Open settings");
      if (choice === "Open settings") {
        await vscode.commands.executeCommand("workbench.action.openSettings", "pipelint.path");
      }
    }
    return;
  }
  output.appendLine(`starting ${found.path} lsp (found through ${found.kind})`);
  const serverOptions: ServerOptions = {
    run: { command: found.path, args: ["lsp"] },
    debug: { command: found.path, args: ["lsp"] },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: SERVED_GLOBS.flatMap((pattern) => [
      { scheme: "file", pattern },
      { scheme: "untitled", pattern },
    ]),
    initializationOptions: currentSettings(),
    outputChannel: output,
  };
  client = new LanguageClient("pipelint", "pipelint", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    output.appendLine(`the server did not start: ${message}`);
    void vscode.window.showErrorMessage(
      `pipelint: the language server (${found.path}) did not start: ${message}. See the pipelint output.`,
    );
    client = undefined;
  }
}

async function stopClient(): Promise<void> {
  const old = client;
  client = undefined;
  if (old !== undefined) {
    try {
      await old.stop();
    } catch (e) {
      output.appendLine(`stopping the server: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

class EffectivePipelineProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Asks VS Code to read the view of `fileUri` again (after the file changed). */
  refresh(fileUri: vscode.Uri): void {
    this.changed.fire(vscode.Uri.parse(effectiveUriFor(fileUri.toString())));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const fileUri = fileUriOf(uri.query);
    if (fileUri === undefined) {
      return "# pipelint: this view has no file to show\n";
    }
    if (client === undefined) {
      return "# pipelint: the language server is not running (see the pipelint output)\n";
    }
    try {
      const text: unknown = await client.sendRequest(EFFECTIVE_PIPELINE_METHOD, {
        textDocument: { uri: fileUri },
      });
      return typeof text === "string" ? text : "# pipelint: the server sent no text\n";
    } catch (e) {
      return `# pipelint: ${e instanceof Error ? e.message : String(e)}\n`;
    }
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("pipelint");
  context.subscriptions.push(output);
  const effective = new EffectivePipelineProvider();

  context.subscriptions.push(
    vscode.commands.registerCommand("pipelint.restartServer", async () => {
      missingShown = false;
      await stopClient();
      await startClient(context);
    }),
    vscode.commands.registerCommand("pipelint.showOutput", () => output.show(true)),
    vscode.workspace.registerTextDocumentContentProvider(EFFECTIVE_SCHEME, effective),
    // An open view follows the file (the change reaches the server before the request).
    vscode.workspace.onDidChangeTextDocument((event) => {
      const uri = event.document.uri;
      const view = vscode.Uri.parse(effectiveUriFor(uri.toString())).toString();
      if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === view)) {
        effective.refresh(uri);
      }
    }),
    vscode.commands.registerCommand("pipelint.showEffectivePipeline", async () => {
      const editor = vscode.window.activeTextEditor;
      const doc = editor?.document;
      if (doc === undefined || !isPipelineFileName(baseName(doc.uri.path))) {
        void vscode.window.showInformationMessage(
          "pipelint: open a bitbucket-pipelines.yml (or a shared *pipelines.yml) file first.",
        );
        return;
      }
      const view = vscode.Uri.parse(effectiveUriFor(doc.uri.toString()));
      const shown = await vscode.workspace.openTextDocument(view);
      await vscode.languages.setTextDocumentLanguage(shown, "yaml");
      await vscode.window.showTextDocument(shown, {
        viewColumn: vscode.ViewColumn.Beside,
        preview: true,
      });
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration("pipelint")) {
        return;
      }
      if (needsRestart((s) => event.affectsConfiguration(s)) || client === undefined) {
        missingShown = false;
        await stopClient();
        await startClient(context);
        return;
      }
      await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: currentSettings(),
      });
    }),
  );

  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
