// Email/query's FilterCondition and FilterOperator (RFC 8621 §4.4.1, RFC 8620 §5.5) translated into the
// mail layer's SearchQuery, once per mailbox: mailbox conditions become constants there, everything else
// the same search IMAP SEARCH runs, on the same indexes.

import type { SearchQuery } from "../mail/search/search-query.js";
import type { EmailTextField } from "../store/mail-store.js";
import { isPlainObject } from "./args.js";
import { MethodError } from "./jmap-error.js";
import { flagsOf, isValidKeyword } from "./keywords.js";

const ALL: SearchQuery = { kind: "all" };
const NONE: SearchQuery = { kind: "not", query: ALL };

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

/** Checks a filter once (before any mailbox is searched) and returns a translator per mailbox. */
export function compileEmailFilter(filter: unknown): (mailboxId: string) => SearchQuery {
  if (filter === undefined || filter === null) return () => ALL;
  validate(filter, 0);
  return (mailboxId) => translate(filter as Record<string, unknown>, mailboxId);
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
    } else if (name === "hasKeyword" || name === "notKeyword") {
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

function translate(filter: Record<string, unknown>, mailboxId: string): SearchQuery {
  if ("operator" in filter) {
    const queries = (filter.conditions as Record<string, unknown>[]).map((c) => translate(c, mailboxId));
    if (filter.operator === "AND") return { kind: "and", queries };
    if (filter.operator === "OR") return queries.length === 0 ? NONE : { kind: "or", queries };
    return queries.length === 0 ? ALL : { kind: "not", query: { kind: "or", queries } };
  }
  const queries: SearchQuery[] = [];
  for (const [name, value] of Object.entries(filter)) queries.push(condition(name, value, mailboxId));
  return queries.length === 1 ? (queries[0] as SearchQuery) : { kind: "and", queries };
}

function condition(name: string, value: unknown, mailboxId: string): SearchQuery {
  const field = TEXT_FIELDS[name];
  if (field !== undefined) return { kind: "text", field, value: value as string };
  switch (name) {
    case "inMailbox":
      return value === mailboxId ? ALL : NONE;
    case "inMailboxOtherThan":
      return (value as string[]).includes(mailboxId) ? NONE : ALL;
    case "before":
      return { kind: "date", field: "internal", sinceMs: null, beforeMs: Date.parse(value as string) };
    case "after":
      return { kind: "date", field: "internal", sinceMs: Date.parse(value as string), beforeMs: null };
    case "minSize":
      return (value as number) === 0 ? ALL : { kind: "size", isLarger: true, bytes: (value as number) - 1 };
    case "maxSize":
      return { kind: "size", isLarger: false, bytes: value as number };
    case "hasKeyword":
      return keywordQuery(value as string);
    case "notKeyword":
      return { kind: "not", query: keywordQuery(value as string) };
    default: {
      const [header, text = ""] = value as string[];
      return { kind: "header", name: header as string, value: text };
    }
  }
}

function keywordQuery(keyword: string): SearchQuery {
  const flags = flagsOf([keyword], false);
  const [flag] = flags.system;
  return flag === undefined ? { kind: "keyword", keyword } : { kind: "flag", flag };
}
