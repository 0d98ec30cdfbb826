// AUTHENTICATE (RFC 9051 §6.2.2) with the SASL-IR initial response (RFC 4959 §3).

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

const isBase64Char = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x61 && b <= 0x7a) ||
  (b >= 0x30 && b <= 0x39) ||
  b === 0x2b ||
  b === 0x2f ||
  b === 0x3d;

export function parseAuthenticate(c: ArgumentCursor, tag: string): ImapCommand {
  c.expectSpace();
  const mechanism = c.keyword();
  let initialResponse: string | null = null;
  if (c.skipSpace()) {
    initialResponse = c.scanWhile(isBase64Char);
    if (
      !/^(=|(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/.test(initialResponse) ||
      initialResponse === ""
    ) {
      c.fail("Invalid base64 initial response");
    }
  }
  c.expectEnd();
  return { tag, name: "authenticate", mechanism, initialResponse };
}
