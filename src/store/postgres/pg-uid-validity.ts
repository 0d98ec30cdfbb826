// RFC 9051 §2.3.1.1: a mailbox name that is deleted and created again must get a new UIDVALIDITY.
// The current time in seconds (as Dovecot does) but never less than the account's last value plus one,
// so two creations within one second still differ; one statement, under the account's row lock.
import type { AccountId } from "../../kit/ids.js";
import type { Sql } from "./pg-database.js";

export async function nextUidValidity(sql: Sql, accountId: AccountId): Promise<number> {
  const row = await sql.one<{ last_uid_validity: number }>(
    `UPDATE accounts SET last_uid_validity = GREATEST(floor(extract(epoch FROM clock_timestamp()))::bigint,
       last_uid_validity + 1) WHERE id = $1 RETURNING last_uid_validity`,
    [accountId],
  );
  return (row?.last_uid_validity ?? Math.floor(Date.now() / 1000)) >>> 0;
}
