// THREAD=REFERENCES (RFC 5256 §3, after Jamie Zawinski's algorithm): messages linked to their parents by
// Message-ID, References and In-Reply-To; missing ancestors become dummies that are pruned; top-level
// threads with the same base subject are merged; siblings are ordered by sent date, then sequence.
import type { EmailId } from "../../kit/ids.js";
import type { EmailSortKeys, MailboxEntry } from "../../store/mail-store.js";
import { EMPTY_SORT_KEYS, sentDateOf } from "../sort/sort-messages.js";
import type { ThreadNode } from "./thread-tree.js";

interface Container {
  entry: MailboxEntry | null;
  keys: EmailSortKeys;
  /** Sequence order (position in the mailbox); for dummies unused. */
  seq: number;
  date: number;
  parent: Container | null;
  children: Container[];
}

export function threadByReferences(
  entries: readonly MailboxEntry[],
  keys: ReadonlyMap<EmailId, EmailSortKeys>,
): ThreadNode[] {
  const containers = linkByReferences(entries, keys);
  let roots = pruneDummies(
    containers.filter((c) => c.parent === null),
    true,
  );
  sortSiblings(roots);
  roots = mergeBySubject(roots);
  sortSiblings(roots);
  return roots.map(toThreadNode);
}

/** Steps 1-2: a container per message and per referenced id, linked parent → child. */
function linkByReferences(
  entries: readonly MailboxEntry[],
  keys: ReadonlyMap<EmailId, EmailSortKeys>,
): Container[] {
  const byId = new Map<string, Container>();
  const all: Container[] = [];
  const dummy = (): Container => {
    const container: Container = {
      entry: null,
      keys: EMPTY_SORT_KEYS,
      seq: -1,
      date: 0,
      parent: null,
      children: [],
    };
    all.push(container);
    return container;
  };
  for (const [seq, entry] of entries.entries()) {
    const k = keys.get(entry.emailId) ?? EMPTY_SORT_KEYS;
    const id = k.messageId;
    // A message without a Message-ID, or with one already taken by another message, gets its own
    // container that nothing can refer to (step 1: "assign a unique Message ID").
    let self = id === null ? undefined : byId.get(id);
    if (self === undefined || self.entry !== null) {
      self = dummy();
      if (id !== null && !byId.has(id)) byId.set(id, self);
    }
    self.entry = entry;
    self.keys = k;
    self.seq = seq;
    self.date = sentDateOf(entry, k);
    // 1.A: the references, oldest first, as a chain; existing links are kept.
    let previous: Container | null = null;
    for (const reference of k.references) {
      let container = byId.get(reference);
      if (container === undefined) {
        container = dummy();
        byId.set(reference, container);
      }
      if (previous !== null && container.parent === null && !wouldLoop(previous, container))
        link(previous, container);
      previous = container;
    }
    // 1.B: the last reference becomes the parent, replacing any parent guessed from other messages.
    if (previous === null) unlink(self);
    else if (!wouldLoop(previous, self)) {
      unlink(self);
      link(previous, self);
    }
  }
  return all;
}

/** Linking `child` under `parent` would make a cycle: `child` is `parent` or one of its ancestors. */
function wouldLoop(parent: Container, child: Container): boolean {
  for (let node: Container | null = parent; node !== null; node = node.parent)
    if (node === child) return true;
  return false;
}

function link(parent: Container, child: Container): void {
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: Container): void {
  const parent = child.parent;
  if (parent === null) return;
  parent.children.splice(parent.children.indexOf(child), 1);
  child.parent = null;
}

/**
 * Step 4: dummies without children go; a dummy's children take its place, except at the top level where
 * a dummy with two or more children stays (their common missing parent).
 */
function pruneDummies(siblings: readonly Container[], isTopLevel: boolean): Container[] {
  const kept: Container[] = [];
  for (const container of siblings) {
    container.children = pruneDummies(container.children, false);
    if (container.entry === null && (!isTopLevel || container.children.length < 2)) {
      for (const child of container.children) {
        child.parent = container.parent;
        kept.push(child);
      }
      continue;
    }
    kept.push(container);
  }
  return kept;
}

/** Steps 4 and 6: every set of siblings by sent date then sequence; a dummy by its first child. */
function sortSiblings(siblings: Container[]): void {
  for (const container of siblings) sortSiblings(container.children);
  siblings.sort((a, b) => {
    const x = sortable(a);
    const y = sortable(b);
    return x.date - y.date || x.seq - y.seq;
  });
}

function sortable(container: Container): Container {
  return container.entry === null ? (container.children[0] ?? container) : container;
}

/** Step 5: top-level threads whose base subjects are equal are gathered. */
function mergeBySubject(roots: readonly Container[]): Container[] {
  const subjectOf = (c: Container) => sortable(c).keys.baseSubject;
  const isReply = (c: Container) => c.entry !== null && c.keys.isReplyOrForward;
  const table = new Map<string, Container>();
  for (const root of roots) {
    const subject = subjectOf(root);
    if (subject === "") continue;
    const held = table.get(subject);
    if (
      held === undefined ||
      (root.entry === null && held.entry !== null) ||
      (held.entry !== null && isReply(held) && root.entry !== null && !isReply(root))
    )
      table.set(subject, root);
  }
  const result = [...roots];
  const positionOf = new Map<Container, number>(roots.map((root, i) => [root, i]));
  const removed = new Set<Container>();
  for (const root of roots) {
    const subject = subjectOf(root);
    if (subject === "") continue;
    const held = table.get(subject) as Container;
    if (held === root) continue;
    removed.add(root);
    if (held.entry === null && root.entry === null) {
      for (const child of root.children) link(held, child);
    } else if (held.entry === null) {
      link(held, root);
    } else if (root.entry === null) {
      // Cannot happen (the table prefers dummies), kept for totality: the message joins the dummy.
      removed.delete(root);
      removed.add(held);
      link(root, held);
      table.set(subject, root);
    } else if (isReply(root) && !isReply(held)) {
      link(held, root);
    } else {
      const parent: Container = {
        entry: null,
        keys: EMPTY_SORT_KEYS,
        seq: -1,
        date: 0,
        parent: null,
        children: [],
      };
      result[positionOf.get(held) as number] = parent;
      link(parent, held);
      link(parent, root);
      table.set(subject, parent);
    }
  }
  return result.filter((root) => !removed.has(root));
}

function toThreadNode(container: Container): ThreadNode {
  return { entry: container.entry, children: container.children.map(toThreadNode) };
}
