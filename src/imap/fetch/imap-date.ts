// INTERNALDATE and SAVEDATE as IMAP date-times (RFC 9051 §2.3.3, RFC 8514): the store keeps epoch
// milliseconds, so the zone an APPEND named is not kept and dates are written in UTC.
import type { ImapDateTime } from "../wire/argument-cursor.js";
import { formatDateTime, TWO_DIGITS } from "../wire/format-command.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** What follows the date in formatDateTime's text: ` HH:MM:SS +0000`. */
const TIME_AND_ZONE_LENGTH = 15;

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

/**
 * Formats epoch milliseconds as formatDateTime(toImapDateTime(ms)) does, each day's date once: a listing
 * with INTERNALDATE formats 100,000 date-times, and a Date object and a record for each cost a tenth of
 * its time. One formatter per command (it keeps every day it met).
 */
export function utcDateTimeFormatter(): (epochMs: number) => string {
  const dates = new Map<number, string>();
  return (epochMs) => {
    const day = Math.floor(epochMs / DAY_MS);
    let date = dates.get(day);
    if (date === undefined) {
      date = formatDateTime(toImapDateTime(day * DAY_MS)).slice(0, -TIME_AND_ZONE_LENGTH);
      dates.set(day, date);
    }
    const second = Math.floor((epochMs - day * DAY_MS) / 1000);
    const minute = Math.floor(second / 60);
    return `${date} ${TWO_DIGITS[Math.floor(minute / 60)]}:${TWO_DIGITS[minute % 60]}:${TWO_DIGITS[second % 60]} +0000`;
  };
}
