// The account's VacationResponse (RFC 8621 §8): one singleton object, stored as a private server
// annotation of the account (RFC 5464 entry /private/vendor/postfach/jmap/vacation-response, JSON), so
// both store backends keep it without a table of its own. JMAP reads and writes it; delivery answers
// with it (mail/sieve/sieve-delivery.ts) while it is enabled and within its dates.
import type { AccountRecord, MailStore } from "../store/mail-store.js";

export const VACATION_ENTRY = "/vendor/postfach/jmap/vacation-response";

export interface VacationResponse {
  readonly isEnabled: boolean;
  readonly fromDate: string | null;
  readonly toDate: string | null;
  readonly subject: string | null;
  readonly textBody: string | null;
  readonly htmlBody: string | null;
}

export const VACATION_DEFAULT: VacationResponse = {
  isEnabled: false,
  fromDate: null,
  toDate: null,
  subject: null,
  textBody: null,
  htmlBody: null,
};

/** RFC 8620 §1.4 UTCDate: "2024-05-14T09:12:31Z" (fractional seconds allowed). */
export function isUtcDate(value: unknown): value is string {
  return (
    typeof value === "string" &&
    /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}

/** The stored object, or the default when none was stored or what is stored is not valid. */
export async function readVacationResponse(
  store: MailStore,
  account: Pick<AccountRecord, "id">,
): Promise<VacationResponse> {
  const entries = await store.metadata.list(account.id, account.id, [null]);
  const entry = entries.find((e) => e.ownerId === account.id && e.name === VACATION_ENTRY);
  if (entry === undefined) return VACATION_DEFAULT;
  try {
    return checkVacationResponse(JSON.parse(Buffer.from(entry.value).toString("utf8"))) ?? VACATION_DEFAULT;
  } catch {
    return VACATION_DEFAULT;
  }
}

/** The object if every property has its type (an IMAP SETMETADATA may have written anything). */
export function checkVacationResponse(value: unknown): VacationResponse | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const isText = (x: unknown) => x === null || typeof x === "string";
  const isDate = (x: unknown) => x === null || isUtcDate(x);
  if (typeof v.isEnabled !== "boolean" || !isDate(v.fromDate) || !isDate(v.toDate)) return null;
  if (!isText(v.subject) || !isText(v.textBody) || !isText(v.htmlBody)) return null;
  return {
    isEnabled: v.isEnabled,
    fromDate: v.fromDate as string | null,
    toDate: v.toDate as string | null,
    subject: v.subject as string | null,
    textBody: v.textBody as string | null,
    htmlBody: v.htmlBody as string | null,
  };
}

export async function writeVacationResponse(
  store: MailStore,
  account: AccountRecord,
  value: VacationResponse,
): Promise<void> {
  const bytes = Buffer.from(JSON.stringify(value), "utf8");
  // The size is bounded by the caller (MAX_VACATION_BYTES), so the metadata limits need not apply.
  await store.metadata.write(
    account.id,
    null,
    [{ ownerId: account.id, name: VACATION_ENTRY, value: bytes }],
    {
      maxEntriesPerMailbox: Number.MAX_SAFE_INTEGER,
      maxAccountBytes: Number.MAX_SAFE_INTEGER,
    },
  );
}
