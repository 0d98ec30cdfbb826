// NOTIFY (RFC 5465 §3.1, §8): `NOTIFY NONE` and `NOTIFY SET [STATUS] (filter events) …`. The rules the
// RFC makes a tagged BAD are checked here (§5: MessageNew and MessageExpunge together, FlagChange and
// AnnotationChange only with both; §6.1: one selected specifier, only message events with it); which
// events this server supports is the command's business (NO [BADEVENT]).

import type { ArgumentCursor } from "../argument-cursor.js";
import type {
  ImapCommand,
  NotifyEventArgument,
  NotifyEventGroup,
  NotifyFilter,
  NotifySetArguments,
} from "../command.js";
import type { FetchAttribute } from "../fetch-attribute.js";
import { parseFetchAttribute } from "./fetch.js";
import { parseNotifyFilter } from "./filter-mailboxes.js";

/** The events RFC 5465 §5 defines, spelled as it does; event names are case-insensitive (§8). */
export const NOTIFY_EVENT_NAMES = [
  "MessageNew",
  "MessageExpunge",
  "FlagChange",
  "AnnotationChange",
  "MailboxName",
  "SubscriptionChange",
  "MailboxMetadataChange",
  "ServerMetadataChange",
] as const;
export type NotifyEventName = (typeof NOTIFY_EVENT_NAMES)[number];

/** §8 `message-event`: the only events allowed with `selected` and `selected-delayed`. */
export const MESSAGE_EVENTS: ReadonlySet<string> = new Set([
  "MessageNew",
  "MessageExpunge",
  "FlagChange",
  "AnnotationChange",
]);

const CANONICAL = new Map<string, string>(NOTIFY_EVENT_NAMES.map((name) => [name.toUpperCase(), name]));

function parseEvent(c: ArgumentCursor): NotifyEventArgument {
  const atom = c.keyword();
  const name = CANONICAL.get(atom) ?? atom;
  // `MessageNew (fetch-att …)`: the attributes to send with each new message of the selected mailbox.
  if (name === "MessageNew" && c.peek() === 0x20 && c.peek(1) === 0x28) {
    c.expectSpace();
    const attributes: FetchAttribute[] = [];
    c.list(() => attributes.push(parseFetchAttribute(c)), false);
    return { name, fetch: { kind: "attributes", attributes } };
  }
  return { name, fetch: null };
}

function checkEvents(c: ArgumentCursor, filter: NotifyFilter, events: readonly NotifyEventArgument[]): void {
  const names = new Set(events.map((e) => e.name));
  const isSelected = filter.kind === "selected" || filter.kind === "selected-delayed";
  if (isSelected) {
    for (const name of names) {
      if (!MESSAGE_EVENTS.has(name)) c.fail(`${name} cannot be asked for the selected mailbox`);
    }
  }
  const hasNew = names.has("MessageNew");
  const hasExpunge = names.has("MessageExpunge");
  if (hasNew !== hasExpunge) c.fail("MessageNew and MessageExpunge must be asked for together");
  if ((names.has("FlagChange") || names.has("AnnotationChange")) && !hasNew) {
    c.fail("FlagChange and AnnotationChange need MessageNew and MessageExpunge");
  }
}

function parseGroup(c: ArgumentCursor): NotifyEventGroup {
  c.openList();
  const filter = parseNotifyFilter(c);
  c.expectSpace();
  let events: NotifyEventArgument[] | null = null;
  if (!c.tryKeyword("NONE")) {
    const list: NotifyEventArgument[] = [];
    c.list(() => list.push(parseEvent(c)), false);
    checkEvents(c, filter, list);
    events = list;
  }
  c.closeList();
  return { filter, events };
}

export function parseNotify(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  if (c.tryKeyword("NONE")) {
    c.expectEnd();
    return { tag, name: "notify", set: null };
  }
  c.expectKeyword("SET");
  c.expectSpace();
  const isStatus = c.tryKeyword("STATUS");
  if (isStatus) c.expectSpace();
  const groups: NotifyEventGroup[] = [parseGroup(c)];
  while (c.skipSpace()) groups.push(parseGroup(c));
  c.expectEnd();
  const selectedGroups = groups.filter(
    (g) => g.filter.kind === "selected" || g.filter.kind === "selected-delayed",
  );
  if (selectedGroups.length > 1) c.fail("Only one selected or selected-delayed group is allowed");
  return { tag, name: "notify", set: { isStatus, groups } satisfies NotifySetArguments };
}
