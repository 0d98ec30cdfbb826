// What the server advertises (RFC 9051 §6.1.1), before and after login. Each extension is listed only
// once it is complete; the list is the single place to check what this server speaks.

export interface CapabilityContext {
  readonly isAuthenticated: boolean;
  readonly isTls: boolean;
  /** Plaintext LOGIN/AUTHENTICATE allowed on this connection (TLS, or a loopback client). */
  readonly isPlaintextAuthAllowed: boolean;
  /** SASL mechanisms usable on this connection now (Authenticator.mechanisms), advertised as AUTH=. */
  readonly saslMechanisms: readonly string[];
  readonly maxMessageBytes: number;
  /** RFC 9738 MESSAGELIMIT and SAVELIMIT; 0 = none (not advertised). */
  readonly messageLimit: number;
  readonly saveLimit: number;
}

/** Extensions a logged-in client sees, in addition to the base set. */
const AUTHENTICATED_EXTENSIONS = [
  "NAMESPACE",
  "UNSELECT",
  "UIDPLUS",
  "MOVE",
  "SPECIAL-USE",
  "CREATE-SPECIAL-USE",
  "CHILDREN",
  "LIST-EXTENDED",
  "LIST-STATUS",
  "ESEARCH",
  "SEARCHRES",
  "SORT",
  "SORT=DISPLAY",
  "ESORT",
  "PARTIAL",
  "CONTEXT=SEARCH",
  "CONTEXT=SORT",
  "MULTISEARCH",
  "THREAD=ORDEREDSUBJECT",
  "THREAD=REFERENCES",
  "STATUS=SIZE",
  "QUOTA",
  "QUOTA=RES-STORAGE",
  "QUOTA=RES-MESSAGE",
  "QUOTASET",
  "ACL",
  "RIGHTS=texk",
  "COMPRESS=DEFLATE",
  "OBJECTID",
  "SAVEDATE",
  "PREVIEW",
  "WITHIN",
  "UNAUTHENTICATE",
  "BINARY",
  "MULTIAPPEND",
  "CATENATE",
  "REPLACE",
  "UTF8=ACCEPT",
  "CONDSTORE",
  "QRESYNC",
  "METADATA",
  "METADATA-SERVER",
  "LIST-METADATA",
  "NOTIFY",
  "UIDONLY",
  "URLAUTH",
] as const;

export function capabilities(context: CapabilityContext): string[] {
  const list = ["IMAP4rev1", "IMAP4rev2", "SASL-IR", "LITERAL+", "ID", "ENABLE", "IDLE"];
  if (!context.isAuthenticated) {
    if (!context.isTls) list.push("STARTTLS");
    list.push(...context.saslMechanisms.map((name) => `AUTH=${name}`));
    if (!context.isPlaintextAuthAllowed) list.push("LOGINDISABLED");
    return list;
  }
  list.push(...AUTHENTICATED_EXTENSIONS, `APPENDLIMIT=${context.maxMessageBytes}`);
  if (context.messageLimit > 0) list.push(`MESSAGELIMIT=${context.messageLimit}`);
  if (context.saveLimit > 0) list.push(`SAVELIMIT=${context.saveLimit}`);
  return list;
}

/**
 * Capabilities a client may ENABLE (RFC 5161), and what they turn on. CONDSTORE is also turned on by the
 * first command that uses it (RFC 7162 §3.1 "CONDSTORE enabling commands"); QRESYNC implies CONDSTORE.
 */
export const ENABLEABLE = ["IMAP4REV2", "UTF8=ACCEPT", "CONDSTORE", "QRESYNC", "UIDONLY"] as const;
export type Enableable = (typeof ENABLEABLE)[number];
