// SETQUOTA (RFC 9208 §4.1.3): `SETQUOTA quota-root "(" [setquota-resource *(SP setquota-resource)] ")"`,
// setquota-resource = resource-name SP resource-limit (number64). Resource names are upper-cased; which
// ones exist is the handler's business (the grammar allows any atom).

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand, QuotaLimitArgument } from "../command.js";

export function parseSetQuota(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const root = c.astring();
  c.expectSpace();
  const limits: QuotaLimitArgument[] = [];
  c.list(() => {
    const resource = c.keyword();
    c.expectSpace();
    limits.push({ resource, limit: c.number64() });
  });
  c.expectEnd();
  return { tag, name: "setquota", root, limits };
}
