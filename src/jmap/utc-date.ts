// RFC 8620 §1.4 UTCDate: "2024-05-14T07:12:31Z", the fraction left out when it is zero.

export function utcDateOf(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}
