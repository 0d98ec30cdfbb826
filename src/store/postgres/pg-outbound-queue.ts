// OutboundQueueRepository on PostgreSQL: the outbound_queue rows (docs/submission.md). Several nodes
// poll the one queue: claimDue locks due rows with SKIP LOCKED, so each recipient goes to one node.
import type { OutboundQueueCount, OutboundQueueRepository, OutboundRecord } from "../mail-store.js";
import { OUTBOUND_COLUMNS, type OutboundRow, outboundValues, toOutboundRecord } from "../outbound-rows.js";
import type { PgDatabase } from "./pg-database.js";

export class PgOutboundQueue implements OutboundQueueRepository {
  constructor(readonly sql: PgDatabase) {}

  async enqueue(records: readonly OutboundRecord[]): Promise<void> {
    await this.sql.write(async (tx) => {
      for (const record of records) {
        await tx.run(
          `INSERT INTO outbound_queue (${OUTBOUND_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          outboundValues(record),
        );
      }
    });
  }

  async list(): Promise<OutboundRecord[]> {
    const rows = await this.sql.rows<OutboundRow>(
      `SELECT ${OUTBOUND_COLUMNS} FROM outbound_queue ORDER BY created_at, message_id, id`,
    );
    return rows.map(toOutboundRecord);
  }

  async count(): Promise<OutboundQueueCount> {
    const row = await this.sql.one<OutboundQueueCount>(
      "SELECT count(*) AS queued, count(*) FILTER (WHERE attempts > 0) AS deferred FROM outbound_queue",
    );
    return { queued: row?.queued ?? 0, deferred: row?.deferred ?? 0 };
  }

  async claimDue(nowMs: number, leaseUntilMs: number, limit: number): Promise<OutboundRecord[]> {
    const rows = await this.sql.rows<OutboundRow>(
      `UPDATE outbound_queue SET next_attempt_at = $2 WHERE id IN (
         SELECT id FROM outbound_queue WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING ${OUTBOUND_COLUMNS}`,
      [nowMs, leaseUntilMs, limit],
    );
    return rows.map(toOutboundRecord);
  }

  async reschedule(id: string, attempts: number, nextAttemptAtMs: number, lastError: string): Promise<void> {
    await this.sql.run(
      "UPDATE outbound_queue SET attempts = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4",
      [attempts, nextAttemptAtMs, lastError, id],
    );
  }

  retryNow(nowMs: number, ids?: readonly string[]): Promise<number> {
    if (ids === undefined) return this.sql.run("UPDATE outbound_queue SET next_attempt_at = $1", [nowMs]);
    return this.sql.run(
      "UPDATE outbound_queue SET next_attempt_at = $1 WHERE id = ANY($2) OR message_id = ANY($2)",
      [nowMs, [...ids]],
    );
  }

  remove(ids: readonly string[]): Promise<number> {
    return this.sql.run("DELETE FROM outbound_queue WHERE id = ANY($1) OR message_id = ANY($1)", [[...ids]]);
  }
}
