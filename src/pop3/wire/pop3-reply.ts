// POP3 replies as a discriminated union and their wire form: status lines (RFC 1939 §3), RFC 2449 §8
// extended response codes ("-ERR [IN-USE] …", RFC 3206 AUTH and SYS/*), multi-line bodies, SASL "+ ".

/** The response codes we send (RFC 2449 §8.1 IN-USE, LOGIN-DELAY; RFC 3206 SYS/TEMP, SYS/PERM, AUTH). */
export type Pop3RespCode = "IN-USE" | "LOGIN-DELAY" | "SYS/TEMP" | "SYS/PERM" | "AUTH";

export type Pop3Reply =
  | { readonly kind: "ok"; readonly text: string }
  | { readonly kind: "err"; readonly code: Pop3RespCode | null; readonly text: string }
  /** `+OK text` followed by lines and the "." terminator (CAPA, LIST, UIDL, AUTH mechanism list). */
  | { readonly kind: "multiline"; readonly text: string; readonly lines: readonly string[] }
  /** A SASL challenge (RFC 5034 §4): "+ " and base64. */
  | { readonly kind: "challenge"; readonly data: Buffer };

export const ok = (text: string): Pop3Reply => ({ kind: "ok", text });
export const err = (text: string, code: Pop3RespCode | null = null): Pop3Reply => ({
  kind: "err",
  code,
  text,
});
export const multiline = (text: string, lines: readonly string[]): Pop3Reply => ({
  kind: "multiline",
  text,
  lines,
});

export function formatReply(reply: Pop3Reply): string {
  switch (reply.kind) {
    case "ok":
      return statusLine("+OK", reply.text);
    case "err":
      return statusLine("-ERR", reply.code === null ? reply.text : `[${reply.code}] ${reply.text}`);
    case "multiline":
      return `${statusLine("+OK", reply.text)}${reply.lines.map((line) => `${stuffLine(clean(line))}\r\n`).join("")}.\r\n`;
    case "challenge":
      return `+ ${reply.data.toString("base64")}\r\n`;
  }
}

function statusLine(status: string, text: string): string {
  const cleaned = clean(text);
  return cleaned === "" ? `${status}\r\n` : `${status} ${cleaned}\r\n`;
}

/** A reply line must never carry a line break: that would let text forge a second reply. */
const clean = (text: string): string => text.replace(/[\r\n]+/g, " ");

/** RFC 1939 §3: a line of a multi-line response that begins with "." gets one more. */
const stuffLine = (line: string): string => (line.startsWith(".") ? `.${line}` : line);
