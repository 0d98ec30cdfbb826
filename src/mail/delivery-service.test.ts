import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "../kit/logger.js";
import type { MailStore } from "../store/mail-store.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import { DeliveryService, type RecipientCheck } from "./delivery-service.js";
import { IndexWorkers } from "./index-workers.js";

const OPTIONS = {
  hostname: "mx.test",
  recipientDelimiter: "+",
  detailToFolder: true,
  localPartCaseSensitive: false,
  quotaPermanent: false,
};
const UNLIMITED = { storageBytes: null, messages: null };

describe("DeliveryService", () => {
  let dataDir: string;
  let store: MailStore;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "postfach-delivery-"));
    store = await openSqliteStore({ dataDir });
    const alice = await store.accounts.create({
      address: "alice@example.test",
      passwordHash: "x",
      quota: UNLIMITED,
    });
    await store.mailboxes.create(alice.id, "lists", null);
    await store.accounts.create({
      address: "full@example.test",
      passwordHash: "x",
      quota: { storageBytes: null, messages: 0 },
    });
    await store.accounts.create({
      address: "tight@example.test",
      passwordHash: "x",
      quota: { storageBytes: 10, messages: null },
    });
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const accepted = (check: RecipientCheck) => {
    assert.equal(check.kind, "accepted");
    return check as Extract<RecipientCheck, { kind: "accepted" }>;
  };
  const message = (recipients: Extract<RecipientCheck, { kind: "accepted" }>[]) => ({
    returnPath: "s@remote.example",
    recipients,
    data: Buffer.from("Subject: t\r\n\r\nbody\r\n"),
    heloName: "mta",
    remoteAddress: "127.0.0.1",
    protocol: "LMTP",
  });

  it("delivers alice+lists into the existing folder lists, alice+nofolder into INBOX", async () => {
    const service = new DeliveryService(store, OPTIONS, silentLogger);
    const report = await service.deliver(
      message([accepted(await service.checkRecipient("alice+lists@example.test"))]),
    );
    assert.deepEqual(report.outcomes, [{ kind: "delivered" }]);
    await service.deliver(message([accepted(await service.checkRecipient("alice+nofolder@example.test"))]));
    const account = await store.accounts.findByAddress("alice@example.test");
    const boxes = await store.mailboxes.list(account?.id ?? (0 as never));
    const count = (name: string) => boxes.find((b) => b.name === name)?.messageCount;
    assert.equal(count("lists"), 1);
    assert.equal(count("INBOX"), 1);
  });

  it("refuses at RCPT an account that is already full", async () => {
    const service = new DeliveryService(store, OPTIONS, silentLogger);
    const check = await service.checkRecipient("full@example.test");
    assert.equal(check.kind === "rejected" && check.error.code, "overQuota");
  });

  it("reports a message that does not fit as temporary, or permanent when configured", async () => {
    for (const quotaPermanent of [false, true]) {
      const service = new DeliveryService(store, { ...OPTIONS, quotaPermanent }, silentLogger);
      const report = await service.deliver(
        message([accepted(await service.checkRecipient("tight@example.test"))]),
      );
      const [outcome] = report.outcomes;
      assert.equal(outcome?.kind, "failed");
      if (outcome?.kind === "failed") {
        assert.equal(outcome.error.code, "overQuota");
        assert.equal(outcome.isTemporary, !quotaPermanent);
      }
    }
  });

  it("indexes in worker threads, one or several recipients, like the main thread does", async () => {
    const service = new DeliveryService(store, { ...OPTIONS, indexWorkers: 2 }, silentLogger);
    try {
      const alice = accepted(await service.checkRecipient("alice@example.test"));
      const aliceLists = accepted(await service.checkRecipient("alice+lists@example.test"));
      const reports = await Promise.all([
        service.deliver(message([alice])),
        service.deliver(message([alice, aliceLists])),
      ]);
      assert.deepEqual(
        reports.map((r) => r.outcomes),
        [[{ kind: "delivered" }], [{ kind: "delivered" }, { kind: "delivered" }]],
      );
      const account = await store.accounts.findByAddress("alice@example.test");
      const inbox = await store.mailboxes.findByName(account?.id ?? (0 as never), "INBOX");
      const entries = await store.messages.listEntries(inbox?.id ?? ("" as never));
      const last = entries.at(-1);
      const email = await store.messages.getEmail(
        account?.id ?? (0 as never),
        last?.emailId ?? ("" as never),
      );
      assert.match(email?.index.envelope ?? "", /"t"/, "the worker's index (subject t) was stored");
    } finally {
      await service.close();
    }
  });

  it("answers a temporary failure and stores nothing when the indexing worker dies mid-message", async () => {
    const workers = new IndexWorkers(1);
    const service = new DeliveryService(store, OPTIONS, silentLogger, workers);
    try {
      const check = accepted(await service.checkRecipient("alice@example.test"));
      const account = await store.accounts.findByAddress("alice@example.test");
      const before = (await store.accounts.get(account?.id ?? (0 as never)))?.messageCount;
      // deliver() posts the message to the worker before its first await; the worker is then killed
      // before it can answer, as a crash would.
      const delivering = service.deliver(message([check]));
      await workers.close();
      const report = await delivering;
      const [outcome] = report.outcomes;
      assert.equal(outcome?.kind, "failed");
      if (outcome?.kind === "failed") {
        assert.equal(outcome.error.code, "unavailable");
        assert.equal(outcome.isTemporary, true);
      }
      assert.equal((await store.accounts.get(account?.id ?? (0 as never)))?.messageCount, before);
      // The next message starts a new worker and is delivered.
      assert.deepEqual((await service.deliver(message([check]))).outcomes, [{ kind: "delivered" }]);
    } finally {
      await service.close();
    }
  });
});
