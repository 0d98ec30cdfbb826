// JmapObjectRepository on SQLite: the jmap_objects rows of migration 19. Each write runs in the
// database's one write transaction, so the per-type counter (the largest modseq, tombstones included)
// never hands out a value twice.
import type { AccountId } from "../../kit/ids.js";
import type { JmapObjectRecord, JmapObjectRepository } from "../mail-store.js";
import { objectChanged } from "../notifier/object-changed.js";
import type { SqliteDatabase } from "./sqlite-database.js";

interface ObjectRow {
  id: string;
  data: string | null;
  created_modseq: number;
  modseq: number;
}

const toRecord = (row: ObjectRow): JmapObjectRecord => ({
  id: row.id,
  data: row.data,
  createdModSeq: Number(row.created_modseq),
  modSeq: Number(row.modseq),
});

export class SqliteJmapObjects implements JmapObjectRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async list(accountId: AccountId, type: string): Promise<JmapObjectRecord[]> {
    return this.sql
      .stmt<ObjectRow>(
        "SELECT id, data, created_modseq, modseq FROM jmap_objects WHERE account_id = ? AND type = ? AND data IS NOT NULL ORDER BY id",
      )
      .all(accountId, type)
      .map(toRecord);
  }

  async put(accountId: AccountId, type: string, id: string, data: string): Promise<number> {
    return this.sql.write((scope) => {
      const next = this.#highest(accountId, type) + 1;
      this.sql
        .stmt(
          `INSERT INTO jmap_objects (account_id, type, id, data, created_modseq, modseq) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (account_id, type, id) DO UPDATE SET data = excluded.data, modseq = excluded.modseq,
             created_modseq = CASE WHEN jmap_objects.data IS NULL THEN excluded.created_modseq ELSE jmap_objects.created_modseq END`,
        )
        .run(accountId, type, id, data, next, next);
      scope.emit(objectChanged(accountId));
      return next;
    });
  }

  async destroy(accountId: AccountId, type: string, id: string): Promise<boolean> {
    return this.sql.write((scope) => {
      const next = this.#highest(accountId, type) + 1;
      const changes = this.sql
        .stmt(
          "UPDATE jmap_objects SET data = NULL, modseq = ? WHERE account_id = ? AND type = ? AND id = ? AND data IS NOT NULL",
        )
        .run(next, accountId, type, id).changes;
      if (changes > 0) scope.emit(objectChanged(accountId));
      return changes > 0;
    });
  }

  async changesSince(accountId: AccountId, type: string, modSeq: number): Promise<JmapObjectRecord[]> {
    return this.sql
      .stmt<ObjectRow>(
        "SELECT id, data, created_modseq, modseq FROM jmap_objects WHERE account_id = ? AND type = ? AND modseq > ? ORDER BY modseq",
      )
      .all(accountId, type, modSeq)
      .map(toRecord);
  }

  async highestModSeq(accountId: AccountId, type: string): Promise<number> {
    return this.#highest(accountId, type);
  }

  #highest(accountId: AccountId, type: string): number {
    const row = this.sql
      .stmt<{ highest: number | null }>(
        "SELECT MAX(modseq) AS highest FROM jmap_objects WHERE account_id = ? AND type = ?",
      )
      .get(accountId, type);
    return Number(row?.highest ?? 0);
  }
}
