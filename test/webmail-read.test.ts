// The webmail against a real server in Chromium: log in, open a message, flag it and see the flag over
// IMAP; a message delivered by LMTP appears without a reload; a move made over IMAP shows in the
// browser; a flag set over IMAP shows too (push, both ways).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { folder, rowWithSubject, type WebmailPage } from "./helpers/webmail-browser.js";
import { eventually, startWebmailFixture, type WebmailFixture } from "./helpers/webmail-fixture.js";

const ALICE = "alice@example.test";

const message = (subject: string, body: string): Buffer =>
  Buffer.from(
    [
      "From: Carol Example <carol@example.test>",
      `To: ${ALICE}`,
      `Subject: ${subject}`,
      `Message-ID: <${subject.replaceAll(" ", ".")}@example.test>`,
      "Date: Tue, 24 Nov 2026 10:00:00 +0000",
      "",
      body,
      "",
    ].join("\r\n"),
  );

/** Whether the first INBOX message has `flag` over IMAP (the server applies the browser's change asynchronously). */
const hasFlag = async (imap: ImapFlow, flag: string): Promise<boolean> => {
  const fetched = await imap.fetchOne("1", { flags: true });
  return fetched !== false && fetched.flags?.has(flag) === true;
};

describe("webmail: reading and live updates (Chromium)", () => {
  let fixture: WebmailFixture;
  let web: WebmailPage;
  let imap: ImapFlow;
  const deliver = (subject: string, body: string) => fixture.deliver(ALICE, message(subject, body));

  before(async () => {
    fixture = await startWebmailFixture({
      users: [ALICE],
      seed: ({ deliver }) =>
        deliver(ALICE, message("Quarterly numbers", "The numbers are in.\nRegards, Carol")),
    });
    web = fixture.web;
    imap = fixture.imap(ALICE);
  });
  after(async () => {
    await fixture?.stop();
  });

  it("shows the inbox with its unread count, opens a message and marks it read", async () => {
    const { page } = web;
    await folder(page, "INBOX")
      .locator(".unread-count", { hasText: /^1 unread$/ })
      .waitFor();
    const row = rowWithSubject(page, "Quarterly numbers");
    await row.click();
    await page.locator(".reader-subject", { hasText: "Quarterly numbers" }).waitFor();
    await page.locator(".text-body", { hasText: "The numbers are in." }).waitFor();
    await page.locator(".reader-from", { hasText: "carol@example.test" }).waitFor();
    await imap.mailboxOpen("INBOX");
    await eventually(() => hasFlag(imap, "\\Seen"), Boolean, "\\Seen over IMAP after opening");
    await folder(page, "INBOX").locator(".unread-count").waitFor({ state: "detached" });
  });

  it("flags the open message, and IMAP sees \\Flagged", async () => {
    const { page } = web;
    await page.getByRole("button", { name: "☆ Flag" }).click();
    await page.getByRole("button", { name: "★ Flagged" }).waitFor();
    await eventually(() => hasFlag(imap, "\\Flagged"), Boolean, "\\Flagged over IMAP");
    // And the keyboard: s toggles it back.
    await page.locator(".message-list").focus();
    await page.keyboard.press("s");
    await eventually(
      () => hasFlag(imap, "\\Flagged"),
      (has) => !has,
      "\\Flagged removed over IMAP",
    );
  });

  it("shows a message delivered by LMTP without a reload", async () => {
    const { page } = web;
    await deliver("Fresh delivery", "Just arrived.");
    await rowWithSubject(page, "Fresh delivery").waitFor();
    await folder(page, "INBOX")
      .locator(".unread-count", { hasText: /^1 unread$/ })
      .waitFor();
  });

  it("shows a flag set over IMAP and a move made over IMAP", async () => {
    const { page } = web;
    const row = rowWithSubject(page, "Fresh delivery");
    const uids = await imap.search({ subject: "Fresh delivery" }, { uid: true });
    assert.ok(uids && uids.length === 1);
    await imap.messageFlagsAdd(uids, ["\\Flagged"], { uid: true });
    await row.locator(".flag-button.flagged").waitFor();
    await imap.messageMove(uids, "Archive", { uid: true });
    await row.waitFor({ state: "detached" });
    await folder(page, "Archive").click();
    await rowWithSubject(page, "Fresh delivery").waitFor();
    assert.deepEqual(web.errors, []);
  });
});
