// Pictures of phrase completion as the editor set-up of docs/editors.md gives it, made by
// scripts/screenshots.py (which says how to install what this needs):
//
//   node shoot.mjs --project DIR --out DIR --chromium PATH \
//        --cucumber-server PATH/gserver/out/server.js --robotcode PATH/robotcode
//
// DIR is a project that `seamline init` made. For each picture the real language server of the
// VS Code extension (Cucumber (Gherkin) Full Support's server for .feature files, RobotCode's for
// .robot files) runs with the project's .vscode/settings.json; the Monaco editor, in headless
// Chromium, types the start of a step and shows what that server answers, item for item.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { LanguageServer } from "./lsp.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MONACO = path.join(HERE, "node_modules", "monaco-editor", "min");

const { values: args } = parseArgs({ options: {
  project: { type: "string" }, out: { type: "string" }, chromium: { type: "string" },
  "cucumber-server": { type: "string" }, robotcode: { type: "string" },
} });
for (const name of ["project", "out", "chromium", "cucumber-server", "robotcode"]) {
  if (!args[name]) throw new Error(`--${name} is required`);
}
const project = path.resolve(args.project);
const settings = JSON.parse(fs.readFileSync(path.join(project, ".vscode", "settings.json"), "utf8"));

// What each picture types, where, and a label its list must hold (else the server did not
// answer with the phrases, and the picture would show the wrong thing).
const SHOTS = [
  {
    name: "editor-feature-completion", file: "features/shop.feature", language: "feature",
    server: ["node", args["cucumber-server"], "--stdio"],
    after: 'When I add 2 of "A1" to the cart', type: "Then the response f",
    expect: 'the response field "{path}" exists', width: 1060, height: 500,
    // the focused phrase's summary, from the glue file's comment on it
    details: true,
  },
  {
    // the same list, the "has {count} items" phrase chosen: the step as written, a tab stop for
    // each value; the path typed into the first, Tab to the second
    name: "editor-feature-inserted", file: "features/shop.feature", language: "feature",
    server: ["node", args["cucumber-server"], "--stdio"],
    after: 'When I add 2 of "A1" to the cart', type: "Then the response f",
    expect: 'the response field "{path}" has {count} items', width: 1060, height: 230,
    choose: true, fill: "$.items",
  },
  {
    name: "editor-robot-completion", file: "robot/shop.robot", language: "robotframework",
    server: [args.robotcode, "language-server", "--stdio"],
    after: 'When I add 2 of "A1" to the cart', type: "Then the response f",
    expect: 'the response field "${path:[^"]*}" exists', width: 1060, height: 500,
    // the focused keyword's documentation: the phrase's own, from the library
    details: true,
  },
];

function serve() {
  const types = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".ttf": "font/ttf" };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://localhost").pathname;
    const file = url.startsWith("/monaco/") ? path.join(MONACO, url.slice("/monaco/".length)) : path.join(HERE, "editor.html");
    if (!file.startsWith(MONACO) && file !== path.join(HERE, "editor.html")) {
      response.writeHead(404).end();
      return;
    }
    fs.readFile(file, (error, data) => {
      if (error) response.writeHead(404).end();
      else response.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" }).end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function shoot(browser, origin, shot) {
  const file = path.join(project, shot.file);
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const at = lines.findIndex((line) => line.trim() === shot.after);
  if (at < 0) throw new Error(`${shot.file} has no line "${shot.after}"`);
  const indent = lines[at].match(/^\s*/)[0];
  const server = new LanguageServer(shot.name, shot.server, project, settings);
  try {
    await server.start();
    await server.open(file, shot.language, lines.join("\n"));
    // The server reads the glue file or imports the library when the file opens: ask until
    // the phrases are there (RobotCode loads Seamline's keywords in the background).
    const typed = [...lines.slice(0, at + 1), indent + shot.type, ...lines.slice(at + 1)].join("\n");
    for (let attempt = 0; ; attempt += 1) {
      const items = await server.complete(typed, at + 1, indent.length + shot.type.length);
      if (items.some((item) => item.label === shot.expect)) break;
      if (attempt === 60) throw new Error(`${shot.name}: no completion "${shot.expect}" among ${items.length} items`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }

    const page = await browser.newPage({ viewport: { width: shot.width, height: shot.height }, deviceScaleFactor: 1 });
    let last = [];
    await page.exposeFunction("lspComplete", async (text, line, character, triggerKind, triggerCharacter) => {
      last = await server.complete(text, line, character, triggerKind, triggerCharacter ?? undefined);
      return last;
    });
    await page.exposeFunction("lspResolve", (index) => server.resolve(last[index]));
    await page.addInitScript((value) => { window.SEAMLINE_FILE = value; }, {
      name: path.basename(shot.file), language: shot.language, text: lines.join("\n"), line: at + 1, column: lines[at].length + 1,
    });
    await page.goto(`${origin}/editor.html`);
    await page.waitForFunction(() => window.SEAMLINE_READY === true);
    // As a person types: a new line, then the step, key by key; the list opens by itself.
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type(shot.type, { delay: 40 });
    const row = page.locator(".suggest-widget.visible .monaco-list-row", { hasText: shot.expect.slice(0, 20) });
    await row.first().waitFor({ state: "visible", timeout: 30000 });
    if (shot.details) {
      // Ctrl+Space on an open list shows the focused item's details, as in VS Code.
      await page.keyboard.press("Control+Space");
      await page.locator(".suggest-details-container .suggest-details .docs").waitFor({ state: "visible", timeout: 30000 });
      // Monaco sizes plain-text details before the text wraps (cut off after two lines): the focus
      // moved away and back lays them out again, until the whole text fits.
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowUp");
      await page.waitForFunction(() => {
        const box = document.querySelector(".suggest-details-container")?.getBoundingClientRect();
        const docs = document.querySelector(".suggest-details-container .docs");
        return box && docs && (docs.classList.contains("markdown-docs") || docs.getBoundingClientRect().height <= box.height);
      }, null, { timeout: 30000 });
    }
    if (shot.choose) {
      // Down to the expected phrase, Enter inserts it; then what an analyst types, and Tab.
      const focused = page.locator(".suggest-widget.visible .monaco-list-row.focused");
      for (let step = 0; (await focused.getAttribute("aria-label")) !== shot.expect; step += 1) {
        if (step === 60) throw new Error(`${shot.name}: "${shot.expect}" is not in the list`);
        await page.keyboard.press("ArrowDown");
      }
      await page.keyboard.press("Enter");
      await page.locator(".suggest-widget.visible").waitFor({ state: "hidden", timeout: 30000 });
      // no other list while typing the value: Tab would take its first item instead of moving on
      await page.evaluate(() => window.seamlineEditor.updateOptions({ quickSuggestions: false }));
      await page.keyboard.type(shot.fill, { delay: 20 });
      await page.keyboard.press("Tab");
    }
    const target = path.join(args.out, `${shot.name}.png`);
    await page.screenshot({ path: target });
    await page.close();
    console.log(`${target}: ${last.length} items from ${shot.server[0] === "node" ? "the Cucumber extension's server" : "RobotCode"}`);
  } finally {
    await server.stop();
  }
}

const web = await serve();
const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
try {
  fs.mkdirSync(args.out, { recursive: true });
  for (const shot of SHOTS) await shoot(browser, `http://127.0.0.1:${web.address().port}`, shot);
} finally {
  await browser.close();
  web.close();
}
