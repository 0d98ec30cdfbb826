// Reverse-path and forward-path syntax (RFC 5321 §4.1.2, RFC 6531 §3.3 UTF-8 mailboxes): "<>" for the
// null sender, source routes dropped (§C), quoted local parts unquoted to the address we look up.

export type PathResult =
  | { readonly kind: "path"; readonly address: string; readonly length: number }
  | { readonly kind: "error"; readonly message: string };

const DOT_ATOM =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\u{10ffff}-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\u{10ffff}-]+)*$/u;
const DOMAIN =
  /^(?:[A-Za-z0-9\u0080-\u{10ffff}](?:[A-Za-z0-9\u0080-\u{10ffff}-]*[A-Za-z0-9\u0080-\u{10ffff}])?\.)*[A-Za-z0-9\u0080-\u{10ffff}](?:[A-Za-z0-9\u0080-\u{10ffff}-]*[A-Za-z0-9\u0080-\u{10ffff}])?$/u;
const ADDRESS_LITERAL = /^\[[\x21-\x5a\x5e-\x7e]+\]$/;

/**
 * Parses "<mailbox>" at the start of `text`; `length` is how many characters it used (parameters follow).
 * `allowNull` accepts "<>" (reverse-path only).
 */
export function parsePath(text: string, allowNull: boolean): PathResult {
  if (!text.startsWith("<")) return { kind: "error", message: "Address must be in angle brackets" };
  let i = 1;
  let isQuoted = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (isQuoted && c === "\\") i++;
    else if (c === '"') isQuoted = !isQuoted;
    else if (!isQuoted && c === ">") break;
  }
  if (i >= text.length) return { kind: "error", message: "Unterminated address" };
  const inner = text.slice(1, i);
  const length = i + 1;
  if (length < text.length && text[length] !== " ")
    return { kind: "error", message: "Garbage after address" };
  if (inner === "") {
    return allowNull ? { kind: "path", address: "", length } : { kind: "error", message: "Empty address" };
  }
  // A source route "@a,@b:mailbox" is obsolete; RFC 5321 §C says to ignore it.
  const mailbox = inner.startsWith("@") && inner.includes(":") ? inner.slice(inner.indexOf(":") + 1) : inner;
  const address = parseMailbox(mailbox);
  return address === undefined
    ? { kind: "error", message: "Malformed address" }
    : { kind: "path", address, length };
}

function parseMailbox(mailbox: string): string | undefined {
  const at = mailbox.lastIndexOf("@");
  if (at <= 0) return undefined;
  const localText = mailbox.slice(0, at);
  const domain = mailbox.slice(at + 1);
  if (!DOMAIN.test(domain) && !ADDRESS_LITERAL.test(domain)) return undefined;
  if (Buffer.byteLength(localText) > 64 * 4 || Buffer.byteLength(domain) > 255) return undefined;
  let local: string;
  if (localText.startsWith('"')) {
    if (!localText.endsWith('"') || localText.length < 2) return undefined;
    local = localText.slice(1, -1).replace(/\\(.)/gu, "$1");
    if (/[\u0000-\u001f\u007f]/.test(local)) return undefined;
  } else {
    if (!DOT_ATOM.test(localText)) return undefined;
    local = localText;
  }
  return `${local}@${domain}`;
}

/** Whether an address needs SMTPUTF8 (RFC 6531 §3.4). */
export const isAsciiAddress = (address: string): boolean => /^[\x00-\x7f]*$/.test(address);
