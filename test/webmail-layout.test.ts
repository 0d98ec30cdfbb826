// The webmail's layout in Chromium: three panes on a desktop, one pane at a time at a phone's width (no
// horizontal scrolling; the folders behind ☰, the message with a back button), dark mode from
// prefers-color-scheme. With POSTFACH_SCREENSHOTS=1 the main views are saved under docs/screenshots/
// (linked from the README); otherwise they are taken into a temporary folder, so a test run leaves the
// working tree as it was.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import type { Browser, Page } from "playwright-core";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";
import { folder, launchBrowser, rowWithSubject } from "./helpers/webmail-browser.js";

const ALICE = "alice@example.test";
const SAVE_TO_DOCS = process.env.POSTFACH_SCREENSHOTS === "1";
const FIXED_NOW = new Date("2026-11-26T12:00:00Z");

const HTML_MESSAGE = [
  "From: Grace Hopper <grace@example.test>",
  `To: Alice <${ALICE}>`,
  "Subject: Welcome to Postfach",
  "Message-ID: <welcome@example.test>",
  "Date: Thu, 26 Nov 2026 09:30:00 +0000",
  "MIME-Version: 1.0",
  "Content-Type: text/html; charset=utf-8",
  "",
  "<h2 style='color:#1f5fc8'>Welcome!</h2><p>Your mail is here, in sync with every IMAP and POP3 client.</p>",
  "<ul><li>Press <b>?</b> for the keyboard shortcuts</li><li>Drag messages onto a folder to move them</li></ul>",
  "",
].join("\r\n");

function plain(n: number, from: string, subject: string, body: string): string {
  return [
    `From: ${from}`,
    `To: ${ALICE}`,
    `Subject: ${subject}`,
    `Message-ID: <l${n}@example.test>`,
    "",
    body,
    "",
  ].join("\r\n");
}

describe("webmail: layout at desktop and phone width, dark mode (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let imap: ImapFlow;
  let baseUrl: string;
  let shotDir: string;

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    imap = imapFlowClient(server.port("imap"), ALICE);
    await imap.connect();
    const at = (hour: number) => new Date(Date.UTC(2026, 10, 26, hour));
    await imap.append(
      "INBOX",
      plain(1, "Ada <ada@example.test>", "Notes from the design review", "See the attached notes."),
      ["\\Seen"],
      at(7),
    );
    await imap.append(
      "INBOX",
      plain(2, "Linus <linus@example.test>", "Patch series v3", "Rebased on main."),
      ["\\Flagged"],
      at(8),
    );
    await imap.append(
      "INBOX",
      plain(3, "Barbara <barbara@example.test>", "Lunch on Friday?", "Noon at the usual place?"),
      [],
      at(9),
    );
    await imap.append("INBOX", HTML_MESSAGE, [], at(10));
    shotDir = SAVE_TO_DOCS
      ? join(process.cwd(), "docs", "screenshots")
      : await mkdtemp(join(tmpdir(), "webmail-shots-"));
    await mkdir(shotDir, { recursive: true });
    browser = await launchBrowser();
    baseUrl = `http://127.0.0.1:${server.port("http")}`;
  });
  after(async () => {
    await browser?.close();
    await imap?.logout().catch(() => {});
    await server?.stop();
    if (!SAVE_TO_DOCS && shotDir !== undefined) await rm(shotDir, { recursive: true, force: true });
  });

  async function open(width: number, height: number, colorScheme: "light" | "dark"): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.clock.setFixedTime(FIXED_NOW);
    await page.goto(`${baseUrl}/`);
    return page;
  }

  async function logIn(page: Page): Promise<void> {
    await page.getByLabel("Email address").fill(ALICE);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await rowWithSubject(page, "Welcome to Postfach").waitFor();
  }

  it("desktop: three panes side by side", async () => {
    const page = await open(1280, 800, "light");
    await page.screenshot({ path: join(shotDir, "login-desktop.png") });
    await logIn(page);
    await rowWithSubject(page, "Welcome to Postfach").click();
    await page.frameLocator("iframe.html-body").locator("h2", { hasText: "Welcome!" }).waitFor();
    for (const pane of [".folders", ".list-pane", ".reader-pane"])
      assert.ok(await page.locator(pane).isVisible(), pane);
    const folders = await page.locator(".folders").boundingBox();
    const list = await page.locator(".list-pane").boundingBox();
    const reader = await page.locator(".reader-pane").boundingBox();
    assert.ok(folders && list && reader && folders.x < list.x && list.x < reader.x);
    await page.screenshot({ path: join(shotDir, "mail-desktop.png") });
    await page.keyboard.press("c");
    await page.getByRole("dialog", { name: "New message" }).waitFor();
    await page.screenshot({ path: join(shotDir, "compose-desktop.png") });
    await page.context().close();
  });

  it("phone: one pane at a time, nothing wider than the screen", async () => {
    const page = await open(390, 844, "light");
    await logIn(page);
    const widthOf = () => page.evaluate<number>("document.documentElement.scrollWidth");
    assert.ok((await widthOf()) <= 390, "no horizontal scrolling");
    assert.equal(await page.locator(".folders").isVisible(), false);
    assert.equal(await page.locator(".reader-pane").isVisible(), false);
    await page.screenshot({ path: join(shotDir, "list-phone.png") });
    await page.getByRole("button", { name: "Folders" }).click();
    await folder(page, "Sent").waitFor();
    await page.screenshot({ path: join(shotDir, "folders-phone.png") });
    await folder(page, "INBOX").click();
    await rowWithSubject(page, "Lunch on Friday?").click();
    await page.locator(".text-body", { hasText: "Noon at the usual place?" }).waitFor();
    assert.equal(await page.locator(".list-pane").isVisible(), false);
    assert.ok((await widthOf()) <= 390, "no horizontal scrolling in the message");
    await page.screenshot({ path: join(shotDir, "message-phone.png") });
    await page.getByRole("button", { name: "Back to list" }).click();
    await rowWithSubject(page, "Lunch on Friday?").waitFor();
    await page.context().close();
  });

  it("dark mode follows prefers-color-scheme", async () => {
    const page = await open(1280, 800, "dark");
    await logIn(page);
    const background = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    assert.ok((r ?? 255) < 60 && (g ?? 255) < 60 && (b ?? 255) < 60, `dark background, got ${background}`);
    await rowWithSubject(page, "Patch series v3").click();
    await page.locator(".text-body", { hasText: "Rebased on main." }).waitFor();
    await page.screenshot({ path: join(shotDir, "mail-desktop-dark.png") });
    await page.context().close();
  });
});
