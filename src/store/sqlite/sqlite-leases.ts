// LeaseRepository on SQLite (contract in mail-store.ts): the `leases` rows of migration 21. One server
// owns the data folder, but a CLI process may open the same store beside it.
import type { LeaseRepository } from "../mail-store.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export class SqliteLeases implements LeaseRepository {
  constructor(private readonly sql: SqliteDatabase) {}

  async tryTake(name: string, holder: string, nowMs: number, untilMs: number): Promise<boolean> {
    const taken = this.sql.write(
      () =>
        this.sql
          .stmt(
            `INSERT INTO leases (name, holder, until_ms) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
             WHERE leases.until_ms < ? OR leases.holder = excluded.holder`,
          )
          .run(name, holder, untilMs, nowMs).changes,
    );
    return taken > 0;
  }

  async give(name: string, holder: string): Promise<void> {
    this.sql.write(() => this.sql.stmt("DELETE FROM leases WHERE name = ? AND holder = ?").run(name, holder));
  }
}
