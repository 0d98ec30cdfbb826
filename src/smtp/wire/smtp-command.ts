// SMTP and LMTP commands (RFC 5321 §4.1.1, RFC 2033 §4.1 LHLO, RFC 3207 STARTTLS) parsed from one line
// into a discriminated union; parameters of MAIL and RCPT per RFC 5321 §4.1.2 (esmtp-keyword=value).
import { parsePath } from "./smtp-path.js";

export type MailParameters = ReadonlyMap<string, string | null>;

export type SmtpCommand =
  | { readonly verb: "HELO" | "EHLO" | "LHLO"; readonly domain: string }
  | { readonly verb: "MAIL"; readonly from: string; readonly params: MailParameters }
  | { readonly verb: "RCPT"; readonly to: string; readonly params: MailParameters }
  | { readonly verb: "DATA" | "RSET" | "NOOP" | "QUIT" | "STARTTLS" | "HELP" }
  | { readonly verb: "VRFY" | "EXPN"; readonly argument: string }
  /** RFC 4954 AUTH: a SASL mechanism and the optional initial response ("=" is an empty one). */
  | { readonly verb: "AUTH"; readonly mechanism: string; readonly initialResponse: string | null }
  /** RFC 3030 BDAT: a chunk of `bytes` octets follows the line; LAST ends the message. */
  | { readonly verb: "BDAT"; readonly bytes: number; readonly isLast: boolean }
  /** RFC 4468 BURL: appends the content of `url` to the message; LAST ends it. */
  | { readonly verb: "BURL"; readonly url: string; readonly isLast: boolean }
  | { readonly verb: "unknown"; readonly name: string }
  | { readonly verb: "syntaxError"; readonly message: string };

const NO_ARGUMENT = new Set(["DATA", "RSET", "QUIT", "STARTTLS"]);
const PARAM = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:=([\x21-\x3c\x3e-\x7e\u0080-\u{10ffff}]+))?$/u;

export function parseCommand(line: Buffer): SmtpCommand {
  const text = line.toString("utf8");
  if (text.includes("\uFFFD") && !Buffer.from(text, "utf8").equals(line)) {
    return { verb: "syntaxError", message: "Invalid UTF-8 in command" };
  }
  if (/[\u0000-\u001f\u007f]/.test(text))
    return { verb: "syntaxError", message: "Control character in command" };
  const space = text.indexOf(" ");
  const name = (space < 0 ? text : text.slice(0, space)).toUpperCase();
  const rest = space < 0 ? "" : text.slice(space + 1);
  switch (name) {
    case "HELO":
    case "EHLO":
    case "LHLO": {
      const domain = rest.trim();
      if (domain === "" || /\s/.test(domain))
        return { verb: "syntaxError", message: `${name} needs a domain` };
      return { verb: name, domain };
    }
    case "MAIL":
      return parseTransactionCommand("MAIL", "FROM:", rest);
    case "RCPT":
      return parseTransactionCommand("RCPT", "TO:", rest);
    case "NOOP":
    case "HELP":
      return { verb: name };
    case "VRFY":
    case "EXPN":
      return { verb: name, argument: rest.trim() };
    case "AUTH": {
      const [mechanism = "", initialResponse, ...extra] = rest.trim().split(/ +/);
      if (mechanism === "" || extra.length > 0)
        return { verb: "syntaxError", message: "Syntax: AUTH mechanism [initial-response]" };
      return { verb: "AUTH", mechanism: mechanism.toUpperCase(), initialResponse: initialResponse ?? null };
    }
    case "BDAT": {
      const match = /^(\d{1,15})( +LAST)? *$/i.exec(rest);
      if (!match) return { verb: "syntaxError", message: "Syntax: BDAT size [LAST]" };
      return { verb: "BDAT", bytes: Number(match[1]), isLast: match[2] !== undefined };
    }
    case "BURL": {
      // RFC 4468 §4: `BURL SP absolute-URI [SP end-marker]`; a URI has no spaces.
      const match = /^([^\s]+)( +LAST)? *$/i.exec(rest);
      if (!match) return { verb: "syntaxError", message: "Syntax: BURL url [LAST]" };
      return { verb: "BURL", url: match[1] ?? "", isLast: match[2] !== undefined };
    }
    default:
      if (NO_ARGUMENT.has(name)) {
        if (rest.trim() !== "") return { verb: "syntaxError", message: `${name} takes no argument` };
        return { verb: name as "DATA" | "RSET" | "QUIT" | "STARTTLS" };
      }
      return { verb: "unknown", name: name.slice(0, 16) };
  }
}

function parseTransactionCommand(verb: "MAIL" | "RCPT", keyword: string, rest: string): SmtpCommand {
  if (rest.slice(0, keyword.length).toUpperCase() !== keyword) {
    return { verb: "syntaxError", message: `Syntax: ${verb} ${keyword}<address>` };
  }
  // Many clients put a space after the colon; RFC 5321 does not, Postfix and Dovecot accept it.
  const argument = rest.slice(keyword.length).trimStart();
  const path = parsePath(argument, verb === "MAIL");
  if (path.kind === "error") return { verb: "syntaxError", message: path.message };
  const params = new Map<string, string | null>();
  for (const token of argument.slice(path.length).split(" ")) {
    if (token === "") continue;
    const match = PARAM.exec(token);
    if (!match) return { verb: "syntaxError", message: "Malformed parameter" };
    const key = (match[1] as string).toUpperCase();
    if (params.has(key)) return { verb: "syntaxError", message: `Duplicate parameter ${key}` };
    params.set(key, match[2] ?? null);
  }
  return verb === "MAIL" ? { verb, from: path.address, params } : { verb, to: path.address, params };
}
