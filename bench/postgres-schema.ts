// PostgreSQL for `--vs-postgres`: the database the bench fills (POSTFACH_BENCH_POSTGRES_URL, else the local
// trust-auth database `test` as root), one fresh schema per fill with the `store =` URL that selects it,
// dropped when the fill is removed. The bench never creates a database or a role.
import { randomBytes } from "node:crypto";
import pg from "pg";

const BENCH_POSTGRES_URL = process.env.POSTFACH_BENCH_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

export interface BenchSchema {
  /** What `store =` takes: the database URL with this schema as search_path. */
  readonly storeUrl: string;
  /** Refreshes the planner statistics of the schema's tables (after a fill). */
  analyze(): Promise<void>;
  drop(): Promise<void>;
}

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Exits with a clear line when the bench database does not answer (before any fill starts). */
export async function requirePostgres(): Promise<void> {
  try {
    await withClient((client) => client.query("SELECT 1"));
  } catch (error) {
    const where = BENCH_POSTGRES_URL.replace(/:[^:@/]*@/, ":***@");
    console.error(
      `--vs-postgres needs PostgreSQL at ${where} (set POSTFACH_BENCH_POSTGRES_URL): ${(error as Error).message}`,
    );
    process.exit(2);
  }
}

export async function createBenchSchema(): Promise<BenchSchema> {
  const schema = `pf_bench_${randomBytes(6).toString("hex")}`;
  const identifier = pg.escapeIdentifier(schema);
  await withClient((client) => client.query(`CREATE SCHEMA ${identifier}`));
  const separator = BENCH_POSTGRES_URL.includes("?") ? "&" : "?";
  return {
    storeUrl: `${BENCH_POSTGRES_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    analyze: () =>
      withClient(async (client) => {
        // ANALYZE without a table list would cover the whole database, other schemas included.
        const { rows } = await client.query<{ table: string }>(
          "SELECT tablename AS table FROM pg_tables WHERE schemaname = $1",
          [schema],
        );
        const tables = rows.map((row) => `${identifier}.${pg.escapeIdentifier(row.table)}`);
        if (tables.length > 0) await client.query(`ANALYZE ${tables.join(", ")}`);
      }),
    drop: () =>
      withClient((client) => client.query(`DROP SCHEMA IF EXISTS ${identifier} CASCADE`)).then(() => {}),
  };
}
