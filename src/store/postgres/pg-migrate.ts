// Applies the schema migrations (pg-schema.ts) under a PostgreSQL advisory lock, so several nodes
// starting at once apply each one exactly once: the first takes the lock and migrates, the others wait
// and then find nothing left to do. Each migration commits in its own transaction with its version row.
import pg from "pg";
import { clientConfig, type PgConnectionOptions, sqlOn } from "./pg-database.js";
import { MIGRATIONS } from "./pg-schema.js";

/** One lock for every Postfach schema in the database: CREATE EXTENSION is database-wide. */
const MIGRATION_LOCK: readonly [number, number] = [0x706f7374, 0x6d696772]; // "post", "migr"

export interface MigrationReport {
  /** Schema version before and after (the number of applied migrations). */
  readonly from: number;
  readonly to: number;
}

/** `upToVersion` stops after that migration (tests build the schema of an older release); default: all. */
export async function migratePostgres(
  options: PgConnectionOptions,
  upToVersion = MIGRATIONS.length,
): Promise<MigrationReport> {
  const client = new pg.Client(clientConfig(options));
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1, $2)", [...MIGRATION_LOCK]);
    try {
      await ensureSchema(client, options.schema);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           description text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const from = await currentVersion(client);
      if (from > MIGRATIONS.length) {
        throw new Error(
          `database schema version ${from} is newer than this Postfach (${MIGRATIONS.length}); upgrade Postfach`,
        );
      }
      for (let version = from + 1; version <= Math.min(upToVersion, MIGRATIONS.length); version++) {
        const migration = MIGRATIONS[version - 1];
        if (!migration) break;
        await client.query("BEGIN");
        try {
          await migration.apply(sqlOn(client));
          await client.query("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)", [
            version,
            migration.description,
          ]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
      }
      return { from, to: await currentVersion(client) };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1, $2)", [...MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}

/**
 * Creates the schema the tables go into when it does not exist yet: the `schema` option, else the first
 * entry of the connection's search_path (`?options=-c search_path=postfach` in the URL).
 */
async function ensureSchema(client: pg.Client, schema: string | undefined): Promise<void> {
  if (schema !== undefined) {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
    return;
  }
  const current = await client.query<{ schema: string | null; path: string }>(
    "SELECT current_schema() AS schema, current_setting('search_path') AS path",
  );
  const row = current.rows[0];
  if (!row || row.schema !== null) return;
  const first =
    row.path
      .split(",")[0]
      ?.trim()
      .replace(/^"(.*)"$/, "$1") ?? "";
  if (first === "" || first === "$user") {
    throw new Error(`none of the schemas in search_path (${row.path}) exists; create one first`);
  }
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(first)}`);
}

async function currentVersion(client: pg.Client): Promise<number> {
  const result = await client.query<{ version: number | null }>(
    "SELECT max(version) AS version FROM schema_migrations",
  );
  return result.rows[0]?.version ?? 0;
}
