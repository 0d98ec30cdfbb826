// Sending from the webmail (Chromium, real server): a new message to a local user goes out through
// EmailSubmission — it lands in their INBOX (seen over IMAP) and the sender's copy moves from Drafts to
// Sent without \Draft; a message forwarded as an attachment arrives with the original as message/rfc822.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { rowWithSubject, type WebmailPage } from "./helpers/webmail-browser.js";
import {
  eventually,
  fromCarol,
  messagesIn,
  startWebmailFixture,
  type WebmailFixture,
} from "./helpers/webmail-fixture.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";

describe("webmail: sending (Chromium)", () => {
  let fixture: WebmailFixture;
  let web: WebmailPage;
  let aliceImap: ImapFlow;
  let bobImap: ImapFlow;

  before(async () => {
    fixture = await startWebmailFixture({
      users: [ALICE, BOB],
      imapUsers: [ALICE, BOB],
      seed: ({ deliver }) =>
        deliver(
          ALICE,
          fromCarol(ALICE, "Minutes of the meeting", "minutes@example.test", "Attached are the minutes."),
        ),
    });
    web = fixture.web;
    aliceImap = fixture.imap(ALICE);
    bobImap = fixture.imap(BOB);
  });
  after(async () => {
    await fixture?.stop();
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
