// Metadata entry names (RFC 5464 §3.2): "/private/…" or "/shared/…", slash-separated, printable ASCII
// without "*" and "%", no empty component ("//", a trailing "/"). Compared case-insensitively, so they are
// kept lower-case. Pure; shared by IMAP and, later, JMAP.
import { MailError } from "../../kit/mail-error.js";

/** `/private` entries belong to one user, `/shared` ones to everyone who sees the mailbox (RFC 5464 §3.3). */
export type MetadataScope = "private" | "shared";

export interface EntryName {
  readonly scope: MetadataScope;
  /** The rest after the scope, "" for the bare scope ("/private"), else starting with "/". */
  readonly path: string;
}

/** Longest entry name accepted, in bytes (all ASCII). */
export const MAX_ENTRY_NAME_BYTES = 1024;

/** Why `name` is not a valid entry name, or null. */
export function entryNameError(name: string): string | null {
  if (!name.startsWith("/")) return "An entry name must begin with /private or /shared";
  if (name.length > MAX_ENTRY_NAME_BYTES)
    return `An entry name may have at most ${MAX_ENTRY_NAME_BYTES} bytes`;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return "An entry name may hold only printable ASCII";
    if (code === 0x2a || code === 0x25) return "An entry name must not contain * or %";
  }
  if (name.includes("//")) return "An entry name must not contain //";
  if (name.endsWith("/")) return "An entry name must not end with /";
  const lower = name.toLowerCase();
  if (!/^\/(private|shared)(\/|$)/.test(lower)) return "An entry name must begin with /private or /shared";
  return null;
}

/** Parses a valid name (lower-cased); throws MailError("invalidInput") for an invalid one. */
export function parseEntryName(name: string): EntryName {
  const error = entryNameError(name);
  if (error !== null) throw new MailError("invalidInput", `${error}: ${name.slice(0, 100)}`);
  const lower = name.toLowerCase();
  const scope: MetadataScope = lower.startsWith("/private") ? "private" : "shared";
  return { scope, path: lower.slice(scope.length + 1) };
}

export function formatEntryName(entry: EntryName): string {
  return `/${entry.scope}${entry.path}`;
}

/** RFC 5464 §4.2.2 DEPTH: the entry itself (0), its children too (1), or everything below it. */
export type MetadataDepth = 0 | 1 | "infinity";

/** Whether the full (lower-case) name `candidate` is `requested` or below it within `depth`. */
export function isWithinDepth(requested: string, candidate: string, depth: MetadataDepth): boolean {
  if (candidate === requested) return true;
  if (depth === 0 || !candidate.startsWith(`${requested}/`)) return false;
  return depth === "infinity" || !candidate.slice(requested.length + 1).includes("/");
}
