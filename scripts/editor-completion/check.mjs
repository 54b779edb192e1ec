// Checks the glue file of a project that `seamline init` made against the real server of the
// Cucumber (Gherkin) Full Support extension, with the project's .vscode/settings.json; run by
// scripts/screenshots.py before it makes the pictures:
//
//   node check.mjs --project DIR --cucumber-server PATH/gserver/out/server.js --feature FILE
//
// FILE, a .feature file in DIR (not under features/, whose steps the server counts), has a step
// for every phrase. The server must find a definition for each (no diagnostic) but none for a
// step that is no phrase (`When I GRAB "/cart"`, added at the end), and its completion of an empty step must list every phrase as it reads, each "{name}" inserted as a
// tab stop and nothing of a regular expression in sight.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { LanguageServer } from "./lsp.mjs";

const { values: args } = parseArgs({ options: {
  project: { type: "string" }, "cucumber-server": { type: "string" }, feature: { type: "string" },
} });
for (const name of ["project", "cucumber-server", "feature"]) {
  if (!args[name]) throw new Error(`--${name} is required`);
}
const project = path.resolve(args.project);
const settings = JSON.parse(fs.readFileSync(path.join(project, ".vscode", "settings.json"), "utf8"));
const feature = path.resolve(args.feature);
const NO_PHRASE = '    When I GRAB "/cart"';
const text = `${fs.readFileSync(feature, "utf8").replace(/\n*$/, "\n")}${NO_PHRASE}\n`;
const problems = [];

const server = new LanguageServer("cucumber", ["node", args["cucumber-server"], "--stdio"], project, settings);
try {
  await server.start();
  await server.open(feature, "feature", text);
  const lines = text.split("\n");
  const flagged = (await server.diagnostics()).map((diagnostic) => diagnostic.range.start.line);
  for (const line of flagged.filter((line) => lines[line] !== NO_PHRASE)) {
    problems.push(`line ${line + 1}, no step definition found for ${lines[line].trim()}`);
  }
  if (!flagged.some((line) => lines[line] === NO_PHRASE)) problems.push(`no diagnostic for ${NO_PHRASE.trim()}`);
  // An empty step after the feature's last line: the server offers every phrase, whole.
  const typed = `${text}    Given `;
  const end = typed.split("\n");
  const items = await server.complete(typed, end.length - 1, end.at(-1).length);
  if (items.length === 0) problems.push("no completion for an empty step");
  for (const item of items) {
    let stop = 0;
    const expected = item.label.replace(/\{\w+\}/g, () => `\${${++stop}:}`);
    if (/[\\()[\]|*+?^$]/.test(item.label)) problems.push(`label of a regular expression: ${item.label}`);
    else if (item.insertText !== expected) problems.push(`${item.label}: inserts ${item.insertText}, not ${expected}`);
  }
  const steps = lines.filter((line) => /^\s+(Given|When|Then|And|But) /.test(line)).length;
  console.log(`${path.basename(feature)}: ${steps} steps (${flagged.length} without a definition), `
    + `${items.length} completions of an empty step, ${problems.length} problems`);
} finally {
  await server.stop();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
