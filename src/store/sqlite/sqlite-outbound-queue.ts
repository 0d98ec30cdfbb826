// OutboundQueueRepository on SQLite: the outbound_queue rows of migration 20 (docs/submission.md). One
// process owns the database, so claimDue's lease only guards against this node's own pollers.
import type { OutboundQueueCount, OutboundQueueRepository, OutboundRecord } from "../mail-store.js";
import { OUTBOUND_COLUMNS, type OutboundRow, outboundValues, toOutboundRecord } from "../outbound-rows.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export class SqliteOutboundQueue implements OutboundQueueRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async enqueue(records: readonly OutboundRecord[]): Promise<void> {
    const insert = this.sql.stmt(
      `INSERT INTO outbound_queue (${OUTBOUND_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.sql.write(() => {
      for (const record of records) insert.run(...outboundValues(record));
    });
  }

  async list(): Promise<OutboundRecord[]> {
    return this.sql
      .stmt<OutboundRow>(`SELECT ${OUTBOUND_COLUMNS} FROM outbound_queue ORDER BY created_at, message_id, id`)
      .all()
      .map(toOutboundRecord);
  }

  async count(): Promise<OutboundQueueCount> {
    const row = this.sql
      .stmt<OutboundQueueCount>(
        "SELECT count(*) AS queued, count(*) FILTER (WHERE attempts > 0) AS deferred FROM outbound_queue",
      )
      .get();
    return { queued: row?.queued ?? 0, deferred: row?.deferred ?? 0 };
  }

  async claimDue(nowMs: number, leaseUntilMs: number, limit: number): Promise<OutboundRecord[]> {
    return this.sql.write(() => {
      const rows = this.sql
        .stmt<OutboundRow>(
          `SELECT ${OUTBOUND_COLUMNS} FROM outbound_queue WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
        )
        .all(nowMs, limit);
      const lease = this.sql.stmt("UPDATE outbound_queue SET next_attempt_at = ? WHERE id = ?");
      for (const row of rows) lease.run(leaseUntilMs, row.id);
      return rows.map(toOutboundRecord);
    });
  }

  async reschedule(id: string, attempts: number, nextAttemptAtMs: number, lastError: string): Promise<void> {
    this.sql.write(() =>
      this.sql
        .stmt("UPDATE outbound_queue SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?")
        .run(attempts, nextAttemptAtMs, lastError, id),
    );
  }

  async retryNow(nowMs: number, ids?: readonly string[]): Promise<number> {
    return this.sql.write(() => {
      if (ids === undefined)
        return this.sql.stmt("UPDATE outbound_queue SET next_attempt_at = ?").run(nowMs).changes;
      const update = this.sql.stmt(
        "UPDATE outbound_queue SET next_attempt_at = ? WHERE id = ? OR message_id = ?",
      );
      return ids.reduce((sum, id) => sum + update.run(nowMs, id, id).changes, 0);
    });
  }

  async remove(ids: readonly string[]): Promise<number> {
    const remove = this.sql.stmt("DELETE FROM outbound_queue WHERE id = ? OR message_id = ?");
    return this.sql.write(() => ids.reduce((sum, id) => sum + remove.run(id, id).changes, 0));
  }
}
