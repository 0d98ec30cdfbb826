// Store contract for MessageRepository.matchEmails (RFC 9051 §6.4.4 substring semantics): every backend
// must fold case beyond ASCII, search decoded encoded-words, match HEADER on any field (empty value =
// field present) and stay within the given mailbox.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AccountId, EmailId, MailboxId } from "../../kit/ids.js";
import { indexMessage } from "../../mime/index/index-message.js";
import type { EmailCriterion, MailStore } from "../mail-store.js";
import type { StoreHarness, StoreUnderTest } from "./mail-store-contract.js";

export function describeSearchContract(backend: string, harness: StoreHarness): void {
  describe(`MailStore search contract: ${backend}`, () => {
    let under: StoreUnderTest;
    let store: MailStore;
    let accountId: AccountId;
    let inbox: MailboxId;
    let other: MailboxId;
    const ids: Record<string, EmailId> = {};

    async function add(mailboxId: MailboxId, name: string, lines: readonly string[], internalDateMs = 0) {
      const raw = Buffer.from(`${lines.join("\r\n")}\r\n`);
      const { hash } = await store.blobs.put(raw);
      const result = await store.messages.append(accountId, mailboxId, {
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs,
      });
      ids[name] = result.emailId;
    }

    async function names(criteria: readonly EmailCriterion[], mailboxId = inbox): Promise<string[]> {
      const found = await store.messages.matchEmails(mailboxId, criteria);
      return Object.keys(ids)
        .filter((name) => found.has(ids[name] as EmailId))
        .sort();
    }
    const text = (
      field: Extract<EmailCriterion, { kind: "text" }>["field"],
      value: string,
    ): EmailCriterion => ({
      kind: "text",
      field,
      value,
    });
    const header = (name: string, value: string): EmailCriterion => ({ kind: "header", name, value });

    before(async () => {
      under = await harness.create();
      store = under.store;
      const account = await store.accounts.create({
        address: "search@example.test",
        passwordHash: "$scrypt$test",
        quota: { storageBytes: null, messages: null },
      });
      accountId = account.id;
      inbox = (await store.mailboxes.findByName(accountId, "INBOX"))?.id as MailboxId;
      other = (await store.mailboxes.create(accountId, "Other", null)).id;
      await add(inbox, "plain", [
        "From: Alice Example <alice@example.com>",
        "To: Bob <bob@example.org>",
        "Cc: Carol <carol@example.net>",
        "Date: Mon, 02 Sep 2024 10:00:00 +0000",
        "Subject: Quarterly REPORT",
        "X-Mailer: Mutt/2.2.12 (Linux)",
        "X-Tag: one",
        "X-Tag: two",
        "",
        "The numbers are in the attachment.",
      ]);
      await add(inbox, "encoded", [
        "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>",
        "To: dasha@example.ru",
        "Bcc: hidden@example.org",
        "Date: Tue, 03 Sep 2024 10:00:00 +0000",
        "Subject: =?UTF-8?B?0J/RgNC40LLQtdGCLCDQnNCY0KA=?=",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "X-Label: =?UTF-8?Q?=C3=84rger-Ticket_4711?=",
        "",
        "Grüße aus STRASSE und ΣΟΦΊΑ, Ελλάδα.",
      ]);
      await add(
        inbox,
        "undated",
        [
          "From: nobody@example.com",
          "Subject: no date",
          "x-mailer: Thunderbird",
          "X-Empty:",
          "",
          "Body with a\r\n  folded   line",
        ],
        Date.UTC(2024, 0, 15, 12),
      );
      await add(other, "elsewhere", ["From: alice@example.com", "Subject: Quarterly report", "", "x"]);
    });
    after(async () => under.destroy());

    it("matches substrings of subject, addresses and text case-insensitively", async () => {
      assert.deepEqual(await names([text("subject", "quarterly report")]), ["plain"]);
      assert.deepEqual(await names([text("subject", "ERLY REP")]), ["plain"]);
      assert.deepEqual(await names([text("from", "ALICE@EXAMPLE")]), ["plain"]);
      assert.deepEqual(await names([text("from", "alice example")]), ["plain"], "display name");
      assert.deepEqual(await names([text("to", "example")]), ["encoded", "plain"]);
      assert.deepEqual(await names([text("cc", "carol")]), ["plain"]);
      assert.deepEqual(await names([text("bcc", "hidden")]), ["encoded"]);
      assert.deepEqual(await names([text("body", "ATTACHMENT")]), ["plain"]);
      assert.deepEqual(await names([text("text", "bob@example.org")]), ["plain"], "TEXT covers headers");
    });

    it("folds non-ASCII case: Latin, Cyrillic, Greek, ß", async () => {
      assert.deepEqual(await names([text("subject", "привет, мир")]), ["encoded"], "decoded encoded-word");
      assert.deepEqual(await names([text("subject", "ПРИВЕТ")]), ["encoded"]);
      assert.deepEqual(await names([text("from", "jürgen müller")]), ["encoded"]);
      assert.deepEqual(await names([text("from", "JÜRGEN")]), ["encoded"]);
      assert.deepEqual(await names([text("body", "grüsse")]), ["encoded"], "ß folds to ss");
      assert.deepEqual(await names([text("body", "straße")]), ["encoded"]);
      assert.deepEqual(await names([text("body", "σοφία")]), ["encoded"]);
      assert.deepEqual(await names([text("body", "ΕΛΛΆΔΑ")]), ["encoded"]);
    });

    it("treats runs of white space as one space", async () => {
      assert.deepEqual(await names([text("body", "a folded line")]), ["undated"]);
    });

    it("requires every criterion, stays in the mailbox, and lists all for no criteria", async () => {
      assert.deepEqual(await names([text("subject", "report"), text("from", "alice")]), ["plain"]);
      assert.deepEqual(await names([text("subject", "report"), text("from", "jürgen")]), []);
      assert.deepEqual(await names([]), ["encoded", "plain", "undated"]);
      assert.deepEqual(await names([text("subject", "report")], other), ["elsewhere"]);
      assert.deepEqual(await names([text("subject", "absent-token")]), []);
    });

    it("matches the sent date, or the internal date without a Date: header", async () => {
      const sep3 = Date.UTC(2024, 8, 3);
      const sent = (sinceMs: number | null, beforeMs: number | null): EmailCriterion => ({
        kind: "sentDate",
        sinceMs,
        beforeMs,
      });
      assert.deepEqual(await names([sent(sep3, null)]), ["encoded"]);
      assert.deepEqual(await names([sent(null, sep3)]), ["plain", "undated"]);
      assert.deepEqual(await names([sent(Date.UTC(2024, 0, 15), Date.UTC(2024, 0, 16))]), ["undated"]);
    });

    it("finds a needle of one or two characters, alone or beside a longer one", async () => {
      assert.deepEqual(await names([text("subject", "q")]), ["plain"]);
      assert.deepEqual(await names([text("subject", "ПР")]), ["encoded"]);
      assert.deepEqual(await names([text("to", "ru"), text("to", "example")]), ["encoded"]);
      assert.deepEqual(await names([text("body", "ß"), text("subject", "мир")]), ["encoded"]);
    });

    it("finds an address part and a needle across word boundaries and punctuation", async () => {
      assert.deepEqual(await names([text("to", "example.org")]), ["plain"]);
      assert.deepEqual(await names([text("from", "e.com>")]), ["plain", "undated"]);
      assert.deepEqual(await names([text("body", "are in the att")]), ["plain"]);
      assert.deepEqual(await names([text("subject", "вет, м")]), ["encoded"]);
    });

    it("takes query-language characters in a needle literally", async () => {
      for (const needle of [
        '"',
        '""',
        'a"b',
        "AND",
        "OR x",
        "NEAR(a b)",
        "rep*",
        "{subject}: x",
        "^quar",
        "-",
      ]) {
        assert.deepEqual(await names([text("subject", needle)]), [], needle);
      }
      assert.deepEqual(await names([text("body", "attachment.")]), ["plain"]);
      assert.deepEqual(await names([text("body", "ΣΟΦΊΑ, ")]), ["encoded"]);
    });

    it("combines text with dates and a needle that matches nothing", async () => {
      const sep3 = Date.UTC(2024, 8, 3);
      const since: EmailCriterion = { kind: "sentDate", sinceMs: sep3, beforeMs: null };
      assert.deepEqual(await names([text("text", "example"), since]), ["encoded"]);
      assert.deepEqual(await names([text("text", "example"), text("body", "zzzz")]), []);
    });

    it("matches HEADER by field name in any case and a substring of the decoded value", async () => {
      assert.deepEqual(await names([header("X-MAILER", "mutt/2")]), ["plain"]);
      assert.deepEqual(await names([header("x-mailer", "THUNDER")]), ["undated"]);
      assert.deepEqual(await names([header("X-Label", "ärger-t")]), ["encoded"], "decoded encoded-word");
      assert.deepEqual(await names([header("x-label", "ÄRGER")]), ["encoded"]);
      assert.deepEqual(await names([header("x-label", "4711")]), ["encoded"]);
      assert.deepEqual(await names([header("subject", "привет")]), ["encoded"]);
      assert.deepEqual(await names([header("to", "example.ru")]), ["encoded"]);
      assert.deepEqual(await names([header("x-tag", "two")]), ["plain"], "any field of that name");
      assert.deepEqual(await names([header("x-mailer", "4711")]), [], "another field's value");
      assert.deepEqual(await names([header("x-mailer", "mutt")], other), []);
    });

    it("takes an empty HEADER value as the field's presence, even with an empty value", async () => {
      assert.deepEqual(await names([header("x-mailer", "")]), ["plain", "undated"]);
      assert.deepEqual(await names([header("X-Empty", "")]), ["undated"]);
      assert.deepEqual(await names([header("x-empty", "a")]), []);
      assert.deepEqual(await names([header("x-absent", "")]), []);
    });

    it("matches HEADER needles of one or two characters and query characters literally", async () => {
      assert.deepEqual(await names([header("x-mailer", "2")]), ["plain"]);
      assert.deepEqual(await names([header("x-mailer", "t")]), ["plain", "undated"]);
      assert.deepEqual(await names([header("x-mailer", "(l")]), ["plain"]);
      for (const needle of ['"', "AND", "mutt*", "-"]) {
        assert.deepEqual(await names([header("x-mailer", needle)]), [], needle);
      }
      assert.deepEqual(await names([header("x-mailer", ""), text("subject", "report")]), ["plain"]);
    });

    it("matches hasAttachment as each message's index says, alone and with text", async () => {
      const attached = (await store.mailboxes.create(accountId, "Attached", null)).id;
      const part = (headers: readonly string[], body: string) => ["--b", ...headers, "", body];
      const multipart = (parts: readonly (readonly string[])[]) => [
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        ...parts.flat(),
        "--b--",
      ];
      const bodies: Record<string, readonly string[]> = {
        textOnly: ["Content-Type: text/plain", "", "report, no attachment"],
        disposition: multipart([
          part(["Content-Type: text/plain"], "report body"),
          part(["Content-Type: text/plain", 'Content-Disposition: attachment; filename="a.txt"'], "x"),
        ]),
        namedPdf: multipart([
          part(["Content-Type: text/plain"], "body"),
          part(['Content-Type: application/pdf; name="r.pdf"', "Content-Transfer-Encoding: base64"], "AAAA"),
        ]),
        inlineOnly: multipart([
          part(["Content-Type: text/plain"], "report inline"),
          part(["Content-Type: image/png", "Content-Disposition: inline"], "iVBO"),
        ]),
        alternative: multipart([
          part(["Content-Type: text/plain"], "a"),
          part(["Content-Type: text/html"], "<b>"),
        ]),
      };
      // The brute-force expectation: the indexer's own answer for each message.
      const expected: string[] = [];
      for (const [name, lines] of Object.entries(bodies)) {
        const raw = Buffer.from(`${[`Subject: ${name}`, "MIME-Version: 1.0", ...lines].join("\r\n")}\r\n`);
        if (indexMessage(raw).hasAttachment) expected.push(name);
        await add(attached, name, [`Subject: ${name}`, "MIME-Version: 1.0", ...lines]);
      }
      assert.deepEqual(expected.sort(), ["disposition", "namedPdf"], "the fixtures cover both answers");
      const hasAttachment: EmailCriterion = { kind: "hasAttachment" };
      assert.deepEqual(await names([hasAttachment], attached), expected);
      assert.deepEqual(await names([hasAttachment, text("body", "report")], attached), ["disposition"]);
      assert.deepEqual(await names([hasAttachment]), [], "only the given mailbox");
    });

    it("no longer matches an expunged entry", async () => {
      const entries = await store.messages.listEntries(inbox);
      const undated = entries.find((e) => e.emailId === ids.undated);
      assert.ok(undated);
      await store.messages.copy(accountId, inbox, [undated.uid], other);
      await store.messages.expunge(accountId, inbox, [undated.uid]);
      assert.deepEqual(await names([text("body", "folded")]), []);
      assert.deepEqual(await names([text("body", "folded")], other), ["undated"]);
      assert.deepEqual(await names([header("x-mailer", "")]), ["plain"]);
      assert.deepEqual(await names([header("x-empty", "")], other), ["undated"]);
    });
  });
}
