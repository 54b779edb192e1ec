// A small language-server client over stdio: the part of VS Code's language client that the
// pictures and the glue check need (start, open one file, ask for completions and resolve one,
// ask for its diagnostics), nothing more.
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node.js";

export class LanguageServer {
  /**
   * @param {string} name for messages
   * @param {string[]} command the server's command line, speaking LSP on stdin/stdout
   * @param {string} root the workspace folder
   * @param {Record<string, unknown>} settings VS Code's settings.json of that folder: the server
   *   asks for its section ("cucumberautocomplete", "robotcode") and gets those keys
   */
  constructor(name, command, root, settings) {
    this.name = name;
    this.root = root;
    this.settings = settings;
    this.version = 0;
    this.stderr = "";
    this.process = spawn(command[0], command.slice(1), { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    this.process.stderr.on("data", (chunk) => { this.stderr = (this.stderr + chunk).slice(-4000); });
    this.exited = new Promise((resolve) => this.process.on("exit", resolve));
    this.connection = createMessageConnection(
      new StreamMessageReader(this.process.stdout), new StreamMessageWriter(this.process.stdin));
    this.connection.onRequest("workspace/configuration", (params) =>
      params.items.map((item) => (item.section ? this.section(item.section) : null)));
    // Progress tokens, capability registrations, workspace folders: accepted, as VS Code does.
    this.connection.onRequest("workspace/workspaceFolders", () => [this.folder()]);
    this.connection.onRequest(() => null);
    this.connection.onNotification(() => {});
    this.connection.listen();
  }

  /** The keys of settings.json under `section.`, as one object (VS Code's getConfiguration). */
  section(section) {
    const prefix = `${section}.`;
    const found = {};
    for (const [key, value] of Object.entries(this.settings)) {
      if (key.startsWith(prefix)) found[key.slice(prefix.length)] = value;
    }
    return found;
  }

  folder() {
    return { uri: pathToFileURL(this.root).href, name: "project" };
  }

  async start() {
    const failed = this.exited.then((code) => {
      throw new Error(`${this.name} exited with ${code} before it answered:\n${this.stderr}`);
    });
    await Promise.race([failed, this.connection.sendRequest("initialize", {
      processId: process.pid,
      rootPath: this.root,
      rootUri: this.folder().uri,
      workspaceFolders: [this.folder()],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          completion: {
            completionItem: {
              snippetSupport: true,
              insertReplaceSupport: true,
              documentationFormat: ["markdown", "plaintext"],
              resolveSupport: { properties: ["documentation", "detail"] },
            },
            contextSupport: true,
          },
        },
      },
    })]);
    await this.connection.sendNotification("initialized", {});
  }

  async open(path, languageId, text) {
    this.uri = pathToFileURL(path).href;
    this.version = 1;
    await this.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri: this.uri, languageId, version: this.version, text },
    });
  }

  /** The completion items at (line, character), 0-based, of the open file once it reads `text`. */
  async complete(text, line, character, triggerKind = 1, triggerCharacter = undefined) {
    this.version += 1;
    await this.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: this.uri, version: this.version },
      contentChanges: [{ text }],
    });
    const answer = await this.connection.sendRequest("textDocument/completion", {
      textDocument: { uri: this.uri },
      position: { line, character },
      context: triggerCharacter ? { triggerKind: 2, triggerCharacter } : { triggerKind },
    });
    return Array.isArray(answer) ? answer : (answer?.items ?? []);
  }

  /** The diagnostics of the open file (pulled, as the Cucumber extension's server offers them). */
  async diagnostics() {
    const answer = await this.connection.sendRequest("textDocument/diagnostic", { textDocument: { uri: this.uri } });
    return answer?.items ?? [];
  }

  async resolve(item) {
    return this.connection.sendRequest("completionItem/resolve", item);
  }

  async stop() {
    try {
      await Promise.race([
        this.connection.sendRequest("shutdown").then(() => this.connection.sendNotification("exit")),
        new Promise((resolve) => setTimeout(resolve, 5000)),
      ]);
    } finally {
      this.connection.dispose();
      if (this.process.exitCode === null) this.process.kill();
    }
  }
}
