// Test support for the PostgreSQL store: the database to use (POSTFACH_TEST_POSTGRES_URL), whether it is
// reachable, and a StoreHarness giving every run its own schema (dropped afterwards). Test files call
// describeWithPostgres, which skips with one line when PostgreSQL is missing, unless
// POSTFACH_REQUIRE_POSTGRES=1 (CI) turns that into a failure.
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import pg from "pg";
import type { StoreHarness } from "../contract/mail-store-contract.js";
import type { MailStore } from "../mail-store.js";
import { openPostgresStore } from "./postgres-store.js";

/** Without POSTFACH_TEST_POSTGRES_URL, the local server's trust-auth database `test` as root, then as postgres. */
const CANDIDATE_URLS = process.env.POSTFACH_TEST_POSTGRES_URL
  ? [process.env.POSTFACH_TEST_POSTGRES_URL]
  : ["postgres://root@127.0.0.1:5432/test", "postgres://postgres@127.0.0.1:5432/test"];
let testUrl = CANDIDATE_URLS[0] as string;

/** The test database's URL (the first candidate that answered, once describeWithPostgres has probed). */
export function testPostgresUrl(): string {
  return testUrl;
}
const PROBE_TIMEOUT_MS = 5000;

/** Undefined when the test database answers, else why not. */
async function probe(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs `describeTests` when PostgreSQL is reachable; otherwise one skipped (or, in CI, failing) test. */
export async function describeWithPostgres(describeTests: () => void): Promise<void> {
  let problem: string | undefined;
  for (const url of CANDIDATE_URLS) {
    problem = await probe(url);
    if (problem === undefined) {
      testUrl = url;
      describeTests();
      return;
    }
  }
  const where = `PostgreSQL not reachable at ${CANDIDATE_URLS.map(redact).join(" or ")} (${problem})`;
  if (process.env.POSTFACH_REQUIRE_POSTGRES === "1") {
    test("PostgreSQL store tests", () => {
      throw new Error(`${where}, and POSTFACH_REQUIRE_POSTGRES=1 makes them mandatory`);
    });
  } else {
    test("PostgreSQL store tests", { skip: `${where}: PostgreSQL store tests skipped` }, () => {});
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/** Runs `fn` on a connection of its own to the test database. */
export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The test database's URL with `schema` as search_path: what a server's `store =` setting takes. */
export function testSchemaUrl(schema: string): string {
  const separator = testUrl.includes("?") ? "&" : "?";
  return `${testUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export async function createTestSchema(): Promise<string> {
  const schema = `pf_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((client) => client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`));
  return schema;
}

export async function dropTestSchema(schema: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`));
}

export function openTestStore(schema: string): Promise<MailStore> {
  return openPostgresStore({ url: testUrl, schema, maxConnections: 4 });
}

/** Each create() works in a fresh schema of the test database, dropped by destroy(). */
export const postgresHarness: StoreHarness = {
  async create() {
    const schema = await createTestSchema();
    let current = await openTestStore(schema);
    const seconds: MailStore[] = [];
    return {
      get store() {
        return current;
      },
      async reopen() {
        await current.close();
        current = await openTestStore(schema);
        return current;
      },
      async openSecond() {
        const second = await openTestStore(schema);
        seconds.push(second);
        return second;
      },
      async destroy() {
        await current.close();
        for (const second of seconds) await second.close().catch(() => {});
        await dropTestSchema(schema);
      },
    };
  },
};
