// The webmail on a very large folder (issue 11: "a 100,000-message folder loads in under a second and
// scrolls smoothly"), measured in Debian's Chromium (launched as the webmail tests launch it): an INBOX of N messages (default 100,000) filled at
// store level as the other benchmarks do, a real server, and the built webmail. Prints medians of
//   - open: clicking INBOX (from another folder) until its first rows show content, cold (the first
//     time after the server starts: the account's maps are built), warm (unchanged account) and after a
//     change (a flag set over JMAP, so the server builds its maps and the query again);
//   - deep: jumping the list to the middle and to the end until the rows there show content;
//   - one window from the server: Email/query (position, limit 100) + Email/get, timed by the client;
//   - scrolling: frame intervals while the mouse wheel scrolls the list.
// A measurement, not a test: nothing is asserted. Usage:
//   node dist/bench/webmail-bench.js [messages] [runs]     (POSTFACH_BENCH_FILL_CACHE reuses a fill)
import { loadavg } from "node:os";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../test/helpers/webmail-browser.js";
import { BENCH_ADDRESS, BENCH_PASSWORD, fillMailbox, startBenchServer } from "./bench-server.js";

const MESSAGES = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 5);
/** Distinct bodies the fill indexes (each is appended MESSAGES / DISTINCT times). */
const DISTINCT = Math.min(MESSAGES, 5000);
const ROW_SELECTOR = ".message-row:not(.placeholder)";

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};
const ms = (value: number): string => `${value.toFixed(0)} ms`;

async function login(browser: Browser, baseUrl: string): Promise<Page> {
  // The bench's probes are strings evaluated in the page (this file has no DOM types), which the
  // webmail's CSP forbids; the webmail's own code runs the same either way.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(`${baseUrl}/`);
  await page.getByLabel("Email address").fill(BENCH_ADDRESS);
  await page.getByLabel("Password").fill(BENCH_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("tree", { name: "Folders" }).waitFor();
  return page;
}

/** From a click on INBOX (another folder open) until a row of it shows content. */
async function openInbox(page: Page): Promise<number> {
  await page.locator('.folder[data-mailbox-name="Drafts"]').click();
  await page.locator(ROW_SELECTOR).first().waitFor({ state: "detached" });
  const start = performance.now();
  await page.locator('.folder[data-mailbox-name="INBOX"]').click();
  await page.locator(ROW_SELECTOR).first().waitFor();
  return performance.now() - start;
}

/** Scrolls the list to a fraction of its height and waits until every row in view shows content. */
async function jumpTo(page: Page, fraction: number): Promise<number> {
  const start = performance.now();
  await page.locator(".message-list").evaluate((list, at) => {
    list.scrollTop = (list.scrollHeight - list.clientHeight) * at;
  }, fraction);
  await page.waitForFunction(
    `document.querySelectorAll(".message-row.placeholder").length === 0 &&
     document.querySelectorAll("${ROW_SELECTOR}").length > 0`,
    undefined,
    { polling: "raf" },
  );
  return performance.now() - start;
}

/** Frame intervals (ms) while the wheel scrolls the list `steps` times. */
async function scrollFrames(page: Page, steps: number): Promise<number[]> {
  await page.locator(".message-list").hover();
  // A string: this file is compiled without the DOM library.
  await page.evaluate(`(() => {
    const frames = [];
    window.benchFrames = frames;
    let last = performance.now();
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      if (frames.length < 100000) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  for (let i = 0; i < steps; i++) await page.mouse.wheel(0, 400);
  await page.waitForTimeout(300);
  return (await page.evaluate("window.benchFrames.slice(1)")) as number[];
}

/** One window as the webmail asks for it, timed from Node (Basic auth over loopback). */
async function windowTime(baseUrl: string, position: number): Promise<number> {
  const authorization = `Basic ${Buffer.from(`${BENCH_ADDRESS}:${BENCH_PASSWORD}`).toString("base64")}`;
  const session = (await (
    await fetch(`${baseUrl}/.well-known/jmap`, { headers: { authorization } })
  ).json()) as {
    primaryAccounts: Record<string, string>;
  };
  const accountId = session.primaryAccounts["urn:ietf:params:jmap:mail"];
  const start = performance.now();
  const res = await fetch(`${baseUrl}/jmap/api`, {
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body: JSON.stringify({
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
      methodCalls: [
        ["Email/query", { accountId, position, limit: 100, calculateTotal: true }, "q"],
        [
          "Email/get",
          {
            accountId,
            "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
            properties: [
              "id",
              "threadId",
              "mailboxIds",
              "keywords",
              "from",
              "subject",
              "receivedAt",
              "preview",
            ],
          },
          "g",
        ],
      ],
    }),
  });
  await res.json();
  return performance.now() - start;
}

async function main(): Promise<void> {
  console.log(`webmail bench: ${MESSAGES} messages, ${RUNS} runs, load average ${loadavg()[0]?.toFixed(1)}`);
  const fillStart = performance.now();
  const fill = await fillMailbox(MESSAGES, DISTINCT, 2026, true);
  console.log(`fill: ${ms(performance.now() - fillStart)}`);
  const server = await startBenchServer(fill.dataDir, ["http"]);
  const baseUrl = `http://127.0.0.1:${server.port("http")}`;
  const browser = await launchBrowser();
  try {
    const loginStart = performance.now();
    const page = await login(browser, baseUrl);
    await page.locator(ROW_SELECTOR).first().waitFor();
    console.log(`cold: login to the first rows of INBOX ${ms(performance.now() - loginStart)}`);
    const warm: number[] = [];
    const changed: number[] = [];
    const middle: number[] = [];
    const end: number[] = [];
    const windows: Record<string, number[]> = {
      "0": [],
      [String(MESSAGES / 2)]: [],
      [String(MESSAGES - 100)]: [],
    };
    for (let run = 0; run < RUNS; run++) {
      warm.push(await openInbox(page));
      middle.push(await jumpTo(page, 0.5));
      end.push(await jumpTo(page, 1));
      for (const position of Object.keys(windows))
        windows[position]?.push(await windowTime(baseUrl, Number(position)));
      // A change moves the account's state: the next open builds the maps and runs the query again.
      await page.locator(".message-list").evaluate((list) => {
        list.scrollTop = 0;
      });
      await page.locator(ROW_SELECTOR).first().click();
      await page.keyboard.press("s");
      await page.waitForTimeout(500);
      changed.push(await openInbox(page));
    }
    const frames = await scrollFrames(page, 120);
    const sortedFrames = [...frames].sort((a, b) => a - b);
    const p = (q: number) =>
      sortedFrames[Math.min(sortedFrames.length - 1, Math.floor(q * sortedFrames.length))] ?? 0;
    console.log(`open INBOX, warm: median ${ms(median(warm))} (${warm.map(ms).join(", ")})`);
    console.log(`open INBOX after a change: median ${ms(median(changed))} (${changed.map(ms).join(", ")})`);
    console.log(`jump to the middle: median ${ms(median(middle))}; to the end: median ${ms(median(end))}`);
    for (const [position, times] of Object.entries(windows))
      console.log(`one window at ${position} (Email/query + Email/get): median ${ms(median(times))}`);
    console.log(
      `scrolling, 120 wheel steps: frame p50 ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms, max ${(sortedFrames.at(-1) ?? 0).toFixed(1)} ms`,
    );
    console.log(`load average at the end ${loadavg()[0]?.toFixed(1)}`);
  } finally {
    await browser.close();
    await server.stop();
    await fill.remove();
  }
}

await main();
