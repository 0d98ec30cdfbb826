// Reads ESEARCH responses (RFC 4731, RFC 5267, RFC 7377, RFC 9394) from raw protocol text for tests:
// the correlator, each return item, and sequence sets expanded in the order written (ESORT keeps sort
// order, so `5,3:1` must stay 5 3 2 1).

/** The numbers of a sequence set in the order written; `a:b` runs from a to b either way. */
export function expandSet(text: string): number[] {
  const numbers: number[] = [];
  for (const part of text.split(",")) {
    const [a, b] = part.split(":").map(Number) as [number, number | undefined];
    if (b === undefined) numbers.push(a);
    else if (a <= b) for (let n = a; n <= b; n++) numbers.push(n);
    else for (let n = a; n >= b; n--) numbers.push(n);
  }
  return numbers;
}

export interface EsearchLine {
  readonly line: string;
  readonly tag: string | null;
  readonly mailbox: string | null;
  readonly uidValidity: number | null;
  readonly isUid: boolean;
  readonly min: number | null;
  readonly max: number | null;
  readonly count: number | null;
  /** ALL expanded; null when absent. */
  readonly all: number[] | null;
  /** PARTIAL's range as written and its numbers ([] for NIL); null when absent. */
  readonly partial: { readonly range: string; readonly numbers: number[] } | null;
  /** ADDTO / REMOVEFROM `position set` pairs, sets expanded. */
  readonly addTo: { position: number; numbers: number[] }[];
  readonly removeFrom: { position: number; numbers: number[] }[];
}

function pairs(text: string | undefined): { position: number; numbers: number[] }[] {
  if (text === undefined) return [];
  const words = text.trim().split(/\s+/);
  const result: { position: number; numbers: number[] }[] = [];
  for (let i = 0; i + 1 < words.length; i += 2)
    result.push({ position: Number(words[i]), numbers: expandSet(words[i + 1] as string) });
  return result;
}

export function parseEsearch(line: string): EsearchLine {
  const correlator =
    /^\* ESEARCH \(TAG "([^"]*)"(?: MAILBOX ("(?:[^"\\]|\\.)*"|[^ )]+) UIDVALIDITY (\d+))?\)/.exec(line);
  const rest = correlator ? line.slice(correlator[0].length) : line.slice("* ESEARCH".length);
  const number = (name: string): number | null => {
    const m = new RegExp(` ${name} (\\d+)`).exec(rest);
    return m ? Number(m[1]) : null;
  };
  const all = / ALL ([0-9:,]+)/.exec(rest);
  const partial = / PARTIAL \((-?\d+:-?\d+) (NIL|[0-9:,]+)\)/.exec(rest);
  const mailbox = correlator?.[2];
  return {
    line,
    tag: correlator?.[1] ?? null,
    mailbox: mailbox === undefined ? null : mailbox.startsWith('"') ? JSON.parse(mailbox) : mailbox,
    uidValidity: correlator?.[3] === undefined ? null : Number(correlator[3]),
    isUid: /^ UID\b/.test(rest),
    min: number("MIN"),
    max: number("MAX"),
    count: number("COUNT"),
    all: all ? expandSet(all[1] as string) : null,
    partial: partial
      ? { range: partial[1] as string, numbers: partial[2] === "NIL" ? [] : expandSet(partial[2] as string) }
      : null,
    addTo: pairs(/ ADDTO \(([^)]*)\)/.exec(rest)?.[1]),
    removeFrom: pairs(/ REMOVEFROM \(([^)]*)\)/.exec(rest)?.[1]),
  };
}

/** Every ESEARCH line of a reply, parsed. */
export function esearchLines(reply: string): EsearchLine[] {
  return reply
    .split("\r\n")
    .filter((line) => line.startsWith("* ESEARCH"))
    .map(parseEsearch);
}
