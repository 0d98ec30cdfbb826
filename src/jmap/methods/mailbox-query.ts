// Mailbox/query (RFC 8621 §2.3): filter by parentId, name, role, hasAnyRole, isSubscribed; sort by name
// or sortOrder; position and limit.

import type { MailboxRecord } from "../../store/mail-store.js";
import { requireAccount } from "../account-check.js";
import {
  type Args,
  checkKnownArgs,
  isPlainObject,
  readBoolean,
  readInt,
  readOptionalUnsigned,
} from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError } from "../jmap-error.js";
import { roleOf } from "../mailbox-object.js";
import { currentAccount, formatState } from "../state.js";

/** The arguments Mailbox/query and Mailbox/queryChanges share. */
export const MAILBOX_QUERY_ARGS = ["accountId", "filter", "sort", "sortAsTree", "filterAsTree"] as const;

/** Every matching mailbox id in order, with the state it was read at. */
export async function runMailboxQuery(
  ctx: JmapContext,
  args: Args,
): Promise<{ queryState: string; ids: string[] }> {
  if (readBoolean(args, "sortAsTree", false) || readBoolean(args, "filterAsTree", false)) {
    throw new MethodError("unsupportedSort", "sortAsTree and filterAsTree are not supported yet");
  }
  const queryState = formatState((await currentAccount(ctx)).highestModSeq);
  const mailboxes = (await ctx.services.store.mailboxes.list(ctx.account.id)).filter(
    (m) => ctx.shared === undefined || ctx.shared.rights.has(m.id),
  );
  const subscriptions = new Set(
    ctx.shared === undefined ? await ctx.services.store.mailboxes.listSubscriptions(ctx.account.id) : [],
  );
  const byName = new Map(mailboxes.map((m) => [m.name, m]));
  const parentIdOf = (m: MailboxRecord): string | null => {
    const slash = m.name.lastIndexOf("/");
    return slash < 0 ? null : (byName.get(m.name.slice(0, slash))?.id ?? null);
  };
  const matches = mailboxFilter(args.filter, parentIdOf, subscriptions);
  const sorted = mailboxes.filter(matches).sort(mailboxOrder(args.sort));
  return { queryState, ids: sorted.map((m) => m.id as string) };
}

export async function mailboxQuery(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, [...MAILBOX_QUERY_ARGS, "position", "limit", "calculateTotal"]);
  const accountId = requireAccount(ctx, args);
  const position = readInt(args, "position", 0, 0);
  const limit = readOptionalUnsigned(args, "limit");
  const calculateTotal = readBoolean(args, "calculateTotal", false);
  const { queryState, ids } = await runMailboxQuery(ctx, args);
  return {
    accountId,
    queryState,
    canCalculateChanges: true,
    position: Math.min(position, ids.length),
    ids: ids.slice(position, limit === null ? undefined : position + limit),
    ...(calculateTotal ? { total: ids.length } : {}),
  };
}

function mailboxFilter(
  filter: unknown,
  parentIdOf: (m: MailboxRecord) => string | null,
  subscriptions: ReadonlySet<string>,
): (m: MailboxRecord) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw new MethodError("unsupportedFilter", "A filter must be an object");
  if ("operator" in filter) {
    const { operator, conditions } = filter;
    if (!Array.isArray(conditions) || !["AND", "OR", "NOT"].includes(operator as string)) {
      throw new MethodError("unsupportedFilter", "A FilterOperator has an operator and conditions");
    }
    const tests = conditions.map((c) => mailboxFilter(c, parentIdOf, subscriptions));
    if (operator === "AND") return (m) => tests.every((t) => t(m));
    if (operator === "OR") return (m) => tests.some((t) => t(m));
    return (m) => !tests.some((t) => t(m));
  }
  const tests: ((m: MailboxRecord) => boolean)[] = [];
  for (const [name, value] of Object.entries(filter)) {
    if (name === "parentId" && (value === null || typeof value === "string"))
      tests.push((m) => parentIdOf(m) === value);
    else if (name === "name" && typeof value === "string") {
      const needle = value.toLowerCase();
      tests.push((m) => (m.name.split("/").at(-1) ?? "").toLowerCase().includes(needle));
    } else if (name === "role" && (value === null || typeof value === "string"))
      tests.push((m) => roleOf(m) === value);
    else if (name === "hasAnyRole" && typeof value === "boolean")
      tests.push((m) => (roleOf(m) !== null) === value);
    else if (name === "isSubscribed" && typeof value === "boolean")
      tests.push((m) => subscriptions.has(m.name) === value);
    else throw new MethodError("unsupportedFilter", `The filter property "${name}" is not supported`);
  }
  return (m) => tests.every((t) => t(m));
}

function mailboxOrder(sort: unknown): (a: MailboxRecord, b: MailboxRecord) => number {
  if (sort === undefined || sort === null) return (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (!Array.isArray(sort)) throw new MethodError("invalidArguments", '"sort" must be a list');
  const keys = sort.map((c) => {
    if (!isPlainObject(c) || (c.property !== "name" && c.property !== "sortOrder")) {
      throw new MethodError("unsupportedSort", "Mailboxes sort by name or sortOrder");
    }
    return { byName: c.property === "name", sign: c.isAscending === false ? -1 : 1 };
  });
  return (a, b) => {
    for (const key of keys) {
      const x = key.byName ? (a.name.split("/").at(-1) ?? "") : a.name === "INBOX" ? 0 : 10;
      const y = key.byName ? (b.name.split("/").at(-1) ?? "") : b.name === "INBOX" ? 0 : 10;
      if (x !== y) return (x < y ? -1 : 1) * key.sign;
    }
    return a.id < b.id ? -1 : 1;
  };
}
