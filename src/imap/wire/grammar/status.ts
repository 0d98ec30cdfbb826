// STATUS (RFC 9051 §6.3.11; SIZE of RFC 8438, HIGHESTMODSEQ of RFC 7162, APPENDLIMIT of RFC 7889,
// MAILBOXID of RFC 8474): `STATUS mailbox (item …)`.

import type { ArgumentCursor } from "../argument-cursor.js";
import { type ImapCommand, STATUS_ITEMS, type StatusItem } from "../command.js";

/** `"(" status-att *(SP status-att) ")"`; also used by LIST-STATUS (RFC 5819). */
export function parseStatusItems(c: ArgumentCursor): StatusItem[] {
  const items: StatusItem[] = [];
  c.list(() => {
    const name = c.keyword();
    if (!(STATUS_ITEMS as readonly string[]).includes(name)) c.fail(`Unknown STATUS item ${name}`);
    items.push(name as StatusItem);
  }, false);
  return items;
}

export function parseStatus(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mailbox = c.mailbox();
  c.expectSpace();
  const items = parseStatusItems(c);
  c.expectEnd();
  return { tag, name: "status", mailbox, items };
}
