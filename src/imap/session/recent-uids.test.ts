import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Uid } from "../../kit/ids.js";
import { RecentUids } from "./recent-uids.js";

// The model is a plain set of claimed UIDs still present; the ranges must answer the same.
test("RecentUids answers like a set of the claimed, not expunged UIDs", () => {
  const step = fc.oneof(
    fc.record({
      kind: fc.constant("claim" as const),
      count: fc.integer({ min: 0, max: 6 }),
      gap: fc.nat(3),
      floorBack: fc.nat(5),
    }),
    fc.record({ kind: fc.constant("expunge" as const), pick: fc.nat(50) }),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const recent = new RecentUids();
      const model = new Set<number>();
      const snapshot: number[] = [];
      let nextUid = 1;
      for (const s of steps) {
        if (s.kind === "claim") {
          nextUid += s.gap;
          const uids = Array.from({ length: s.count }, () => nextUid++);
          const floor = Math.max(1, (uids[0] ?? nextUid) - s.floorBack + 2);
          const previous = snapshot.at(-1);
          const isContiguous = previous !== undefined && recent.has(previous as Uid);
          snapshot.push(...uids);
          recent.claim(uids as Uid[], floor as Uid, isContiguous);
          for (const uid of uids) if (uid >= floor) model.add(uid);
        } else if (snapshot.length > 0) {
          const [uid] = snapshot.splice(s.pick % snapshot.length, 1) as [number];
          recent.expunged(uid as Uid);
          model.delete(uid);
        }
        assert.equal(recent.size, model.size);
        for (const uid of snapshot) assert.equal(recent.has(uid as Uid), model.has(uid), `uid ${uid}`);
      }
    }),
  );
});

test("one range for a session that hears of one new message at a time", () => {
  const recent = new RecentUids();
  recent.claim([1, 2, 3] as Uid[], 1 as Uid, false);
  for (let uid = 4; uid <= 1000; uid++) recent.claim([uid as Uid], uid as Uid, recent.has((uid - 1) as Uid));
  assert.equal(recent.size, 1000);
  assert.equal(recent.has(1 as Uid), true);
  assert.equal(recent.has(1001 as Uid), false);
});
