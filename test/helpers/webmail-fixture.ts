// What every webmail test file sets up: a real server with its users, mail put in before the browser
// opens (by LMTP, as delivery, or by IMAP APPEND), IMAP sessions to check results with, Chromium and a
// page logged in as the first user; plus the two checks they all make — a mailbox's messages over IMAP,
// and waiting until a condition holds.
import assert from "node:assert/strict";
import type { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import type { Browser } from "playwright-core";
import { imapFlowClient } from "./imapflow-client.js";
import { startTestServer, type TestServer } from "./test-server.js";
import { launchBrowser, openWebmail, type WebmailPage } from "./webmail-browser.js";

export interface WebmailFixture {
  readonly server: TestServer;
  readonly browser: Browser;
  /** The webmail, logged in as the first user. */
  readonly web: WebmailPage;
  /** A connected IMAP session of a user given in `imapUsers`. */
  imap(address: string): ImapFlow;
  /** Delivers a message to `to` over LMTP (as mail from outside arrives). */
  deliver(to: string, raw: string | Buffer): Promise<void>;
  /** Closes the page, the browser, the IMAP sessions and the server. */
  stop(): Promise<void>;
}

export interface WebmailFixtureOptions {
  /** The accounts to create; the webmail logs in as the first. */
  readonly users: readonly string[];
  /** Users with an IMAP session (default: the first user). */
  readonly imapUsers?: readonly string[];
  /** Puts mail in before the browser opens, so the first view shows it. */
  readonly seed?: (fixture: Pick<WebmailFixture, "server" | "imap" | "deliver">) => Promise<void>;
}

export async function startWebmailFixture(options: WebmailFixtureOptions): Promise<WebmailFixture> {
  const server = await startTestServer();
  const sessions = new Map<string, ImapFlow>();
  let browser: Browser | undefined;
  let web: WebmailPage | undefined;
  const lmtp = nodemailer.createTransport({
    host: "127.0.0.1",
    port: server.port("lmtp"),
    lmtp: true,
    ignoreTLS: true,
  });
  const fixture = {
    server,
    imap(address: string): ImapFlow {
      const session = sessions.get(address);
      if (session === undefined) throw new Error(`no IMAP session for ${address} (imapUsers)`);
      return session;
    },
    async deliver(to: string, raw: string | Buffer): Promise<void> {
      await lmtp.sendMail({ envelope: { from: "carol@example.test", to: [to] }, raw });
    },
    async stop(): Promise<void> {
      await web?.close();
      await browser?.close();
      for (const session of sessions.values()) await session.logout().catch(() => {});
      lmtp.close();
      await server.stop();
    },
  };
  try {
    for (const user of options.users) await server.addUser(user);
    for (const user of options.imapUsers ?? options.users.slice(0, 1)) {
      const session = imapFlowClient(server.port("imap"), user);
      await session.connect();
      sessions.set(user, session);
    }
    await options.seed?.(fixture);
    browser = await launchBrowser();
    web = await openWebmail(browser, `http://127.0.0.1:${server.port("http")}`, options.users[0] as string);
    return { ...fixture, browser, web };
  } catch (error) {
    await fixture.stop();
    throw error;
  }
}

/** A plain message from Carol, as the tests' seeded mail is. */
export function fromCarol(to: string, subject: string, messageId: string, body: string): string {
  return [
    "From: Carol <carol@example.test>",
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${messageId}>`,
    "",
    body,
    "",
  ].join("\r\n");
}

/** A message of a mailbox as IMAP shows it. */
export interface ImapMessage {
  readonly subject: string;
  readonly flags: Set<string>;
  readonly source: string;
}

/** A mailbox's messages over IMAP (NOOP first, so expunges and new messages are seen). */
export async function messagesIn(imap: ImapFlow, mailbox: string): Promise<ImapMessage[]> {
  const lock = await imap.getMailboxLock(mailbox);
  try {
    await imap.noop();
    const result: ImapMessage[] = [];
    if (imap.mailbox === false || imap.mailbox.exists === 0) return result;
    for await (const message of imap.fetch("1:*", { envelope: true, flags: true, source: true })) {
      result.push({
        subject: message.envelope?.subject ?? "",
        flags: message.flags ?? new Set(),
        source: message.source?.toString("utf8") ?? "",
      });
    }
    return result;
  } finally {
    lock.release();
  }
}

/** Reads until `isDone` holds (10 s at most) and returns that value; fails naming `what` otherwise. */
export async function eventually<T>(
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
  what: string,
): Promise<T> {
  let value = await read();
  for (let attempt = 0; attempt < 100 && !isDone(value); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  assert.ok(isDone(value), `never happened: ${what}`);
  return value;
}
