// RFC 5322 §3.3 date-time parsing, including the obsolete forms of §4.3 (two-digit years, named and military
// zones, missing seconds or weekday, comments). Returns epoch milliseconds or null; never throws.

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

const ZONES: Readonly<Record<string, number>> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  edt: -4 * 60,
  est: -5 * 60,
  cdt: -5 * 60,
  cst: -6 * 60,
  mdt: -6 * 60,
  mst: -7 * 60,
  pdt: -7 * 60,
  pst: -8 * 60,
};

const DATE =
  /(\d{1,2})\s*[-\s]\s*([a-z]{3})[a-z]*\.?\s*[-\s]\s*(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?\s*([+-]\d{1,4}|[a-z]{1,5})?/;

/** Parses an RFC 5322 date; null when it cannot be read. */
export function parseDate(text: string): number | null {
  const cleaned = text
    .slice(0, 200)
    .replace(/\([^()]*\)/g, " ")
    .toLowerCase();
  const match = DATE.exec(cleaned);
  if (match === null) {
    const fallback = Date.parse(cleaned);
    return Number.isFinite(fallback) ? fallback : null;
  }
  const day = Number(match[1]);
  const month = MONTHS[match[2] as string];
  let year = Number(match[3]);
  if (month === undefined) return null;
  if ((match[3] as string).length === 2) year += year < 50 ? 2000 : 1900;
  else if ((match[3] as string).length === 3) year += 1900;
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] !== undefined ? Number(match[6]) : 0;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  let offsetMinutes = 0;
  const zone = match[7];
  if (zone !== undefined) {
    if (zone[0] === "+" || zone[0] === "-") {
      const digits = zone.slice(1).padStart(4, "0");
      const value = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
      offsetMinutes = zone[0] === "-" ? -value : value;
    } else {
      // Military single letters other than Z are unreliable (RFC 5322 §4.3): treat them as +0000.
      offsetMinutes = ZONES[zone] ?? 0;
    }
  }
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - offsetMinutes * 60_000;
  return Number.isFinite(utc) ? utc : null;
}
