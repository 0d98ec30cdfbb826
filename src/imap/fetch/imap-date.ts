// INTERNALDATE and SAVEDATE as IMAP date-times (RFC 9051 §2.3.3, RFC 8514): the store keeps epoch
// milliseconds, so the zone an APPEND named is not kept and dates are written in UTC.
import type { ImapDateTime } from "../wire/argument-cursor.js";

export function toImapDateTime(epochMs: number): ImapDateTime {
  const date = new Date(epochMs);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    zoneMinutes: 0,
  };
}
