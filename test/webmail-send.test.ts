// Sending from the webmail (Chromium, real server): a new message to a local user goes out through
// EmailSubmission — it lands in their INBOX (seen over IMAP) and the sender's copy moves from Drafts to
// Sent without \Draft; a message forwarded as an attachment arrives with the original as message/rfc822.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import type { Browser } from "playwright-core";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";
import { launchBrowser, openWebmail, rowWithSubject, type WebmailPage } from "./helpers/webmail-browser.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";

interface Found {
  readonly subject: string;
  readonly flags: Set<string>;
  readonly source: string;
}

/** A mailbox's messages over IMAP (NOOP first, so expunges and new messages are seen). */
async function messagesIn(imap: ImapFlow, mailbox: string): Promise<Found[]> {
  const lock = await imap.getMailboxLock(mailbox);
  try {
    await imap.noop();
    const result: Found[] = [];
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

async function eventually<T>(
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

describe("webmail: sending (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let web: WebmailPage;
  let aliceImap: ImapFlow;
  let bobImap: ImapFlow;

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    await server.addUser(BOB);
    const lmtp = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.port("lmtp"),
      lmtp: true,
      ignoreTLS: true,
    });
    await lmtp.sendMail({
      envelope: { from: "carol@example.test", to: [ALICE] },
      raw: [
        "From: Carol <carol@example.test>",
        `To: ${ALICE}`,
        "Subject: Minutes of the meeting",
        "Message-ID: <minutes@example.test>",
        "",
        "Attached are the minutes.",
        "",
      ].join("\r\n"),
    });
    aliceImap = imapFlowClient(server.port("imap"), ALICE);
    bobImap = imapFlowClient(server.port("imap"), BOB);
    await aliceImap.connect();
    await bobImap.connect();
    browser = await launchBrowser();
    web = await openWebmail(browser, `http://127.0.0.1:${server.port("http")}`, ALICE);
  });
  after(async () => {
    await web?.close();
    await browser?.close();
    await aliceImap?.logout().catch(() => {});
    await bobImap?.logout().catch(() => {});
    await server?.stop();
  });

  it("sends a new message to a local user: in their INBOX, and in Sent rather than Drafts", async () => {
    const { page } = web;
    await page.getByRole("button", { name: "Compose" }).click();
    const compose = page.getByRole("dialog", { name: "New message" });
    await compose.getByLabel("To").fill(`Bob <${BOB}>`);
    await compose.getByLabel("Subject").fill("Hello Bob");
    await compose.getByLabel("Message").fill("Sent from the webmail.");
    await compose.getByRole("button", { name: "Send" }).click();
    await compose.waitFor({ state: "detached" });
    await page.getByText("Message sent").waitFor();

    const inbox = await eventually(
      () => messagesIn(bobImap, "INBOX"),
      (list) => list.some((m) => m.subject === "Hello Bob"),
      "the message in Bob's INBOX",
    );
    const received = inbox.find((m) => m.subject === "Hello Bob");
    assert.match(received?.source ?? "", /Sent from the webmail\./);
    assert.match(received?.source ?? "", /^From: .*alice@example\.test/m);
    assert.ok(!received?.flags.has("\\Draft"));

    const sent = await eventually(
      () => messagesIn(aliceImap, "Sent"),
      (list) => list.some((m) => m.subject === "Hello Bob"),
      "the copy in Alice's Sent",
    );
    assert.ok(!sent.find((m) => m.subject === "Hello Bob")?.flags.has("\\Draft"));
    assert.deepEqual(
      (await messagesIn(aliceImap, "Drafts")).map((m) => m.subject),
      [],
      "no draft left behind",
    );
  });

  it("forwards a message as an attachment", async () => {
    const { page } = web;
    await page.locator(`.folder[data-mailbox-name="INBOX"]`).click();
    await rowWithSubject(page, "Minutes of the meeting").click();
    await page.locator(".text-body", { hasText: "Attached are the minutes." }).waitFor();
    await page.getByRole("button", { name: "Forward as attachment" }).click();
    const compose = page.getByRole("dialog", { name: "Forward" });
    assert.equal(await compose.getByLabel("Subject").inputValue(), "Fwd: Minutes of the meeting");
    await compose.getByText("Minutes of the meeting.eml").waitFor();
    await compose.getByLabel("To").fill(BOB);
    await compose.getByRole("button", { name: "Send" }).click();
    await compose.waitFor({ state: "detached" });
    const inbox = await eventually(
      () => messagesIn(bobImap, "INBOX"),
      (list) => list.some((m) => m.subject === "Fwd: Minutes of the meeting"),
      "the forward in Bob's INBOX",
    );
    const forwarded = inbox.find((m) => m.subject === "Fwd: Minutes of the meeting")?.source ?? "";
    assert.match(forwarded, /Content-Type: message\/rfc822/);
    assert.match(forwarded, /Message-ID: <minutes@example\.test>/);
  });
});
