// RFC 5260 §4–§5 date parts of a moment seen in a time zone, and reading a Date-like header with the zone it
// was written in (for :originalzone). Zones are "+hhmm"/"-hhmm" offsets.

import { parseDate } from "../mime/date.js";

const NAMED_ZONES: Readonly<Record<string, number>> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  edt: -240,
  est: -300,
  cdt: -300,
  cst: -360,
  mdt: -360,
  mst: -420,
  pdt: -420,
  pst: -480,
};
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** Modified Julian Day 0 (1858-11-17) in epoch days. */
const MJD_EPOCH_DAYS = -40587;

/** A moment and the zone offset it is seen in. */
export interface ZonedTime {
  readonly epochMs: number;
  readonly offsetMinutes: number;
}

/** "+0100" → 60; null when malformed. */
export function parseZone(zone: string): number | null {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  if (m === null) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) > 59) return null;
  return m[1] === "-" ? -minutes : minutes;
}

export function formatZone(offsetMinutes: number, withColon = false): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = pad(Math.floor(abs / 60));
  const mm = pad(abs % 60);
  return withColon ? `${sign}${hh}:${mm}` : `${sign}${hh}${mm}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Reads an RFC 5322 date header value with its own zone; null when it is not a date. */
export function parseHeaderDate(value: string): ZonedTime | null {
  const epochMs = parseDate(value);
  if (epochMs === null) return null;
  const cleaned = value.replace(/\([^()]*\)/g, " ");
  const m = /\d{1,2}:\d{1,2}(?::\d{1,2})?\s*([+-]\d{4}|[A-Za-z]{1,5})?/.exec(cleaned);
  const zone = m?.[1];
  let offsetMinutes = 0;
  if (zone !== undefined) offsetMinutes = parseZone(zone) ?? NAMED_ZONES[zone.toLowerCase()] ?? 0;
  return { epochMs, offsetMinutes };
}

/** The RFC 5260 §4 date part of `time`, or null for an unknown part name. */
export function datePart(time: ZonedTime, part: string): string | null {
  const local = new Date(time.epochMs + time.offsetMinutes * 60_000);
  const year = pad(local.getUTCFullYear(), 4);
  const month = pad(local.getUTCMonth() + 1);
  const day = pad(local.getUTCDate());
  const hour = pad(local.getUTCHours());
  const minute = pad(local.getUTCMinutes());
  const second = pad(local.getUTCSeconds());
  switch (part.toLowerCase()) {
    case "year":
      return year;
    case "month":
      return month;
    case "day":
      return day;
    case "date":
      return `${year}-${month}-${day}`;
    case "julian":
      return String(Math.floor(local.getTime() / 86_400_000) - MJD_EPOCH_DAYS);
    case "hour":
      return hour;
    case "minute":
      return minute;
    case "second":
      return second;
    case "time":
      return `${hour}:${minute}:${second}`;
    case "iso8601":
      return `${year}-${month}-${day}T${hour}:${minute}:${second}${formatZone(time.offsetMinutes, true)}`;
    case "std11":
      return `${WEEKDAYS[local.getUTCDay()]}, ${day} ${MONTHS[local.getUTCMonth()]} ${year} ${hour}:${minute}:${second} ${formatZone(time.offsetMinutes)}`;
    case "zone":
      return formatZone(time.offsetMinutes);
    case "weekday":
      return String(local.getUTCDay());
    default:
      return null;
  }
}
