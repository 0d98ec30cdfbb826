// The MaildropLocks contract (mail-store.ts): one POP3 maildrop holder per account, no waiting, no stale
// lock after the holder goes. Run by every backend's test file; `isSharedAcrossHandles` adds the checks
// for backends whose locks hold between independent handles on the same data (PostgreSQL: nodes).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AccountId, asAccountId } from "../../kit/ids.js";
import type { MailStore } from "../mail-store.js";
import type { StoreHarness, StoreUnderTest } from "./mail-store-contract.js";

export interface MaildropLockContractOptions {
  /** Locks taken through one handle (openSecond) exclude the others: true for a multi-node store. */
  readonly isSharedAcrossHandles: boolean;
}

const RELEASE_AFTER_CLOSE_TIMEOUT_MS = 5000;

export function describeMaildropLockContract(
  backend: string,
  harness: StoreHarness,
  options: MaildropLockContractOptions,
): void {
  describe(`MaildropLocks contract: ${backend}`, () => {
    let under: StoreUnderTest;
    let nextAccount = 1;
    /** A fresh account id per test: locks are keyed by id alone, no account row is needed. */
    const freshAccount = (): AccountId => asAccountId(nextAccount++);

    before(async () => {
      under = await harness.create();
    });
    after(async () => {
      await under.destroy();
    });

    it("grants one holder per account and never waits", async () => {
      const locks = under.store.maildropLocks;
      const alice = freshAccount();
      const first = await locks.tryAcquire(alice, "conn-a");
      assert.ok(first);
      assert.equal(first.owner, "conn-a");
      assert.equal(await locks.tryAcquire(alice, "conn-b"), null);
      const other = await locks.tryAcquire(freshAccount(), "conn-b");
      assert.ok(other, "other accounts are independent");
      other.release();
      first.release();
    });

    it("lets the next holder in right after a release; a stale handle frees nothing", async () => {
      const locks = under.store.maildropLocks;
      const alice = freshAccount();
      const first = await locks.tryAcquire(alice, "conn-a");
      assert.ok(first);
      first.release();
      const second = await locks.tryAcquire(alice, "conn-b");
      assert.ok(second, "released lock is free at once");
      first.release();
      assert.equal(
        await locks.tryAcquire(alice, "conn-c"),
        null,
        "a stale release cannot free the new holder",
      );
      second.release();
      second.release();
      const third = await locks.tryAcquire(alice, "conn-c");
      assert.ok(third);
      third.release();
    });

    it("grants exactly one of many simultaneous attempts", async () => {
      const locks = under.store.maildropLocks;
      const alice = freshAccount();
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) => locks.tryAcquire(alice, `conn-${i}`)),
      );
      const granted = attempts.filter((handle) => handle !== null);
      assert.equal(granted.length, 1);
      for (const handle of granted) handle.release();
    });

    it("leaves no lock behind when the store holding it closes", async () => {
      const alice = freshAccount();
      const held = await under.store.maildropLocks.tryAcquire(alice, "conn-a");
      assert.ok(held);
      const reopened = await under.reopen();
      const again = await eventuallyAcquire(reopened, alice, "conn-b");
      again.release();
    });

    if (options.isSharedAcrossHandles) {
      it("excludes holders on another handle (another node) until released", async () => {
        const second = await under.openSecond();
        const alice = freshAccount();
        const onFirst = await under.store.maildropLocks.tryAcquire(alice, "node-a");
        assert.ok(onFirst);
        assert.equal(await second.maildropLocks.tryAcquire(alice, "node-b"), null);
        onFirst.release();
        const onSecond = await eventuallyAcquire(second, alice, "node-b");
        assert.equal(await under.store.maildropLocks.tryAcquire(alice, "node-a"), null);
        onSecond.release();
      });

      it("grants exactly one of simultaneous attempts from two handles", async () => {
        const second = await under.openSecond();
        const alice = freshAccount();
        const attempts = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 === 0 ? under.store : second).maildropLocks.tryAcquire(alice, `conn-${i}`),
          ),
        );
        const granted = attempts.filter((handle) => handle !== null);
        assert.equal(granted.length, 1);
        for (const handle of granted) handle.release();
      });

      it("frees a closed handle's locks for the other handles", async () => {
        const second = await under.openSecond();
        const alice = freshAccount();
        assert.ok(await second.maildropLocks.tryAcquire(alice, "node-b"));
        assert.equal(await under.store.maildropLocks.tryAcquire(alice, "node-a"), null);
        await second.close();
        const taken = await eventuallyAcquire(under.store, alice, "node-a");
        taken.release();
      });
    }
  });
}

/** The holder's side of a release may reach a shared backend a moment later: retry for a few seconds. */
async function eventuallyAcquire(store: MailStore, accountId: AccountId, owner: string) {
  const deadline = Date.now() + RELEASE_AFTER_CLOSE_TIMEOUT_MS;
  for (;;) {
    const handle = await store.maildropLocks.tryAcquire(accountId, owner);
    if (handle) return handle;
    if (Date.now() > deadline)
      assert.fail(`lock of account ${accountId} still held after ${RELEASE_AFTER_CLOSE_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
