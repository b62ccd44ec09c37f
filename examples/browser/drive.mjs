// Loads one of the examples' pages in headless Chromium (Debian's, never a
// downloaded one), waits until the page's EventSources have seen enough,
// saves a screenshot and prints what the page saw as one line of JSON.
// The checks themselves are in examples/tests/browser.rs.
//
// node drive.mjs --url http://127.0.0.1:PORT/ --mode heart-rate|feed|streams
//   --screenshot out.png [--min-events N] [--min-opens N] [--timeout-ms MS]
//   [--streams N] [--settle-ms MS] [--insecure 1]
//
// Mode `streams` loads a blank page of the server's origin (served by the
// test itself, so that it opens nothing) and opens N EventSources to
// /sse-item from it; it waits until every one has --min-events events, or
// with --settle-ms until one has, then that long again, and reports what
// each stream saw and the protocol of each response. --insecure 1 accepts
// the server's self-signed certificate (for the test only).
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
    args[key] = ["minEvents", "minOpens", "timeoutMs", "streams", "settleMs"].includes(key) ? Number(value) : value;
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

// Mode `streams`, inside the page: opens `count` EventSources to
// /sse-item?stream=<i>, each counting its events.
function openStreams(count) {
  window.streams = [];
  for (let i = 0; i < count; i += 1) {
    const stream = { events: 0, firstAt: null, lastAt: null, opened: false, errors: 0 };
    const source = new EventSource(`/sse-item?stream=${i}`);
    source.onopen = () => { stream.opened = true; };
    source.onerror = () => { stream.errors += 1; };
    source.addEventListener("heartRate", () => {
      const now = performance.now();
      stream.events += 1;
      stream.firstAt ??= now;
      stream.lastAt = now;
    });
    window.streams.push({ source, stream });
  }
}

// Mode `streams`, inside the page: what each stream has seen, as of now.
function streamStates() {
  const now = performance.now();
  return window.streams.map(({ source, stream }) => ({
    ...stream,
    readyState: source.readyState,
    sinceLast: stream.lastAt === null ? null : now - stream.lastAt,
  }));
}

// Mode `streams`, inside the page: closes every stream, then reads the
// protocol of each from Resource Timing where the browser records it.
async function closeStreams() {
  for (const { source } of window.streams) source.close();
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    navigation: performance.getEntriesByType("navigation").map((e) => e.nextHopProtocol),
    resources: performance
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/sse-item"))
      .map((e) => ({ name: e.name, nextHopProtocol: e.nextHopProtocol })),
  };
}

// Whether the page has seen enough, evaluated inside the page.
function enough({ mode, minEvents, minOpens, settleMs }) {
  if (mode === "streams") {
    const streams = window.streams ?? [];
    const counts = streams.map(({ stream }) => stream.events);
    // The control waits for one stream, then --settle-ms more.
    return settleMs ? counts.some((n) => n >= minEvents) : streams.length > 0 && counts.every((n) => n >= minEvents);
  }
  const log = window.sseLog ?? [];
  if (mode === "heart-rate") {
    return ["string-item", "json-item", "sse-item"].every(
      (source) => log.filter((e) => e.source === source).length >= minEvents,
    );
  }
  const opens = (window.sseStates ?? []).filter((s) => s === "open").length;
  return opens >= minOpens && log.filter((e) => e.type === "heartRate").length >= minEvents;
}

// Mode `streams`: see the top of this file.
async function streams(context, page, args, result) {
  // The protocol of each event stream's response, as the network stack
  // negotiated it ("h2", "http/1.1").
  const protocols = {};
  const cdp = await context.newCDPSession(page);
  cdp.on("Network.responseReceived", ({ response }) => {
    if (response.url.includes("/sse-item")) protocols[new URL(response.url).search] = response.protocol;
  });
  await cdp.send("Network.enable");
  // A blank page of the server's origin, served from here: the streams
  // are then same-origin, and nothing else holds a connection.
  const blank = new URL("streams", args.url).href;
  await page.route(blank, (route) =>
    route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: "<!doctype html><title>streams</title>" }),
  );
  await page.goto(blank, { timeout: 15000 });
  await page.unrouteAll();
  await page.evaluate(openStreams, args.streams);
  try {
    await page.waitForFunction(enough, args, { timeout: args.timeoutMs, polling: 50 });
    if (args.settleMs) await page.waitForTimeout(args.settleMs);
    result.ok = true;
  } catch (err) {
    result.error = `the streams did not see enough within ${args.timeoutMs} ms: ${err.message.split("\n")[0]}`;
  }
  result.streams = await page.evaluate(streamStates);
  await page.screenshot({ path: args.screenshot, timeout: 15000 });
  result.timing = await page.evaluate(closeStreams);
  result.protocols = protocols;
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
      // Only for the `--tls` servers' self-signed certificates, in tests.
      ignoreHTTPSErrors: args.insecure === "1",
      args: [
        ...(args.insecure === "1" ? ["--ignore-certificate-errors"] : []),
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
    if (args.mode === "streams") {
      await streams(context, page, args, result);
    } else {
      await page.goto(args.url, { timeout: 15000 });
      try {
        await page.waitForFunction(enough, args, { timeout: args.timeoutMs, polling: 50 });
        result.ok = true;
      } catch (err) {
        result.error = `the page did not see enough within ${args.timeoutMs} ms: ${err.message.split("\n")[0]}`;
      }
      Object.assign(result, await page.evaluate(collect, args.mode));
    }
    if (args.mode !== "streams") await page.screenshot({ path: args.screenshot, fullPage: true, timeout: 15000 });
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
