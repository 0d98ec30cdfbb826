// ManageSieve responses (RFC 5804 §1.3, §4): OK / NO / BYE with an optional response code and an optional
// human-readable string, and the strings of data lines: quoted when short and plain, a literal {n}
// otherwise. Pure formatting; the session writes the bytes.

export type ResponseKind = "OK" | "NO" | "BYE";

/** RFC 5804 §1.3 response codes this server sends. */
export type ResponseCode =
  | "AUTH-TOO-WEAK"
  | "ENCRYPT-NEEDED"
  | "QUOTA"
  | "QUOTA/MAXSCRIPTS"
  | "QUOTA/MAXSIZE"
  | "REFERRAL"
  | "SASL"
  | "TRANSITION-NEEDED"
  | "TRYLATER"
  | "ACTIVE"
  | "NONEXISTENT"
  | "ALREADYEXISTS"
  | "TAG"
  | "WARNINGS";

export interface ManageSieveResponse {
  readonly kind: ResponseKind;
  /** A code, with its argument string for SASL and TAG. */
  readonly code?: ResponseCode;
  readonly codeArg?: string;
  readonly text?: string;
}

/** A string as the grammar allows it: quoted when it fits (≤1024 octets, no CR/LF/NUL), else a literal. */
export function formatString(value: string | Buffer): string {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  const text = bytes.toString("utf8");
  if (bytes.length <= 1024 && !/[\r\n\0]/.test(text)) return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `{${bytes.length}}\r\n${text}`;
}

export function formatResponse(response: ManageSieveResponse): string {
  let line: string = response.kind;
  if (response.code !== undefined) {
    line +=
      response.codeArg === undefined
        ? ` (${response.code})`
        : ` (${response.code} ${formatString(response.codeArg)})`;
  }
  if (response.text !== undefined && response.text !== "") line += ` ${formatString(response.text)}`;
  return `${line}\r\n`;
}

export const ok = (text?: string, code?: ResponseCode, codeArg?: string): ManageSieveResponse => ({
  kind: "OK",
  ...(text === undefined ? {} : { text }),
  ...(code === undefined ? {} : { code }),
  ...(codeArg === undefined ? {} : { codeArg }),
});

export const no = (text: string, code?: ResponseCode): ManageSieveResponse => ({
  kind: "NO",
  text,
  ...(code === undefined ? {} : { code }),
});

export const bye = (text: string, code?: ResponseCode): ManageSieveResponse => ({
  kind: "BYE",
  text,
  ...(code === undefined ? {} : { code }),
});
