// The POP3 commands as a discriminated union and their parser: RFC 1939 §4-7 (USER, PASS, APOP, STAT, LIST,
// RETR, DELE, NOOP, RSET, QUIT, TOP, UIDL), RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH, RFC 6856 UTF8.

export type Pop3Command =
  | { readonly name: "USER"; readonly username: string }
  | { readonly name: "PASS"; readonly password: string }
  | { readonly name: "APOP"; readonly username: string; readonly digest: string }
  /** `AUTH` alone lists the mechanisms (RFC 1734 clients); otherwise RFC 5034 with an optional initial response. */
  | { readonly name: "AUTH"; readonly mechanism: string | null; readonly initialResponse: string | null }
  | { readonly name: "CAPA" }
  | { readonly name: "STLS" }
  | { readonly name: "UTF8" }
  | { readonly name: "STAT" }
  | { readonly name: "LIST"; readonly message: number | null }
  | { readonly name: "RETR"; readonly message: number }
  | { readonly name: "DELE"; readonly message: number }
  | { readonly name: "NOOP" }
  | { readonly name: "RSET" }
  | { readonly name: "QUIT" }
  | { readonly name: "TOP"; readonly message: number; readonly lines: number }
  | { readonly name: "UIDL"; readonly message: number | null };

export type Pop3CommandName = Pop3Command["name"];

export type ParsedLine =
  | { readonly kind: "command"; readonly command: Pop3Command }
  | { readonly kind: "unknown" }
  | { readonly kind: "syntaxError"; readonly name: Pop3CommandName; readonly text: string };

/** Every command this server knows (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH, RFC 6856 UTF8). */
export const POP3_COMMAND_NAMES: ReadonlySet<string> = new Set<Pop3CommandName>([
  "USER",
  "PASS",
  "APOP",
  "AUTH",
  "CAPA",
  "STLS",
  "UTF8",
  "STAT",
  "LIST",
  "RETR",
  "DELE",
  "NOOP",
  "RSET",
  "QUIT",
  "TOP",
  "UIDL",
]);

/** RFC 1939 message numbers and TOP line counts: decimal, no sign; capped so they stay exact integers. */
const NUMBER = /^[0-9]{1,9}$/;

/** Parses one command line (without CRLF). Keywords are case-insensitive (RFC 1939 §3). */
export function parsePop3Command(line: string): ParsedLine {
  const space = line.indexOf(" ");
  const keyword = (space < 0 ? line : line.slice(0, space)).toUpperCase();
  if (!POP3_COMMAND_NAMES.has(keyword)) return { kind: "unknown" };
  const name = keyword as Pop3CommandName;
  const rest = space < 0 ? "" : line.slice(space + 1);
  const args = rest === "" ? [] : rest.split(" ");
  const fail = (text: string): ParsedLine => ({ kind: "syntaxError", name, text });
  const ok = (command: Pop3Command): ParsedLine => ({ kind: "command", command });
  const noArgs = (command: Pop3Command): ParsedLine =>
    args.length === 0 ? ok(command) : fail(`${name} takes no arguments`);

  switch (name) {
    case "USER":
      // RFC 6856 allows UTF-8 user names; spaces are not part of any address we accept.
      return args.length === 1 && args[0] !== "" ? ok({ name, username: rest }) : fail("Usage: USER name");
    case "PASS":
      // RFC 1939 §7: the argument is the rest of the line, spaces included (passwords may contain them).
      return rest !== "" ? ok({ name, password: rest }) : fail("Usage: PASS password");
    case "APOP": {
      const [username, digest] = args;
      return args.length === 2 && username && digest && /^[0-9a-fA-F]{32}$/.test(digest)
        ? ok({ name, username, digest: digest.toLowerCase() })
        : fail("Usage: APOP name digest");
    }
    case "AUTH": {
      if (args.length > 2 || args.some((arg) => arg === ""))
        return fail("Usage: AUTH mechanism [initial-response]");
      return ok({ name, mechanism: args[0]?.toUpperCase() ?? null, initialResponse: args[1] ?? null });
    }
    case "LIST":
    case "UIDL": {
      if (args.length === 0) return ok({ name, message: null });
      const message = args.length === 1 ? parseNumber(args, 0, 1) : null;
      return message === null ? fail(`Usage: ${name} [message-number]`) : ok({ name, message });
    }
    case "RETR":
    case "DELE": {
      const message = args.length === 1 ? parseNumber(args, 0, 1) : null;
      return message === null ? fail(`Usage: ${name} message-number`) : ok({ name, message });
    }
    case "TOP": {
      const message = args.length === 2 ? parseNumber(args, 0, 1) : null;
      const lines = args.length === 2 ? parseNumber(args, 1, 0) : null;
      return message === null || lines === null
        ? fail("Usage: TOP message-number lines")
        : ok({ name, message, lines });
    }
    case "CAPA":
    case "STLS":
    case "UTF8":
    case "STAT":
    case "NOOP":
    case "RSET":
    case "QUIT":
      return noArgs({ name });
  }
}

const SPACE = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** ASCII letters OR 0x20 are lower case. */
const LOWER = 0x20;

/**
 * The message number of a `RETR n` line, read from its bytes, or null for any other line (then
 * parsePop3Command decides). Accepts exactly what parsePop3Command accepts as RETR with ASCII bytes
 * (the keyword in any case, one space, 1–9 digits, not 0), without decoding or splitting the line: a
 * bulk download sends thousands of them.
 */
export function parseRetrLine(line: Uint8Array): number | null {
  const length = line.length;
  if (length < 6 || length > 14 || line[4] !== SPACE) return null;
  if (
    ((line[0] as number) | LOWER) !== 0x72 ||
    ((line[1] as number) | LOWER) !== 0x65 ||
    ((line[2] as number) | LOWER) !== 0x74 ||
    ((line[3] as number) | LOWER) !== 0x72
  )
    return null;
  let value = 0;
  for (let at = 5; at < length; at++) {
    const byte = line[at] as number;
    if (byte < DIGIT_0 || byte > DIGIT_9) return null;
    value = value * 10 + (byte - DIGIT_0);
  }
  return value >= 1 ? value : null;
}

function parseNumber(args: readonly string[], index: number, min: number): number | null {
  const text = args[index];
  if (text === undefined || !NUMBER.test(text)) return null;
  const value = Number(text);
  return value >= min ? value : null;
}
