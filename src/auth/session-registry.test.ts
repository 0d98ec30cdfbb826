import assert from "node:assert/strict";
import { test } from "node:test";
import type { AccountId } from "../kit/ids.js";
import { SessionRegistry } from "./session-registry.js";

const alice = 1 as AccountId;
const bob = 2 as AccountId;

test("refuses past the limit per account, and a close gives the slot back", () => {
  const registry = new SessionRegistry(2);
  const first = new AbortController();
  const second = new AbortController();
  assert.ok(registry.tryAcquire(alice, first.signal));
  assert.ok(registry.tryAcquire(alice, second.signal));
  assert.equal(registry.tryAcquire(alice, new AbortController().signal), null);
  assert.ok(registry.tryAcquire(bob, new AbortController().signal), "other accounts are not affected");
  first.abort();
  assert.equal(registry.count(alice), 1);
  assert.ok(registry.tryAcquire(alice, new AbortController().signal));
});

test("release is idempotent, also together with the close", () => {
  const registry = new SessionRegistry(1);
  const closed = new AbortController();
  const lease = registry.tryAcquire(alice, closed.signal);
  assert.ok(lease);
  lease.release();
  lease.release();
  closed.abort();
  assert.equal(registry.count(alice), 0);
  const other = new AbortController();
  assert.ok(registry.tryAcquire(alice, other.signal));
  assert.equal(registry.count(alice), 1);
});

test("an already closed connection takes no slot", () => {
  const registry = new SessionRegistry(1);
  assert.equal(registry.tryAcquire(alice, AbortSignal.abort()), null);
  assert.equal(registry.count(alice), 0);
});

test("kick ends the account's sessions and tracked streams, not released ones nor other accounts'", async () => {
  const registry = new SessionRegistry(10);
  const ended: string[] = [];
  const session = (name: string) => {
    const closed = new AbortController();
    return { closed, kick: async () => void ended.push(name) };
  };
  const imap = session("imap");
  const pop = session("pop");
  const gone = session("gone");
  const push = session("push");
  const bobs = session("bob");
  registry.tryAcquire(alice, imap.closed.signal, imap.kick);
  registry.tryAcquire(alice, pop.closed.signal, pop.kick);
  registry.tryAcquire(alice, gone.closed.signal, gone.kick);
  registry.track(alice, push.closed.signal, push.kick);
  registry.tryAcquire(bob, bobs.closed.signal, bobs.kick);
  gone.closed.abort();
  assert.equal(await registry.kick(alice), 3);
  assert.deepEqual(ended.sort(), ["imap", "pop", "push"]);
  push.closed.abort();
  imap.closed.abort();
  pop.closed.abort();
  assert.equal(await registry.kick(alice), 0, "closed sessions leave the registry");
  assert.equal(registry.count(bob), 1);
});
