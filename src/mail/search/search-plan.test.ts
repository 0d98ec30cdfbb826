// Tests the search planner's split: in-memory keys go to the prefilter, content keys become store
// criteria (each asked once), and OR/NOT over both keep their boolean meaning.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EmailId, MailboxId, ModSeq, ThreadId, Uid } from "../../kit/ids.js";
import type { MailboxEntry, SystemFlag } from "../../store/mail-store.js";
import { planSearch } from "./search-plan.js";
import type { SearchQuery } from "./search-query.js";

function entry(uid: number, system: SystemFlag[] = []): MailboxEntry {
  return {
    mailboxId: "M1" as MailboxId,
    uid: uid as Uid,
    modSeq: uid as ModSeq,
    emailId: `E${uid}` as EmailId,
    threadId: `T${uid}` as ThreadId,
    flags: { system: new Set(system), keywords: [] },
    internalDateMs: 0,
    saveDateMs: 0,
    blobHash: undefined,
    crlfSize: undefined,
    size: 100 * uid,
  };
}

const seen: SearchQuery = { kind: "flag", flag: "\\Seen" };
const subject: SearchQuery = { kind: "text", field: "subject", value: "hello" };
const mailer: SearchQuery = { kind: "header", name: "X-Mailer", value: "" };

describe("planSearch", () => {
  it("keeps in-memory conjuncts out of the store and asks each content key once", () => {
    const plan = planSearch({
      kind: "and",
      queries: [subject, seen, { kind: "size", isLarger: true, bytes: 150 }, subject, mailer],
    });
    assert.deepEqual(plan.criteria, [
      { kind: "text", field: "subject", value: "hello" },
      { kind: "header", name: "X-Mailer", value: "" },
    ]);
    assert.equal(plan.prefilter(entry(1, ["\\Seen"])), false, "size");
    assert.equal(plan.prefilter(entry(2)), false, "flag");
    assert.equal(plan.prefilter(entry(2, ["\\Seen"])), true);
    const both = [new Set(["E2" as EmailId]), new Set(["E2" as EmailId])];
    assert.equal(plan.residual(entry(2, ["\\Seen"]), both), true);
    assert.equal(plan.residual(entry(2, ["\\Seen"]), [both[0] as Set<EmailId>, new Set()]), false);
  });

  it("evaluates OR and NOT across in-memory and content keys", () => {
    const plan = planSearch({ kind: "or", queries: [seen, { kind: "not", query: subject }] });
    assert.equal(plan.criteria.length, 1);
    assert.equal(plan.prefilter(entry(1)), true, "an OR cannot prefilter");
    const hello = [new Set(["E1" as EmailId])];
    assert.equal(plan.residual(entry(1), hello), false);
    assert.equal(plan.residual(entry(1, ["\\Seen"]), hello), true);
    assert.equal(plan.residual(entry(2), hello), true);
  });

  it("asks nothing of the store for in-memory keys and sent dates go to the store", () => {
    assert.deepEqual(planSearch({ kind: "not", query: { kind: "flag", flag: "\\Deleted" } }).criteria, []);
    assert.deepEqual(planSearch({ kind: "date", field: "sent", sinceMs: 1, beforeMs: null }).criteria, [
      { kind: "sentDate", sinceMs: 1, beforeMs: null },
    ]);
    assert.deepEqual(
      planSearch({ kind: "date", field: "internal", sinceMs: 1, beforeMs: null }).criteria,
      [],
    );
  });
});
