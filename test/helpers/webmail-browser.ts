// Drives the webmail in Debian's Chromium (playwright-core, headless, no network services of its own):
// one browser per test file, a fresh context (no shared storage) per page; logs in through the login page.
import { type Browser, chromium, type Page } from "playwright-core";
import { TEST_PASSWORD } from "./test-server.js";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export interface WebmailPage {
  readonly page: Page;
  /** Every URL the page requested (documents, scripts, fetches, images, frames). */
  readonly requests: string[];
  /** Uncaught page errors and console errors (CSP violations show up here). */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Opens the webmail at `baseUrl` in a new context and logs in as `user`. */
export async function openWebmail(
  browser: Browser,
  baseUrl: string,
  user: string,
  viewport = { width: 1280, height: 800 },
): Promise<WebmailPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(`${baseUrl}/`);
  await page.getByLabel("Email address").fill(user);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("tree", { name: "Folders" }).waitFor();
  return { page, requests, errors, close: () => context.close() };
}

/** The list row of the message with this subject. */
export function rowWithSubject(page: Page, subject: string) {
  return page.locator(".message-row", { has: page.locator(".row-subject", { hasText: subject }) });
}

/** The folder tree item of a mailbox. */
export function folder(page: Page, name: string) {
  return page.locator(`.folder[data-mailbox-name="${name}"]`);
}
