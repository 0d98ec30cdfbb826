// Writing mail in the webmail (Chromium, real server): a new message's draft is autosaved to Drafts and
// an IMAP client sees it (each save replaces the previous draft; discarding removes it); a reply is
// prefilled and its draft carries In-Reply-To; an uploaded attachment goes into the draft; rich text is
// saved as HTML with a plain text alternative.
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

/** The Drafts folder's messages over IMAP (expunges of replaced drafts included, by messagesIn's NOOP). */
const drafts = (imap: ImapFlow) => messagesIn(imap, "Drafts");

describe("webmail: compose and drafts (Chromium)", () => {
  let fixture: WebmailFixture;
  let web: WebmailPage;
  let imap: ImapFlow;

  before(async () => {
    fixture = await startWebmailFixture({
      users: [ALICE, BOB],
      seed: ({ deliver }) =>
        deliver(ALICE, fromCarol(ALICE, "Lunch on Friday?", "lunch@example.test", "Shall we meet at noon?")),
    });
    web = fixture.web;
    imap = fixture.imap(ALICE);
  });
  after(async () => {
    await fixture?.stop();
  });

  it("autosaves a new message to Drafts, where IMAP sees it, replacing it on each save", async () => {
    const { page } = web;
    await page.locator(".message-list").focus();
    await page.keyboard.press("c");
    const compose = page.getByRole("dialog", { name: "New message" });
    await compose.getByLabel("To").fill(BOB);
    await compose.getByLabel("Subject").fill("Plans for the weekend");
    await compose.getByLabel("Message").fill("First version of the text.");
    await compose.getByText("Draft saved").waitFor();
    const first = await eventually(
      () => drafts(imap),
      (list) => list.some((d) => d.source.includes("First version")),
      "the first draft over IMAP",
    );
    assert.equal(first.length, 1);
    assert.equal(first[0]?.subject, "Plans for the weekend");
    assert.ok(first[0]?.flags.has("\\Draft"));
    assert.match(first[0]?.source ?? "", /^To: bob@example\.test\r?$/m);

    await compose.getByLabel("Message").fill("Second version of the text.");
    await compose.getByText("Saving…").or(compose.getByText("Draft saved")).waitFor();
    const second = await eventually(
      () => drafts(imap),
      (list) => list.length === 1 && list[0]?.source.includes("Second version") === true,
      "the second draft replacing the first",
    );
    assert.equal(second.length, 1);

    await compose.getByRole("button", { name: "Discard" }).click();
    await compose.waitFor({ state: "detached" });
    await eventually(
      () => drafts(imap),
      (list) => list.length === 0,
      "the draft gone after Discard",
    );
  });

  it("prefills a reply, and its draft carries In-Reply-To and an uploaded attachment", async () => {
    const { page } = web;
    await rowWithSubject(page, "Lunch on Friday?").click();
    await page.locator(".reader-subject", { hasText: "Lunch on Friday?" }).waitFor();
    await page.locator(".text-body").waitFor();
    await page.locator(".message-list").focus();
    await page.keyboard.press("r");
    const compose = page.getByRole("dialog", { name: "Reply" });
    assert.equal(await compose.getByLabel("To").inputValue(), "Carol <carol@example.test>");
    assert.equal(await compose.getByLabel("Subject").inputValue(), "Re: Lunch on Friday?");
    assert.match(await compose.getByLabel("Message").inputValue(), /> Shall we meet at noon\?/);
    await compose.locator("input[type=file]").setInputFiles({
      name: "menu.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("Soup of the day\n"),
    });
    await compose.getByText("menu.txt").waitFor();
    const list = await eventually(
      () => drafts(imap),
      (found) => found.some((d) => d.source.includes("menu.txt")),
      "the reply draft with its attachment",
    );
    const draft = list.find((d) => d.source.includes("menu.txt"));
    assert.match(draft?.source ?? "", /^In-Reply-To: <lunch@example\.test>\r?$/m);
    assert.match(draft?.source ?? "", /Content-Disposition: attachment; filename="?menu\.txt"?/);
    await page.keyboard.press("Escape");
    await compose.waitFor({ state: "detached" });
  });

  it("saves a rich text draft as HTML with its plain text alternative", async () => {
    const { page } = web;
    await page.getByRole("button", { name: "Compose" }).click();
    const compose = page.getByRole("dialog", { name: "New message" });
    await compose.getByLabel("To").fill(BOB);
    await compose.getByLabel("Subject").fill("Formatted note");
    await compose.getByLabel("Rich text").check();
    const editor = compose.getByRole("textbox", { name: "Message" });
    await editor.click();
    await compose.getByRole("button", { name: "Bold" }).click();
    await page.keyboard.type("Important");
    const list = await eventually(
      () => drafts(imap),
      (found) => found.some((d) => d.subject === "Formatted note" && /<b>Important<\/b>/.test(d.source)),
      "the rich text draft",
    );
    const source = list.find((d) => d.subject === "Formatted note")?.source ?? "";
    assert.match(source, /Content-Type: multipart\/alternative/);
    assert.match(source, /Content-Type: text\/plain[\s\S]*Important/);
    await compose.getByRole("button", { name: "Discard" }).click();
    await compose.waitFor({ state: "detached" });
  });
});
