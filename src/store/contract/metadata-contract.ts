// The MetadataRepository part of the store contract (RFC 5464 annotations): shared and per-user private
// entries of mailboxes and of the server, all-or-nothing writes with entry and byte limits, entries that
// follow a rename, go with their mailbox or account, and survive a reopen.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccountId, MailboxId } from "../../kit/ids.js";
import type { MailStore, MetadataLimits, MetadataRecord } from "../mail-store.js";
import { rejectsWith, type StoreHarness, storeForSuite } from "./mail-store-contract.js";

const QUOTA = { storageBytes: null, messages: null };
const LIMITS: MetadataLimits = { maxEntriesPerMailbox: 100, maxAccountBytes: 1 << 20 };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array): string => new TextDecoder().decode(value);

/** Records as comparable tuples: [mailbox, owner, name, value]. */
const summary = (records: readonly MetadataRecord[]) =>
  records.map((r) => [r.mailboxId, r.ownerId, r.name, text(r.value)] as const);

export function describeMetadataContract(backend: string, harness: StoreHarness): void {
  describe(`MetadataRepository contract: ${backend}`, () => {
    let store: MailStore;
    const sut = storeForSuite(harness, (opened) => {
      store = opened;
    });
    let seq = 0;
    const newAccount = () =>
      store.accounts.create({ address: `meta${++seq}@example.test`, passwordHash: "h", quota: QUOTA });
    const newMailbox = async (accountId: AccountId, name: string) =>
      (await store.mailboxes.create(accountId, name, null)).id;

    it("publishes a change event of the mailbox (null for the server) after a write, none after a refused one", async () => {
      const owner = await newAccount();
      const box = await newMailbox(owner.id, "Watched");
      const events: (MailboxId | null)[] = [];
      const unsubscribe = store.notifier.subscribe(owner.id, (event) => events.push(event.mailboxId));
      const write = [{ ownerId: null, name: "/comment", value: bytes("x") }];
      assert.equal(await store.metadata.write(owner.id, box, write, LIMITS), "written");
      assert.equal(await store.metadata.write(owner.id, null, write, LIMITS), "written");
      const tight = { maxEntriesPerMailbox: 1, maxAccountBytes: 1 << 20 };
      const two = [...write, { ownerId: null, name: "/other", value: bytes("y") }];
      assert.equal(await store.metadata.write(owner.id, box, two, tight), "tooManyEntries");
      // PostgreSQL delivers this node's events after the commit, on the next turn at the latest.
      await new Promise((resolve) => setTimeout(resolve, 50));
      unsubscribe();
      assert.deepEqual(events, [box, null]);
    });

    it("keeps shared and private entries of a mailbox apart, and shows a viewer only its own private ones", async () => {
      const owner = await newAccount();
      const other = await newAccount();
      const box = await newMailbox(owner.id, "Projects");
      assert.equal(
        await store.metadata.write(
          owner.id,
          box,
          [
            { ownerId: null, name: "/comment", value: bytes("shared note") },
            { ownerId: owner.id, name: "/comment", value: bytes("my note") },
            { ownerId: other.id, name: "/comment", value: bytes("their note") },
          ],
          LIMITS,
        ),
        "written",
      );
      assert.deepEqual(summary(await store.metadata.list(owner.id, owner.id, [box])), [
        [box, null, "/comment", "shared note"],
        [box, owner.id, "/comment", "my note"],
      ]);
      assert.deepEqual(summary(await store.metadata.list(owner.id, other.id, [box])), [
        [box, null, "/comment", "shared note"],
        [box, other.id, "/comment", "their note"],
      ]);
    });

    it("replaces a value, removes an entry with null, and keeps server entries apart from mailbox ones", async () => {
      const account = await newAccount();
      const inbox = (await store.mailboxes.findByName(account.id, "INBOX"))?.id as MailboxId;
      await store.metadata.write(
        account.id,
        null,
        [{ ownerId: null, name: "/comment", value: bytes("server") }],
        LIMITS,
      );
      await store.metadata.write(
        account.id,
        inbox,
        [{ ownerId: null, name: "/comment", value: bytes("v1") }],
        LIMITS,
      );
      await store.metadata.write(
        account.id,
        inbox,
        [{ ownerId: null, name: "/comment", value: bytes("v2") }],
        LIMITS,
      );
      assert.deepEqual(summary(await store.metadata.list(account.id, account.id)), [
        [null, null, "/comment", "server"],
        [inbox, null, "/comment", "v2"],
      ]);
      await store.metadata.write(
        account.id,
        inbox,
        [{ ownerId: null, name: "/comment", value: null }],
        LIMITS,
      );
      assert.deepEqual(summary(await store.metadata.list(account.id, account.id, [inbox])), []);
      assert.deepEqual(summary(await store.metadata.list(account.id, account.id, [null])), [
        [null, null, "/comment", "server"],
      ]);
      // Removing what is not there is no error.
      assert.equal(
        await store.metadata.write(
          account.id,
          inbox,
          [{ ownerId: null, name: "/nothing", value: null }],
          LIMITS,
        ),
        "written",
      );
    });

    it("stores any bytes, NUL and 8-bit included, and keeps them across a reopen", async () => {
      const account = await newAccount();
      const value = Uint8Array.from([0, 1, 2, 0xff, 0xfe, 13, 10, 0]);
      await store.metadata.write(
        account.id,
        null,
        [{ ownerId: account.id, name: "/vendor/x/bin", value }],
        LIMITS,
      );
      store = await sut.reopen();
      const [record] = await store.metadata.list(account.id, account.id, [null]);
      assert.deepEqual(record && Uint8Array.from(record.value), value);
    });

    it("keeps entries with a renamed mailbox and its children, and drops them with a deleted one", async () => {
      const account = await newAccount();
      const parent = await newMailbox(account.id, "Old");
      const child = await newMailbox(account.id, "Old/Child");
      await store.metadata.write(
        account.id,
        parent,
        [{ ownerId: null, name: "/comment", value: bytes("p") }],
        LIMITS,
      );
      await store.metadata.write(
        account.id,
        child,
        [{ ownerId: account.id, name: "/comment", value: bytes("c") }],
        LIMITS,
      );
      await store.mailboxes.rename(account.id, parent, "New");
      assert.deepEqual(summary(await store.metadata.list(account.id, account.id)), [
        ...[[parent, null, "/comment", "p"] as const, [child, account.id, "/comment", "c"] as const].sort(
          (a, b) => (a[0] < b[0] ? -1 : 1),
        ),
      ]);
      await store.mailboxes.delete(account.id, child);
      assert.deepEqual(summary(await store.metadata.list(account.id, account.id)), [
        [parent, null, "/comment", "p"],
      ]);
      // A new mailbox of the same name starts without annotations.
      const again = await newMailbox(account.id, "New/Child");
      assert.deepEqual(await store.metadata.list(account.id, account.id, [again]), []);
    });

    it("drops an account's entries with the account", async () => {
      const account = await newAccount();
      await store.metadata.write(
        account.id,
        null,
        [{ ownerId: null, name: "/comment", value: bytes("x") }],
        LIMITS,
      );
      await store.accounts.delete(account.id);
      assert.deepEqual(await store.metadata.list(account.id, account.id), []);
    });

    it("rejects a write to a missing mailbox or one of another account, changing nothing", async () => {
      const account = await newAccount();
      const stranger = await newAccount();
      const theirs = await newMailbox(stranger.id, "Theirs");
      const write = [{ ownerId: null, name: "/comment", value: bytes("x") }];
      await rejectsWith(store.metadata.write(account.id, "Mnope" as MailboxId, write, LIMITS), "nonexistent");
      await rejectsWith(store.metadata.write(account.id, theirs, write, LIMITS), "nonexistent");
      assert.deepEqual(await store.metadata.list(stranger.id, stranger.id), []);
    });

    it("refuses a write that passes the entry limit of a mailbox, all of it, but lets removals through", async () => {
      const account = await newAccount();
      const box = await newMailbox(account.id, "Limited");
      const limits = { maxEntriesPerMailbox: 3, maxAccountBytes: 1 << 20 };
      const entry = (name: string) => ({ ownerId: null, name, value: bytes("v") });
      assert.equal(
        await store.metadata.write(account.id, box, [entry("/a"), entry("/b")], limits),
        "written",
      );
      assert.equal(
        await store.metadata.write(account.id, box, [entry("/c"), entry("/d")], limits),
        "tooManyEntries",
      );
      assert.deepEqual(
        (await store.metadata.list(account.id, account.id, [box])).map((r) => r.name),
        ["/a", "/b"],
      );
      // Private entries count too; another mailbox has its own count.
      assert.equal(
        await store.metadata.write(
          account.id,
          box,
          [{ ownerId: account.id, name: "/c", value: bytes("v") }],
          limits,
        ),
        "written",
      );
      assert.equal(await store.metadata.write(account.id, box, [entry("/d")], limits), "tooManyEntries");
      assert.equal(await store.metadata.write(account.id, null, [entry("/d")], limits), "written");
      // Replacing and removing never fail, even past a limit lowered later.
      const lower = { maxEntriesPerMailbox: 1, maxAccountBytes: 1 << 20 };
      assert.equal(await store.metadata.write(account.id, box, [entry("/a")], lower), "written");
      assert.equal(
        await store.metadata.write(account.id, box, [{ ownerId: null, name: "/b", value: null }], lower),
        "written",
      );
      // A removal in the same write makes room.
      assert.equal(
        await store.metadata.write(
          account.id,
          box,
          [{ ownerId: null, name: "/a", value: null }, entry("/e")],
          { maxEntriesPerMailbox: 2, maxAccountBytes: 1 << 20 },
        ),
        "written",
      );
    });

    it("refuses a write that passes the account's byte limit, counting names and values", async () => {
      const account = await newAccount();
      const limits = { maxEntriesPerMailbox: 100, maxAccountBytes: 40 };
      const inbox = (await store.mailboxes.findByName(account.id, "INBOX"))?.id as MailboxId;
      // "/n" (2) + 18 value bytes = 20.
      const entry = (name: string, size: number) => ({ ownerId: null, name, value: new Uint8Array(size) });
      assert.equal(await store.metadata.write(account.id, null, [entry("/n", 18)], limits), "written");
      assert.equal(await store.metadata.write(account.id, inbox, [entry("/m", 18)], limits), "written");
      assert.equal(await store.metadata.write(account.id, inbox, [entry("/o", 1)], limits), "accountFull");
      assert.equal(await store.metadata.write(account.id, inbox, [entry("/m", 19)], limits), "accountFull");
      assert.equal(await store.metadata.write(account.id, inbox, [entry("/m", 5)], limits), "written");
      assert.equal((await store.metadata.list(account.id, account.id)).length, 2);
    });

    it("keeps the entry limit under concurrent writers on two handles", async () => {
      const account = await newAccount();
      const box = await newMailbox(account.id, "Raced");
      const second = await sut.openSecond();
      const limits = { maxEntriesPerMailbox: 5, maxAccountBytes: 1 << 20 };
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? store : second).metadata.write(
            account.id,
            box,
            [{ ownerId: null, name: `/entry${i}`, value: bytes(`${i}`) }],
            limits,
          ),
        ),
      );
      assert.equal(outcomes.filter((o) => o === "written").length, 5);
      assert.equal(outcomes.filter((o) => o === "tooManyEntries").length, 7);
      assert.equal((await store.metadata.list(account.id, account.id, [box])).length, 5);
    });

    it("lists the entries of many mailboxes at once, and of none", async () => {
      const account = await newAccount();
      const ids: MailboxId[] = [];
      for (let i = 0; i < 12; i++) {
        const id = await newMailbox(account.id, `Many${i}`);
        ids.push(id);
        await store.metadata.write(
          account.id,
          id,
          [{ ownerId: null, name: "/comment", value: bytes(`${i}`) }],
          LIMITS,
        );
      }
      assert.equal((await store.metadata.list(account.id, account.id, ids)).length, 12);
      assert.equal((await store.metadata.list(account.id, account.id, ids.slice(0, 11))).length, 11);
      assert.equal((await store.metadata.list(account.id, account.id, ids.slice(0, 2))).length, 2);
      assert.deepEqual(await store.metadata.list(account.id, account.id, []), []);
    });
  });
}
