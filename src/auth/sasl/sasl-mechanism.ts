// The SASL mechanisms this server offers (RFC 4422 §3.1), one registry for IMAP, POP3 and SMTP: names,
// which ones reveal a reusable secret (so need TLS or loopback), and the exchange for each.
import { loginExchange } from "./login.js";
import { oauthBearerExchange } from "./oauthbearer.js";
import { plainExchange } from "./plain.js";
import type { SaslContext, SaslExchange } from "./sasl-exchange.js";
import { scramSha256Exchange } from "./scram-sha-256.js";

/** In order of preference, as advertised. */
export const SASL_MECHANISMS = [
  "SCRAM-SHA-256-PLUS",
  "SCRAM-SHA-256",
  "PLAIN",
  "LOGIN",
  "OAUTHBEARER",
] as const;
export type SaslMechanismName = (typeof SASL_MECHANISMS)[number];

/** Mechanisms that send the password or a bearer token itself: only over TLS or from loopback. */
export const PLAINTEXT_MECHANISMS: ReadonlySet<SaslMechanismName> = new Set([
  "PLAIN",
  "LOGIN",
  "OAUTHBEARER",
]);

export function parseMechanismName(name: string): SaslMechanismName | null {
  const upper = name.toUpperCase();
  return (SASL_MECHANISMS as readonly string[]).includes(upper) ? (upper as SaslMechanismName) : null;
}

export function startSaslExchange(mechanism: SaslMechanismName, context: SaslContext): SaslExchange {
  switch (mechanism) {
    case "PLAIN":
      return plainExchange(context);
    case "LOGIN":
      return loginExchange(context);
    case "SCRAM-SHA-256":
      return scramSha256Exchange(context, false);
    case "SCRAM-SHA-256-PLUS":
      return scramSha256Exchange(context, true);
    case "OAUTHBEARER":
      return oauthBearerExchange(context);
  }
}

/** Strict base64 as SASL profiles require; "=" alone is an empty initial response (RFC 4959). */
export function decodeSaslBase64(text: string): Buffer | null {
  const trimmed = text.trim();
  if (trimmed === "=") return Buffer.alloc(0);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(trimmed)) return null;
  return Buffer.from(trimmed, "base64");
}
