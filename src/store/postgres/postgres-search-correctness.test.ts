// Search correctness on PostgreSQL (issue 8): matchEmails, answered through the pg_trgm indexes, must
// give exactly what a brute-force scan gives — each message's folded text tested with includes()
// (RFC 9051 §6.4.4 case-insensitive substring) — over a generated mailbox with planted non-ASCII tokens,
// for random substrings of real text, one- and two-character needles, combinations and HEADER keys.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateCorpus, seededRandom } from "../../../bench/corpus.js";
import { FIELDS, type FoldedFields, foldFields } from "../../../test/helpers/search-oracle.js";
import type { AccountId, EmailId, MailboxId } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import { foldSearchText } from "../../mime/search-fold.js";
import type { EmailCriterion, EmailTextField, MailStore } from "../mail-store.js";
import {
  createTestSchema,
  describeWithPostgres,
  dropTestSchema,
  openTestStore,
} from "./postgres-test-harness.js";

const CORPUS_SIZE = 1_200;
const RANDOM_NEEDLES = 300;
/** Messages with planted tokens in encoded-words, Greek, Cyrillic, ß and LIKE's own wildcards. */
function plantedMessages(): Buffer[] {
  const encoded = (text: string) => `=?UTF-8?B?${Buffer.from(text).toString("base64")}?=`;
  return Array.from({ length: 60 }, (_, i) =>
    Buffer.from(
      [
        `From: ${encoded(`Grüße Straße ${i}`)} <strasse${i}@beispiel.de>`,
        `To: "Ελένη Παπαδοπούλου" <eleni${i % 3}@example.gr>, plain${i}@example.com`,
        "Cc: Группа: Дмитрий <dima@example.ru>;",
        `Subject: ${encoded(`Привет ΣΟΦΊΑ 100% under_score back\\slash tok${i % 5}`)}`,
        `X-Planted: hdr${i % 6} ${encoded(`Ωmega ${i % 4}`)}`,
        "Content-Type: text/plain; charset=utf-8",
        "",
        `Weiß STRASSE ςσΣ 50%_off a\\b "quoted" body${i % 7} ${i % 2 === 0 ? "evenmarker" : "oddmarker"}`,
        "",
      ].join("\r\n"),
    ),
  );
}

await describeWithPostgres(() => {
  describe("PostgreSQL search answers exactly as a brute-force scan", () => {
    let schema: string;
    let store: MailStore;
    let accountId: AccountId;
    let inbox: MailboxId;
    const inboxText = new Map<EmailId, FoldedFields>();
    const inboxHeaders = new Map<EmailId, { name: string; value: string }[]>();

    async function appendAll(mailboxId: MailboxId, raws: readonly Buffer[], track: boolean) {
      for (let start = 0; start < raws.length; start += 200) {
        const batch = raws.slice(start, start + 200);
        const messages = await Promise.all(
          batch.map(async (raw) => ({
            blobHash: (await store.blobs.put(raw)).hash,
            index: indexMessage(raw),
            flags: { system: new Set<never>(), keywords: [] },
            internalDateMs: 0,
          })),
        );
        const results = await store.messages.appendMany(accountId, mailboxId, messages);
        if (!track) continue;
        for (const [i, result] of results.entries()) {
          const raw = batch[i] as Buffer;
          inboxText.set(result.emailId, foldFields(raw));
          inboxHeaders.set(
            result.emailId,
            indexMessage(raw).headerFields.map((field) => ({
              name: field.name,
              value: foldSearchText(field.value),
            })),
          );
        }
      }
    }

    async function assertSame(criteria: readonly { field: EmailTextField; needle: string }[]) {
      const query: EmailCriterion[] = criteria.map(({ field, needle }) => ({
        kind: "text",
        field,
        value: needle,
      }));
      const found = await store.messages.matchEmails(inbox, query);
      const folded = criteria.map(({ field, needle }) => ({ field, needle: foldSearchText(needle) }));
      const expected = [...inboxText]
        .filter(([, fields]) => folded.every(({ field, needle }) => fields[field].includes(needle)))
        .map(([emailId]) => emailId);
      assert.deepEqual([...found].sort(), expected.sort(), JSON.stringify(criteria));
    }

    async function assertSameHeader(name: string, value: string) {
      const found = await store.messages.matchEmails(inbox, [{ kind: "header", name, value }]);
      const needle = foldSearchText(value);
      const expected = [...inboxHeaders]
        .filter(([, fields]) => fields.some((f) => f.name === name.toLowerCase() && f.value.includes(needle)))
        .map(([emailId]) => emailId);
      assert.deepEqual([...found].sort(), expected.sort(), JSON.stringify({ name, value }));
    }

    before(async () => {
      schema = await createTestSchema();
      store = await openTestStore(schema);
      accountId = (
        await store.accounts.create({
          address: "search-correctness@example.test",
          passwordHash: "$scrypt$test",
          quota: { storageBytes: null, messages: null },
        })
      ).id;
      inbox = (await store.mailboxes.findByName(accountId, "INBOX"))?.id as MailboxId;
      const other = (await store.mailboxes.create(accountId, "Elsewhere", null)).id;
      await appendAll(
        inbox,
        [...generateCorpus(CORPUS_SIZE, { seed: 11, medianBytes: 1200 }), ...plantedMessages()],
        true,
      );
      await appendAll(other, plantedMessages().slice(0, 10), false);
      // Expunged and purged emails must leave the results.
      const gone = (await store.messages.listEntries(inbox)).slice(0, 5);
      await store.messages.expunge(
        accountId,
        inbox,
        gone.map((entry) => entry.uid),
      );
      for (const entry of gone) {
        inboxText.delete(entry.emailId);
        inboxHeaders.delete(entry.emailId);
      }
      await store.messages.purgeDestroyedEmails(-1);
      // Statistics as a long-running database would have them, so the planner weighs the index for real.
      await store.messages.matchEmails(inbox, []);
    });

    after(async () => {
      await store?.close();
      await dropTestSchema(schema);
    });

    it("finds planted tokens, non-ASCII folds and LIKE's wildcards taken literally", async () => {
      for (const [field, needle] of [
        ["subject", "ПРИВЕТ σοφία"],
        ["subject", "100%"],
        ["subject", "under_score"],
        ["subject", "back\\slash"],
        ["subject", "%"],
        ["subject", "_"],
        ["from", "GRÜSSE STRASSE"],
        ["from", "straße 1"],
        ["to", "ελένη"],
        ["cc", "дмитрий"],
        ["body", "weiss strasse σσσ"],
        ["body", "50%_off a\\b"],
        ["text", "eleni1@example.gr"],
        ["body", "evenmarker"],
        ["body", "absent-token-xyz"],
      ] as const) {
        await assertSame([{ field, needle }]);
      }
    });

    it("matches random substrings of real text in every field", async () => {
      const random = seededRandom(23);
      const texts = [...inboxText.values()];
      for (let i = 0; i < RANDOM_NEEDLES; i++) {
        const field = FIELDS[Math.floor(random() * FIELDS.length)] as EmailTextField;
        const source = [...((texts[Math.floor(random() * texts.length)] as FoldedFields)[field] ?? "")];
        if (source.length === 0) continue;
        const length = 1 + Math.floor(random() * Math.min(12, source.length));
        const start = Math.floor(random() * (source.length - length + 1));
        const needle = source.slice(start, start + length).join("");
        await assertSame([{ field, needle: i % 3 === 0 ? needle.toUpperCase() : needle }]);
      }
    });

    it("combines criteria, short needles included", async () => {
      await assertSame([
        { field: "subject", needle: "tok1" },
        { field: "body", needle: "ß" },
      ]);
      await assertSame([
        { field: "to", needle: "gr" },
        { field: "body", needle: "oddmarker" },
      ]);
      await assertSame([
        { field: "from", needle: "e" },
        { field: "text", needle: "x" },
      ]);
    });

    it("answers HEADER keys by name, with empty and short values", async () => {
      for (const [name, value] of [
        ["X-Planted", "hdr3"],
        ["x-planted", "ωMEGA 2"],
        ["X-Planted", ""],
        ["Subject", "привет"],
        ["subject", "%"],
        ["Received", "mx3"],
        ["Message-ID", "@"],
        ["X-Absent", ""],
      ] as const) {
        await assertSameHeader(name, value);
      }
    });
  });
});
