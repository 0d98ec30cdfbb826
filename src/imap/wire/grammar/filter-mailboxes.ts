// RFC 5465 §8 `filter-mailboxes`, the mailbox specifiers NOTIFY watches, which RFC 7377 §6 reuses for
// ESEARCH's sources and extends with `subtree-one`. One parser, so both commands read them alike.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { NotifyFilter, SearchSource } from "../command.js";

/** `one-or-more-mailbox`: a single mailbox or a parenthesized list of them, after a space. */
function parseMailboxes(c: ArgumentCursor): string[] {
  c.expectSpace();
  const names: string[] = [];
  if (c.isListStart()) c.list(() => names.push(c.mailbox()), false);
  else names.push(c.mailbox());
  return names;
}

/** One specifier as ESEARCH reads it (`subtree-one` included); `what` names it in errors. */
export function parseSearchSource(c: ArgumentCursor, what: string): SearchSource {
  const name = c.keyword();
  switch (name) {
    case "SELECTED":
      return { kind: "selected" };
    case "SELECTED-DELAYED":
      return { kind: "selected-delayed" };
    case "INBOXES":
      return { kind: "inboxes" };
    case "PERSONAL":
      return { kind: "personal" };
    case "SUBSCRIBED":
      return { kind: "subscribed" };
    case "SUBTREE":
      return { kind: "subtree", mailboxes: parseMailboxes(c) };
    case "SUBTREE-ONE":
      return { kind: "subtree-one", mailboxes: parseMailboxes(c) };
    case "MAILBOXES":
      return { kind: "mailboxes", mailboxes: parseMailboxes(c) };
    default:
      return c.fail(`Unknown ${what} ${name.slice(0, 32)}`);
  }
}

/** One specifier as NOTIFY reads it: RFC 5465 has no `subtree-one`. */
export function parseNotifyFilter(c: ArgumentCursor): NotifyFilter {
  const source = parseSearchSource(c, "NOTIFY mailbox specifier");
  switch (source.kind) {
    case "subtree-one":
      return c.fail("Unknown NOTIFY mailbox specifier SUBTREE-ONE");
    case "subtree":
    case "mailboxes":
      return { kind: source.kind, mailboxes: source.mailboxes };
    default:
      return source;
  }
}
