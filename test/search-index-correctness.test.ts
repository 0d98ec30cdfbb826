// Search-index correctness (issue 7): matchEmails, answered from the trigram index, must give exactly
// what a brute-force scan gives — every message's decoded text folded in JavaScript and tested with
// includes() (RFC 9051 §6.4.4 case-insensitive substring) — over a generated mailbox with planted
// tokens in headers, bodies, encoded-words and non-UTF-8 charsets, after a migration backfill too.
// HEADER keys are checked against the header fields parsed from each message's own bytes, and OR/NOT
// combinations through the planner (searchMailbox) against a brute-force evaluation of the query.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { generateCorpus, PLANTED, seededRandom } from "../bench/corpus.js";
import type { AccountId, EmailId, MailboxId, Uid } from "../src/kit/ids.js";
import { searchMailbox } from "../src/mail/search/search-mailbox.js";
import type { SearchQuery } from "../src/mail/search/search-query.js";
import { decodeEncodedWords } from "../src/mime/encoded-word.js";
import { parseHeaderBlock, readFieldValue } from "../src/mime/header.js";
import { indexMessage } from "../src/mime/index/index-message.js";
import { foldSearchText } from "../src/mime/search-fold.js";
import type { EmailCriterion, EmailTextField, MailboxEntry, MailStore } from "../src/store/mail-store.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { FIELDS, type FoldedFields, foldFields } from "./helpers/search-oracle.js";

const CORPUS_SIZE = 2_500;
/** Every top-level header field of the raw message, parsed from its bytes: name, folded decoded value. */
function foldHeaderFields(raw: Buffer): { name: string; value: string }[] {
  return parseHeaderBlock(raw, 0, raw.length).fields.map((field) => ({
    name: field.name,
    value: foldSearchText(decodeEncodedWords(readFieldValue(raw, field))),
  }));
}

const encodedWord = (charset: string, text: string) =>
  `=?${charset}?B?${Buffer.from(text, charset === "UTF-8" ? "utf8" : "latin1").toString("base64")}?=`;

/** KOI8-R bytes for the Cyrillic letters used below (RFC 1489), so no encoder library is needed. */
function koi8r(text: string): Buffer {
  const table = "юабцдефгхийклмнопярстужвьызшэщчъЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧЪ";
  return Buffer.from(
    [...text].map((char) => {
      const at = table.indexOf(char);
      return at >= 0 ? 0xc0 + at : (char.codePointAt(0) as number);
    }),
  );
}

/** Hand-made messages with planted tokens in every place a search must look. */
function plantedMessages(): Buffer[] {
  const messages: Buffer[] = [];
  const crlf = (lines: readonly string[]) => `${lines.join("\r\n")}\r\n`;
  for (let i = 0; i < 40; i++) {
    messages.push(
      Buffer.from(
        crlf([
          `From: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_Stra=C3=9Fe_${i}?= <strasse${i}@beispiel.de>`,
          `To: "Ελένη Παπαδοπούλου" <eleni${i % 3}@example.gr>, plain${i}@example.com`,
          `Cc: Группа: Дмитрий <dima@example.ru>;`,
          `Bcc: hidden-planted-${i % 4}@example.org`,
          `Subject: ${encodedWord("UTF-8", `Привет ΣΟΦΊΑ Ünïcode tokenqz${i % 5}`)}`,
          `X-Planted-Token: hdrtok${i % 6} ${encodedWord("UTF-8", `Grüße Ωmega ${i % 4}`)}`,
          ...(i % 3 === 0 ? ["X-Empty-Field:"] : []),
          ...(i % 4 === 1 ? [`X-Multi: first${i}`, `x-multi: =?ISO-8859-1?Q?d=E9j=E0_${i % 5}?=`] : []),
          "Content-Type: text/plain; charset=utf-8",
          "",
          `Weiß STRASSE ςσΣ "quoted" AND OR NEAR(x) {body}: rep* 1+1=2 tokenbody${i % 7}`,
          `folded    white\tspace ${i % 2 === 0 ? "evenmarker" : "oddmarker"}`,
        ]),
      ),
    );
  }
  for (let i = 0; i < 20; i++) {
    messages.push(
      Buffer.concat([
        Buffer.from(
          crlf([
            `From: ${encodedWord("ISO-8859-1", `Frédéric Çedille${i}`)} <fred@example.fr>`,
            "To: latin@example.test",
            `Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me_br=FBl=E9e_${i}?=`,
            "Content-Type: text/plain; charset=ISO-8859-1",
            "Content-Transfer-Encoding: 8bit",
            "",
          ]),
          "latin1",
        ),
        Buffer.from(`Größe Übergröße déjà vu naïve façade latinplant${i % 3}\r\n`, "latin1"),
      ]),
    );
    messages.push(
      Buffer.concat([
        Buffer.from(
          crlf([
            "From: koi@example.ru",
            "To: koi8@example.test",
            `Subject: =?KOI8-R?B?${koi8r(`Отчёт за квартал ${i}`).toString("base64")}?=`,
            `X-Koi: =?KOI8-R?B?${koi8r(`Ёлка ${i % 3}`).toString("base64")}?=`,
            "Content-Type: text/plain; charset=KOI8-R",
            "Content-Transfer-Encoding: 8bit",
            "",
          ]),
        ),
        koi8r(`Съешь же ещё этих мягких французских булок koiplant${i % 4}\r\n`),
      ]),
    );
  }
  return messages;
}

describe("search index answers exactly as a brute-force scan", () => {
  let dataDir: string;
  let store: MailStore;
  let accountId: AccountId;
  let inbox: MailboxId;
  /** What the brute-force scan sees: the inbox's emails and their folded text. */
  const inboxText = new Map<EmailId, FoldedFields>();
  /** And each inbox email's header fields, parsed from its bytes. */
  const inboxHeaders = new Map<EmailId, { name: string; value: string }[]>();

  /** Waits until the worker has indexed every search row (the test's own timeout bounds this). */
  async function untilNoRowPending(): Promise<void> {
    const raw = new Database(join(dataDir, "postfach.db"), { readonly: true });
    try {
      const pendingRows = raw.prepare(
        "SELECT count(*) AS n FROM email_search WHERE id > (SELECT indexed_upto FROM search_index_progress)",
      );
      while ((pendingRows.get() as { n: number }).n > 0) await new Promise((r) => setTimeout(r, 20));
    } finally {
      raw.close();
    }
  }

  async function appendAll(mailboxId: MailboxId, raws: readonly Buffer[], track: boolean) {
    for (let start = 0; start < raws.length; start += 250) {
      const batch = raws.slice(start, start + 250);
      // Bodies go in with their entries (one commit per batch): a blob file each cost an fsync, and
      // the search index is built from the entries' text, wherever the bytes are kept.
      const messages = batch.map((raw) => ({
        blobHash: store.blobs.hashOf(raw),
        body: raw,
        index: indexMessage(raw),
        flags: { system: new Set<never>(), keywords: [] },
        internalDateMs: 0,
      }));
      const results = await store.messages.appendMany(accountId, mailboxId, messages);
      if (!track) continue;
      for (const [i, result] of results.entries()) {
        inboxText.set(result.emailId, foldFields(batch[i] as Buffer));
        inboxHeaders.set(result.emailId, foldHeaderFields(batch[i] as Buffer));
      }
    }
  }

  function bruteForce(criteria: readonly { field: EmailTextField; needle: string }[]): Set<EmailId> {
    const folded = criteria.map(({ field, needle }) => ({ field, needle: foldSearchText(needle) }));
    const found = new Set<EmailId>();
    for (const [emailId, fields] of inboxText) {
      if (folded.every(({ field, needle }) => fields[field].includes(needle))) found.add(emailId);
    }
    return found;
  }

  function bruteForceHeader(name: string, value: string): Set<EmailId> {
    const fieldName = name.toLowerCase();
    const needle = foldSearchText(value);
    const found = new Set<EmailId>();
    for (const [emailId, fields] of inboxHeaders) {
      if (fields.some((field) => field.name === fieldName && field.value.includes(needle)))
        found.add(emailId);
    }
    return found;
  }

  async function assertSameHeader(name: string, value: string) {
    const indexed = await store.messages.matchEmails(inbox, [{ kind: "header", name, value }]);
    const expected = bruteForceHeader(name, value);
    const label = JSON.stringify({ name, value });
    assert.equal(indexed.size, expected.size, label);
    for (const emailId of expected) assert.ok(indexed.has(emailId), label);
  }

  /** A SearchQuery evaluated on one entry by brute force: entry fields, folded text, parsed headers. */
  function bruteForceQuery(entry: MailboxEntry, query: SearchQuery): boolean {
    switch (query.kind) {
      case "all":
        return true;
      case "and":
        return query.queries.every((q) => bruteForceQuery(entry, q));
      case "or":
        return query.queries.some((q) => bruteForceQuery(entry, q));
      case "not":
        return !bruteForceQuery(entry, query.query);
      case "flag":
        return entry.flags.system.has(query.flag);
      case "text":
        return (inboxText.get(entry.emailId)?.[query.field] ?? "").includes(foldSearchText(query.value));
      case "header":
        return bruteForceHeader(query.name, query.value).has(entry.emailId);
      case "size":
        return query.isLarger ? entry.size > query.bytes : entry.size < query.bytes;
      case "uids":
        return query.ranges.some((range) => entry.uid >= range.from && entry.uid <= range.to);
      default:
        throw new Error(`no brute force for ${query.kind}`);
    }
  }

  async function assertSameQuery(query: SearchQuery) {
    const entries = await store.messages.listEntries(inbox);
    const found = await searchMailbox(store, accountId, inbox, entries, query);
    const expected = entries.filter((entry) => bruteForceQuery(entry, query));
    assert.deepEqual(
      found.map((entry) => entry.uid),
      expected.map((entry) => entry.uid),
      JSON.stringify(query),
    );
  }

  async function assertSame(criteria: readonly { field: EmailTextField; needle: string }[]) {
    const query: EmailCriterion[] = criteria.map(({ field, needle }) => ({
      kind: "text",
      field,
      value: needle,
    }));
    const indexed = await store.messages.matchEmails(inbox, query);
    const expected = bruteForce(criteria);
    const label = JSON.stringify(criteria);
    assert.equal(indexed.size, expected.size, label);
    for (const emailId of expected) assert.ok(indexed.has(emailId), label);
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "postfach-search-index-"));
    store = await openSqliteStore({ dataDir });
    const account = await store.accounts.create({
      address: "index@example.test",
      passwordHash: "$scrypt$test",
      quota: { storageBytes: null, messages: null },
    });
    accountId = account.id;
    inbox = (await store.mailboxes.findByName(accountId, "INBOX"))?.id as MailboxId;
    const other = (await store.mailboxes.create(accountId, "Elsewhere", null)).id;
    const corpus = [...generateCorpus(CORPUS_SIZE, { seed: 7, medianBytes: 1200 })];
    // The planted corpus message (index 137) lands in the inbox; the other mailbox gets look-alikes.
    await appendAll(inbox, [...corpus, ...plantedMessages()], true);
    await appendAll(other, plantedMessages().slice(0, 10), false);

    // A second account with the same tokens, deleted: its index rows must go with it.
    const doomed = await store.accounts.create({
      address: "doomed@example.test",
      passwordHash: "$scrypt$test",
      quota: { storageBytes: null, messages: null },
    });
    const doomedInbox = (await store.mailboxes.findByName(doomed.id, "INBOX"))?.id as MailboxId;
    for (const raw of plantedMessages().slice(0, 5)) {
      await store.messages.append(doomed.id, doomedInbox, {
        blobHash: (await store.blobs.put(raw)).hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: 0,
      });
    }
    await store.accounts.delete(doomed.id);

    // Expunged and purged emails leave the index as well.
    const doomedEntries = (await store.messages.listEntries(inbox)).slice(0, 6);
    await store.messages.expunge(
      accountId,
      inbox,
      doomedEntries.map((entry) => entry.uid),
    );
    for (const entry of doomedEntries) {
      inboxText.delete(entry.emailId);
      inboxHeaders.delete(entry.emailId);
    }
    await store.messages.purgeDestroyedEmails(-1);

    // Undo migration 6 and reopen, so the rest runs on an index built by the migration's backfill.
    await store.close();
    const raw = new Database(join(dataDir, "postfach.db"));
    for (const trigger of ["insert", "delete", "update"])
      raw.exec(`DROP TRIGGER email_search_fts_${trigger}`);
    raw.exec("DROP TABLE email_search_fts; DROP TABLE search_index_progress; PRAGMA user_version = 5;");
    raw.close();
    store = await openSqliteStore({ dataDir });
    // And messages appended after the migration reach the index (through the search-index worker: fewer
    // than a batch, so once the commits have been quiet for a moment).
    await appendAll(inbox, plantedMessages().slice(0, 8), true);
    await untilNoRowPending();
    // Messages not indexed yet are found by scanning their rows: the rest runs with some pending.
    await store.close();
    store = await openSqliteStore({ dataDir, searchIndexing: "paused" });
    await appendAll(inbox, plantedMessages().slice(8, 20), true);
    // Flags for the combinations: \Seen on every third entry, \Flagged on every fifth.
    const all = await store.messages.listEntries(inbox);
    const every = (n: number) => all.filter((_, i) => i % n === 0).map((entry) => entry.uid as Uid);
    const add = (flag: "\\Seen" | "\\Flagged") => ({
      operation: "add" as const,
      flags: { system: new Set([flag]), keywords: [] },
    });
    await store.messages.updateFlags(accountId, inbox, every(3), add("\\Seen"));
    await store.messages.updateFlags(accountId, inbox, every(5), add("\\Flagged"));
  });

  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps the trigram index consistent with the search text", async () => {
    const raw = new Database(join(dataDir, "postfach.db"));
    try {
      const pending = raw
        .prepare(
          "SELECT count(*) AS n FROM email_search WHERE id > (SELECT indexed_upto FROM search_index_progress)",
        )
        .get() as { n: number };
      assert.equal(pending.n, 12, "the rows appended while indexing was paused wait for the index");
      // The index plus the pending rows is the whole search text (checked, then rolled back).
      raw.exec("BEGIN");
      raw.exec(`INSERT INTO email_search_fts (rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
        SELECT id, subject, from_text, to_text, cc_text, bcc_text, body_text FROM email_search
        WHERE id > (SELECT indexed_upto FROM search_index_progress)`);
      raw.exec("INSERT INTO email_search_fts (email_search_fts) VALUES ('integrity-check')");
      raw.exec("ROLLBACK");
      const counts = raw
        .prepare(
          "SELECT (SELECT count(*) FROM email_search) AS rows, (SELECT count(*) FROM emails) AS emails",
        )
        .get() as { rows: number; emails: number };
      assert.equal(counts.rows, counts.emails);
      const headerless = raw
        .prepare("SELECT count(*) AS n FROM emails WHERE id NOT IN (SELECT email_id FROM email_headers)")
        .get() as { n: number };
      assert.equal(headerless.n, 0);
    } finally {
      raw.close();
    }
  });

  it("agrees on planted tokens in headers, bodies, encoded-words and non-UTF-8 charsets", async () => {
    const planted: [EmailTextField, string][] = [
      ["text", PLANTED.body],
      ["body", PLANTED.body.toUpperCase()],
      ["subject", PLANTED.subject],
      ["from", PLANTED.from],
      ["to", "example"],
      ["to", "ΕΛΈΝΗ"],
      ["to", "eleni1@example.gr"],
      ["cc", "дмитрий"],
      ["cc", "группа"],
      ["bcc", "hidden-planted-2"],
      ["from", "grüsse strasse"],
      ["from", "STRAẞE"],
      ["from", "frédéric çedille1"],
      ["subject", "tokenqz3"],
      ["subject", "ПРИВЕТ σοφία"],
      ["subject", "café crème brûlée"],
      ["subject", "отчёт за квартал 1"],
      ["body", "weiss strasse"],
      ["body", "σσσ"],
      ["body", "folded white space evenmarker"],
      ["body", "größe übergröße"],
      ["body", "ÜBERGRÖSSE"],
      ["body", "latinplant2"],
      ["body", "мягких французских булок koiplant3"],
      ["body", "СЪЕШЬ ЖЕ ЕЩЁ"],
      ["body", '"quoted" and or near(x) {body}: rep*'],
      ["body", "1+1=2"],
      ["text", "tokenbody6"],
      ["text", "nothing-like-this-anywhere"],
    ];
    for (const [field, needle] of planted) await assertSame([{ field, needle }]);
    const bodyHits = bruteForce([{ field: "text", needle: PLANTED.body }]);
    assert.equal(bodyHits.size, 1, "the corpus plants its body token once in 2,500 messages");
    assert.equal(bruteForce([{ field: "body", needle: "koiplant0" }]).size, 5, "KOI8-R body decoded");
    assert.equal(bruteForce([{ field: "subject", needle: "café" }]).size, 20, "ISO-8859-1 word decoded");
  });

  it("agrees on random substrings of real text, short needles and word boundaries", async () => {
    const random = seededRandom(2026);
    const emails = [...inboxText.values()];
    for (let i = 0; i < 400; i++) {
      const fields = emails[Math.floor(random() * emails.length)] as FoldedFields;
      const field = FIELDS[Math.floor(random() * FIELDS.length)] as EmailTextField;
      const chars = [...fields[field]];
      if (chars.length === 0) continue;
      const length = 1 + Math.floor(random() * Math.min(14, chars.length));
      const start = Math.floor(random() * (chars.length - length + 1));
      let needle = chars.slice(start, start + length).join("");
      if (i % 3 === 0) needle = needle.toUpperCase();
      await assertSame([{ field, needle }]);
    }
  });

  it("agrees on one- and two-character needles and on combinations", async () => {
    for (const needle of ["a", "Z", "ß", "ё", "Σ", "@", " ", "é", "th", "ЁЖ", "<a", ".c", "ss", "σς"]) {
      await assertSame([{ field: "text", needle }]);
      await assertSame([{ field: "subject", needle }]);
    }
    await assertSame([
      { field: "subject", needle: "ü" },
      { field: "body", needle: "release" },
    ]);
    await assertSame([
      { field: "from", needle: "alice" },
      { field: "subject", needle: "budget" },
      { field: "text", needle: "the" },
    ]);
    await assertSame([
      { field: "to", needle: "eleni" },
      { field: "body", needle: "oddmarker" },
    ]);
  });

  it("agrees on HEADER: planted tokens, encoded-words, charsets, empty values and field presence", async () => {
    const keys: [string, string][] = [
      ["X-Planted-Token", "hdrtok3"],
      ["x-planted-token", "HDRTOK"],
      ["x-planted-token", "grüsse ωmega 2"],
      ["X-PLANTED-TOKEN", "ΩMEGA"],
      ["x-planted-token", ""],
      ["x-empty-field", ""],
      ["x-empty-field", "x"],
      ["x-multi", "first1"],
      ["x-multi", "déjà 3"],
      ["x-multi", "DÉJÀ"],
      ["x-multi", ""],
      ["x-koi", "ёлка 2"],
      ["x-koi", "ЁЛ"],
      ["subject", "привет"],
      ["subject", "café crème"],
      ["subject", ""],
      ["from", "strasse1"],
      ["to", "example"],
      ["received", "mx3"],
      ["message-id", "@example.test"],
      ["content-type", "charset=iso-8859-1"],
      ["content-type", "text/plain"],
      ["x-mailer", ""],
      ["x-absent", "anything"],
      ["x-planted-token", "t"],
      ["x-planted-token", "k1"],
      ["subject", "e"],
      ["subject", '"'],
      ["subject", "AND"],
    ];
    for (const [name, value] of keys) await assertSameHeader(name, value);
    assert.equal(bruteForceHeader("x-planted-token", "hdrtok3").size, 10, "planted header tokens found");
    assert.ok(bruteForceHeader("x-empty-field", "").size > 0, "empty fields exist");
  });

  it("agrees on HEADER with random substrings of real header values", async () => {
    const random = seededRandom(7007);
    const emails = [...inboxHeaders.values()];
    for (let i = 0; i < 200; i++) {
      const fields = emails[Math.floor(random() * emails.length)] ?? [];
      const field = fields[Math.floor(random() * fields.length)];
      if (!field) continue;
      const chars = [...field.value];
      const length = Math.floor(random() * Math.min(12, chars.length + 1));
      const start = Math.floor(random() * (chars.length - length + 1));
      const needle = chars.slice(start, start + length).join("");
      await assertSameHeader(i % 2 === 0 ? field.name.toUpperCase() : field.name, needle);
    }
  });

  it("agrees on OR and NOT combinations of flags, text and headers through the planner", async () => {
    const seen: SearchQuery = { kind: "flag", flag: "\\Seen" };
    const flagged: SearchQuery = { kind: "flag", flag: "\\Flagged" };
    const text = (field: EmailTextField, value: string): SearchQuery => ({ kind: "text", field, value });
    const header = (name: string, value: string): SearchQuery => ({ kind: "header", name, value });
    const queries: SearchQuery[] = [
      { kind: "or", queries: [seen, flagged] },
      { kind: "not", query: { kind: "flag", flag: "\\Deleted" } },
      { kind: "not", query: text("text", PLANTED.body) },
      { kind: "not", query: header("x-empty-field", "") },
      { kind: "or", queries: [header("x-multi", "déjà"), text("subject", "tokenqz1")] },
      { kind: "and", queries: [seen, { kind: "not", query: header("x-planted-token", "hdrtok2") }] },
      {
        kind: "or",
        queries: [
          { kind: "and", queries: [flagged, text("body", "the")] },
          { kind: "not", query: { kind: "or", queries: [seen, header("x-planted-token", "")] } },
        ],
      },
      {
        kind: "and",
        queries: [header("x-planted-token", "ωmega"), text("to", "eleni"), { kind: "not", query: seen }],
      },
      { kind: "or", queries: [text("subject", "re"), { kind: "size", isLarger: true, bytes: 3000 }] },
      { kind: "and", queries: [header("subject", ""), text("subject", "q")] },
    ];
    for (const query of queries) await assertSameQuery(query);
  });

  it("indexes the rows left pending when the store opens again, and still agrees", async () => {
    await store.close();
    store = await openSqliteStore({ dataDir });
    await untilNoRowPending();
    await assertSame([{ field: "subject", needle: "tokenqz3" }]);
    await assertSame([{ field: "body", needle: "folded white space evenmarker" }]);
    await assertSame([{ field: "to", needle: "eleni1@example.gr" }]);
    await assertSameHeader("x-planted-token", "hdrtok3");
  });
});
