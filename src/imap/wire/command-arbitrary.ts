// fast-check generators of `ImapCommand`s (test support, not used at run time): every value is in the
// canonical form the parser produces, so `parse(format(command))` must deep-equal it.

import fc from "fast-check";
import type { ModSeq } from "../../kit/ids.js";
import type { ImapDate, ImapDateTime } from "./argument-cursor.js";
import {
  type ImapCommand,
  type NotifyEventArgument,
  type NotifyEventGroup,
  type NotifySetArguments,
  SEARCH_RETURN_OPTIONS,
  SORT_KEY_NAMES,
  SORT_RETURN_OPTIONS,
  STATUS_ITEMS,
  THREAD_ALGORITHM_NAMES,
} from "./command.js";
import {
  type BodySection,
  type FetchAttribute,
  type FetchItems,
  SIMPLE_FETCH_ATTRIBUTES,
} from "./fetch-attribute.js";
import { normalizeInbox } from "./mailbox-name.js";
import type { SearchKey } from "./search-key.js";
import { normalizeRange, type SequenceSet } from "./seqset.js";

const tag = fc.stringMatching(/^[A-Za-z0-9.]{1,8}$/);
const atom = fc.stringMatching(/^[A-Za-z0-9$_-]{1,10}$/);
const keywordAtom = atom.filter((a) => a.toUpperCase() !== "NIL");
const mailbox = fc.string({ unit: "grapheme", maxLength: 20 }).map(normalizeInbox);
const text = fc.string({ unit: "grapheme", maxLength: 30 }).filter((s) => !s.includes("\0"));
const nz = fc.integer({ min: 1, max: 0xffffffff });
/** RFC 9394 ranges as the parser normalizes them: |first| <= |last|, both of one sign. */
const partialRange = fc
  .tuple(fc.integer({ min: 1, max: 0xffff_ffff }), fc.integer({ min: 1, max: 0xffff_ffff }), fc.boolean())
  .map(([a, b, isFromEnd]) => {
    const low = Math.min(a, b);
    const high = Math.max(a, b);
    return isFromEnd ? { first: -low, last: -high } : { first: low, last: high };
  });

/** PARTIAL exists only inside RETURN (…), and never beside ALL (RFC 9394 §3.1). */
function withValidPartial<C extends { returns: readonly string[] | null; partial: unknown }>(command: C): C {
  if (command.returns === null) return { ...command, partial: null };
  if (command.partial !== null) return { ...command, returns: command.returns.filter((o) => o !== "ALL") };
  return command;
}

/** Metadata entry names as the grammar takes them (any astring); "/" first, as real ones have. */
const metadataEntry = text.map((t) => `/${t}`);
const metadataOptions = fc.record({
  maxSize: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: null }),
  depth: fc.constantFrom(0 as const, 1 as const, "infinity" as const),
});
const modSeq = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((n) => n as ModSeq);
const seqNumber = fc.oneof(nz, fc.constant("*" as const));
const ranges = fc
  .array(fc.tuple(seqNumber, seqNumber), { minLength: 1, maxLength: 5 })
  .map((pairs): SequenceSet => ({ kind: "ranges", ranges: pairs.map(([a, b]) => normalizeRange(a, b)) }));
const sequenceSet: fc.Arbitrary<SequenceSet> = fc.oneof(
  { weight: 5, arbitrary: ranges },
  { weight: 1, arbitrary: fc.constant<SequenceSet>({ kind: "saved" }) },
);
const flag = fc.oneof(
  fc.constantFrom("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"),
  keywordAtom,
  keywordAtom.map((a) => `\\${a}`).filter((f) => f.toUpperCase() !== "\\RECENT"),
);
const flags = fc
  .array(flag, { maxLength: 4 })
  .map((fs) => fs.map((f) => (f.startsWith("\\") ? f : f)).filter((f, i, all) => all.indexOf(f) === i));
/** An APPEND/REPLACE message sent as one literal (RFC 3502, RFC 3516 literal8, RFC 6855 UTF8). */
const appendMessageOf = () =>
  fc.record({
    flags,
    internalDate: fc.option(dateTime, { nil: null }),
    isUtf8: fc.boolean(),
    isBinary: fc.boolean(),
    size: fc.nat({ max: 50 }),
  });
/** RFC 4469 cat-parts: TEXT literals and URLs (any text, which the formatter quotes or sends as a literal). */
const catenatePart = fc.oneof(
  fc.record({ kind: fc.constant("text" as const), size: fc.nat({ max: 20 }), isBinary: fc.boolean() }),
  fc.record({ kind: fc.constant("url" as const), url: text }),
);
const date: fc.Arbitrary<ImapDate> = fc.record({
  year: fc.integer({ min: 1970, max: 2100 }),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 28 }),
});
const dateTime: fc.Arbitrary<ImapDateTime> = fc.record({
  year: fc.integer({ min: 1970, max: 2100 }),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 28 }),
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.integer({ min: 0, max: 59 }),
  second: fc.integer({ min: 0, max: 59 }),
  zoneMinutes: fc.integer({ min: -12 * 60, max: 14 * 60 }),
});
const appendMessage = appendMessageOf();
/** A CATENATE message (RFC 4469 §5): its size is what its TEXT parts hold, as the parser counts it. */
const catenateMessage = fc
  .record({
    flags,
    internalDate: fc.option(dateTime, { nil: null }),
    catenate: fc.array(catenatePart, { minLength: 1, maxLength: 4 }),
  })
  .map(({ flags: messageFlags, internalDate, catenate }) => ({
    flags: messageFlags,
    internalDate,
    isUtf8: false,
    isBinary: false,
    size: catenate.reduce((sum, p) => sum + (p.kind === "text" ? p.size : 0), 0),
    catenate,
  }));
const subset = <T>(values: readonly T[]): fc.Arbitrary<T[]> =>
  fc.subarray([...values]).map((picked) => values.filter((v) => picked.includes(v)));

const searchKey: fc.Arbitrary<SearchKey> = fc.letrec<{ key: SearchKey }>((tie) => ({
  key: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({
      kind: fc.constant("flag" as const),
      name: fc.constantFrom(
        "ALL",
        "ANSWERED",
        "DELETED",
        "SEEN",
        "UNSEEN",
        "NEW",
        "OLD",
        "RECENT",
        "SAVEDATESUPPORTED",
      ),
    }),
    fc.record({
      kind: fc.constant("text" as const),
      name: fc.constantFrom("BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO"),
      value: text,
    }),
    fc.record({ kind: fc.constant("header" as const), field: atom, value: text }),
    fc.record({ kind: fc.constant("keyword" as const), isSet: fc.boolean(), keyword: keywordAtom }),
    fc.record({
      kind: fc.constant("date" as const),
      name: fc.constantFrom("BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE", "SAVEDBEFORE"),
      date,
    }),
    fc.record({ kind: fc.constant("size" as const), isLarger: fc.boolean(), bytes: fc.nat() }),
    fc.record({ kind: fc.constant("age" as const), isOlder: fc.boolean(), seconds: nz }),
    fc.record({ kind: fc.constant("sequenceSet" as const), set: sequenceSet }),
    fc.record({ kind: fc.constant("uid" as const), set: sequenceSet }),
    fc.record({
      kind: fc.constant("modSeq" as const),
      modSeq: fc.nat(),
      entry: fc.option(
        fc.record({
          flag: fc.constantFrom("\\Seen", "$Junk"),
          type: fc.constantFrom("priv", "shared", "all"),
        }),
        {
          nil: null,
        },
      ),
    }),
    fc.record({ kind: fc.constantFrom("emailId" as const, "threadId" as const), id: atom }),
    fc.record({ kind: fc.constant("not" as const), key: tie("key") }),
    fc.record({ kind: fc.constant("or" as const), left: tie("key"), right: tie("key") }),
    fc.record({
      kind: fc.constant("and" as const),
      keys: fc.array(tie("key"), { minLength: 1, maxLength: 3 }),
    }),
  ) as fc.Arbitrary<SearchKey>,
})).key;

const part = fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 3 });
const partial = fc.option(fc.record({ offset: fc.nat(), length: nz }), { nil: null });
const section: fc.Arbitrary<BodySection> = fc.oneof(
  fc.record({ part, text: fc.constant(null) }),
  fc.record({
    part,
    text: fc.oneof(
      fc.constant({ kind: "header" as const }),
      fc.constant({ kind: "text" as const }),
      fc.record({
        kind: fc.constant("headerFields" as const),
        isNot: fc.boolean(),
        fields: fc.array(atom, { minLength: 1, maxLength: 3 }),
      }),
    ),
  }),
  fc.record({
    part: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 3 }),
    text: fc.constant({ kind: "mime" as const }),
  }),
);
const fetchAttribute: fc.Arbitrary<FetchAttribute> = fc.oneof(
  fc.constantFrom(...SIMPLE_FETCH_ATTRIBUTES.map((kind) => ({ kind }) as FetchAttribute)),
  fc.record({ kind: fc.constant("PREVIEW" as const), isLazy: fc.boolean() }),
  fc.record({ kind: fc.constant("BODY[]" as const), isPeek: fc.boolean(), section, partial }),
  fc.record({ kind: fc.constant("BINARY[]" as const), isPeek: fc.boolean(), part, partial }),
  fc.record({ kind: fc.constant("BINARY.SIZE" as const), part }),
);
const fetchItems: fc.Arbitrary<FetchItems> = fc.oneof(
  fc.record({
    kind: fc.constant("macro" as const),
    macro: fc.constantFrom("ALL" as const, "FAST" as const, "FULL" as const),
  }),
  fc.record({
    kind: fc.constant("attributes" as const),
    attributes: fc.array(fetchAttribute, { minLength: 1, maxLength: 5 }),
  }),
);
/** A NOTIFY event list that obeys RFC 5465 §5's pairing rules (MessageNew and MessageExpunge together). */
const notifyEvents = (isSelected: boolean): fc.Arbitrary<NotifyEventArgument[] | null> =>
  fc.option(
    fc
      .record({
        messages: fc.boolean(),
        newFetch: fc.option(fc.array(fetchAttribute, { minLength: 1, maxLength: 3 }), { nil: null }),
        flags: fc.boolean(),
        others: isSelected
          ? fc.constant([] as string[])
          : fc.subarray(["MailboxName", "SubscriptionChange", "ServerMetadataChange", "XFOO"]),
      })
      .map(({ messages, newFetch, flags, others }) => {
        const events: NotifyEventArgument[] = [];
        if (messages || others.length === 0) {
          events.push({
            name: "MessageNew",
            fetch: newFetch === null ? null : { kind: "attributes", attributes: newFetch },
          });
          events.push({ name: "MessageExpunge", fetch: null });
          if (flags) events.push({ name: "FlagChange", fetch: null });
        }
        for (const name of others) events.push({ name, fetch: null });
        return events;
      }),
    { nil: null },
  );
const notifyGroup: fc.Arbitrary<NotifyEventGroup> = fc.oneof(
  fc
    .constantFrom("inboxes" as const, "personal" as const, "subscribed" as const)
    .chain((kind) => notifyEvents(false).map((events) => ({ filter: { kind }, events }))),
  fc
    .record({
      kind: fc.constantFrom("subtree" as const, "mailboxes" as const),
      mailboxes: fc.array(mailbox, { minLength: 1, maxLength: 3 }),
    })
    .chain((filter) => notifyEvents(false).map((events) => ({ filter, events }))),
);
const notifySet: fc.Arbitrary<NotifySetArguments> = fc
  .record({
    isStatus: fc.boolean(),
    selected: fc.option(fc.constantFrom("selected" as const, "selected-delayed" as const), { nil: null }),
    selectedEvents: notifyEvents(true),
    others: fc.array(notifyGroup, { maxLength: 3 }),
  })
  .map(({ isStatus, selected, selectedEvents, others }) => ({
    isStatus,
    groups:
      selected === null && others.length > 0
        ? others
        : [{ filter: { kind: selected ?? "selected" }, events: selectedEvents }, ...others],
  }));
const selectArgs = fc.record({
  mailbox,
  condstore: fc.boolean(),
  qresync: fc.option(
    fc.record({
      uidValidity: nz,
      modSeq,
      knownUids: fc.option(ranges, { nil: null }),
      sequenceMatch: fc.option(fc.record({ sequences: ranges, uids: ranges }), { nil: null }),
    }),
    { nil: null },
  ),
});
const noArgument = fc.constantFrom(
  "capability",
  "noop",
  "logout",
  "starttls",
  "namespace",
  "idle",
  "check",
  "close",
  "unselect",
  "unauthenticate",
) as fc.Arbitrary<
  | "capability"
  | "noop"
  | "logout"
  | "starttls"
  | "namespace"
  | "idle"
  | "check"
  | "close"
  | "unselect"
  | "unauthenticate"
>;

/** Any command, in canonical parsed form. */
export const imapCommand: fc.Arbitrary<ImapCommand> = fc.oneof(
  fc.record({ tag, name: noArgument }),
  fc.record({
    tag,
    name: fc.constant("authenticate" as const),
    mechanism: fc.constantFrom("PLAIN", "LOGIN", "SCRAM-SHA-256", "XOAUTH2"),
    initialResponse: fc.option(fc.oneof(fc.constant("="), fc.base64String({ minLength: 4, maxLength: 40 })), {
      nil: null,
    }),
  }),
  fc.record({ tag, name: fc.constant("login" as const), username: text, password: text }),
  fc.record({
    tag,
    name: fc.constant("enable" as const),
    capabilities: fc.array(
      atom.map((a) => a.toUpperCase()),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record({
    tag,
    name: fc.constant("id" as const),
    parameters: fc.option(
      fc.array(fc.record({ key: text, value: fc.option(text, { nil: null }) }), { maxLength: 4 }),
      {
        nil: null,
      },
    ),
  }),
  fc
    .tuple(tag, fc.constantFrom("select" as const, "examine" as const), selectArgs)
    .map(([t, name, a]) => ({ tag: t, name, ...a })),
  fc.record({
    tag,
    name: fc.constant("create" as const),
    mailbox,
    specialUse: fc.array(fc.constantFrom("\\Drafts", "\\Sent", "\\Junk", "\\Archive"), { maxLength: 2 }),
  }),
  fc.record({
    tag,
    name: fc.constantFrom("delete" as const, "subscribe" as const, "unsubscribe" as const),
    mailbox,
  }),
  fc.record({ tag, name: fc.constant("rename" as const), from: mailbox, to: mailbox }),
  fc.record({ tag, name: fc.constant("compress" as const), mechanism: atom.map((a) => a.toUpperCase()) }),
  fc.record({ tag, name: fc.constant("getquota" as const), root: text }),
  fc.record({ tag, name: fc.constant("getquotaroot" as const), mailbox }),
  fc.record({ tag, name: fc.constant("setacl" as const), mailbox, identifier: text, rights: text }),
  fc.record({ tag, name: fc.constant("deleteacl" as const), mailbox, identifier: text }),
  fc.record({ tag, name: fc.constantFrom("getacl" as const, "myrights" as const), mailbox }),
  fc.record({ tag, name: fc.constant("listrights" as const), mailbox, identifier: text }),
  fc.record({
    tag,
    name: fc.constant("setquota" as const),
    root: text,
    limits: fc.array(fc.record({ resource: atom.map((a) => a.toUpperCase()), limit: fc.maxSafeNat() }), {
      maxLength: 3,
    }),
  }),
  fc
    .record({
      tag,
      name: fc.constant("list" as const),
      reference: mailbox,
      patterns: fc.array(mailbox, { minLength: 1, maxLength: 3 }),
      selection: fc.record({
        subscribed: fc.boolean(),
        remote: fc.boolean(),
        recursiveMatch: fc.boolean(),
        specialUse: fc.boolean(),
      }),
      returns: fc.record({
        subscribed: fc.boolean(),
        children: fc.boolean(),
        specialUse: fc.boolean(),
        status: fc.option(
          subset(STATUS_ITEMS).filter((s) => s.length > 0),
          { nil: null },
        ),
        metadata: fc.option(
          fc.record({
            entries: fc.array(metadataEntry, { minLength: 1, maxLength: 3 }),
            options: metadataOptions,
          }),
          { nil: null },
        ),
      }),
    })
    .filter((c) => !c.selection.recursiveMatch || c.selection.subscribed || c.selection.specialUse),
  fc.record({ tag, name: fc.constant("lsub" as const), reference: mailbox, pattern: mailbox }),
  fc.record({
    tag,
    name: fc.constant("getmetadata" as const),
    mailbox,
    options: metadataOptions,
    entries: fc.array(metadataEntry, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    tag,
    name: fc.constant("setmetadata" as const),
    mailbox,
    entries: fc.array(
      fc.record({
        entry: metadataEntry,
        value: fc.option(
          fc.uint8Array({ maxLength: 20 }).map((bytes) => new Uint8Array(bytes)),
          { nil: null },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record({
    tag,
    name: fc.constant("status" as const),
    mailbox,
    items: subset(STATUS_ITEMS).filter((s) => s.length > 0),
  }),
  fc.record({
    tag,
    name: fc.constant("append" as const),
    mailbox,
    messages: fc.array(fc.oneof(appendMessage, catenateMessage), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    tag,
    name: fc.constant("replace" as const),
    uid: fc.boolean(),
    target: seqNumber,
    mailbox,
    message: fc.oneof(appendMessage, catenateMessage),
  }),
  fc.record({ tag, name: fc.constant("expunge" as const), uid: fc.constant(false as const) }),
  fc.record({
    tag,
    name: fc.constant("expunge" as const),
    uid: fc.constant(true as const),
    set: sequenceSet,
  }),
  fc
    .record({
      tag,
      name: fc.constant("search" as const),
      uid: fc.boolean(),
      charset: fc.option(fc.constantFrom("UTF-8", "US-ASCII"), { nil: null }),
      returns: fc.option(subset(SEARCH_RETURN_OPTIONS), { nil: null }),
      partial: fc.option(partialRange, { nil: null }),
      criteria: fc.array(searchKey, { minLength: 1, maxLength: 3 }),
    })
    .map(withValidPartial),
  fc
    .record({
      tag,
      name: fc.constant("sort" as const),
      uid: fc.boolean(),
      returns: fc.option(subset(SORT_RETURN_OPTIONS), { nil: null }),
      partial: fc.option(partialRange, { nil: null }),
      sortCriteria: fc.array(
        fc.record({ key: fc.constantFrom(...SORT_KEY_NAMES), isReverse: fc.boolean() }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      charset: fc.constantFrom("UTF-8", "US-ASCII"),
      criteria: fc.array(searchKey, { minLength: 1, maxLength: 3 }),
    })
    .map(withValidPartial),
  fc
    .record({
      tag,
      name: fc.constant("esearch" as const),
      sources: fc.option(
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constantFrom(
                "selected" as const,
                "selected-delayed" as const,
                "inboxes" as const,
                "personal" as const,
                "subscribed" as const,
              ),
            }),
            fc.record({
              kind: fc.constantFrom("subtree" as const, "subtree-one" as const, "mailboxes" as const),
              mailboxes: fc.array(mailbox, { minLength: 1, maxLength: 3 }),
            }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        { nil: null },
      ),
      charset: fc.option(fc.constantFrom("UTF-8", "US-ASCII"), { nil: null }),
      returns: fc.option(subset(SEARCH_RETURN_OPTIONS), { nil: null }),
      partial: fc.option(partialRange, { nil: null }),
      criteria: fc.array(searchKey, { minLength: 1, maxLength: 3 }),
    })
    .map(withValidPartial),
  fc.record({
    tag,
    name: fc.constant("cancelupdate" as const),
    tags: fc.array(tag, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    tag,
    name: fc.constant("thread" as const),
    uid: fc.boolean(),
    algorithm: fc.constantFrom(...THREAD_ALGORITHM_NAMES),
    charset: fc.constantFrom("UTF-8", "US-ASCII"),
    criteria: fc.array(searchKey, { minLength: 1, maxLength: 3 }),
  }),
  fc
    .record({
      tag,
      name: fc.constant("fetch" as const),
      uid: fc.boolean(),
      set: sequenceSet,
      items: fetchItems,
      changedSince: fc.option(modSeq, { nil: null }),
      vanished: fc.boolean(),
      partial: fc.option(partialRange, { nil: null }),
    })
    .map((c) => ({ ...c, vanished: c.vanished && c.uid && c.changedSince !== null })),
  fc.record({ tag, name: fc.constant("notify" as const), set: fc.option(notifySet, { nil: null }) }),
  fc.record({
    tag,
    name: fc.constant("store" as const),
    uid: fc.boolean(),
    set: sequenceSet,
    unchangedSince: fc.option(modSeq, { nil: null }),
    action: fc.constantFrom("replace" as const, "add" as const, "remove" as const),
    silent: fc.boolean(),
    flags,
  }),
  fc.record({
    tag,
    name: fc.constantFrom("copy" as const, "move" as const),
    uid: fc.boolean(),
    set: sequenceSet,
    mailbox,
  }),
);
