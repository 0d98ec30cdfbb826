// Email/query's FilterCondition and FilterOperator (RFC 8621 §4.4.1, RFC 8620 §5.5), evaluated per Email
// (not per IMAP copy): mailbox, keyword, date and size conditions against the Email as JMAP shows it (all
// its mailboxes, the union of its copies' keywords, its receivedAt), thread keyword conditions against the
// keywords of every Email of its Thread, content conditions (text, addresses, subject, body, header,
// hasAttachment) through the same search and indexes IMAP SEARCH uses, each asked once.

import type { EmailId } from "../kit/ids.js";
import type { SearchQuery } from "../mail/search/search-query.js";
import type { EmailTextField, MailboxEntry } from "../store/mail-store.js";
import { isPlainObject } from "./args.js";
import { MethodError } from "./jmap-error.js";
import { isValidKeyword, keywordsOf } from "./keywords.js";

const TEXT_FIELDS: Readonly<Record<string, EmailTextField>> = {
  text: "text",
  from: "from",
  to: "to",
  cc: "cc",
  bcc: "bcc",
  subject: "subject",
  body: "body",
};

const unsupported = (description: string): MethodError => new MethodError("unsupportedFilter", description);

/** A checked filter as a tree; content conditions are numbered leaves whose matches are searched first. */
type FilterNode =
  | { readonly kind: "and" | "or" | "not"; readonly nodes: readonly FilterNode[] }
  | { readonly kind: "inMailbox"; readonly id: string }
  | { readonly kind: "inMailboxOtherThan"; readonly ids: readonly string[] }
  | { readonly kind: "keyword"; readonly keyword: string; readonly isPresent: boolean }
  | { readonly kind: "threadKeyword"; readonly keyword: string; readonly inThread: ThreadQuantifier }
  | { readonly kind: "received"; readonly isBefore: boolean; readonly atMs: number }
  | { readonly kind: "size"; readonly isMin: boolean; readonly bytes: number }
  | { readonly kind: "content"; readonly index: number };

/** allInThreadHaveKeyword, someInThreadHaveKeyword, noneInThreadHaveKeyword (RFC 8621 §4.4.1). */
type ThreadQuantifier = "all" | "some" | "none";
const THREAD_KEYWORD_CONDITIONS: Readonly<Record<string, ThreadQuantifier>> = {
  allInThreadHaveKeyword: "all",
  someInThreadHaveKeyword: "some",
  noneInThreadHaveKeyword: "none",
};

/** The keywords of a Thread's Emails: those every Email has, and those at least one has. */
export interface ThreadKeywords {
  readonly inEvery: ReadonlySet<string>;
  readonly inSome: ReadonlySet<string>;
}

/** The Email as a filter sees it. */
export interface FilterSubject {
  readonly id: EmailId;
  /** Every copy of the email (at least one). */
  readonly entries: readonly MailboxEntry[];
  readonly receivedAtMs: number;
  /** Its Thread's keywords; called only by thread keyword conditions, so the caller may compute lazily. */
  readonly threadKeywords: () => ThreadKeywords;
}

/** An Email's keywords: the union of its copies' (an IMAP flag set on one copy shows on the Email). */
export function emailKeywords(entries: readonly MailboxEntry[]): Set<string> {
  const keywords = new Set<string>();
  for (const entry of entries) for (const k of Object.keys(keywordsOf(entry.flags))) keywords.add(k);
  return keywords;
}

/** The ThreadKeywords of the Emails given by their copies. */
export function threadKeywordsOf(emails: Iterable<readonly MailboxEntry[]>): ThreadKeywords {
  let inEvery: Set<string> | null = null;
  const inSome = new Set<string>();
  for (const entries of emails) {
    const keywords = emailKeywords(entries);
    for (const k of keywords) inSome.add(k);
    if (inEvery === null) inEvery = keywords;
    else for (const k of inEvery) if (!keywords.has(k)) inEvery.delete(k);
  }
  return { inEvery: inEvery ?? new Set(), inSome };
}

export interface EmailFilter {
  /** Content conditions to search for in every mailbox; `matches` gets the emails each one found. */
  readonly contentQueries: readonly SearchQuery[];
  /** Whether a filter uses only properties that never change for an Email (RFC 8620 §5.6 upToId). */
  readonly isImmutable: boolean;
  /** Whether a condition reads keywords (an Email's or its Thread's): only then can a flag change matter. */
  readonly usesKeywords: boolean;
  matches(email: FilterSubject, contentHits: readonly ReadonlySet<EmailId>[]): boolean;
}

/** Checks a filter (before anything is searched) and compiles it; unsupportedFilter when it is wrong. */
export function compileEmailFilter(filter: unknown): EmailFilter {
  if (filter === undefined || filter === null) {
    return { contentQueries: [], isImmutable: true, usesKeywords: false, matches: () => true };
  }
  validate(filter, 0);
  const contentQueries: SearchQuery[] = [];
  const root = toNode(filter as Record<string, unknown>, contentQueries);
  return {
    contentQueries,
    isImmutable: isImmutableNode(root),
    usesKeywords: usesKeywordsNode(root),
    matches(email, contentHits) {
      // Built only when a condition asks: a query over 100,000 Emails by mailbox alone needs no keywords.
      let keywordSet: Set<string> | undefined;
      const keywords = (): Set<string> => {
        keywordSet ??= emailKeywords(email.entries);
        return keywordSet;
      };
      const isIn = (id: string): boolean => email.entries.some((e) => e.mailboxId === id);
      const size = email.entries[0]?.size ?? 0;
      const test = (node: FilterNode): boolean => {
        switch (node.kind) {
          case "and":
            return node.nodes.every(test);
          case "or":
            return node.nodes.some(test);
          case "not":
            return !node.nodes.some(test);
          case "inMailbox":
            return isIn(node.id);
          case "inMailboxOtherThan":
            return email.entries.some((e) => !node.ids.includes(e.mailboxId));
          case "keyword":
            return keywords().has(node.keyword) === node.isPresent;
          case "threadKeyword": {
            const thread = email.threadKeywords();
            if (node.inThread === "all") return thread.inEvery.has(node.keyword);
            return thread.inSome.has(node.keyword) === (node.inThread === "some");
          }
          case "received":
            return node.isBefore ? email.receivedAtMs < node.atMs : email.receivedAtMs >= node.atMs;
          case "size":
            return node.isMin ? size >= node.bytes : size < node.bytes;
          default:
            return contentHits[node.index]?.has(email.id) ?? false;
        }
      };
      return test(root);
    },
  };
}

const MAX_FILTER_DEPTH = 20;

function validate(filter: unknown, depth: number): void {
  if (!isPlainObject(filter)) throw unsupported("A filter must be an object");
  if (depth > MAX_FILTER_DEPTH) throw unsupported(`Filters nest at most ${MAX_FILTER_DEPTH} deep`);
  if ("operator" in filter) {
    const { operator, conditions } = filter;
    if (operator !== "AND" && operator !== "OR" && operator !== "NOT")
      throw unsupported(`Unknown operator ${String(operator)}`);
    if (!Array.isArray(conditions) || Object.keys(filter).length !== 2) {
      throw unsupported("A FilterOperator has exactly an operator and a list of conditions");
    }
    for (const condition of conditions) validate(condition, depth + 1);
    return;
  }
  for (const [name, value] of Object.entries(filter)) {
    if (name in TEXT_FIELDS || name === "inMailbox") {
      if (typeof value !== "string") throw unsupported(`"${name}" must be a string`);
    } else if (name === "hasKeyword" || name === "notKeyword" || name in THREAD_KEYWORD_CONDITIONS) {
      if (typeof value !== "string" || !isValidKeyword(value))
        throw unsupported(`"${name}" must be a keyword`);
    } else if (name === "inMailboxOtherThan") {
      if (!Array.isArray(value) || !value.every((id) => typeof id === "string"))
        throw unsupported(`"${name}" must be a list of ids`);
    } else if (name === "before" || name === "after") {
      if (typeof value !== "string" || !isUtcDate(value)) throw unsupported(`"${name}" must be a UTCDate`);
    } else if (name === "minSize" || name === "maxSize") {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
        throw unsupported(`"${name}" must be a size`);
    } else if (name === "hasAttachment") {
      if (typeof value !== "boolean") throw unsupported('"hasAttachment" must be a boolean');
    } else if (name === "header") {
      if (
        !Array.isArray(value) ||
        value.length < 1 ||
        value.length > 2 ||
        !value.every((v) => typeof v === "string") ||
        !/^[\x21-\x39\x3b-\x7e]+$/.test(value[0] as string)
      ) {
        throw unsupported('"header" must be [name] or [name, value]');
      }
    } else {
      throw unsupported(`The filter property "${name}" is not supported`);
    }
  }
}

function isUtcDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) && !Number.isNaN(Date.parse(value));
}

function toNode(filter: Record<string, unknown>, contentQueries: SearchQuery[]): FilterNode {
  if ("operator" in filter) {
    const nodes = (filter.conditions as Record<string, unknown>[]).map((c) => toNode(c, contentQueries));
    const kind = filter.operator === "AND" ? "and" : filter.operator === "OR" ? "or" : "not";
    return { kind, nodes };
  }
  const nodes = Object.entries(filter).map(([name, value]) => condition(name, value, contentQueries));
  return nodes.length === 1 ? (nodes[0] as FilterNode) : { kind: "and", nodes };
}

function condition(name: string, value: unknown, contentQueries: SearchQuery[]): FilterNode {
  const content = (query: SearchQuery): FilterNode => {
    contentQueries.push(query);
    return { kind: "content", index: contentQueries.length - 1 };
  };
  const field = TEXT_FIELDS[name];
  if (field !== undefined) return content({ kind: "text", field, value: value as string });
  const inThread = THREAD_KEYWORD_CONDITIONS[name];
  if (inThread !== undefined)
    return { kind: "threadKeyword", keyword: (value as string).toLowerCase(), inThread };
  switch (name) {
    case "inMailbox":
      return { kind: "inMailbox", id: value as string };
    case "inMailboxOtherThan":
      return { kind: "inMailboxOtherThan", ids: value as string[] };
    case "before":
    case "after":
      return { kind: "received", isBefore: name === "before", atMs: Date.parse(value as string) };
    case "minSize":
    case "maxSize":
      return { kind: "size", isMin: name === "minSize", bytes: value as number };
    case "hasKeyword":
    case "notKeyword":
      return { kind: "keyword", keyword: (value as string).toLowerCase(), isPresent: name === "hasKeyword" };
    case "hasAttachment": {
      // The store answers "has one"; `false` asks for the rest.
      const hasOne = content({ kind: "hasAttachment" });
      return value === true ? hasOne : { kind: "not", nodes: [hasOne] };
    }
    default: {
      const [header, text = ""] = value as string[];
      return content({ kind: "header", name: header as string, value: text });
    }
  }
}

/** Mailboxes and keywords of an Email (and of its Thread) change; its content, size and receivedAt do not. */
function usesKeywordsNode(node: FilterNode): boolean {
  if (node.kind === "and" || node.kind === "or" || node.kind === "not")
    return node.nodes.some(usesKeywordsNode);
  return node.kind === "keyword" || node.kind === "threadKeyword";
}

function isImmutableNode(node: FilterNode): boolean {
  switch (node.kind) {
    case "and":
    case "or":
    case "not":
      return node.nodes.every(isImmutableNode);
    case "inMailbox":
    case "inMailboxOtherThan":
    case "keyword":
    case "threadKeyword":
      return false;
    default:
      return true;
  }
}
