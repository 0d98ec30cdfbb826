// RFC 9051 §2.3.1.1: a mailbox name that is deleted and created again must get a new UIDVALIDITY.
// We take the current time in seconds (as Dovecot does) but never less than the account's last value
// plus one, so two creations within one second still differ.
import type { AccountId } from "../../kit/ids.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export function nextUidValidity(sql: SqliteDatabase, accountId: AccountId): number {
  const row = sql.stmt("SELECT last_uid_validity FROM accounts WHERE id = ?").get(accountId) as
    | { last_uid_validity: number }
    | undefined;
  const last = row?.last_uid_validity ?? 0;
  const value = Math.max(Math.floor(Date.now() / 1000), last + 1) >>> 0;
  sql.stmt("UPDATE accounts SET last_uid_validity = ? WHERE id = ?").run(value, accountId);
  return value;
}
