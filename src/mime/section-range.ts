// Maps an IMAP body section (RFC 9051 §6.4.5: `1.2`, `1.2.MIME`, `2.HEADER`, `3.1.TEXT`, `HEADER`, `TEXT`)
// to the byte range of the stored message it denotes, using the offsets of a MessageIndex's part tree.

import type { PartNode } from "./message-index.js";

/** What follows the part numbers of a section: nothing (the part's content), MIME, HEADER or TEXT. */
export type SectionKind = "content" | "MIME" | "HEADER" | "TEXT";

/** A byte range [start, end) of the raw message. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

function isMessagePart(part: PartNode): boolean {
  return part.message !== null;
}

/** Picks part `n` (1-based) inside a message whose root is `root` (RFC 9051: a non-multipart message has only part 1). */
function partOfMessage(root: PartNode, n: number): PartNode | null {
  if (root.type === "multipart") return root.children[n - 1] ?? null;
  return n === 1 ? root : null;
}

/** Finds the part addressed by `path` (e.g. [1, 2] for `1.2`), or null when it does not exist. */
export function findSectionPart(root: PartNode, path: readonly number[]): PartNode | null {
  let part: PartNode = root;
  let isFirst = true;
  for (const n of path) {
    let next: PartNode | null;
    if (isFirst) next = partOfMessage(root, n);
    else if (part.message !== null) next = partOfMessage(part.message, n);
    else if (part.type === "multipart") next = part.children[n - 1] ?? null;
    else next = null;
    if (next === null) return null;
    part = next;
    isFirst = false;
  }
  return part;
}

/** The byte range of a section, or null when the section does not exist in this message. */
export function sectionRange(root: PartNode, path: readonly number[], kind: SectionKind): ByteRange | null {
  if (path.length === 0) {
    if (kind === "HEADER") return { start: root.headerStart, end: root.bodyStart };
    if (kind === "TEXT") return { start: root.bodyStart, end: root.bodyEnd };
    if (kind === "content") return { start: root.headerStart, end: root.bodyEnd };
    return null;
  }
  const part = findSectionPart(root, path);
  if (part === null) return null;
  if (kind === "MIME") return { start: part.headerStart, end: part.bodyStart };
  if (kind === "content") return { start: part.bodyStart, end: part.bodyEnd };
  if (!isMessagePart(part) || part.message === null) return null;
  const message = part.message;
  if (kind === "HEADER") return { start: message.headerStart, end: message.bodyStart };
  return { start: message.bodyStart, end: message.bodyEnd };
}

/** The bytes a `<origin.count>` partial keeps of a piece `size` long: [from, to) relative to its start. */
export function clampPartial(
  size: number,
  partial: { readonly offset: number; readonly length: number } | null,
): { readonly from: number; readonly to: number } {
  if (partial === null) return { from: 0, to: size };
  const from = Math.min(partial.offset, size);
  return { from, to: Math.min(size, from + partial.length) };
}
