// A large folder in the webmail (issue 11: the list is virtualized): 3,000 messages, put in at store level
// so the test stays quick, show their first rows, keep only the rows in view in the DOM, and scroll to
// the oldest at the end. How fast it is at 100,000 is measured by bench/webmail-bench.ts, not here.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { indexMessage } from "../src/mime/index/index-message.js";
import type { NewMessage } from "../src/store/mail-store.js";
import { rowWithSubject, type WebmailPage } from "./helpers/webmail-browser.js";
import { startWebmailFixture, type WebmailFixture } from "./helpers/webmail-fixture.js";

const ALICE = "alice@example.test";
const MESSAGES = 3000;
const START_MS = Date.UTC(2026, 0, 1);

describe("webmail: a folder of 3,000 messages (Chromium)", () => {
  let fixture: WebmailFixture;
  let web: WebmailPage;

  before(async () => {
    fixture = await startWebmailFixture({
      users: [ALICE],
      seed: async ({ server }) => {
        const { store } = server.server.services;
        const account = await store.accounts.findByAddress(ALICE);
        const inbox = account && (await store.mailboxes.findByName(account.id, "INBOX"));
        assert.ok(account && inbox);
        let batch: NewMessage[] = [];
        for (let n = 0; n < MESSAGES; n++) {
          const raw = Buffer.from(
            `From: Sender ${n % 7} <s${n % 7}@example.test>\r\nTo: ${ALICE}\r\nSubject: Message ${n}\r\n` +
              `Message-ID: <large${n}@example.test>\r\n\r\nBody ${n}.\r\n`,
          );
          batch.push({
            blobHash: store.blobs.hashOf(raw),
            body: raw,
            index: indexMessage(raw),
            flags: { system: new Set(), keywords: [] },
            internalDateMs: START_MS + n * 60_000,
          });
          if (batch.length === 1000) {
            await store.messages.appendMany(account.id, inbox.id, batch);
            batch = [];
          }
        }
      },
    });
    web = fixture.web;
  });
  after(async () => {
    await fixture?.stop();
  });

  it("shows the newest first with only the rows in view in the DOM, and scrolls to the oldest", async () => {
    const { page } = web;
    await rowWithSubject(page, `Message ${MESSAGES - 1}`).waitFor();
    const list = page.locator(".message-list");
    assert.equal(await page.locator(".message-row").first().getAttribute("aria-setsize"), String(MESSAGES));
    assert.ok((await page.locator(".message-row").count()) < 100, "virtualized: only rows near the view");
    await list.evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await rowWithSubject(page, "Message 0").waitFor();
    assert.equal(await rowWithSubject(page, "Message 0").getAttribute("aria-posinset"), String(MESSAGES));
    assert.ok((await page.locator(".message-row").count()) < 100);
    await list.evaluate((element) => {
      element.scrollTop = element.scrollHeight / 2;
    });
    await rowWithSubject(page, `Message ${MESSAGES / 2}`).waitFor();
    assert.deepEqual(web.errors, []);
  });
});
