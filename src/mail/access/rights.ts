// The RFC 4314 rights model, shared by every protocol (IMAP ACL now, JMAP Mailbox.myRights later): the
// eleven standard rights (§2.1), the obsolete virtual rights "c" and "d" (§2.1.1), and which right
// each kind of operation needs (§4). Pure: no store, no I/O.
import type { FlagSet, SystemFlag } from "../../store/mail-store.js";

/** The standard rights in their canonical order (RFC 4314 §2.1). */
export const RIGHTS = ["l", "r", "s", "w", "i", "p", "k", "x", "t", "e", "a"] as const;
export type Right = (typeof RIGHTS)[number];
export type RightSet = ReadonlySet<Right>;

/** What the owner of a mailbox always holds. */
export const ALL_RIGHTS: RightSet = new Set(RIGHTS);
export const NO_RIGHTS: RightSet = new Set();

/**
 * The virtual rights of §2.1.1, as Dovecot and Cyrus tie them: "c" (create) stands for k and x, "d"
 * (delete) for e and t. RIGHTS=texk is advertised: each member is also a right of its own.
 */
const VIRTUAL_RIGHTS: Readonly<Record<string, readonly Right[]>> = { c: ["k", "x"], d: ["e", "t"] };

/** Identifiers that name every logged-in user (RFC 4314 §2 "anyone"; Dovecot's "authenticated"). */
export const ANYONE_IDENTIFIERS = ["anyone", "authenticated"] as const;

export function isRight(letter: string): letter is Right {
  return (RIGHTS as readonly string[]).includes(letter);
}

/**
 * The rights a rights string names, "c" and "d" expanded; null if it holds anything else (an unknown
 * or upper-case letter, which §3.1 says must fail the command with BAD, never be ignored).
 */
export function parseRights(text: string): Set<Right> | null {
  const rights = new Set<Right>();
  for (const letter of text) {
    const expanded = VIRTUAL_RIGHTS[letter];
    if (expanded !== undefined) for (const right of expanded) rights.add(right);
    else if (isRight(letter)) rights.add(letter);
    else return null;
  }
  return rights;
}

/** The canonical letters, as stored: "lrswipkxtea" order, no virtual rights. */
export function canonicalRights(rights: RightSet): string {
  return RIGHTS.filter((right) => rights.has(right)).join("");
}

/**
 * Rights as MYRIGHTS and ACL responses show them (§2.1.1): canonical letters, then "c" when any of k/x
 * is held and "d" when any of e/t is, for RFC 2086 clients.
 */
export function formatRights(rights: RightSet): string {
  let text = canonicalRights(rights);
  if (rights.has("k") || rights.has("x")) text += "c";
  if (rights.has("e") || rights.has("t")) text += "d";
  return text;
}

/** A SETACL modification (§3.1): add to, remove from, or replace an identifier's rights. */
export interface RightsModification {
  readonly mode: "add" | "remove" | "replace";
  readonly rights: RightSet;
}

/** `+rights`, `-rights` or `rights`; null for an unknown right. */
export function parseRightsModification(text: string): RightsModification | null {
  const mode = text.startsWith("+") ? "add" : text.startsWith("-") ? "remove" : "replace";
  const rights = parseRights(mode === "replace" ? text : text.slice(1));
  return rights === null ? null : { mode, rights };
}

export function applyModification(current: RightSet, modification: RightsModification): Set<Right> {
  if (modification.mode === "replace") return new Set(modification.rights);
  const result = new Set(current);
  for (const right of modification.rights) {
    if (modification.mode === "add") result.add(right);
    else result.delete(right);
  }
  return result;
}

/** One ACL entry as the rights model reads it. */
export interface AclGrant {
  readonly identifier: string;
  readonly rights: string;
}

/**
 * The rights a user holds on a mailbox: all of them on their own, else the union of the entries for
 * their address and for "anyone"/"authenticated" (negative rights are not supported).
 */
export function effectiveRights(isOwner: boolean, userAddress: string, acl: readonly AclGrant[]): RightSet {
  if (isOwner) return ALL_RIGHTS;
  const address = userAddress.toLowerCase();
  const rights = new Set<Right>();
  for (const entry of acl) {
    const applies =
      entry.identifier === address || (ANYONE_IDENTIFIERS as readonly string[]).includes(entry.identifier);
    if (!applies) continue;
    for (const letter of entry.rights) if (isRight(letter)) rights.add(letter);
  }
  return rights;
}

/**
 * Whether the mailbox may be seen to exist at all (§6: a mailbox the user may neither list nor read
 * answers every command as a mailbox that does not exist).
 */
export function canSeeMailbox(rights: RightSet): boolean {
  return rights.has("l") || rights.has("r");
}

/** MYRIGHTS needs any of l, r, i, k, x, a (§4). */
export function canAskRights(rights: RightSet): boolean {
  return (["l", "r", "i", "k", "x", "a"] as const).some((right) => rights.has(right));
}

/**
 * §5.2: a SELECT is READ-ONLY when none of i, e and the "shared flag rights" (s, w, t: every flag is
 * shared here) is granted.
 */
export function isReadOnlyWith(rights: RightSet): boolean {
  return !(["i", "e", "s", "w", "t"] as const).some((right) => rights.has(right));
}

/** The right that guards a flag (§4): s for \Seen, t for \Deleted, w for every other flag and keyword. */
export function rightForFlag(flag: SystemFlag | "keyword"): Right {
  if (flag === "\\Seen") return "s";
  if (flag === "\\Deleted") return "t";
  return "w";
}

/** Whether these rights may change every flag (then no flag needs filtering). */
export function canChangeAllFlags(rights: RightSet): boolean {
  return rights.has("s") && rights.has("w") && rights.has("t");
}

/**
 * The flags of `flags` the rights allow to set (§4 APPEND/COPY: the others are dropped silently, never
 * failing the command; STORE uses it for the part it may change).
 */
export function permittedFlags(flags: FlagSet, rights: RightSet): FlagSet {
  if (canChangeAllFlags(rights)) return flags;
  return {
    system: new Set([...flags.system].filter((flag) => rights.has(rightForFlag(flag)))),
    keywords: rights.has("w") ? flags.keywords : [],
  };
}

/** A mailbox's rights as JMAP names them (RFC 8621 §2 Mailbox.myRights). */
export interface MailboxRightsFlags {
  readonly mayReadItems: boolean;
  readonly mayAddItems: boolean;
  readonly mayRemoveItems: boolean;
  readonly maySetSeen: boolean;
  readonly maySetKeywords: boolean;
  readonly mayCreateChild: boolean;
  readonly mayRename: boolean;
  readonly mayDelete: boolean;
  readonly maySubmit: boolean;
}

/**
 * RFC 8621 §2's mapping from IMAP ACL rights: read needs l and r, remove t and e, rename and delete x;
 * `isFixed` (INBOX, which cannot be renamed away or deleted) takes those two back.
 */
export function mailboxRightsFlags(rights: RightSet, isFixed: boolean): MailboxRightsFlags {
  return {
    mayReadItems: rights.has("l") && rights.has("r"),
    mayAddItems: rights.has("i"),
    mayRemoveItems: rights.has("t") && rights.has("e"),
    maySetSeen: rights.has("s"),
    maySetKeywords: rights.has("w"),
    mayCreateChild: rights.has("k"),
    mayRename: rights.has("x") && !isFixed,
    mayDelete: rights.has("x") && !isFixed,
    maySubmit: rights.has("p"),
  };
}
