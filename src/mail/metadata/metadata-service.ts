// Mailbox and server annotations (RFC 5464 METADATA) as use cases any protocol can call: read entries
// with DEPTH and MAXSIZE, write several at once or none, and the server-computed read-only entries
// (`/private/specialuse` mirroring RFC 6154 special use, `/shared/admin` from the configuration).
import type { AccountId, MailboxId } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { MailboxRecord, MailStore, MetadataRecord, MetadataWrite } from "../../store/mail-store.js";
import {
  type EntryName,
  formatEntryName,
  isWithinDepth,
  type MetadataDepth,
  parseEntryName,
} from "./entry-name.js";

export interface MetadataSettings {
  /** Largest value accepted, in bytes (RFC 5464 §4.3 `[METADATA MAXSIZE n]` beyond it). */
  readonly maxEntryBytes: number;
  /** Entries per mailbox (and of the server), every user's private ones included (`[METADATA TOOMANY]`). */
  readonly maxEntriesPerMailbox: number;
  /** Bytes of names and values of all of an account's entries. */
  readonly maxAccountBytes: number;
  /** Whether users may write `/private` entries (`[METADATA NOPRIVATE]` otherwise). */
  readonly allowPrivate: boolean;
  /** The server's `/shared/admin` value (a URI such as mailto:), or null for none. */
  readonly adminUri: string | null;
}

export interface MetadataEntryValue {
  /** Full name, lower-case: "/shared/comment". */
  readonly name: string;
  /** null: the entry was asked for by name (DEPTH 0) and has no value (written as NIL). */
  readonly value: Uint8Array | null;
}

export interface MetadataQuery {
  /** Entry names as the client sent them; invalid ones make the read throw invalidInput. */
  readonly names: readonly string[];
  readonly depth: MetadataDepth;
  /** RFC 5464 §4.2.1 MAXSIZE: values longer than this are left out; null for no bound. */
  readonly maxSize: number | null;
}

export interface MetadataReadResult {
  readonly entries: readonly MetadataEntryValue[];
  /** Size of the longest value MAXSIZE left out (`[METADATA LONGENTRIES n]`), or null when none was. */
  readonly longestOmittedBytes: number | null;
}

export interface MetadataChange {
  readonly name: string;
  /** null removes the entry. */
  readonly value: Uint8Array | null;
}

/** Why a write changed nothing; each maps to one RFC 5464 §4.3 response code. */
export type MetadataWriteResult =
  | { readonly kind: "written" }
  | { readonly kind: "tooLarge"; readonly maxEntryBytes: number }
  | { readonly kind: "tooMany"; readonly reason: "entries" | "accountBytes" }
  | { readonly kind: "noPrivate" }
  | { readonly kind: "readOnly"; readonly name: string };

/** Entries the server computes: read-only, not stored, not counted against limits. */
const SPECIAL_USE_ENTRY = "/private/specialuse";
const ADMIN_ENTRY = "/shared/admin";

const encoder = new TextEncoder();

export class MetadataService {
  constructor(
    private readonly store: MailStore,
    readonly settings: MetadataSettings,
  ) {}

  /**
   * The entries of a mailbox, or of the server (`mailbox` null), that `viewer` may see, for each asked
   * name: the entry itself (NIL when it has no value and DEPTH is 0) and, with DEPTH, the entries
   * below it that exist.
   * `accountId` owns the mailbox; `viewer` is the user whose private entries are meant.
   */
  async read(
    accountId: AccountId,
    viewer: AccountId,
    mailbox: MailboxRecord | null,
    query: MetadataQuery,
  ): Promise<MetadataReadResult> {
    const requests = query.names.map(parseEntryName);
    const records = await this.store.metadata.list(accountId, viewer, [mailbox?.id ?? null]);
    return select(this.#visibleEntries(records, mailbox), requests, query);
  }

  /** `read` for several mailboxes at once (RFC 9590 LIST RETURN (METADATA …)), in one store read. */
  async readMany(
    accountId: AccountId,
    viewer: AccountId,
    mailboxes: readonly MailboxRecord[],
    query: MetadataQuery,
  ): Promise<Map<MailboxId, MetadataReadResult>> {
    const requests = query.names.map(parseEntryName);
    const records = await this.store.metadata.list(
      accountId,
      viewer,
      mailboxes.map((m) => m.id),
    );
    const byMailbox = new Map<string, MetadataRecord[]>();
    for (const record of records) {
      const key = record.mailboxId ?? "";
      const list = byMailbox.get(key);
      if (list === undefined) byMailbox.set(key, [record]);
      else list.push(record);
    }
    const results = new Map<MailboxId, MetadataReadResult>();
    for (const mailbox of mailboxes) {
      const entries = this.#visibleEntries(byMailbox.get(mailbox.id) ?? [], mailbox);
      results.set(mailbox.id, select(entries, requests, query));
    }
    return results;
  }

  /**
   * Sets and removes entries of a mailbox or of the server, all or none (RFC 5464 §4.3); a later change
   * of the same name wins. Invalid names throw invalidInput; a missing mailbox nonexistent.
   */
  async write(
    accountId: AccountId,
    viewer: AccountId,
    mailbox: MailboxRecord | null,
    changes: readonly MetadataChange[],
  ): Promise<MetadataWriteResult> {
    const byName = new Map<string, { entry: EntryName; value: Uint8Array | null }>();
    for (const change of changes) {
      const entry = parseEntryName(change.name);
      if (entry.path === "") throw new MailError("invalidInput", `${change.name} cannot hold a value`);
      const name = formatEntryName(entry);
      byName.delete(name);
      byName.set(name, { entry, value: change.value });
    }
    const writes: MetadataWrite[] = [];
    for (const [name, { entry, value }] of byName) {
      if (this.#isComputed(name, mailbox)) return { kind: "readOnly", name };
      if (entry.scope === "private" && !this.settings.allowPrivate) return { kind: "noPrivate" };
      if (value !== null && value.length > this.settings.maxEntryBytes) {
        return { kind: "tooLarge", maxEntryBytes: this.settings.maxEntryBytes };
      }
      writes.push({ ownerId: entry.scope === "private" ? viewer : null, name: entry.path, value });
    }
    if (writes.length === 0) return { kind: "written" };
    const outcome = await this.store.metadata.write(accountId, mailbox?.id ?? null, writes, {
      maxEntriesPerMailbox: this.settings.maxEntriesPerMailbox,
      maxAccountBytes: this.settings.maxAccountBytes,
    });
    if (outcome === "tooManyEntries") return { kind: "tooMany", reason: "entries" };
    if (outcome === "accountFull") return { kind: "tooMany", reason: "accountBytes" };
    return { kind: "written" };
  }

  #isComputed(name: string, mailbox: MailboxRecord | null): boolean {
    return mailbox === null ? name === ADMIN_ENTRY : name === SPECIAL_USE_ENTRY;
  }

  /** Stored entries under their full names, plus the computed ones, sorted by name. */
  #visibleEntries(
    records: readonly MetadataRecord[],
    mailbox: MailboxRecord | null,
  ): Map<string, Uint8Array> {
    const entries = new Map<string, Uint8Array>();
    for (const record of records) {
      entries.set(`/${record.ownerId === null ? "shared" : "private"}${record.name}`, record.value);
    }
    if (mailbox === null && this.settings.adminUri !== null) {
      entries.set(ADMIN_ENTRY, encoder.encode(this.settings.adminUri));
    }
    if (mailbox?.specialUse) entries.set(SPECIAL_USE_ENTRY, encoder.encode(mailbox.specialUse));
    return new Map([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** The asked entries in request order, each followed by what DEPTH adds below it; MAXSIZE applied. */
function select(
  entries: ReadonlyMap<string, Uint8Array>,
  requests: readonly EntryName[],
  query: MetadataQuery,
): MetadataReadResult {
  const chosen = new Map<string, Uint8Array | null>();
  for (const request of requests) {
    const requested = formatEntryName(request);
    const value = entries.get(requested);
    if (value !== undefined && !chosen.has(requested)) chosen.set(requested, value);
    // Asked for alone, a missing entry is answered with NIL (as Dovecot does); with DEPTH it is only
    // where the search starts, and only entries that exist are listed (RFC 5464 §4.2.2's example).
    if (query.depth === 0) {
      if (value === undefined && request.path !== "" && !chosen.has(requested)) chosen.set(requested, null);
      continue;
    }
    for (const [name, value] of entries) {
      if (!chosen.has(name) && isWithinDepth(requested, name, query.depth)) chosen.set(name, value);
    }
  }
  let longestOmittedBytes: number | null = null;
  const result: MetadataEntryValue[] = [];
  for (const [name, value] of chosen) {
    if (value !== null && query.maxSize !== null && value.length > query.maxSize) {
      longestOmittedBytes = Math.max(longestOmittedBytes ?? 0, value.length);
      continue;
    }
    result.push({ name, value });
  }
  return { entries: result, longestOmittedBytes };
}
