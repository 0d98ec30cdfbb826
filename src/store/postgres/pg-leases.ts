// LeaseRepository on PostgreSQL (contract in mail-store.ts): one `leases` row per name, taken with one
// upsert, so of several nodes asking at once exactly one gets it.
import type { LeaseRepository } from "../mail-store.js";
import type { PgDatabase } from "./pg-database.js";

export class PgLeases implements LeaseRepository {
  constructor(private readonly sql: PgDatabase) {}

  async tryTake(name: string, holder: string, nowMs: number, untilMs: number): Promise<boolean> {
    const taken = await this.sql.run(
      `INSERT INTO leases (name, holder, until_ms) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until_ms = EXCLUDED.until_ms
       WHERE leases.until_ms < $4 OR leases.holder = EXCLUDED.holder`,
      [name, holder, untilMs, nowMs],
    );
    return taken > 0;
  }

  async give(name: string, holder: string): Promise<void> {
    await this.sql.run("DELETE FROM leases WHERE name = $1 AND holder = $2", [name, holder]);
  }
}
