// Starts `policy-match lsp` over stdio for .rule files. No build step: plain CommonJS.
// Install the dependency once with `npm install` in this folder (see docs/editors.md).
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("policyMatch");
  const [command, ...args] = settings.get("command", ["policy-match", "lsp"]);
  const lang = settings.get("lang", "");
  const server = { command, args: lang ? [...args, "--lang", lang] : args };
  client = new LanguageClient(
    "policyMatch",
    "Policy rules",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "policy" }] }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
