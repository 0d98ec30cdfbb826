// The store contract: one suite every MailStore backend runs (SQLite now, PostgreSQL later), so they
// behave identically. A backend's test file calls describeMailStoreContract with its harness.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { AccountId, BlobHash, MailboxId, ModSeq, Uid } from "../../kit/ids.js";
import { isMailError, type MailErrorCode } from "../../kit/mail-error.js";
import { indexMessage } from "../../mime/index/index-message.js";
import type { FlagSet, MailboxEntry, MailStore, NewMessage, SystemFlag } from "../mail-store.js";

/** A store under test and ways to reach the same data again, as after a restart or from a second node. */
export interface StoreUnderTest {
  readonly store: MailStore;
  /** Closes `store` and opens the same data again. */
  reopen(): Promise<MailStore>;
  /** Opens a second, independent handle on the same data (another connection / process). */
  openSecond(): Promise<MailStore>;
  /** Closes everything and removes the data. */
  destroy(): Promise<void>;
}

export interface StoreHarness {
  create(): Promise<StoreUnderTest>;
}

/**
 * The store of the enclosing describe(): created before its tests (then handed to `onOpen`) and destroyed
 * after them. The returned handle reaches the same store, for reopen() and openSecond() in a test.
 */
export function storeForSuite(harness: StoreHarness, onOpen: (store: MailStore) => void): StoreUnderTest {
  let sut: StoreUnderTest | undefined;
  before(async () => {
    sut = await harness.create();
    onOpen(sut.store);
  });
  after(async () => {
    await sut?.destroy();
  });
  const opened = (): StoreUnderTest => {
    if (sut === undefined) throw new Error("the suite's store opens in before()");
    return sut;
  };
  return {
    get store() {
      return opened().store;
    },
    reopen: () => opened().reopen(),
    openSecond: () => opened().openSecond(),
    destroy: () => opened().destroy(),
  };
}

export function flagSet(system: readonly SystemFlag[] = [], keywords: readonly string[] = []): FlagSet {
  return { system: new Set(system), keywords };
}

let messageCounter = 0;

/** A small, unique RFC 5322 message, its blob stored, ready to append. */
export async function storeTestMessage(
  store: MailStore,
  options: { subject?: string; body?: string; flags?: FlagSet; messageId?: string; inReplyTo?: string } = {},
): Promise<NewMessage> {
  messageCounter++;
  const lines = [
    "From: Alice <alice@example.test>",
    "To: Bob <bob@example.test>",
    `Subject: ${options.subject ?? `Test message ${messageCounter}`}`,
    `Message-ID: <${options.messageId ?? `m${messageCounter}.${process.pid}.${Date.now()}@example.test`}>`,
    ...(options.inReplyTo ? [`In-Reply-To: <${options.inReplyTo}>`] : []),
    "Date: Thu, 26 Nov 2026 10:00:00 +0000",
    "",
    options.body ?? `Body of message ${messageCounter}.`,
    "",
  ];
  const raw = Buffer.from(lines.join("\r\n"));
  const { hash } = await store.blobs.put(raw);
  return {
    blobHash: hash,
    index: indexMessage(raw),
    flags: options.flags ?? flagSet(),
    internalDateMs: Date.now(),
  };
}

/** Asserts that `promise` rejects with a MailError of `code` (the contract suites share it). */
export async function rejectsWith(promise: Promise<unknown>, code: MailErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isMailError(error) && error.code === code);
}

let accountCounter = 0;
async function newAccount(store: MailStore, quota = { storageBytes: null, messages: null } as const) {
  accountCounter++;
  return store.accounts.create({
    address: `user${accountCounter}.${Date.now()}@example.test`,
    passwordHash: "$scrypt$test",
    quota,
  });
}

/** A new account (no quota) and its INBOX, for tests that only need somewhere to put messages. */
export async function createAccountWithInbox(
  store: MailStore,
  address: string,
): Promise<{ accountId: AccountId; mailboxId: MailboxId }> {
  const account = await store.accounts.create({
    address,
    passwordHash: "$scrypt$test",
    quota: { storageBytes: null, messages: null },
  });
  return { accountId: account.id, mailboxId: (await inboxOf(store, account.id)).id };
}

async function inboxOf(store: MailStore, accountId: AccountId) {
  const inbox = await store.mailboxes.findByName(accountId, "INBOX");
  assert.ok(inbox, "every account has an INBOX");
  return inbox;
}

export function describeMailStoreContract(backend: string, harness: StoreHarness): void {
  describe(`MailStore contract: ${backend}`, () => {
    let store: MailStore;
    const sut = storeForSuite(harness, (opened) => {
      store = opened;
    });

    it("creates accounts with an INBOX, finds them case-insensitively and refuses duplicates", async () => {
      const account = await newAccount(store);
      assert.equal((await store.accounts.findByAddress(account.address.toUpperCase()))?.id, account.id);
      const inbox = await inboxOf(store, account.id);
      assert.equal(inbox.name, "INBOX");
      assert.equal(inbox.uidNext, 1);
      assert.ok(inbox.uidValidity > 0);
      assert.deepEqual(await store.mailboxes.listSubscriptions(account.id), ["INBOX"]);
      await rejectsWith(
        store.accounts.create({ address: account.address, passwordHash: "x", quota: account.quota }),
        "alreadyExists",
      );
      assert.equal((await store.mailboxes.findByName(account.id, "inbox"))?.id, inbox.id);
    });

    it("assigns ascending UIDs that are never reused, also across a restart", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const uids: Uid[] = [];
      for (let i = 0; i < 3; i++) {
        uids.push((await store.messages.append(account.id, inbox.id, await storeTestMessage(store))).uid);
      }
      assert.deepEqual(uids, [1, 2, 3]);
      await store.messages.expunge(account.id, inbox.id, [3 as Uid]);
      store = await sut.reopen();
      const result = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      assert.equal(result.uid, 4);
      assert.equal((await store.mailboxes.get(account.id, inbox.id))?.uidNext, 5);
      assert.equal(result.uidValidity, inbox.uidValidity);
    });

    it("gives a recreated mailbox a new UIDVALIDITY and starts its UIDs again", async () => {
      const account = await newAccount(store);
      const first = await store.mailboxes.create(account.id, "Projects", null);
      await store.messages.append(account.id, first.id, await storeTestMessage(store));
      await store.mailboxes.delete(account.id, first.id);
      assert.equal(await store.mailboxes.findByName(account.id, "Projects"), undefined);
      const second = await store.mailboxes.create(account.id, "Projects", null);
      assert.notEqual(second.uidValidity, first.uidValidity);
      assert.notEqual(second.id, first.id);
      assert.equal(second.uidNext, 1);
      assert.equal(second.messageCount, 0);
    });

    it("increases MODSEQ on every change and reports it as the mailbox's HIGHESTMODSEQ", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const other = await store.mailboxes.create(account.id, "Other", null);
      const seen: number[] = [inbox.highestModSeq];
      const highest = async () => (await store.mailboxes.get(account.id, inbox.id))?.highestModSeq ?? 0;
      const appended = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      seen.push(appended.modSeq, await highest());
      const flagged = await store.messages.updateFlags(account.id, inbox.id, [appended.uid], {
        operation: "add",
        flags: flagSet(["\\Flagged"]),
      });
      seen.push(flagged.changed[0]?.modSeq ?? 0, await highest());
      await store.messages.copy(account.id, inbox.id, [appended.uid], other.id);
      const copyModSeq = (await store.mailboxes.get(account.id, other.id))?.highestModSeq ?? 0;
      assert.ok(copyModSeq > (await highest()), "the copy takes a newer modseq");
      const second = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      seen.push(second.modSeq);
      await store.messages.expunge(account.id, inbox.id, [appended.uid]);
      seen.push(await highest());
      for (let i = 1; i < seen.length; i += 1) {
        assert.ok((seen[i] ?? 0) >= (seen[i - 1] ?? 0), `modseq never decreases: ${seen.join(",")}`);
      }
      assert.ok(appended.modSeq > inbox.highestModSeq);
      assert.ok((flagged.changed[0]?.modSeq ?? 0) > appended.modSeq);
      assert.ok(second.modSeq > copyModSeq);
      assert.ok((await highest()) > second.modSeq, "expunge raises HIGHESTMODSEQ");
      const noop = await store.messages.updateFlags(account.id, inbox.id, [second.uid], {
        operation: "remove",
        flags: flagSet(["\\Seen"]),
      });
      assert.equal(noop.changed.length, 0, "a flag update that changes nothing takes no modseq");
    });

    it("lets a session catch up from any modseq: additions, flag changes and expunges", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      // A model of what the mailbox looked like: uid → modseq of last change, plus expunge modseqs.
      const lastChange = new Map<number, number>();
      const expungedAt = new Map<number, number>();
      const checkpoints: ModSeq[] = [inbox.highestModSeq];
      for (let i = 0; i < 6; i++) {
        const r = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
        lastChange.set(r.uid, r.modSeq);
        checkpoints.push(r.modSeq);
      }
      for (const uid of [2, 4]) {
        const r = await store.messages.updateFlags(account.id, inbox.id, [uid as Uid], {
          operation: "add",
          flags: flagSet(["\\Seen"], ["$Important"]),
        });
        const modSeq = r.changed[0]?.modSeq ?? (0 as ModSeq);
        lastChange.set(uid, modSeq);
        checkpoints.push(modSeq);
      }
      await store.messages.expunge(account.id, inbox.id, [3 as Uid, 4 as Uid]);
      const afterExpunge = (await store.mailboxes.get(account.id, inbox.id))?.highestModSeq ?? (0 as ModSeq);
      for (const uid of [3, 4]) {
        lastChange.delete(uid);
        expungedAt.set(uid, afterExpunge);
      }
      checkpoints.push(afterExpunge);
      for (const since of checkpoints) {
        const changes = await store.changes.mailboxChangesSince(inbox.id, inbox.uidValidity, since);
        assert.equal(changes.isGone, false);
        const expectedEntries = [...lastChange].filter(([, m]) => m > since).map(([uid]) => uid);
        const expectedExpunged = [...expungedAt].filter(([, m]) => m > since).map(([uid]) => uid);
        assert.deepEqual(
          changes.entries.map((e) => e.uid),
          expectedEntries,
          `entries since ${since}`,
        );
        assert.deepEqual(changes.expungedUids, expectedExpunged, `expunged since ${since}`);
        assert.equal(changes.highestModSeq, afterExpunge);
      }
      const changed = await store.changes.mailboxChangesSince(
        inbox.id,
        inbox.uidValidity,
        checkpoints[6] as ModSeq,
      );
      assert.deepEqual([...(changed.entries[0]?.flags.system ?? [])], ["\\Seen"]);
      assert.deepEqual(changed.entries[0]?.flags.keywords, ["$Important"]);
      const gone = await store.changes.mailboxChangesSince(inbox.id, inbox.uidValidity + 1, 1 as ModSeq);
      assert.equal(gone.isGone, true, "another UIDVALIDITY means the client must resync");

      const accountChanges = await store.changes.accountChangesSince(account.id, checkpoints[0] as ModSeq);
      assert.equal(accountChanges.emails.filter((e) => e.isDestroyed).length, 2);
      assert.equal(accountChanges.emails.filter((e) => !e.isDestroyed).length, 4);
      assert.ok(accountChanges.mailboxes.some((m) => m.id === inbox.id && !m.isDestroyed));
    });

    it("records when each email and mailbox appeared, and keeps it on their tombstones", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const start = (await store.accounts.get(account.id))?.highestModSeq ?? (0 as ModSeq);
      const kept = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      const gone = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      const box = await store.mailboxes.create(account.id, "Box", null);
      const copied = await store.messages.copy(account.id, inbox.id, [kept.uid], box.id);
      const flagged = await store.messages.updateFlags(account.id, box.id, copied.destinationUids, {
        operation: "add",
        flags: flagSet(["\\Seen"]),
      });
      const box2 = await store.mailboxes.create(account.id, "Box2", null);
      await store.messages.expunge(account.id, inbox.id, [gone.uid]);
      await store.mailboxes.delete(account.id, box2.id);
      const changes = await store.changes.accountChangesSince(account.id, start);
      const email = (id: string) => changes.emails.find((e) => e.id === id);
      const lastFlag = flagged.changed[0]?.modSeq;
      assert.deepEqual(email(kept.emailId), {
        id: kept.emailId,
        createdModSeq: kept.modSeq,
        lastModSeq: lastFlag,
        threadId: kept.threadId,
        isDestroyed: false,
      });
      const destroyed = email(gone.emailId);
      assert.equal(destroyed?.createdModSeq, gone.modSeq, "the tombstone keeps the creation modseq");
      assert.equal(destroyed?.threadId, gone.threadId, "and the thread");
      assert.equal(destroyed?.isDestroyed, true);
      assert.ok((destroyed?.lastModSeq ?? 0) > (lastFlag ?? 0));
      const mailbox = (id: string) => changes.mailboxes.find((m) => m.id === id);
      assert.equal(mailbox(box.id)?.createdModSeq, box.modSeq);
      assert.equal(
        mailbox(box.id)?.propertiesModSeq,
        box.modSeq,
        "entry changes leave the properties modseq",
      );
      assert.equal(mailbox(box.id)?.lastModSeq, lastFlag);
      assert.equal(mailbox(box2.id)?.createdModSeq, box2.modSeq);
      assert.equal(mailbox(box2.id)?.isDestroyed, true);
      assert.equal(mailbox(inbox.id)?.createdModSeq, inbox.modSeq, "INBOX is created with its account");
    });

    it("reads only the summary texts asked for, each as the whole summary has it", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const appended = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      const other = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      // The narrow reads first: a store may keep what it read, and then give a later read more texts.
      const listing = (
        await store.messages.getEmailSummaries([appended.emailId], ["bodyStructure", "envelope"])
      ).get(appended.emailId);
      const head = (await store.messages.getEmailSummaries([other.emailId], [])).get(other.emailId);
      assert.deepEqual(Object.keys(head ?? {}).sort(), ["blobHash", "crlfSize", "emailId", "size"]);
      const whole = (await store.messages.getEmailSummaries([appended.emailId])).get(appended.emailId);
      assert.ok(whole && whole.envelope !== "" && whole.bodyStructure !== "" && whole.body !== "");
      assert.deepEqual(listing, {
        emailId: whole.emailId,
        blobHash: whole.blobHash,
        size: whole.size,
        crlfSize: whole.crlfSize,
        bodyStructure: whole.bodyStructure,
        envelope: whole.envelope,
      });
      const again = (await store.messages.getEmailSummaries([appended.emailId], ["envelope"])).get(
        appended.emailId,
      );
      assert.equal(again?.envelope, whole.envelope, "a text read again is the same");
    });

    it("reads each entry's blob hash with it for snapshots: listEntries, getEntries, the change log", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const messages = [await storeTestMessage(store), await storeTestMessage(store)];
      const since = (await store.mailboxes.get(account.id, inbox.id))?.highestModSeq ?? (0 as ModSeq);
      for (const message of messages) await store.messages.append(account.id, inbox.id, message);
      const archive = await store.mailboxes.create(account.id, "Archive", null);
      await store.messages.copy(account.id, inbox.id, [2 as Uid], archive.id);
      const expected = messages.map((m) => m.blobHash);
      const listed = await store.messages.listEntries(inbox.id);
      assert.deepEqual(
        listed.map((e) => e.blobHash),
        expected,
      );
      const summaries = await store.messages.getEmailSummaries(listed.map((e) => e.emailId));
      for (const entry of listed) {
        assert.equal(entry.blobHash, summaries.get(entry.emailId)?.blobHash);
        assert.equal(entry.crlfSize, summaries.get(entry.emailId)?.crlfSize);
      }
      assert.deepEqual(
        (await store.messages.getEntries(inbox.id, [2 as Uid, 1 as Uid])).map((e) => e.blobHash),
        expected,
      );
      assert.deepEqual(
        (await store.messages.listEntries(archive.id)).map((e) => e.blobHash),
        [expected[1]],
        "a copy shares the email and its blob",
      );
      const changes = await store.changes.mailboxChangesSince(inbox.id, inbox.uidValidity, since);
      assert.deepEqual(
        changes.entries.map((e) => e.blobHash),
        expected,
      );
      await store.messages.expunge(account.id, inbox.id, [1 as Uid]);
      const afterExpunge = await store.changes.mailboxChangesSince(inbox.id, inbox.uidValidity, since);
      assert.deepEqual(afterExpunge.expungedUids, [1]);
      assert.deepEqual(
        afterExpunge.entries.map((e) => e.blobHash),
        [expected[1]],
      );
    });

    it("lists a mailbox's entries without their blobs as listEntries lists them, for JMAP's maps", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      for (let i = 0; i < 3; i++)
        await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      await store.messages.updateFlags(account.id, inbox.id, [2 as Uid], {
        operation: "add",
        flags: flagSet(["\\Seen"], ["$label"]),
      });
      await store.messages.expunge(account.id, inbox.id, [1 as Uid]);
      const withoutBlob = ({ blobHash, crlfSize, ...rest }: MailboxEntry) => rest;
      const compact = await store.messages.listEntriesWithoutBlobs(inbox.id);
      assert.deepEqual(
        compact.map(withoutBlob),
        (await store.messages.listEntries(inbox.id)).map(withoutBlob),
      );
      assert.deepEqual(
        compact.map((e) => [e.uid, e.blobHash, e.crlfSize]),
        [
          [2, undefined, undefined],
          [3, undefined, undefined],
        ],
      );
      assert.deepEqual([...(compact[0]?.flags.system ?? [])], ["\\Seen"]);
      assert.deepEqual(compact[0]?.flags.keywords, ["$label"]);
      assert.deepEqual(
        await store.messages.listEntriesWithoutBlobs(`${inbox.id}x` as MailboxId),
        [],
        "no such mailbox",
      );
      // In slices: after a UID, at most `limit`.
      await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      const slice = await store.messages.listEntriesWithoutBlobs(inbox.id, 2 as Uid, 1);
      assert.deepEqual(
        slice.map((e) => e.uid),
        [3],
      );
      assert.deepEqual(
        (await store.messages.listEntriesWithoutBlobs(inbox.id, 2 as Uid)).map((e) => e.uid),
        [3, 4],
      );
    });

    it("counts a mailbox's distinct emails and threads and lists its newest entries and entries by email and thread", async () => {
      const account = await newAccount(store);
      const other = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const archive = await store.mailboxes.create(account.id, "Archive", null);
      const at = (minute: number) => Date.UTC(2026, 10, 26, 10, minute);
      const append = async (
        mailboxId: MailboxId,
        minute: number,
        options: Parameters<typeof storeTestMessage>[1],
      ) =>
        store.messages.append(account.id, mailboxId, {
          ...(await storeTestMessage(store, options)),
          internalDateMs: at(minute),
        });
      const root = await append(inbox.id, 1, {
        messageId: "root.count@example.test",
        flags: flagSet(["\\Seen"]),
      });
      const reply = await append(inbox.id, 3, { inReplyTo: "root.count@example.test" });
      const draft = await append(inbox.id, 2, { flags: flagSet(["\\Draft"]) });
      await append(archive.id, 5, {});
      // A second entry of the reply in INBOX (COPY into the same mailbox): one email, counted once.
      await store.messages.copy(account.id, inbox.id, [reply.uid], inbox.id);
      await store.messages.copy(account.id, inbox.id, [root.uid], archive.id);
      await store.messages.append(
        other.id,
        await inboxOf(store, other.id).then((m) => m.id),
        await storeTestMessage(store),
      );

      assert.deepEqual(await store.messages.countEmails(inbox.id), {
        emails: 3,
        unreadEmails: 1,
        threads: 2,
        unreadThreads: 1,
      });
      assert.deepEqual(await store.messages.countEmails(archive.id), {
        emails: 2,
        unreadEmails: 1,
        threads: 2,
        unreadThreads: 1,
      });
      assert.deepEqual(await store.messages.countEmails(`${inbox.id}x` as MailboxId), {
        emails: 0,
        unreadEmails: 0,
        threads: 0,
        unreadThreads: 0,
      });

      // Newest first, then by email id, then UID: the reply's two entries share its date.
      const newest = await store.messages.listNewestEntries(inbox.id, 3);
      assert.deepEqual(
        newest.map((e) => [e.emailId, e.uid, e.internalDateMs]),
        [
          [reply.emailId, reply.uid, at(3)],
          [reply.emailId, 4, at(3)],
          [draft.emailId, draft.uid, at(2)],
        ],
      );
      assert.equal(newest[0]?.mailboxId, inbox.id);
      assert.equal(newest[0]?.blobHash, undefined);

      const byMailboxAndUid = (entries: readonly MailboxEntry[]) =>
        entries.map((e) => [e.mailboxId, e.uid, e.emailId, e.threadId]);
      const all = [
        ...(await store.messages.listEntriesWithoutBlobs(archive.id)),
        ...(await store.messages.listEntriesWithoutBlobs(inbox.id)),
      ].sort((a, b) => (a.mailboxId < b.mailboxId ? -1 : a.mailboxId > b.mailboxId ? 1 : a.uid - b.uid));
      const ofRoot = await store.messages.listEntriesOfEmails(account.id, [root.emailId, root.emailId]);
      assert.deepEqual(
        byMailboxAndUid(ofRoot),
        byMailboxAndUid(all.filter((e) => e.emailId === root.emailId)),
      );
      assert.equal(ofRoot.length, 2);
      const withoutBlob = ({ blobHash, crlfSize, ...rest }: MailboxEntry) => rest;
      assert.deepEqual(
        ofRoot.map(withoutBlob),
        all.filter((e) => e.emailId === root.emailId).map(withoutBlob),
        "the same entries as a mailbox's list",
      );
      const ofThread = await store.messages.listEntriesOfThreads(account.id, [root.threadId]);
      assert.deepEqual(
        byMailboxAndUid(ofThread),
        byMailboxAndUid(all.filter((e) => e.threadId === root.threadId)),
      );
      assert.equal(ofThread.length, 4, "the root in both mailboxes, the reply twice in INBOX");
      assert.deepEqual(
        await store.messages.listEntriesOfEmails(other.id, [root.emailId]),
        [],
        "another account's",
      );
      assert.deepEqual(await store.messages.listEntriesOfThreads(account.id, []), []);
    });

    it("renames a mailbox with its children, keeping ids, UIDVALIDITY and messages", async () => {
      const account = await newAccount(store);
      const parent = await store.mailboxes.create(account.id, "Work", null);
      const child = await store.mailboxes.create(account.id, "Work/Clients", null);
      const grandchild = await store.mailboxes.create(account.id, "Work/Clients/Ünïcödé", null);
      const sibling = await store.mailboxes.create(account.id, "Workshop", null);
      await store.messages.append(account.id, grandchild.id, await storeTestMessage(store));
      const renamed = await store.mailboxes.rename(account.id, parent.id, "Archive/2026");
      assert.equal(renamed.id, parent.id);
      assert.equal(renamed.uidValidity, parent.uidValidity);
      assert.equal((await store.mailboxes.get(account.id, child.id))?.name, "Archive/2026/Clients");
      const movedGrandchild = await store.mailboxes.get(account.id, grandchild.id);
      assert.equal(movedGrandchild?.name, "Archive/2026/Clients/Ünïcödé");
      assert.equal(movedGrandchild?.messageCount, 1);
      assert.equal(
        (await store.mailboxes.get(account.id, sibling.id))?.name,
        "Workshop",
        "prefix-only match untouched",
      );
      await rejectsWith(store.mailboxes.rename(account.id, sibling.id, "Archive/2026"), "alreadyExists");
      await rejectsWith(store.mailboxes.rename(account.id, renamed.id, "Archive/2026/Sub"), "invalidName");
    });

    it("renames INBOX by moving its messages to a new mailbox and leaving INBOX empty", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      const old = await store.mailboxes.rename(account.id, inbox.id, "Old Inbox");
      assert.notEqual(old.id, inbox.id);
      assert.equal(old.messageCount, 2);
      const after = await inboxOf(store, account.id);
      assert.equal(after.id, inbox.id);
      assert.equal(after.messageCount, 0);
      await rejectsWith(store.mailboxes.delete(account.id, inbox.id), "cannot");
    });

    it("accounts quota usage through append, copy, move and expunge, and refuses what exceeds it", async () => {
      const account = await newAccount(store, { storageBytes: null, messages: null });
      const inbox = await inboxOf(store, account.id);
      const other = await store.mailboxes.create(account.id, "Other", null);
      const message = await storeTestMessage(store);
      const size = message.index.size;
      const first = await store.messages.append(account.id, inbox.id, message);
      await store.messages.append(account.id, inbox.id, await storeTestMessage(store, { body: "x" }));
      let usage = await store.accounts.get(account.id);
      assert.equal(usage?.messageCount, 2);
      await store.messages.copy(account.id, inbox.id, [first.uid], other.id);
      usage = await store.accounts.get(account.id);
      assert.equal(usage?.messageCount, 3);
      const afterCopy = usage?.usedBytes ?? 0;
      await store.messages.move(account.id, other.id, [1 as Uid], inbox.id);
      assert.equal(
        (await store.accounts.get(account.id))?.usedBytes,
        afterCopy,
        "a move does not change usage",
      );
      await store.messages.expunge(account.id, inbox.id, [first.uid]);
      usage = await store.accounts.get(account.id);
      assert.equal(usage?.messageCount, 2);
      assert.equal(usage?.usedBytes, afterCopy - size);
      const mailbox = await store.mailboxes.get(account.id, inbox.id);
      assert.equal(mailbox?.messageCount, 2);
      assert.equal(mailbox?.unseenCount, 2);

      await store.accounts.setQuota(account.id, {
        storageBytes: (usage?.usedBytes ?? 0) + size,
        messages: 10,
      });
      await store.messages.append(account.id, other.id, await storeTestMessage(store, { body: "y" }));
      await rejectsWith(
        store.messages.append(
          account.id,
          other.id,
          await storeTestMessage(store, { body: "y".repeat(size) }),
        ),
        "overQuota",
      );
      await store.accounts.setQuota(account.id, { storageBytes: null, messages: 3 });
      await rejectsWith(
        store.messages.append(account.id, other.id, await storeTestMessage(store)),
        "overQuota",
      );
      await rejectsWith(store.messages.copy(account.id, inbox.id, [2 as Uid], other.id), "overQuota");
      assert.equal((await store.accounts.get(account.id))?.messageCount, 3, "refused writes leave no trace");
    });

    it("appends a batch atomically with consecutive UIDs, or nothing at all", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const batch = [
        await storeTestMessage(store),
        await storeTestMessage(store),
        await storeTestMessage(store),
      ];
      const results = await store.messages.appendMany(account.id, inbox.id, batch);
      assert.deepEqual(
        results.map((r) => r.uid),
        [1, 2, 3],
      );
      assert.equal(new Set(results.map((r) => r.emailId)).size, 3);
      await store.accounts.setQuota(account.id, { storageBytes: null, messages: 4 });
      await rejectsWith(
        store.messages.appendMany(account.id, inbox.id, [batch[0], batch[1]] as never),
        "overQuota",
      );
      assert.equal(
        (await store.messages.listEntries(inbox.id)).length,
        3,
        "a refused batch leaves nothing behind",
      );
      assert.equal((await store.mailboxes.get(account.id, inbox.id))?.uidNext, 4);
    });

    it("hands out distinct UIDs to concurrent appends from two connections", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const second = await sut.openSecond();
      try {
        const appendMany = async (s: MailStore) => {
          const uids: number[] = [];
          for (let i = 0; i < 25; i++)
            uids.push((await s.messages.append(account.id, inbox.id, await storeTestMessage(s))).uid);
          return uids;
        };
        const [a, b] = await Promise.all([appendMany(store), appendMany(second)]);
        const all = [...a, ...b];
        assert.equal(new Set(all).size, 50, "no UID handed out twice");
        const entries = await store.messages.listEntries(inbox.id);
        assert.deepEqual(
          entries.map((e) => e.uid),
          [...all].sort((x, y) => x - y),
        );
        assert.equal((await store.mailboxes.get(account.id, inbox.id))?.messageCount, 50);
      } finally {
        await second.close();
      }
    });

    it("keeps each of many concurrent appends' outcome its own: one failing fails no other", async () => {
      const account = await newAccount(store);
      await store.accounts.setQuota(account.id, { storageBytes: null, messages: 3 });
      const inbox = await inboxOf(store, account.id);
      const other = await newAccount(store);
      const messages = await Promise.all(Array.from({ length: 6 }, () => storeTestMessage(store)));
      // The last one names the INBOX of another account: nonexistent for this one.
      const settled = await Promise.allSettled(
        messages.map((message, i) => store.messages.append(i < 5 ? account.id : other.id, inbox.id, message)),
      );
      const delivered = settled.filter((s) => s.status === "fulfilled");
      assert.equal(delivered.length, 3, "the quota of three messages admits three");
      for (const failed of settled.filter((s) => s.status === "rejected")) {
        assert.ok(isMailError(failed.reason), String(failed.reason));
      }
      const entries = await store.messages.listEntries(inbox.id);
      assert.deepEqual(
        entries.map((e) => e.uid),
        delivered.map((s) => (s.status === "fulfilled" ? s.value.uid : 0)).sort((a, b) => a - b),
      );
      assert.equal((await store.mailboxes.get(account.id, inbox.id))?.messageCount, 3);
      assert.equal((await store.accounts.get(account.id))?.messageCount, 3);
    });

    it("updates only the listed entries whose flags change, across gaps in the UIDs", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      for (let i = 1; i <= 6; i++) {
        const flags = i === 2 ? flagSet(["\\Seen"]) : flagSet();
        await store.messages.append(account.id, inbox.id, await storeTestMessage(store, { flags }));
      }
      await store.messages.expunge(account.id, inbox.id, [4 as Uid]);
      const uids = (list: readonly { uid: Uid }[]) => list.map((e) => e.uid);
      const modSeqOf = async (uid: number) =>
        (await store.messages.getEntries(inbox.id, [uid as Uid]))[0]?.modSeq ?? 0;
      const [before2, before6] = [await modSeqOf(2), await modSeqOf(6)];
      const seen = await store.messages.updateFlags(
        account.id,
        inbox.id,
        [5, 3, 1, 2, 4].map((u) => u as Uid),
        {
          operation: "add",
          flags: flagSet(["\\Seen"]),
        },
      );
      assert.deepEqual(uids(seen.changed), [1, 3, 5], "changed entries, ascending; 2 had \\Seen, 4 is gone");
      assert.equal(await modSeqOf(2), before2, "an entry that already had the flag keeps its modseq");
      assert.equal(await modSeqOf(6), before6, "an entry not listed keeps its modseq");
      let mailbox = await store.mailboxes.get(account.id, inbox.id);
      assert.equal(mailbox?.highestModSeq, Math.max(...seen.changed.map((e) => e.modSeq)));
      assert.equal(mailbox?.unseenCount, 1);
      const unseen = await store.messages.updateFlags(
        account.id,
        inbox.id,
        [1, 2, 3, 5, 6].map((u) => u as Uid),
        {
          operation: "remove",
          flags: flagSet(["\\Seen"]),
        },
      );
      assert.deepEqual(uids(unseen.changed), [1, 2, 3, 5]);
      mailbox = await store.mailboxes.get(account.id, inbox.id);
      assert.equal(mailbox?.unseenCount, 5);
      const junk = await store.messages.updateFlags(account.id, inbox.id, [5 as Uid, 6 as Uid], {
        operation: "add",
        flags: flagSet(["\\Deleted"], ["$Junk"]),
      });
      assert.deepEqual(
        junk.changed.map((e) => [e.uid, [...e.flags.system], e.flags.keywords]),
        [
          [5, ["\\Deleted"], ["$Junk"]],
          [6, ["\\Deleted"], ["$Junk"]],
        ],
      );
      assert.equal((await store.mailboxes.get(account.id, inbox.id))?.deletedCount, 2);
      assert.deepEqual((await store.messages.getEntries(inbox.id, [1 as Uid]))[0]?.flags.keywords, []);
    });

    it("updates flags atomically: add, remove, replace, keywords case-insensitively, UNCHANGEDSINCE", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const a = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      const b = await store.messages.append(
        account.id,
        inbox.id,
        await storeTestMessage(store, { flags: flagSet(["\\Seen"], ["Work"]) }),
      );
      const both = [a.uid, b.uid];
      await store.messages.updateFlags(account.id, inbox.id, both, {
        operation: "add",
        flags: flagSet(["\\Deleted"], ["work", "$Junk"]),
      });
      let entries = await store.messages.getEntries(inbox.id, both);
      assert.deepEqual(entries[0]?.flags.keywords, ["$Junk", "work"]);
      assert.deepEqual(entries[1]?.flags.keywords, ["$Junk", "Work"], "existing spelling kept");
      assert.equal((await store.mailboxes.get(account.id, inbox.id))?.deletedCount, 2);
      await store.messages.updateFlags(account.id, inbox.id, both, {
        operation: "remove",
        flags: flagSet([], ["WORK"]),
      });
      entries = await store.messages.getEntries(inbox.id, both);
      assert.deepEqual(entries[1]?.flags.keywords, ["$Junk"]);
      await store.messages.updateFlags(account.id, inbox.id, [a.uid], {
        operation: "replace",
        flags: flagSet(["\\Seen", "\\Answered"]),
      });
      entries = await store.messages.getEntries(inbox.id, [a.uid]);
      assert.deepEqual([...(entries[0]?.flags.system ?? [])].sort(), ["\\Answered", "\\Seen"]);
      assert.deepEqual(entries[0]?.flags.keywords, []);
      const mailbox = await store.mailboxes.get(account.id, inbox.id);
      assert.equal(mailbox?.unseenCount, 0);
      assert.equal(mailbox?.deletedCount, 1);
      const stale = b.modSeq;
      const result = await store.messages.updateFlags(account.id, inbox.id, both, {
        operation: "add",
        flags: flagSet(["\\Flagged"]),
        unchangedSince: stale,
      });
      assert.deepEqual(
        result.conflicts,
        [a.uid, b.uid].filter((u) => u !== undefined),
      );
      assert.equal(result.changed.length, 0);
      // Concurrent +FLAGS from two handles: neither loses the other's flag.
      const second = await sut.openSecond();
      try {
        await Promise.all([
          store.messages.updateFlags(account.id, inbox.id, [a.uid], {
            operation: "add",
            flags: flagSet([], ["one"]),
          }),
          second.messages.updateFlags(account.id, inbox.id, [a.uid], {
            operation: "add",
            flags: flagSet([], ["two"]),
          }),
        ]);
      } finally {
        await second.close();
      }
      entries = await store.messages.getEntries(inbox.id, [a.uid]);
      assert.deepEqual(entries[0]?.flags.keywords, ["one", "two"]);
    });

    it("copies and moves with COPYUID data, sharing the email and leaving tombstones on move", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const target = await store.mailboxes.create(account.id, "Target", null);
      const appended: Uid[] = [];
      for (let i = 0; i < 3; i++) {
        appended.push(
          (
            await store.messages.append(
              account.id,
              inbox.id,
              await storeTestMessage(store, { flags: flagSet(["\\Flagged"], ["kw"]) }),
            )
          ).uid,
        );
      }
      const copy = await store.messages.copy(
        account.id,
        inbox.id,
        [3 as Uid, 1 as Uid, 99 as Uid],
        target.id,
      );
      assert.deepEqual(copy.sourceUids, [1, 3]);
      assert.deepEqual(copy.destinationUids, [1, 2]);
      assert.equal(copy.uidValidity, target.uidValidity);
      const [source] = await store.messages.getEntries(inbox.id, [1 as Uid]);
      const [copied] = await store.messages.getEntries(target.id, [1 as Uid]);
      assert.equal(copied?.emailId, source?.emailId, "copies share the email (EMAILID)");
      assert.deepEqual(copied?.flags.keywords, ["kw"]);
      assert.equal(copied?.internalDateMs, source?.internalDateMs);
      const before = (await store.mailboxes.get(account.id, inbox.id))?.highestModSeq ?? (0 as ModSeq);
      const move = await store.messages.move(account.id, inbox.id, [2 as Uid], target.id);
      assert.deepEqual(move.destinationUids, [3]);
      const changes = await store.changes.mailboxChangesSince(inbox.id, inbox.uidValidity, before);
      assert.deepEqual(changes.expungedUids, [2]);
      assert.equal((await store.messages.listEntries(inbox.id)).length, 2);
      assert.equal((await store.messages.listEntries(target.id)).length, 3);
      const email = await store.messages.getEmail(account.id, source?.emailId as never);
      assert.ok(email?.envelope.includes("alice@example.test") || email?.envelope.includes('"alice"'));
      await rejectsWith(
        store.messages.copy(account.id, inbox.id, [1 as Uid], "Mnonexistent" as MailboxId),
        "nonexistent",
      );
    });

    it("replaces a message in one transaction: the new one in, the old one out, one change set", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const drafts = await store.mailboxes.create(account.id, "Drafts", null);
      const old = await store.messages.append(account.id, drafts.id, await storeTestMessage(store));
      const before = (await store.mailboxes.get(account.id, drafts.id))?.highestModSeq as ModSeq;
      const result = await store.messages.replace(
        account.id,
        drafts.id,
        old.uid,
        drafts.id,
        await storeTestMessage(store, { flags: flagSet(["\\Draft"]) }),
      );
      assert.deepEqual(result.expunged, [old.uid]);
      assert.equal(result.appended.uid, old.uid + 1);
      const entries = await store.messages.listEntries(drafts.id);
      assert.deepEqual(
        entries.map((e) => e.uid),
        [result.appended.uid],
      );
      const changes = await store.changes.mailboxChangesSince(drafts.id, drafts.uidValidity, before);
      assert.deepEqual(changes.expungedUids, [old.uid]);
      assert.deepEqual(
        changes.entries.map((e) => e.uid),
        [result.appended.uid],
      );
      const usage = await store.accounts.get(account.id);
      assert.equal(usage?.messageCount, 1, "quota usage counts the new message only");
      // Replacing into another mailbox; the old UID already gone is no error, nothing is expunged.
      const moved = await store.messages.replace(
        account.id,
        drafts.id,
        old.uid,
        inbox.id,
        await storeTestMessage(store),
      );
      assert.deepEqual(moved.expunged, []);
      assert.equal((await store.messages.listEntries(inbox.id)).length, 1);
    });

    it("rolls a REPLACE back whole when its append fails after its expunge (no message lost)", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const old = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      const before = await store.accounts.get(account.id);
      // The expunge part succeeds (the message is there); the append part finds its mailbox gone.
      await rejectsWith(
        store.messages.replace(
          account.id,
          inbox.id,
          old.uid,
          "Mnonexistent" as MailboxId,
          await storeTestMessage(store),
        ),
        "nonexistent",
      );
      assert.deepEqual(
        (await store.messages.listEntries(inbox.id)).map((e) => e.uid),
        [old.uid],
        "the expunge was rolled back",
      );
      const after = await store.accounts.get(account.id);
      assert.equal(after?.messageCount, before?.messageCount);
      assert.equal(after?.usedBytes, before?.usedBytes);
      const highest = (await store.mailboxes.get(account.id, inbox.id))?.highestModSeq;
      const changes = await store.changes.mailboxChangesSince(inbox.id, inbox.uidValidity, old.modSeq);
      assert.deepEqual(changes.expungedUids, [], `no tombstone left (HIGHESTMODSEQ ${highest})`);
      // A new message that does not fit even without the old one is refused; the old one stays.
      await store.accounts.setQuota(account.id, { storageBytes: null, messages: 0 });
      await rejectsWith(
        store.messages.replace(account.id, inbox.id, old.uid, inbox.id, await storeTestMessage(store)),
        "overQuota",
      );
      assert.deepEqual(
        (await store.messages.listEntries(inbox.id)).map((e) => e.uid),
        [old.uid],
      );
      // At its message limit an account can still replace: the quota counts the result.
      await store.accounts.setQuota(account.id, { storageBytes: null, messages: 1 });
      const replaced = await store.messages.replace(
        account.id,
        inbox.id,
        old.uid,
        inbox.id,
        await storeTestMessage(store),
      );
      assert.deepEqual(replaced.expunged, [old.uid]);
    });

    it("never shows another handle both messages or neither while REPLACEs run", async () => {
      const account = await newAccount(store);
      const drafts = await store.mailboxes.create(account.id, "Drafts", null);
      const second = await sut.openSecond();
      try {
        let current = await store.messages.append(account.id, drafts.id, await storeTestMessage(store));
        let isDone = false;
        const seen = new Set<number>();
        const watcher = (async () => {
          while (!isDone) {
            seen.add((await second.messages.listEntries(drafts.id)).length);
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        for (let i = 0; i < 25; i++) {
          const next = await storeTestMessage(store);
          const result = await store.messages.replace(account.id, drafts.id, current.uid, drafts.id, next);
          current = result.appended;
        }
        isDone = true;
        await watcher;
        assert.deepEqual([...seen], [1], "the watcher always saw exactly one draft");
      } finally {
        await second.close();
      }
    });

    it("expunges only messages still marked \\Deleted when asked to", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const a = await store.messages.append(
        account.id,
        inbox.id,
        await storeTestMessage(store, { flags: flagSet(["\\Deleted"]) }),
      );
      const b = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      const removed = await store.messages.expunge(account.id, inbox.id, [a.uid, b.uid], {
        onlyDeleted: true,
      });
      assert.deepEqual(removed, [a.uid]);
      assert.deepEqual(
        (await store.messages.listEntries(inbox.id)).map((e) => e.uid),
        [b.uid],
      );
    });

    it("keeps an expunged message readable for open snapshots until it is purged", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const appended = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      await store.messages.expunge(account.id, inbox.id, [appended.uid]);
      assert.equal(await store.messages.getEmail(account.id, appended.emailId), undefined, "gone for JMAP");
      const summary = (await store.messages.getEmailSummaries([appended.emailId])).get(appended.emailId);
      assert.ok(summary, "still readable for a snapshot that shows it");
      assert.equal(await store.messages.isBlobReferenced(summary.blobHash), true);
      assert.ok((await store.messages.purgeDestroyedEmails(0)) >= 1);
      assert.equal((await store.messages.getEmailSummaries([appended.emailId])).size, 0);
    });

    it("claims \\Recent exactly once", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      const mailbox = await store.mailboxes.get(account.id, inbox.id);
      const floors = await Promise.all([
        store.mailboxes.claimRecent(account.id, inbox.id, mailbox?.uidNext as Uid),
        store.mailboxes.claimRecent(account.id, inbox.id, mailbox?.uidNext as Uid),
      ]);
      assert.deepEqual(floors.sort(), [1, 2], "one claimer gets [1, 2), the other nothing new");
    });

    it("keeps subscriptions by name, including names that do not exist", async () => {
      const account = await newAccount(store);
      await store.mailboxes.setSubscribed(account.id, "Ghost", true);
      await store.mailboxes.setSubscribed(account.id, "inbox", false);
      assert.deepEqual(await store.mailboxes.listSubscriptions(account.id), ["Ghost"]);
      const ghost = await store.mailboxes.create(account.id, "Ghost", "\\Archive");
      assert.equal(ghost.subscribed, true);
      assert.equal(ghost.specialUse, "\\Archive");
    });

    it("notifies subscribers after each committed change", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      const events: ModSeq[] = [];
      const unsubscribe = store.notifier.subscribe(account.id, (event) => events.push(event.modSeq));
      const appended = await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      await store.messages.updateFlags(account.id, inbox.id, [appended.uid], {
        operation: "add",
        flags: flagSet(["\\Seen"]),
      });
      unsubscribe();
      await store.messages.expunge(account.id, inbox.id, [appended.uid]);
      assert.equal(events.length, 2);
      assert.equal(events[0], appended.modSeq);
    });

    it("stores blobs by content, streams ranges and collects unreferenced ones", async () => {
      const bytes = Buffer.from("Subject: blob\r\n\r\nhello blob world\r\n");
      const { hash, size } = await store.blobs.put(bytes);
      assert.equal(hash, createHash("sha256").update(bytes).digest("hex"));
      assert.equal(size, bytes.length);
      async function* chunks() {
        yield bytes.subarray(0, 5);
        yield bytes.subarray(5);
      }
      assert.equal((await store.blobs.put(chunks())).hash, hash, "same content, same hash");
      assert.deepEqual(await store.blobs.read(hash), bytes);
      const range: Buffer[] = [];
      for await (const chunk of store.blobs.readRange(hash, 17, 22)) range.push(Buffer.from(chunk));
      assert.equal(Buffer.concat(range).toString(), "hello");
      await rejectsWith(store.blobs.put(bytes, 10), "tooBig");
      await rejectsWith(store.blobs.put(chunks(), 10), "tooBig");
      const removed = await store.blobs.collectGarbage((h) => store.messages.isBlobReferenced(h), 0);
      assert.ok(removed >= 1);
      assert.equal(await store.blobs.has(hash), false);
      await rejectsWith(store.blobs.read("0".repeat(64) as BlobHash), "nonexistent");
    });

    it("stores a body that comes with its append, small or large, durable and readable once it resolves", async () => {
      const account = await newAccount(store);
      await store.accounts.setQuota(account.id, { storageBytes: null, messages: 2 });
      const inbox = await inboxOf(store, account.id);
      const small = Buffer.from(`Subject: small body\r\n\r\n${"small line\r\n".repeat(50)}`);
      const large = Buffer.from(`Subject: large body\r\n\r\n${"large body line\r\n".repeat(10_000)}`);
      const hashes = [store.blobs.hashOf(small), store.blobs.hashOf(large)];
      assert.equal(hashes[0], createHash("sha256").update(small).digest("hex"));
      const appended = await Promise.all(
        [small, large].map((body, i) =>
          store.messages.append(account.id, inbox.id, {
            blobHash: hashes[i] as BlobHash,
            body,
            index: indexMessage(body),
            flags: flagSet(),
            internalDateMs: Date.now(),
          }),
        ),
      );
      // Over quota: the append fails (its body may stay behind as garbage until the next collection).
      const refused = Buffer.from("Subject: refused\r\n\r\nno room\r\n");
      await rejectsWith(
        store.messages.append(account.id, inbox.id, {
          blobHash: store.blobs.hashOf(refused),
          body: refused,
          index: indexMessage(refused),
          flags: flagSet(),
          internalDateMs: Date.now(),
        }),
        "overQuota",
      );

      store = await sut.reopen();
      for (const [i, body] of [small, large].entries()) {
        const hash = hashes[i] as BlobHash;
        assert.equal(await store.blobs.has(hash), true);
        assert.deepEqual(await store.blobs.read(hash), body);
        const range: Buffer[] = [];
        for await (const chunk of store.blobs.readRange(hash, 9, body.length + 100)) {
          range.push(Buffer.from(chunk));
        }
        assert.deepEqual(Buffer.concat(range), body.subarray(9));
        const now = store.blobs.readRangeNow?.(hash, 9, body.length) ?? null;
        if (now !== null) assert.deepEqual(Buffer.from(now), body.subarray(9));
        const empty: Uint8Array[] = [];
        for await (const chunk of store.blobs.readRange(hash, body.length + 5, body.length + 9))
          empty.push(chunk);
        assert.equal(Buffer.concat(empty).length, 0);
      }
      // Several ranges at once (pipelined POP3 RETRs): each as readRangeNow reads it, null where it
      // would throw (a missing blob) or could not read at once.
      const ranges = store.blobs.readRangesNow?.([
        { hash: hashes[0] as BlobHash, start: 2, end: 40 },
        { hash: "0".repeat(64) as BlobHash, start: 0, end: 5 },
        { hash: hashes[1] as BlobHash, start: 0, end: large.length },
        { hash: hashes[0] as BlobHash, start: 0, end: small.length + 10 },
      ]);
      if (ranges !== undefined) {
        assert.equal(ranges.length, 4);
        assert.deepEqual(ranges[0] && Buffer.from(ranges[0]), small.subarray(2, 40));
        assert.equal(ranges[1], null);
        if (ranges[2] !== null) assert.deepEqual(Buffer.from(ranges[2] as Buffer), large);
        assert.deepEqual(ranges[3] && Buffer.from(ranges[3]), small);
      }
      // A prefixed blob may take an appended body as its base.
      const prefix = Buffer.from("Delivered-To: c@example.test\r\n");
      const prefixed = await store.blobs.putPrefixed(prefix, hashes[0] as BlobHash);
      assert.deepEqual(await store.blobs.read(prefixed.hash), Buffer.concat([prefix, small]));

      // Referenced bodies survive garbage collection; once their emails are purged, they go.
      await store.blobs.collectGarbage((h) => store.messages.isBlobReferenced(h), 0);
      assert.deepEqual(await store.blobs.read(hashes[0] as BlobHash), small);
      await store.messages.expunge(
        account.id,
        inbox.id,
        appended.map((a) => a.uid),
      );
      await store.messages.purgeDestroyedEmails(0);
      await store.blobs.collectGarbage((h) => store.messages.isBlobReferenced(h), 0);
      for (const hash of hashes) assert.equal(await store.blobs.has(hash as BlobHash), false);
    });

    it("reads a prefixed blob as prefix + base and keeps the base while a referenced prefix needs it", async () => {
      const body = Buffer.from(`Subject: shared\r\n\r\n${"body line\r\n".repeat(40_000)}`);
      const { hash: base } = await store.blobs.put(body);
      const prefixA = Buffer.from("Delivered-To: a@example.test\r\n");
      const prefixB = Buffer.from("Delivered-To: bb@example.test\r\n");
      const a = await store.blobs.putPrefixed(prefixA, base);
      const b = await store.blobs.putPrefixed(prefixB, base);
      assert.notEqual(a.hash, b.hash);
      assert.equal(a.size, prefixA.length + body.length);
      assert.deepEqual(await store.blobs.read(a.hash), Buffer.concat([prefixA, body]));
      assert.equal((await store.blobs.putPrefixed(prefixA, base)).hash, a.hash, "same bytes, same hash");
      const whole = Buffer.concat([prefixB, body]);
      for (const [start, end] of [
        [0, 5],
        [3, prefixB.length + 7],
        [prefixB.length, prefixB.length + 9],
        [10, whole.length + 50],
        [prefixB.length + 300_000, prefixB.length + 400_000],
      ] as const) {
        const chunks: Buffer[] = [];
        for await (const chunk of store.blobs.readRange(b.hash, start, end)) chunks.push(Buffer.from(chunk));
        assert.deepEqual(Buffer.concat(chunks), whole.subarray(start, end), `range ${start}-${end}`);
      }
      const nested = await store.blobs.putPrefixed(Buffer.from("X-Outer: 1\r\n"), a.hash);
      assert.deepEqual(
        await store.blobs.read(nested.hash),
        Buffer.concat([Buffer.from("X-Outer: 1\r\n"), prefixA, body]),
      );
      await rejectsWith(store.blobs.putPrefixed(prefixA, "1".repeat(64) as BlobHash), "nonexistent");

      // Only `a` is referenced: b and nested go, the base stays for a.
      const keep = new Set<string>([a.hash]);
      await store.blobs.collectGarbage(
        async (h) => keep.has(h) || (await store.messages.isBlobReferenced(h)),
        0,
      );
      assert.equal(await store.blobs.has(b.hash), false);
      assert.equal(await store.blobs.has(nested.hash), false);
      assert.deepEqual(await store.blobs.read(a.hash), Buffer.concat([prefixA, body]));
      keep.clear();
      await store.blobs.collectGarbage((h) => store.messages.isBlobReferenced(h), 0);
      assert.equal(await store.blobs.has(a.hash), false);
      assert.equal(await store.blobs.has(base), false);
    });

    it("deletes an account with everything in it", async () => {
      const account = await newAccount(store);
      const inbox = await inboxOf(store, account.id);
      await store.messages.append(account.id, inbox.id, await storeTestMessage(store));
      await store.accounts.delete(account.id);
      assert.equal(await store.accounts.get(account.id), undefined);
      assert.deepEqual(await store.mailboxes.list(account.id), []);
      assert.deepEqual(await store.messages.listEntries(inbox.id), []);
      await rejectsWith(store.accounts.delete(account.id), "nonexistent");
    });
  });
}
