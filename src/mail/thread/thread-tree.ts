// The result of THREAD (RFC 5256 §4): a forest of messages; a node without a message is the "dummy"
// parent of siblings that share a subject or a missing ancestor.
import type { MailboxEntry } from "../../store/mail-store.js";

export interface ThreadNode {
  /** null for a dummy node (only at the top level, always with two or more children). */
  readonly entry: MailboxEntry | null;
  readonly children: readonly ThreadNode[];
}

export const THREAD_ALGORITHMS = ["ORDEREDSUBJECT", "REFERENCES"] as const;
export type ThreadAlgorithm = (typeof THREAD_ALGORITHMS)[number];
