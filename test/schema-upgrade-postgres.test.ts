// Upgrades from every schema version of the PostgreSQL store, as test/schema-upgrade.test.ts does for the
// embedded one: a schema is built at each historical version N (the first N migrations in a fresh schema,
// then the rows of a reference store restricted to the tables and columns that version has, parents
// before children, identity sequences moved past the copied ids); the current code opens it, applies the
// rest of the migrations, and serves the same folders, subscriptions, UIDVALIDITY, UIDNEXT, UIDs, flags
// and bytes over IMAP.
import assert from "node:assert/strict";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { migratePostgres } from "../src/store/postgres/pg-migrate.js";
import { MIGRATIONS } from "../src/store/postgres/pg-schema.js";
import {
  createTestSchema,
  describeWithPostgres,
  dropTestSchema,
  testPostgresUrl,
  testSchemaUrl,
  withAdmin,
} from "../src/store/postgres/postgres-test-harness.js";
import {
  assertSeenAsReference,
  imapPort,
  type SeenAccount,
  seedReferenceMail,
  seenOverImap,
} from "./helpers/schema-upgrade-reference.js";
import { startImapOnlyServer, startTestServer, type TestServer } from "./helpers/test-server.js";

const id = pg.escapeIdentifier;

interface SchemaShape {
  /** Tables, each after the tables its foreign keys point to (self-references aside). */
  readonly tablesInInsertOrder: readonly string[];
  /** Each table's writable columns (generated ones are computed by the database) and identity columns. */
  readonly columns: ReadonlyMap<
    string,
    { readonly writable: readonly string[]; readonly identity: readonly string[] }
  >;
}

/** The tables and columns of a schema, from the catalog in two queries (information_schema is slow). */
async function shapeOf(client: pg.Client, schema: string): Promise<SchemaShape> {
  const rows = await client.query<{ table: string; column: string; identity: string }>(
    `SELECT c.relname AS table, a.attname AS column, a.attidentity AS identity
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
        AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const columns = new Map<string, { writable: string[]; identity: string[] }>();
  for (const { table, column, identity } of rows.rows) {
    let entry = columns.get(table);
    if (!entry) {
      entry = { writable: [], identity: [] };
      columns.set(table, entry);
    }
    entry.writable.push(column);
    if (identity !== "") entry.identity.push(column);
  }
  const parents = new Map<string, Set<string>>([...columns.keys()].map((t) => [t, new Set()]));
  const keys = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = $1 AND c.relname <> p.relname`,
    [schema],
  );
  for (const { child, parent } of keys.rows) parents.get(child)?.add(parent);
  const ordered: string[] = [];
  const visit = (table: string) => {
    if (ordered.includes(table)) return;
    for (const parent of parents.get(table) ?? []) visit(parent);
    ordered.push(table);
  };
  for (const table of columns.keys()) visit(table);
  return { tablesInInsertOrder: ordered, columns };
}

/** A fresh schema at `version` holding the reference schema's rows, as a store of that release held them. */
async function schemaAtVersion(reference: SchemaShape & { name: string }, version: number): Promise<string> {
  const schema = await createTestSchema();
  await migratePostgres({ url: testPostgresUrl(), schema }, version);
  await withAdmin(async (client) => {
    const target = await shapeOf(client, schema);
    const statements: string[] = [];
    for (const table of reference.tablesInInsertOrder) {
      const present = target.columns.get(table);
      if (!present) continue;
      const columns = (reference.columns.get(table)?.writable ?? [])
        .filter((c) => present.writable.includes(c))
        .map(id)
        .join(", ");
      statements.push(
        `INSERT INTO ${id(schema)}.${id(table)} (${columns}) OVERRIDING SYSTEM VALUE
         SELECT ${columns} FROM ${id(reference.name)}.${id(table)};`,
      );
      // Rows copied with their ids leave the identity sequences behind; the next account must not collide.
      for (const column of present.identity) {
        const sequence = pg.escapeLiteral(`${id(schema)}.${id(table)}`);
        statements.push(
          `SELECT setval(pg_get_serial_sequence(${sequence}, ${pg.escapeLiteral(column)}),
             coalesce(max(${id(column)}), 0) + 1, false) FROM ${id(schema)}.${id(table)};`,
        );
      }
    }
    // One round trip, one transaction.
    await client.query(`BEGIN; ${statements.join("\n")} COMMIT;`);
  });
  return schema;
}

const schemaVersionOf = (schema: string): Promise<number> =>
  withAdmin(async (client) => {
    const result = await client.query<{ version: number }>(
      `SELECT max(version) AS version FROM ${id(schema)}.schema_migrations`,
    );
    return result.rows[0]?.version ?? 0;
  });

await describeWithPostgres(() => {
  describe("schema upgrades from every version of the PostgreSQL store", () => {
    let reference: TestServer;
    let referenceShape: SchemaShape & { name: string };
    let expected: SeenAccount;

    before(async () => {
      reference = await startTestServer((c) => c, { store: "postgres" });
      const name = reference.schema;
      assert.ok(name);
      expected = await seedReferenceMail(reference);
      await reference.server.stop();
      referenceShape = { name, ...(await withAdmin((client) => shapeOf(client, name))) };
    });

    after(async () => {
      // Its server stopped in before(); this ends the rest (its DNS stub, folder and schema).
      await reference?.stop();
    });

    for (let version = 1; version < MIGRATIONS.length; version++) {
      it(`a store at schema version ${version} is served the same after the upgrade`, async () => {
        const schema = await schemaAtVersion(referenceShape, version);
        const dataDir = await mkdtemp(join(tmpdir(), `postfach-pg-schema-v${version}-`));
        try {
          assert.equal(await schemaVersionOf(schema), version);
          // The reference's self-signed certificate, so each start does not generate a key pair of its own.
          await cp(join(reference.dataDir, "tls"), join(dataDir, "tls"), { recursive: true });
          const server = await startImapOnlyServer(dataDir, testSchemaUrl(schema));
          try {
            assertSeenAsReference(await seenOverImap(imapPort(server)), expected, version);
          } finally {
            await server.stop();
          }
          assert.equal(await schemaVersionOf(schema), MIGRATIONS.length);
        } finally {
          await rm(dataDir, { recursive: true, force: true });
          await dropTestSchema(schema);
        }
      });
    }
  });
});
