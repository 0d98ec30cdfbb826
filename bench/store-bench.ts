// `npm run bench:store`: the store micro-benchmark of issue "Foundation": append throughput of ~8 KB
// messages (each one durable: blob fsync + commit), and listing UID+FLAGS and ENVELOPE+BODYSTRUCTURE of
// a 100,000-message mailbox. Prints medians of several runs; checks every result's count.
// Options: --quick (1,000 appends, 10,000-message mailbox), --runs N.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MessageService } from "../src/mail/message-service.js";
import { indexMessage } from "../src/mime/index/index-message.js";
import type { MailStore, NewMessage } from "../src/store/mail-store.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { generateCorpus } from "./corpus.js";
import { median, report, timeMs } from "./stats.js";

const { values } = parseArgs({ options: { quick: { type: "boolean" }, runs: { type: "string" } } });
const appendCount = values.quick ? 1_000 : 10_000;
const listCount = values.quick ? 10_000 : 100_000;
const runs = Number(values.runs ?? 3);

async function withStore<T>(fn: (store: MailStore) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), "postfach-bench-"));
  const store = await openSqliteStore({ dataDir });
  try {
    return await fn(store);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function newInbox(store: MailStore) {
  const account = await store.accounts.create({
    address: `bench${Date.now()}@example.test`,
    passwordHash: "x",
    quota: { storageBytes: null, messages: null },
  });
  const inbox = await store.mailboxes.findByName(account.id, "INBOX");
  assert.ok(inbox);
  return { accountId: account.id, mailboxId: inbox.id };
}

async function benchAppend(run: number, concurrency: number): Promise<number> {
  const corpus = [...generateCorpus(appendCount, { seed: 1000 + run, fixedBytes: 8 * 1024 })];
  return withStore(async (store) => {
    const { accountId, mailboxId } = await newInbox(store);
    const service = new MessageService(store, { maxMessageBytes: 50 * 1024 * 1024 });
    let next = 0;
    const worker = async () => {
      while (next < corpus.length) await service.append(accountId, mailboxId, corpus[next++] as Buffer);
    };
    const ms = await timeMs(() => Promise.all(Array.from({ length: concurrency }, worker)));
    assert.equal((await store.messages.listEntries(mailboxId)).length, appendCount);
    return (appendCount / ms) * 1000;
  });
}

async function benchListing(): Promise<void> {
  await withStore(async (store) => {
    const { accountId, mailboxId } = await newInbox(store);
    // 1,000 distinct bodies appended 100 times over: content-addressed blobs are shared, while each
    // append is still its own email and entry, as in a real mailbox.
    const distinct: NewMessage[] = [];
    for (const raw of generateCorpus(1000, { seed: 7 })) {
      const { hash } = await store.blobs.put(raw);
      distinct.push({
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: Date.now(),
      });
    }
    const fillMs = await timeMs(async () => {
      for (let done = 0; done < listCount; done += distinct.length) {
        await store.messages.appendMany(
          accountId,
          mailboxId,
          distinct.slice(0, Math.min(distinct.length, listCount - done)),
        );
      }
    });
    report("fill_batched", (listCount / fillMs) * 1000, "messages/s", `${listCount} via appendMany of 1,000`);
    const flagTimes: number[] = [];
    const envelopeTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      let entries: Awaited<ReturnType<typeof store.messages.listEntries>> = [];
      flagTimes.push(
        await timeMs(async () => {
          entries = await store.messages.listEntries(mailboxId);
        }),
      );
      assert.equal(entries.length, listCount);
      envelopeTimes.push(
        await timeMs(async () => {
          const summaries = await store.messages.getEmailSummaries(entries.map((e) => e.emailId));
          assert.equal(summaries.size, listCount);
        }),
      );
    }
    report("list_uid_flags", median(flagTimes) / 1000, "s", `${listCount} messages, median of ${runs}`);
    report(
      "list_envelope_bodystructure",
      median(envelopeTimes) / 1000,
      "s",
      `${listCount} messages, median of ${runs}`,
    );
  });
}

const sequential: number[] = [];
const concurrent: number[] = [];
for (let run = 0; run < runs; run++) {
  sequential.push(await benchAppend(run, 1));
  concurrent.push(await benchAppend(run, 4));
}
report(
  "append_8k",
  median(sequential),
  "messages/s",
  `${appendCount} durable appends, 1 writer, median of ${runs}`,
);
report(
  "append_8k_4writers",
  median(concurrent),
  "messages/s",
  `${appendCount} durable appends, 4 concurrent, median of ${runs}`,
);
await benchListing();
