// JmapObjectRepository on PostgreSQL: the jmap_objects rows. Writes lock the account's row first
// (writeAccount), so two nodes never hand out the same modseq of a type's counter.
import type { AccountId } from "../../kit/ids.js";
import type { JmapObjectRecord, JmapObjectRepository } from "../mail-store.js";
import { objectChanged } from "../notifier/object-changed.js";
import type { PgDatabase, Sql } from "./pg-database.js";

interface ObjectRow {
  id: string;
  data: string | null;
  created_modseq: string | number;
  modseq: string | number;
}

const toRecord = (row: ObjectRow): JmapObjectRecord => ({
  id: row.id,
  data: row.data,
  createdModSeq: Number(row.created_modseq),
  modSeq: Number(row.modseq),
});

async function highest(sql: Sql, accountId: AccountId, type: string): Promise<number> {
  const row = await sql.one<{ highest: string | number | null }>(
    "SELECT MAX(modseq) AS highest FROM jmap_objects WHERE account_id = $1 AND type = $2",
    [accountId, type],
  );
  return Number(row?.highest ?? 0);
}

export class PgJmapObjects implements JmapObjectRepository {
  constructor(readonly sql: PgDatabase) {}

  async list(accountId: AccountId, type: string): Promise<JmapObjectRecord[]> {
    const rows = await this.sql.rows<ObjectRow>(
      "SELECT id, data, created_modseq, modseq FROM jmap_objects WHERE account_id = $1 AND type = $2 AND data IS NOT NULL ORDER BY id",
      [accountId, type],
    );
    return rows.map(toRecord);
  }

  put(accountId: AccountId, type: string, id: string, data: string): Promise<number> {
    return this.sql.writeAccount(accountId, async (tx) => {
      const next = (await highest(tx, accountId, type)) + 1;
      await tx.run(
        `INSERT INTO jmap_objects (account_id, type, id, data, created_modseq, modseq) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (account_id, type, id) DO UPDATE SET data = EXCLUDED.data, modseq = EXCLUDED.modseq,
           created_modseq = CASE WHEN jmap_objects.data IS NULL THEN EXCLUDED.created_modseq ELSE jmap_objects.created_modseq END`,
        [accountId, type, id, data, next],
      );
      tx.emit(objectChanged(accountId));
      return next;
    });
  }

  destroy(accountId: AccountId, type: string, id: string): Promise<boolean> {
    return this.sql.writeAccount(accountId, async (tx) => {
      const next = (await highest(tx, accountId, type)) + 1;
      const count = await tx.run(
        "UPDATE jmap_objects SET data = NULL, modseq = $1 WHERE account_id = $2 AND type = $3 AND id = $4 AND data IS NOT NULL",
        [next, accountId, type, id],
      );
      if (count > 0) tx.emit(objectChanged(accountId));
      return count > 0;
    });
  }

  async changesSince(accountId: AccountId, type: string, modSeq: number): Promise<JmapObjectRecord[]> {
    const rows = await this.sql.rows<ObjectRow>(
      "SELECT id, data, created_modseq, modseq FROM jmap_objects WHERE account_id = $1 AND type = $2 AND modseq > $3 ORDER BY modseq",
      [accountId, type, modSeq],
    );
    return rows.map(toRecord);
  }

  highestModSeq(accountId: AccountId, type: string): Promise<number> {
    return highest(this.sql, accountId, type);
  }
}
