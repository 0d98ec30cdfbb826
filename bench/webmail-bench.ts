// The webmail on a very large folder (issue 11: "a 100,000-message folder loads in under a second and
// scrolls smoothly"), measured in Debian's Chromium (launched as the webmail tests launch it): an INBOX of N messages (default 100,000) filled at
// store level as the other benchmarks do, a real server, and the built webmail. Prints medians of
//   - open: clicking INBOX (from another folder) until its first rows show content, cold (the first
//     time after the server starts: the account's maps are built), warm (unchanged account) and after a
//     change (a flag set over JMAP, so the server builds its maps and the query again);
//   - deep: jumping the list to the middle and to the end until the rows there show content;
//   - one window from the server: Email/query (position, limit 100) + Email/get, timed by the client;
//   - scrolling: frame intervals while the mouse wheel scrolls the list.
// With --cold, only the first open after a start, once per server start (RUNS starts, alternating):
//   - browser: a fresh server, the click on "Sign in" until the first rows of INBOX show content;
//   - JMAP: another fresh server, the webmail's first requests in its order (token, session,
//     Mailbox/get, the INBOX window), each timed by the client and by the server's CPU (from /proc).
// A measurement, not a test: nothing is asserted. Usage:
//   node dist/bench/webmail-bench.js [messages] [runs] [--cold]  (POSTFACH_BENCH_FILL_CACHE reuses a fill)
import { loadavg } from "node:os";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../test/helpers/webmail-browser.js";
import {
  BENCH_ADDRESS,
  BENCH_PASSWORD,
  type FilledMailbox,
  fillMailbox,
  startBenchServer,
} from "./bench-server.js";
import { treeCpuMs } from "./process-cpu.js";

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const MESSAGES = Number(positional[0] ?? 100_000);
const RUNS = Number(positional[1] ?? 5);
const isColdOnly = process.argv.includes("--cold");
/** Distinct bodies the fill indexes (each is appended MESSAGES / DISTINCT times). */
const DISTINCT = Math.min(MESSAGES, 5000);
const ROW_SELECTOR = ".message-row:not(.placeholder)";

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};
const ms = (value: number): string => `${value.toFixed(0)} ms`;

/** The webmail's list properties and first window (web/src/ui/list-model.ts), as it asks for them. */
const LIST_PROPERTIES = [
  "id",
  "threadId",
  "mailboxIds",
  "keywords",
  "from",
  "to",
  "subject",
  "receivedAt",
  "size",
  "preview",
  "hasAttachment",
];
const MAILBOX_PROPERTIES = ["id", "name", "parentId", "role", "sortOrder", "totalEmails", "unreadEmails"];

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

/**
 * The click on "Sign in" until the first rows of INBOX show, on a server that has served nothing yet, timed
 * in the page (from the click's event to the first row in the document, so Playwright's own polling is
 * not counted) and, for comparison with the earlier runs, from Node (click to the row found).
 */
async function coldBrowserLogin(
  browser: Browser,
  baseUrl: string,
  serverPid: number,
): Promise<{ page: number; node: number; cpu: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto(`${baseUrl}/`);
    await page.getByLabel("Email address").fill(BENCH_ADDRESS);
    await page.getByLabel("Password").fill(BENCH_PASSWORD);
    // A string: this file is compiled without the DOM library.
    await page.evaluate(`(() => {
      const rows = new MutationObserver(() => {
        if (document.querySelector(${JSON.stringify(ROW_SELECTOR)}) === null) return;
        window.benchRowsAt = performance.now();
        rows.disconnect();
      });
      rows.observe(document.body, { childList: true, subtree: true });
      document.querySelector("button[type=submit]").addEventListener(
        "click", () => { window.benchClickAt = performance.now(); }, { capture: true });
    })()`);
    const cpu = treeCpuMs(serverPid);
    const start = performance.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(ROW_SELECTOR).first().waitFor();
    const node = performance.now() - start;
    const serverCpu = treeCpuMs(serverPid) - cpu;
    await page.waitForFunction("window.benchRowsAt !== undefined");
    const inPage = (await page.evaluate("window.benchRowsAt - window.benchClickAt")) as number;
    return { page: inPage, node, cpu: serverCpu };
  } finally {
    await context.close();
  }
}

/** Wall and server CPU (ms) of each of the webmail's first requests after a start, in its order. */
async function coldJmapSteps(baseUrl: string, pid: number): Promise<Record<string, [number, number]>> {
  const steps: Record<string, [number, number]> = {};
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const cpu = treeCpuMs(pid);
    const start = performance.now();
    const result = await run();
    steps[name] = [performance.now() - start, treeCpuMs(pid) - cpu];
    return result;
  };
  const basic = `Basic ${Buffer.from(`${BENCH_ADDRESS}:${BENCH_PASSWORD}`).toString("base64")}`;
  const token = await step("token", async () => {
    const res = await fetch(`${baseUrl}/jmap/token`, { method: "POST", headers: { authorization: basic } });
    return ((await res.json()) as { access_token: string }).access_token;
  });
  const authorization = `Bearer ${token}`;
  const accountId = await step("session", async () => {
    const res = await fetch(`${baseUrl}/.well-known/jmap`, { headers: { authorization } });
    const session = (await res.json()) as { primaryAccounts: Record<string, string> };
    return session.primaryAccounts["urn:ietf:params:jmap:mail"] as string;
  });
  const api = async (methodCalls: unknown[]): Promise<[string, Record<string, unknown>, string][]> => {
    const res = await fetch(`${baseUrl}/jmap/api`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify({
        using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
        methodCalls,
      }),
    });
    return ((await res.json()) as { methodResponses: [string, Record<string, unknown>, string][] })
      .methodResponses;
  };
  const inboxId = await step("Mailbox/get", async () => {
    const [response] = await api([
      ["Mailbox/get", { accountId, ids: null, properties: MAILBOX_PROPERTIES }, "m"],
    ]);
    const list = (response?.[1].list ?? []) as { id: string; role: string | null }[];
    return list.find((m) => m.role === "inbox")?.id;
  });
  await step("INBOX window", () =>
    api([
      [
        "Email/query",
        {
          accountId,
          filter: { inMailbox: inboxId },
          sort: [{ property: "receivedAt", isAscending: false }],
          position: 0,
          limit: 100,
          calculateTotal: true,
          collapseThreads: true,
        },
        "q",
      ],
      [
        "Email/get",
        {
          accountId,
          "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
          properties: LIST_PROPERTIES,
        },
        "g",
      ],
      [
        "Thread/get",
        { accountId, "#ids": { resultOf: "g", name: "Email/get", path: "/list/*/threadId" } },
        "t",
      ],
    ]),
  );
  return steps;
}

/** RUNS server starts for each cold measurement, alternating the browser and the JMAP probe. */
async function measureColdOpens(fill: FilledMailbox): Promise<void> {
  const browser = await launchBrowser();
  const logins: number[] = [];
  const nodeLogins: number[] = [];
  const loginCpu: number[] = [];
  const steps = new Map<string, { wall: number[]; cpu: number[] }>();
  try {
    for (let run = 0; run < RUNS; run++) {
      const server = await startBenchServer(fill.dataDir, ["http"]);
      try {
        const login = await coldBrowserLogin(browser, `http://127.0.0.1:${server.port("http")}`, server.pid);
        loginCpu.push(login.cpu);
        logins.push(login.page);
        nodeLogins.push(login.node);
      } finally {
        await server.stop();
      }
      const probed = await startBenchServer(fill.dataDir, ["http"]);
      try {
        const got = await coldJmapSteps(`http://127.0.0.1:${probed.port("http")}`, probed.pid);
        for (const [name, [wall, cpu]] of Object.entries(got)) {
          const values = steps.get(name) ?? { wall: [], cpu: [] };
          values.wall.push(wall);
          values.cpu.push(cpu);
          steps.set(name, values);
        }
      } finally {
        await probed.stop();
      }
      console.log(`run ${run + 1}: login ${ms(logins.at(-1) ?? 0)}, load ${loadavg()[0]?.toFixed(1)}`);
    }
  } finally {
    await browser.close();
  }
  console.log(
    `cold: "Sign in" to the first rows of INBOX, in the page: median ${ms(median(logins))} (${logins.map(ms).join(", ")})`,
  );
  console.log(
    `cold: the same from Node (Playwright's click and wait): median ${ms(median(nodeLogins))} (${nodeLogins.map(ms).join(", ")})`,
  );
  console.log(
    `cold: server CPU from the click to the rows: median ${ms(median(loginCpu))} (${loginCpu.map(ms).join(", ")})`,
  );
  for (const [name, { wall, cpu }] of steps) {
    console.log(
      `cold JMAP ${name}: wall median ${ms(median(wall))} (${wall.map(ms).join(", ")}); server CPU median ${ms(median(cpu))} (${cpu.map(ms).join(", ")})`,
    );
  }
}

async function main(): Promise<void> {
  console.log(`webmail bench: ${MESSAGES} messages, ${RUNS} runs, load average ${loadavg()[0]?.toFixed(1)}`);
  const fillStart = performance.now();
  const fill = await fillMailbox(MESSAGES, DISTINCT, 2026, true);
  console.log(`fill: ${ms(performance.now() - fillStart)}`);
  if (isColdOnly) {
    try {
      await measureColdOpens(fill);
    } finally {
      console.log(`load average at the end ${loadavg()[0]?.toFixed(1)}`);
      await fill.remove();
    }
    return;
  }
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
