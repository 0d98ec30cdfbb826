// Store contract for MessageRepository.getSortKeys (RFC 5256, RFC 5957): every backend returns the keys
// mime/sort-keys.ts computes from the index, for appended, copied and expunged-but-unpurged emails alike,
// in one call for many ids, leaving unknown ids out.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AccountId, EmailId, MailboxId } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import { sortKeysOf } from "../../mime/sort-keys.js";
import type { MailStore, NewMessage } from "../mail-store.js";
import type { StoreHarness, StoreUnderTest } from "./mail-store-contract.js";

export function describeSortKeysContract(backend: string, harness: StoreHarness): void {
  describe(`MailStore sort keys contract: ${backend}`, () => {
    let under: StoreUnderTest;
    let store: MailStore;
    let accountId: AccountId;
    let inbox: MailboxId;

    async function message(lines: readonly string[]): Promise<NewMessage> {
      const raw = Buffer.from(`${lines.join("\r\n")}\r\n\r\nbody\r\n`);
      const { hash } = await store.blobs.put(raw);
      return {
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: 0,
      };
    }

    before(async () => {
      under = await harness.create();
      store = under.store;
      const account = await store.accounts.create({
        address: "sorter@example.test",
        passwordHash: "$scrypt$test",
        quota: { storageBytes: null, messages: null },
      });
      accountId = account.id;
      inbox = (await store.mailboxes.findByName(accountId, "INBOX"))?.id as MailboxId;
    });
    after(async () => {
      await under.destroy();
    });

    it("returns what sortKeysOf computes, for a batch, copies and expunged emails; skips unknown ids", async () => {
      const messages = [
        await message([
          "From: =?UTF-8?Q?J=C3=BCrgen?= <Juergen@example.com>",
          "To: Bob <bob@example.org>",
          "Cc: carol@example.net",
          "Subject: Re: [list] Fwd: Caf\u00e9 \u0000 plans (fwd)",
          "Date: Thu, 26 Nov 2026 10:00:00 +0100",
          "Message-ID: <child@x>",
          "References: <root@x> <parent@x>",
        ]),
        await message(["Subject: no date, no addresses", "In-Reply-To: <a@x> <b@x>"]),
      ];
      const appended = await store.messages.appendMany(accountId, inbox, messages);
      const ids = appended.map((a) => a.emailId);
      const other = (await store.mailboxes.create(accountId, "Other", null)).id;
      await store.messages.copy(accountId, inbox, [appended[0]?.uid as never], other);
      await store.messages.expunge(accountId, inbox, [appended[1]?.uid as never]);
      const keys = await store.messages.getSortKeys([...ids, ids[0] as EmailId, "Enope" as EmailId]);
      assert.equal(keys.size, 2);
      for (const [i, id] of ids.entries()) {
        const expected = sortKeysOf((messages[i] as NewMessage).index);
        const actual = keys.get(id);
        assert.ok(actual);
        // PostgreSQL text cannot hold NUL; it is stored as U+FFFD.
        assert.deepEqual(
          { ...actual, baseSubject: actual.baseSubject.replace("\uFFFD", "\u0000") },
          expected,
        );
      }
      assert.equal(keys.get(ids[0] as EmailId)?.baseSubject.startsWith("CAFE\u0301"), true);
      assert.deepEqual((await store.messages.getSortKeys([])).size, 0);
    });
  });
}
