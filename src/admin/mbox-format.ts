// Reading and writing mbox files (RFC 4155 and the mboxrd/mboxcl2 variants): From_ separator lines with
// their date, `>From ` quoting (mboxrd: one `>` is removed from any `>*From ` line), Content-Length bodies
// (mboxcl2), and the Status/X-Status/X-Keywords headers mail programs keep flags in. A reader holds one
// message in memory at a time; a damaged record is reported and reading goes on at the next From_ line.
import { open } from "node:fs/promises";
import type { FlagSet, SystemFlag } from "../store/mail-store.js";

/** Headers that describe the mbox record rather than the message; an import removes them (as Dovecot hides them). */
const METADATA_HEADERS = new Set([
  "status",
  "x-status",
  "x-keywords",
  "x-uid",
  "x-imap",
  "x-imapbase",
  "content-length",
]);

export type MboxRecord =
  | {
      readonly kind: "message";
      /** Byte offset of the From_ line, for reports. */
      readonly offset: number;
      /** The message as it was before mbox quoting, without the mbox metadata headers, LF line ends. */
      readonly bytes: Buffer;
      readonly flags: FlagSet;
      /** The From_ line's date (asctime, UTC unless it names a zone), or undefined. */
      readonly internalDateMs: number | undefined;
    }
  | { readonly kind: "damaged"; readonly offset: number; readonly problem: string };

const CHUNK_BYTES = 1 << 20;

/** Reads a file line by line (LF kept) or by exact byte counts, holding at most a chunk plus one line. */
class ByteReader {
  #buffer = Buffer.alloc(0);
  #position = 0;
  /** File offset of #buffer[0]. */
  #base = 0;
  #eof = false;
  constructor(private readonly handle: import("node:fs/promises").FileHandle) {}

  get offset(): number {
    return this.#base + this.#position;
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const chunk = Buffer.alloc(CHUNK_BYTES);
    const { bytesRead } = await this.handle.read(chunk, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) {
      this.#eof = true;
      return false;
    }
    this.#base += this.#position;
    this.#buffer = Buffer.concat([this.#buffer.subarray(this.#position), chunk.subarray(0, bytesRead)]);
    this.#position = 0;
    return true;
  }

  /** The next line with its LF (the last line may lack one); null at the end. */
  async line(): Promise<Buffer | null> {
    for (;;) {
      const lf = this.#buffer.indexOf(0x0a, this.#position);
      if (lf !== -1) {
        const line = this.#buffer.subarray(this.#position, lf + 1);
        this.#position = lf + 1;
        return line;
      }
      if (!(await this.#fill())) {
        if (this.#position >= this.#buffer.length) return null;
        const rest = this.#buffer.subarray(this.#position);
        this.#position = this.#buffer.length;
        return rest;
      }
    }
  }

  /** Whether the next line starts with `prefix`, without consuming it; false at the end. */
  async peekStartsWith(prefix: string): Promise<boolean> {
    while (this.#buffer.length - this.#position < prefix.length) if (!(await this.#fill())) break;
    return (
      this.#buffer.subarray(this.#position, this.#position + prefix.length).toString("latin1") === prefix
    );
  }

  /** Exactly `n` bytes, or fewer at the end of the file. */
  async bytes(n: number): Promise<Buffer> {
    while (this.#buffer.length - this.#position < n) if (!(await this.#fill())) break;
    const end = Math.min(this.#buffer.length, this.#position + n);
    const out = Buffer.from(this.#buffer.subarray(this.#position, end));
    this.#position = end;
    return out;
  }
}

const FROM_LINE = /^From \S*\s/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The asctime date of a From_ line (`From a@b Thu Nov 26 10:00:00 2026`), UTC; undefined if none parses. */
export function parseFromLineDate(line: string): number | undefined {
  const match =
    /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) +(\d{1,2}):(\d\d)(?::(\d\d))? +(?:([A-Z]{3,4}|[+-]\d{4}) +)?(\d{4})(?: +([+-]\d{4}))?/.exec(
      line,
    );
  if (!match) return undefined;
  const [, mon, day, hh, mm, ss, zoneBefore, year, zoneAfter] = match;
  const zone = /^[+-]\d{4}$/.test(zoneAfter ?? "")
    ? zoneAfter
    : /^[+-]\d{4}$/.test(zoneBefore ?? "")
      ? zoneBefore
      : undefined;
  let ms = Date.UTC(
    Number(year),
    MONTHS.indexOf(mon as string),
    Number(day),
    Number(hh),
    Number(mm),
    Number(ss ?? 0),
  );
  if (zone) {
    const sign = zone.startsWith("-") ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  return Number.isFinite(ms) ? ms : undefined;
}

/** Flags from Status (R seen) and X-Status (A answered, F flagged, T draft, D deleted), keywords from X-Keywords. */
export function flagsFromHeaders(headers: ReadonlyMap<string, string>): FlagSet {
  const system = new Set<SystemFlag>();
  if ((headers.get("status") ?? "").includes("R")) system.add("\\Seen");
  const xStatus = headers.get("x-status") ?? "";
  if (xStatus.includes("A")) system.add("\\Answered");
  if (xStatus.includes("F")) system.add("\\Flagged");
  if (xStatus.includes("T")) system.add("\\Draft");
  if (xStatus.includes("D")) system.add("\\Deleted");
  const keywords = (headers.get("x-keywords") ?? "")
    .split(/[\s,]+/)
    .filter((k) => /^[^\s(){%*"\\\]]+$/.test(k) && !k.startsWith("\\"));
  return { system, keywords: [...new Set(keywords)].sort() };
}

/** The records of an mbox file in order; a file that does not start with a From_ line yields one damaged record. */
export async function* readMbox(path: string): AsyncGenerator<MboxRecord> {
  const handle = await open(path, "r");
  try {
    const reader = new ByteReader(handle);
    let line = await reader.line();
    while (line !== null && line.toString("latin1").trim() === "") line = await reader.line();
    if (line === null) return;
    if (!FROM_LINE.test(line.toString("latin1"))) {
      yield { kind: "damaged", offset: 0, problem: "not an mbox file (it does not start with a From_ line)" };
      return;
    }
    while (line !== null) {
      const fromLine = line;
      const offset = reader.offset - fromLine.length;
      // Headers up to the empty line.
      const headerLines: Buffer[] = [];
      const headers = new Map<string, string>();
      let next = await reader.line();
      let hasBody = false;
      let lastName = "";
      while (next !== null) {
        const text = next.toString("latin1");
        if (text === "\n" || text === "\r\n") {
          hasBody = true;
          break;
        }
        if (FROM_LINE.test(text) && headerLines.length > 0 && !/^[ \t]/.test(text)) break;
        if (/^[ \t]/.test(text) && lastName !== "") {
          headers.set(lastName, `${headers.get(lastName) ?? ""} ${text.trim()}`);
        } else {
          const colon = text.indexOf(":");
          lastName = colon > 0 ? text.slice(0, colon).trim().toLowerCase() : "";
          if (lastName !== "" && !headers.has(lastName)) headers.set(lastName, text.slice(colon + 1).trim());
        }
        headerLines.push(next);
        next = await reader.line();
      }
      if (!hasBody) {
        yield {
          kind: "damaged",
          offset,
          problem:
            next === null
              ? "truncated: the file ends inside the message's header"
              : "the header does not end with an empty line before the next From_ line",
        };
        line = next;
        continue;
      }
      const kept = Buffer.concat(dropMetadataHeaders(headerLines).concat(next ? [next] : []));
      const lengthHeader = headers.get("content-length");
      let body: Buffer | undefined;
      if (lengthHeader !== undefined && /^\d+$/.test(lengthHeader)) {
        // mboxcl2: the body is exactly Content-Length bytes, unquoted, followed by an empty line or the end.
        const length = Number(lengthHeader);
        const bytes = await reader.bytes(length);
        if (bytes.length < length) {
          yield {
            kind: "damaged",
            offset,
            problem: `truncated: Content-Length ${length} but only ${bytes.length} bytes left in the file`,
          };
          return;
        }
        body = bytes;
        // The separator: an empty line before the next From_ line (or the end of the file).
        if (await reader.peekStartsWith("\n")) await reader.line();
        line = await reader.line();
        if (line !== null && !FROM_LINE.test(line.toString("latin1"))) {
          yield {
            kind: "damaged",
            offset,
            problem: `Content-Length ${length} does not end at a From_ line; the record is skipped`,
          };
          line = await skipToFromLine(reader, line);
          continue;
        }
      } else {
        // mboxrd: the body runs to the next From_ line that follows an empty line; `>From ` loses one `>`.
        const bodyLines: Buffer[] = [];
        line = await reader.line();
        while (line !== null) {
          const text = line.toString("latin1");
          const previous = bodyLines.at(-1);
          if (
            FROM_LINE.test(text) &&
            (previous === undefined ||
              previous.toString("latin1") === "\n" ||
              previous.toString("latin1") === "\r\n")
          ) {
            break;
          }
          bodyLines.push(/^>+From /.test(text) ? line.subarray(1) : line);
          line = await reader.line();
        }
        // The empty line before the next From_ line separates records; it is not part of the message.
        // (Every record ends with one, the last too.)
        const last = bodyLines.at(-1)?.toString("latin1");
        if (last === "\n" || last === "\r\n") bodyLines.pop();
        body = Buffer.concat(bodyLines);
      }
      yield {
        kind: "message",
        offset,
        bytes: Buffer.concat([kept, body]),
        flags: flagsFromHeaders(headers),
        internalDateMs: parseFromLineDate(fromLine.toString("latin1")),
      };
    }
  } finally {
    await handle.close();
  }
}

async function skipToFromLine(reader: ByteReader, first: Buffer | null): Promise<Buffer | null> {
  let line = first;
  while (line !== null && !FROM_LINE.test(line.toString("latin1"))) line = await reader.line();
  return line;
}

/** Header lines without the mbox metadata fields (and their continuation lines). */
function dropMetadataHeaders(lines: readonly Buffer[]): Buffer[] {
  const kept: Buffer[] = [];
  let dropping = false;
  for (const line of lines) {
    const text = line.toString("latin1");
    if (/^[ \t]/.test(text)) {
      if (!dropping) kept.push(line);
      continue;
    }
    const colon = text.indexOf(":");
    dropping = colon > 0 && METADATA_HEADERS.has(text.slice(0, colon).trim().toLowerCase());
    if (!dropping) kept.push(line);
  }
  return kept;
}

/** One mboxrd record: From_ line, Status/X-Status/X-Keywords after the header, quoted body, empty line. */
export function writeMboxRecord(message: Buffer, flags: FlagSet, internalDateMs: number): Buffer {
  const headerEnd = findHeaderEnd(message);
  const header = message.subarray(0, headerEnd.headerBytes);
  const rest = message.subarray(headerEnd.headerBytes);
  const status = flags.system.has("\\Seen") ? "RO" : "O";
  const xStatus = [
    flags.system.has("\\Answered") ? "A" : "",
    flags.system.has("\\Flagged") ? "F" : "",
    flags.system.has("\\Draft") ? "T" : "",
    flags.system.has("\\Deleted") ? "D" : "",
  ].join("");
  const meta = [`Status: ${status}`];
  if (xStatus !== "") meta.push(`X-Status: ${xStatus}`);
  if (flags.keywords.length > 0) meta.push(`X-Keywords: ${flags.keywords.join(" ")}`);
  const quoted = rest.toString("latin1").replace(/^(>*From )/gm, ">$1");
  const body = Buffer.from(quoted, "latin1");
  const parts = [
    Buffer.from(`From MAILER-DAEMON ${asctime(internalDateMs)}\n`),
    header,
    Buffer.from(`${meta.join("\n")}\n`),
    body,
  ];
  const endsWithLf = body.length === 0 ? header.at(-1) === 0x0a : body.at(-1) === 0x0a;
  parts.push(Buffer.from(endsWithLf ? "\n" : "\n\n"));
  return Buffer.concat(parts);
}

/** Where the header section ends (before its empty line) in an LF message; all of it if there is none. */
function findHeaderEnd(message: Buffer): { headerBytes: number } {
  if (message.subarray(0, 1).toString() === "\n") return { headerBytes: 0 };
  const index = message.indexOf("\n\n");
  return { headerBytes: index === -1 ? message.length : index + 1 };
}

function asctime(ms: number): string {
  const d = new Date(ms);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
