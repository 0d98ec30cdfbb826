import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EmailId, MailboxId, ModSeq, ThreadId, Uid } from "../../kit/ids.js";
import type { EmailSortKeys, MailboxEntry } from "../../store/mail-store.js";
import { EMPTY_SORT_KEYS } from "../sort/sort-messages.js";
import { threadByOrderedSubject } from "./thread-ordered-subject.js";
import { threadByReferences } from "./thread-references.js";
import type { ThreadNode } from "./thread-tree.js";

interface Spec {
  readonly id?: string;
  readonly refs?: readonly string[];
  readonly subject: string;
  readonly isReply?: boolean;
  readonly date: number;
}

function mailbox(specs: readonly Spec[]) {
  const keys = new Map<EmailId, EmailSortKeys>();
  const entries = specs.map((spec, i): MailboxEntry => {
    const emailId = `E${i + 1}` as EmailId;
    keys.set(emailId, {
      ...EMPTY_SORT_KEYS,
      messageId: spec.id ?? null,
      references: spec.refs ?? [],
      baseSubject: spec.subject,
      isReplyOrForward: spec.isReply ?? false,
      sentAtMs: spec.date,
    });
    return {
      mailboxId: "M" as MailboxId,
      uid: (i + 1) as Uid,
      modSeq: 1 as ModSeq,
      flags: { system: new Set(), keywords: [] },
      emailId,
      threadId: "T" as ThreadId,
      size: 1,
      internalDateMs: 0,
      saveDateMs: 0,
      blobHash: undefined,
      crlfSize: undefined,
    };
  });
  return { entries, keys };
}

/** RFC 5256 §4 notation with UIDs. */
function show(nodes: readonly ThreadNode[]): string {
  const members = (node: ThreadNode): string => {
    const own = node.entry === null ? "" : `${node.entry.uid}`;
    if (node.children.length === 0) return own;
    if (node.children.length === 1 && own !== "") return `${own} ${members(node.children[0] as ThreadNode)}`;
    const branches = node.children.map((child) => `(${members(child)})`).join("");
    return own === "" ? branches : `${own} ${branches}`;
  };
  return nodes.map((node) => `(${members(node)})`).join("");
}

describe("threadByReferences (RFC 5256 §3)", () => {
  it("links by references, keeps a shared missing parent as a dummy, merges replies by subject", () => {
    const { entries, keys } = mailbox([
      { id: "a", subject: "x", date: 1 },
      { id: "b", refs: ["a"], subject: "x", isReply: true, date: 3 },
      { id: "c", refs: ["m"], subject: "y", date: 4 },
      { id: "d", refs: ["m"], subject: "y", isReply: true, date: 2 },
      { id: "e", subject: "x", isReply: true, date: 2 },
      { id: "f", refs: ["gone"], subject: "z", date: 0 },
    ]);
    assert.equal(show(threadByReferences(entries, keys)), "(6)(1 (5)(2))((4)(3))");
  });

  it("keeps messages with duplicate or missing Message-IDs apart, ignores loops, the last reference wins", () => {
    const { entries, keys } = mailbox([
      { id: "p", refs: ["q"], subject: "1", date: 1 },
      { id: "q", refs: ["p"], subject: "2", date: 2 },
      { id: "p", subject: "3", date: 3 },
      { subject: "4", refs: ["p", "q"], date: 4 },
      { id: "r", refs: ["q", "p"], subject: "5", date: 5 },
    ]);
    // q → p (p's reference came first; q's would loop), 3 stands alone, 4's p → q link would loop so it
    // hangs under its last reference q, 5 under p.
    assert.equal(show(threadByReferences(entries, keys)), "(2 (1 5)(4))(3)");
  });

  it("gathers two non-reply threads of one subject under a dummy; empty subjects are never merged", () => {
    const { entries, keys } = mailbox([
      { id: "a", subject: "same", date: 2 },
      { id: "b", subject: "same", date: 1 },
      { id: "c", subject: "", date: 3 },
      { id: "d", subject: "", date: 4 },
    ]);
    assert.equal(show(threadByReferences(entries, keys)), "((2)(1))(3)(4)");
  });
});

describe("threadByOrderedSubject (RFC 5256 §3)", () => {
  it("groups by base subject, the earliest as parent, threads by their first date, ties by sequence", () => {
    const { entries, keys } = mailbox([
      { subject: "b", date: 5 },
      { subject: "a", date: 3 },
      { subject: "b", date: 1 },
      { subject: "a", date: 3 },
      { subject: "c", date: 9 },
      { subject: "b", date: 2 },
    ]);
    assert.equal(show(threadByOrderedSubject(entries, keys)), "(3 (6)(1))(2 4)(5)");
  });
});
