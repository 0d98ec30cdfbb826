// The closed set of mail-layer error codes and the error that carries one. Every protocol maps each
// code exactly once (`Record<MailErrorCode, …>`), so adding a code fails to compile until all map it.
// It sits in kit, not mail, because the store (below mail) raises these too.

export const MAIL_ERROR_CODES = [
  "nonexistent", // mailbox/message/account does not exist (IMAP [NONEXISTENT], JMAP notFound)
  "alreadyExists", // mailbox name taken (IMAP [ALREADYEXISTS])
  "invalidName", // mailbox name not allowed (IMAP [CANNOT])
  "hasChildren", // delete of a mailbox with inferiors that cannot be removed (IMAP [HASCHILDREN])
  "cannot", // operation not allowed on this object, e.g. deleting INBOX (IMAP [CANNOT])
  "overQuota", // storage or message-count quota exceeded (IMAP [OVERQUOTA], 452 4.2.2)
  "tooBig", // message larger than the configured limit (IMAP [TOOBIG], 552 5.3.4)
  "invalidInput", // malformed argument the client sent (IMAP BAD / NO, JMAP invalidArguments)
  "authFailed", // wrong credentials (IMAP [AUTHENTICATIONFAILED], -ERR [AUTH])
  "noPerm", // the user lacks the access right the operation needs (IMAP [NOPERM], RFC 4314 §4; JMAP forbidden)
  "inUse", // resource locked by another session (IMAP [INUSE], -ERR [IN-USE])
  "limit", // a server limit was reached (IMAP [LIMIT])
  "unavailable", // temporary failure, retry later (IMAP [UNAVAILABLE], 451 4.3.0)
  "noSpace", // the server's disk (or database) is full: temporary (IMAP [OVERQUOTA], 452 4.3.1, -ERR [SYS/TEMP])
  "corrupted", // stored data failed its check, e.g. a blob's SHA-256 (IMAP [CORRUPTION], -ERR [SYS/PERM])
  "serverBug", // an internal error; the public text carries only an id (IMAP [SERVERBUG])
] as const;

export type MailErrorCode = (typeof MAIL_ERROR_CODES)[number];

/** An expected failure of a mail operation, safe to show to the client as `publicText`. */
export class MailError extends Error {
  override readonly name = "MailError";
  constructor(
    readonly code: MailErrorCode,
    readonly publicText: string,
    options?: { cause?: unknown },
  ) {
    super(publicText, options);
  }
}

export const isMailError = (error: unknown): error is MailError => error instanceof MailError;

/** errno codes and database error codes that mean "no space left" (the disk, a quota on it, the database's disk). */
const NO_SPACE_CODES = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL", "53100"]);

/**
 * The one place a full disk becomes a mail error: MailError("noSpace") when `error` (or an error in its
 * `cause` chain) reports no space left, else undefined. Stores rethrow what this returns.
 */
export function noSpaceErrorOf(error: unknown): MailError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof MailError) return current.code === "noSpace" ? current : undefined;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NO_SPACE_CODES.has(code)) {
      return new MailError("noSpace", "Not enough disk space on the server, try again later", {
        cause: error,
      });
    }
    current = current.cause;
  }
  return undefined;
}

/** Rethrows `error`, as MailError("noSpace") when it reports a full disk (noSpaceErrorOf). */
export function rethrowStorageError(error: unknown): never {
  throw noSpaceErrorOf(error) ?? error;
}
