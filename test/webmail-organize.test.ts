// Organizing mail in the webmail, keyboard first (Chromium, real server): j/k and the `?` list, archive
// with `e` and delete with `#` (seen over IMAP in Archive and Trash), multi-select and drag and drop into
// a folder, emptying Trash, conversations that expand, and the search box's operators.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { folder, rowWithSubject, type WebmailPage } from "./helpers/webmail-browser.js";
import {
  eventually,
  messagesIn,
  startWebmailFixture,
  type WebmailFixture,
} from "./helpers/webmail-fixture.js";

const ALICE = "alice@example.test";

function message(n: number, from: string, subject: string, extra: string[] = [], body?: string[]): string {
  return [
    `From: ${from}`,
    `To: ${ALICE}`,
    `Subject: ${subject}`,
    `Message-ID: <m${n}@example.test>`,
    ...extra,
    `Date: Mon, 2${n % 10} Nov 2026 10:00:00 +0000`,
    ...(body ?? ["", `Body of message ${n}.`]),
    "",
  ].join("\r\n");
}

/** A multipart/mixed body: text, then one more part (an attachment, or an inline image that is not one). */
function mixedBody(n: number, partHeaders: string[]): string[] {
  return [
    'Content-Type: multipart/mixed; boundary="part"',
    "",
    "--part",
    "Content-Type: text/plain",
    "",
    `Body of message ${n}.`,
    "--part",
    ...partHeaders,
    "",
    "iVBORw0KGgo=",
    "--part--",
  ];
}

/** Waits until a mailbox's subjects over IMAP are `expected` (sorted). */
async function expectSubjects(
  imap: ImapFlow,
  mailbox: string,
  expected: string[],
  what: string,
): Promise<void> {
  const subjects = async () => (await messagesIn(imap, mailbox)).map((m) => m.subject).sort();
  const same = (value: string[]) => JSON.stringify(value) === JSON.stringify(expected);
  assert.deepEqual(await eventually(subjects, same, what).catch(subjects), expected, what);
}

describe("webmail: organizing mail (Chromium)", () => {
  let fixture: WebmailFixture;
  let web: WebmailPage;
  let imap: ImapFlow;

  before(async () => {
    fixture = await startWebmailFixture({ users: [ALICE], seed: ({ imap }) => seed(imap(ALICE)) });
    web = fixture.web;
    imap = fixture.imap(ALICE);
    await rowWithSubject(web.page, "Newsletter").waitFor();
  });
  after(async () => {
    await fixture?.stop();
  });

  /** Five messages, two of them a conversation; Invoice 1 has an attachment, Party plans an inline image. */
  async function seed(imap: ImapFlow): Promise<void> {
    const date = (n: number) => new Date(Date.UTC(2026, 10, 10 + n, 10));
    await imap.append(
      "INBOX",
      message(
        1,
        "Dave <dave@example.test>",
        "Invoice 1",
        ["MIME-Version: 1.0"],
        mixedBody(1, [
          'Content-Type: application/pdf; name="invoice.pdf"',
          "Content-Transfer-Encoding: base64",
        ]),
      ),
      [],
      date(1),
    );
    await imap.append(
      "INBOX",
      message(
        2,
        "Erin <erin@example.test>",
        "Party plans",
        ["MIME-Version: 1.0"],
        mixedBody(2, [
          "Content-Type: image/png",
          "Content-Disposition: inline",
          "Content-Transfer-Encoding: base64",
        ]),
      ),
      [],
      date(2),
    );
    await imap.append("INBOX", message(3, "Dave <dave@example.test>", "Invoice 2"), [], date(3));
    await imap.append("INBOX", message(4, "Frank <frank@example.test>", "Newsletter"), [], date(4));
    await imap.append(
      "INBOX",
      message(5, "Erin <erin@example.test>", "Re: Party plans", [
        "In-Reply-To: <m2@example.test>",
        "References: <m2@example.test>",
      ]),
      [],
      date(5),
    );
  }

  it("lists the shortcuts under ?", async () => {
    const { page } = web;
    await page.locator(".message-list").focus();
    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    for (const key of ["j / ↓", "k / ↑", "r", "a", "f", "e", "#", "/", "c"]) {
      await dialog.getByRole("rowheader", { name: key, exact: true }).waitFor();
    }
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });

  it("collapses a conversation into one row that expands", async () => {
    const { page } = web;
    // Newest first: "Re: Party plans" stands for its thread of two.
    const toggle = rowWithSubject(page, "Re: Party plans").getByRole("button", {
      name: "2 messages in conversation",
    });
    await toggle.click();
    await page.locator(".message-row.thread-child", { hasText: "Party plans" }).waitFor();
    await toggle.click();
    await page.locator(".message-row.thread-child").waitFor({ state: "detached" });
  });

  it("moves with j/k, archives with e and deletes with #", async () => {
    const { page } = web;
    await page.locator(".message-list").focus();
    await page.keyboard.press("j"); // Re: Party plans (newest)
    await page.keyboard.press("j"); // Newsletter
    await page.locator(".reader-subject", { hasText: "Newsletter" }).waitFor();
    await page.keyboard.press("e");
    await expectSubjects(imap, "Archive", ["Newsletter"], "archived over IMAP");
    await rowWithSubject(page, "Newsletter").waitFor({ state: "detached" });
    await rowWithSubject(page, "Invoice 2").click();
    await page.locator(".reader-subject", { hasText: "Invoice 2" }).waitFor();
    await page.locator(".message-list").focus();
    await page.keyboard.press("#");
    await expectSubjects(imap, "Trash", ["Invoice 2"], "deleted to Trash over IMAP");
  });

  it("drags a selection of two messages onto a folder", async () => {
    const { page } = web;
    await rowWithSubject(page, "Invoice 1").click();
    await rowWithSubject(page, "Re: Party plans").click({ modifiers: ["Control"] });
    await page.getByText("2 selected").waitFor();
    await rowWithSubject(page, "Invoice 1").dragTo(folder(page, "Junk"));
    await expectSubjects(imap, "Junk", ["Invoice 1", "Re: Party plans"], "dropped into Junk");
    await expectSubjects(imap, "INBOX", ["Party plans"], "left INBOX");
  });

  it("searches with operators across folders", async () => {
    const { page } = web;
    await page.locator(".message-list").focus();
    await page.keyboard.press("/");
    await page.keyboard.type("from:dave");
    await page.keyboard.press("Enter");
    await page.locator(".list-title", { hasText: "Search results for from:dave" }).waitFor();
    await rowWithSubject(page, "Invoice 1").waitFor();
    await rowWithSubject(page, "Invoice 2").waitFor();
    assert.equal(await page.locator(".message-row").count(), 2);
    await page.getByRole("searchbox", { name: "Search mail" }).fill("subject:party after:2026-11-01");
    await page.keyboard.press("Enter");
    await rowWithSubject(page, "Party plans").first().waitFor();
    assert.equal(await page.locator(".message-row").count(), 2);
    // Email/query's hasAttachment: the PDF counts, Party plans' inline image (also multipart/mixed) does not.
    await page.getByRole("searchbox", { name: "Search mail" }).fill("has:attachment");
    await page.keyboard.press("Enter");
    await page.locator(".list-title", { hasText: "Search results for has:attachment" }).waitFor();
    await rowWithSubject(page, "Invoice 1").waitFor();
    assert.equal(await page.locator(".message-row").count(), 1);
  });

  it("empties Trash", async () => {
    const { page } = web;
    page.once("dialog", (dialog) => void dialog.accept());
    await folder(page, "Trash").click();
    await rowWithSubject(page, "Invoice 2").waitFor();
    await folder(page, "Trash").getByRole("button", { name: "Empty" }).click();
    await expectSubjects(imap, "Trash", [], "Trash empty over IMAP");
    await page.getByText("No messages in this folder.").waitFor();
    assert.deepEqual(web.errors, []);
  });
});
