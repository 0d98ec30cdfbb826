// The pieces of Dovecot's and Courier's Maildir++ format an import reads, as pure functions: the info part
// of a file name (`:2,FRS` flags, `a`–`z` keyword letters), `dovecot-keywords`, `dovecot-uidlist`
// (versions 1 and 3) and folder directory names (`.A.B` → `A/B`, IMAP modified UTF-7, RFC 3501 §5.1.3).
// Reference: https://doc.dovecot.org/admin_manual/mailbox_formats/maildir/ and cr.yp.to/proto/maildir.html.
import type { SystemFlag } from "../store/mail-store.js";

/** Maildir flag letters (cr.yp.to) and what they become; `P` (passed) is the `$Forwarded` keyword. */
const FLAG_LETTERS: Readonly<Record<string, SystemFlag | "$Forwarded">> = {
  D: "\\Draft",
  F: "\\Flagged",
  P: "$Forwarded",
  R: "\\Answered",
  S: "\\Seen",
  T: "\\Deleted",
};

export interface MaildirFileName {
  /** The unique part before the info (`:2,…`), what dovecot-uidlist records. */
  readonly base: string;
  readonly system: readonly SystemFlag[];
  /** Keywords the letters stand for (`$Forwarded` for P, the dovecot-keywords names for a–z). */
  readonly keywords: readonly string[];
  /** Letters a–z that dovecot-keywords does not name (reported, then ignored). */
  readonly unknownLetters: readonly string[];
}

export type ParsedFileName =
  | { readonly ok: true; readonly name: MaildirFileName }
  | { readonly ok: false; readonly problem: string };

/**
 * Parses a file name from cur/ or new/. Files in new/ have no info; an info other than `2,` followed by
 * flag letters (uppercase from FLAG_LETTERS, lowercase keyword letters) is refused as damaged, as is a
 * name that is empty, hidden or holds a path separator.
 */
export function parseMaildirFileName(
  fileName: string,
  keywordNames: ReadonlyMap<string, string>,
): ParsedFileName {
  if (fileName === "" || fileName.startsWith(".") || fileName.includes("/") || fileName.includes("\u0000")) {
    return { ok: false, problem: "not a Maildir message file name" };
  }
  const colon = fileName.indexOf(":");
  const base = colon === -1 ? fileName : fileName.slice(0, colon);
  if (base === "") return { ok: false, problem: "empty unique name before the info" };
  if (colon === -1) return { ok: true, name: { base, system: [], keywords: [], unknownLetters: [] } };
  const info = fileName.slice(colon + 1);
  if (!info.startsWith("2,"))
    return { ok: false, problem: `unknown info ${JSON.stringify(info)} (expected :2,FLAGS)` };
  const system = new Set<SystemFlag>();
  const keywords = new Set<string>();
  const unknownLetters: string[] = [];
  for (const letter of info.slice(2)) {
    const flag = FLAG_LETTERS[letter];
    if (flag === "$Forwarded") keywords.add(flag);
    else if (flag !== undefined) system.add(flag);
    else if (letter >= "a" && letter <= "z") {
      const keyword = keywordNames.get(letter);
      if (keyword === undefined) unknownLetters.push(letter);
      else keywords.add(keyword);
    } else if (letter !== "," && !(letter >= "A" && letter <= "Z")) {
      // Other uppercase letters are flags of other programs, which RFC-less Maildir allows; skip them.
      return { ok: false, problem: `flag character ${JSON.stringify(letter)} in the info` };
    }
  }
  return { ok: true, name: { base, system: [...system], keywords: [...keywords].sort(), unknownLetters } };
}

/** `dovecot-keywords`: lines `<index> <name>`; index 0 is letter a, 25 is z. */
export function parseDovecotKeywords(text: string): Map<string, string> {
  const letters = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^(\d+) (\S+)\s*$/.exec(line);
    if (!match) continue;
    const index = Number(match[1]);
    if (index < 26) letters.set(String.fromCharCode(97 + index), match[2] as string);
  }
  return letters;
}

export interface UidListRecord {
  readonly uid: number;
  /** The POP3 UIDL Dovecot saved (`P` field), if any. */
  readonly pop3Uidl: string | undefined;
}

export interface UidList {
  readonly uidValidity: number;
  readonly nextUid: number;
  /** By base file name (before `:`). */
  readonly records: ReadonlyMap<string, UidListRecord>;
}

/**
 * `dovecot-uidlist`, version 3 (`3 V<uidvalidity> N<nextuid> G<guid>`, then `<uid> [fields] :<file>`)
 * or version 1 (`1 <uidvalidity> <nextuid>`, then `<uid> <file>`). Throws with a reason when the header
 * is not one of these; record lines that do not parse are left out (Dovecot rebuilds them the same way).
 */
export function parseDovecotUidList(text: string): UidList {
  const lines = text.split("\n");
  const header = (lines[0] ?? "").trim().split(/\s+/);
  let uidValidity = 0;
  let nextUid = 1;
  const version = header[0];
  if (version === "1") {
    uidValidity = Number(header[1]);
    nextUid = Number(header[2]);
  } else if (version === "3") {
    for (const field of header.slice(1)) {
      if (field.startsWith("V")) uidValidity = Number(field.slice(1));
      else if (field.startsWith("N")) nextUid = Number(field.slice(1));
    }
  } else {
    throw new Error(`unsupported dovecot-uidlist version ${JSON.stringify(version ?? "")}`);
  }
  if (!isUint32(uidValidity) || uidValidity === 0 || !isUint32(nextUid) || nextUid === 0) {
    throw new Error("dovecot-uidlist header has no valid UIDVALIDITY and next UID");
  }
  const records = new Map<string, UidListRecord>();
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    const space = line.indexOf(" ");
    const uid = Number(line.slice(0, space));
    if (space === -1 || !isUint32(uid) || uid === 0) continue;
    let rest = line.slice(space + 1);
    let pop3Uidl: string | undefined;
    if (version === "3") {
      const colon = rest.indexOf(":");
      if (colon === -1) continue;
      for (const field of rest.slice(0, colon).trim().split(/\s+/)) {
        if (field.startsWith("P")) pop3Uidl = field.slice(1);
      }
      rest = rest.slice(colon + 1);
    }
    const base = rest.split(":")[0] as string;
    if (base !== "") records.set(base, { uid, pop3Uidl: pop3Uidl === "" ? undefined : pop3Uidl });
  }
  return { uidValidity, nextUid: Math.max(nextUid, ...[...records.values()].map((r) => r.uid + 1)), records };
}

function isUint32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

/**
 * A Maildir++ folder directory name (`.Lists.Größe` spelled `.Lists.Gr&APYA3w-e`) as a mailbox name
 * with `/` as delimiter; throws on a name that is not valid modified UTF-7 or has an empty level.
 */
export function decodeMaildirFolderName(directory: string): string {
  if (!directory.startsWith(".") || directory.length < 2) throw new Error("not a Maildir++ folder");
  const levels = directory.slice(1).split(".");
  if (levels.some((level) => level === "")) throw new Error("empty hierarchy level");
  const name = levels.map(decodeModifiedUtf7).join("/");
  return name.toUpperCase() === "INBOX" ? "INBOX" : name;
}

/** RFC 3501 §5.1.3 modified UTF-7 → UTF-8; throws on malformed input. */
export function decodeModifiedUtf7(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const code = c.charCodeAt(0);
    if (code < 0x20 || code > 0x7e)
      throw new Error(`character U+${code.toString(16)} outside modified UTF-7`);
    if (c !== "&") {
      out += c;
      continue;
    }
    const end = text.indexOf("-", i + 1);
    if (end === -1) throw new Error("unterminated modified UTF-7 shift");
    const run = text.slice(i + 1, end);
    i = end;
    if (run === "") {
      out += "&";
      continue;
    }
    if (!/^[A-Za-z0-9+,]+$/.test(run)) throw new Error("invalid modified base64");
    const bytes = Buffer.from(run.replace(/,/g, "/"), "base64");
    if (bytes.length % 2 !== 0 || bytes.length === 0) throw new Error("modified base64 is not UTF-16");
    let decoded = "";
    for (let j = 0; j < bytes.length; j += 2) decoded += String.fromCharCode(bytes.readUInt16BE(j));
    if (/[\u0020-\u007e]/.test(decoded)) throw new Error("printable ASCII inside a modified base64 run");
    out += decoded;
  }
  return out;
}

/** UTF-8 → RFC 3501 §5.1.3 modified UTF-7, for export folder names. */
export function encodeModifiedUtf7(text: string): string {
  let out = "";
  let pending = "";
  const flush = (): void => {
    if (pending === "") return;
    const bytes = Buffer.alloc(pending.length * 2);
    for (let j = 0; j < pending.length; j++) bytes.writeUInt16BE(pending.charCodeAt(j), j * 2);
    out += `&${bytes.toString("base64").replace(/=+$/, "").replace(/\//g, ",")}-`;
    pending = "";
  };
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += c === "&" ? "&-" : c;
    } else {
      pending += c;
    }
  }
  flush();
  return out;
}

/** The info part (`:2,FRS…`) for a message's flags, letters in ASCII order as Maildir requires. */
export function maildirInfo(system: ReadonlySet<SystemFlag>, keywordLetters: readonly string[]): string {
  const letters: string[] = [];
  for (const [letter, flag] of Object.entries(FLAG_LETTERS)) {
    if (flag !== "$Forwarded" && system.has(flag)) letters.push(letter);
  }
  return `:2,${[...letters, ...keywordLetters].sort().join("")}`;
}

/** Dovecot's `subscriptions` file (lib-storage/list/subscription-file.c): a `V\t2\n\n` header, then tab-separated levels. */
const SUBSCRIPTIONS_V2_HEADER = "V\t2\n\n";

/**
 * The mailbox names a Dovecot `subscriptions` file (Maildir root) lists, with `/` as delimiter. Version 2
 * lines hold the hierarchy levels separated by tabs; version 1
 * lines (no header) hold the name with Maildir++'s `.` delimiter. Levels are modified UTF-7, as folder
 * directory names are. Lines that do not decode are returned in `problems`, never fatal.
 */
export function parseDovecotSubscriptions(text: string): { names: string[]; problems: string[] } {
  const isV2 = text.startsWith(SUBSCRIPTIONS_V2_HEADER);
  const body = isV2 ? text.slice(SUBSCRIPTIONS_V2_HEADER.length) : text;
  const names: string[] = [];
  const problems: string[] = [];
  for (const line of body.split("\n")) {
    if (line === "") continue;
    try {
      // Version 2 tab-escapes (\x01 + letter) only control characters, which no mailbox name holds:
      // such a line fails to decode below and is reported.
      const levels = isV2 ? line.split("\t") : line.split(".");
      if (isV2 && levels.some((level) => level.includes("."))) {
        throw new Error("a level holds '.', which a Maildir++ folder cannot");
      }
      const name = decodeMaildirFolderName(`.${levels.join(".")}`);
      if (!names.includes(name)) names.push(name);
    } catch (error) {
      problems.push(`${JSON.stringify(line)}: ${(error as Error).message}`);
    }
  }
  return { names, problems };
}
