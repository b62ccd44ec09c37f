// Loads one of the examples' pages in headless Chromium (Debian's, never a
// downloaded one), waits until the page's EventSources have seen enough,
// saves a screenshot and prints what the page saw as one line of JSON.
// The checks themselves are in examples/tests/browser.rs.
//
// node drive.mjs --url http://127.0.0.1:PORT/ --mode heart-rate|feed
//   --screenshot out.png [--min-events N] [--min-opens N] [--timeout-ms MS]
//
// Environment: CHROMIUM, the browser to run (default /usr/bin/chromium).

import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function parseArgs(argv) {
  const args = { minEvents: 3, minOpens: 1, timeoutMs: 30000 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const key = flag.replace(/^--/, "").replace(/-(\w)/g, (_, c) => c.toUpperCase());
    args[key] = ["minEvents", "minOpens", "timeoutMs"].includes(key) ? Number(value) : value;
  }
  for (const key of ["url", "mode", "screenshot"]) {
    if (!args[key]) throw new Error(`--${key} is required`);
  }
  return args;
}

// What the page has seen so far, read inside the page.
function collect(mode) {
  const out = {
    log: window.sseLog ?? [],
    states: window.sseStates ?? null,
    problems: window.feedProblems ?? [],
    pixels: {},
  };
  if (mode === "heart-rate") {
    // How many canvas pixels are drawn in each series' colour: proof that
    // the chart drew the three lines, not only that events arrived.
    const colors = { "string-item": [0xd1, 0x49, 0x5b], "json-item": [0x00, 0x79, 0x8c], "sse-item": [0xed, 0xae, 0x49] };
    const canvas = document.getElementById("chart");
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    for (const [name, [r, g, b]] of Object.entries(colors)) {
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8) n += 1;
      }
      out.pixels[name] = n;
    }
  }
  return out;
}

// Whether the page has seen enough, evaluated inside the page.
function enough({ mode, minEvents, minOpens }) {
  const log = window.sseLog ?? [];
  if (mode === "heart-rate") {
    return ["string-item", "json-item", "sse-item"].every(
      (source) => log.filter((e) => e.source === source).length >= minEvents,
    );
  }
  const opens = (window.sseStates ?? []).filter((s) => s === "open").length;
  return opens >= minOpens && log.filter((e) => e.type === "heartRate").length >= minEvents;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const profile = mkdtempSync(join(tmpdir(), "sse-examples-chromium-"));
  const result = { ok: false, error: null };
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      headless: true,
      timeout: 30000,
      viewport: { width: 1000, height: 900 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (err) => {
      result.pageErrors = [...(result.pageErrors ?? []), String(err)];
    });
    await page.goto(args.url, { timeout: 15000 });
    try {
      await page.waitForFunction(enough, args, { timeout: args.timeoutMs, polling: 50 });
      result.ok = true;
    } catch (err) {
      result.error = `the page did not see enough within ${args.timeoutMs} ms: ${err.message.split("\n")[0]}`;
    }
    Object.assign(result, await page.evaluate(collect, args.mode));
    await page.screenshot({ path: args.screenshot, fullPage: true, timeout: 15000 });
  } catch (err) {
    result.error = String(err?.stack ?? err);
  } finally {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.ok ? 0 : 1;
}

main();
