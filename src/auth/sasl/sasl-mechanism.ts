// Server side of SASL (RFC 4422) for the password mechanisms, protocol-neutral: each protocol frames
// challenges and responses (IMAP `+ base64`, POP3 `+ base64`, SMTP `334 base64`) and calls step().
import type { Credentials } from "../authenticator.js";

export type SaslStep =
  | { readonly kind: "challenge"; readonly data: Buffer }
  | { readonly kind: "credentials"; readonly credentials: Credentials }
  | { readonly kind: "malformed"; readonly reason: string };

export interface SaslExchange {
  /** Feeds the client's next response (null: none yet, e.g. no initial response). */
  step(response: Buffer | null): SaslStep;
}

/** The mechanisms offered, in the order advertised. SCRAM comes with the security work. */
export const PASSWORD_MECHANISMS = ["PLAIN", "LOGIN"] as const;
export type PasswordMechanism = (typeof PASSWORD_MECHANISMS)[number];

export function isPasswordMechanism(name: string): name is PasswordMechanism {
  return (PASSWORD_MECHANISMS as readonly string[]).includes(name.toUpperCase());
}

export function startSaslExchange(mechanism: PasswordMechanism): SaslExchange {
  return mechanism === "PLAIN" ? plainExchange() : loginExchange();
}

/** RFC 4616: one message `authzid NUL authcid NUL passwd`, UTF-8. */
function plainExchange(): SaslExchange {
  return {
    step(response) {
      if (response === null) return { kind: "challenge", data: Buffer.alloc(0) };
      const parts = splitNul(response);
      if (parts.length !== 3)
        return { kind: "malformed", reason: "PLAIN needs authzid NUL authcid NUL password" };
      const [authzid, username, password] = parts as [string, string, string];
      if (username === "" || password === "")
        return { kind: "malformed", reason: "Empty user name or password" };
      return { kind: "credentials", credentials: { authzid, username, password } };
    },
  };
}

/** The widely deployed LOGIN mechanism (draft-murchison-sasl-login): user name, then password. */
function loginExchange(): SaslExchange {
  let username: string | null = null;
  let hasPrompted = false;
  return {
    step(response) {
      if (!hasPrompted && response === null) {
        hasPrompted = true;
        return { kind: "challenge", data: Buffer.from("Username:") };
      }
      hasPrompted = true;
      const text = (response ?? Buffer.alloc(0)).toString("utf8");
      if (username === null) {
        if (text === "" || text.includes("\u0000")) return { kind: "malformed", reason: "Empty user name" };
        username = text;
        return { kind: "challenge", data: Buffer.from("Password:") };
      }
      if (text.includes("\u0000")) return { kind: "malformed", reason: "NUL in password" };
      return { kind: "credentials", credentials: { username, password: text } };
    },
  };
}

function splitNul(bytes: Buffer): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      parts.push(bytes.subarray(start, i).toString("utf8"));
      start = i + 1;
    }
  }
  return parts;
}

/** Strict base64 as SASL profiles require; "=" alone is an empty initial response (RFC 4959). */
export function decodeSaslBase64(text: string): Buffer | null {
  const trimmed = text.trim();
  if (trimmed === "=") return Buffer.alloc(0);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(trimmed)) return null;
  return Buffer.from(trimmed, "base64");
}
