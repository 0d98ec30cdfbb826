// When a password may travel in the clear (RFC 9051 §6.2.3 LOGINDISABLED, RFC 2595 §2.3, RFC 5034 §4):
// one rule for IMAP LOGIN/AUTHENTICATE PLAIN, POP3 USER/PASS/AUTH PLAIN and SMTP AUTH.

/** `tls_or_loopback` (default, as Dovecot): over TLS, or from this machine; `tls_only`; `always`. */
export const PLAINTEXT_AUTH_POLICIES = ["tls_or_loopback", "tls_only", "always"] as const;
export type PlaintextAuthPolicy = (typeof PLAINTEXT_AUTH_POLICIES)[number];

export function isPlaintextAuthAllowed(
  policy: PlaintextAuthPolicy,
  isTls: boolean,
  remoteAddress: string,
): boolean {
  if (isTls || policy === "always") return true;
  return policy === "tls_or_loopback" && isLoopback(remoteAddress);
}

function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}
