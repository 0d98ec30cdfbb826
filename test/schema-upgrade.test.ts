// Upgrades from every schema version of the embedded store: a store is built at each historical version N
// (the first N migrations on an empty database, then the rows of a reference store restricted to the
// tables and columns that version has, bodies as files before migration 15 kept them in the database);
// the current code opens it, snapshots it before migrating, and serves the same folders, subscriptions,
// UIDVALIDITY, UIDNEXT, UIDs, flags and bytes over IMAP. `postfach migrate --rollback` puts the snapshot
// back (refused while a server runs) and a PostgreSQL store is pointed to pg_dump.
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { ImapFlow } from "imapflow";
import type { RunningServer } from "../src/main.js";
import { MIGRATIONS } from "../src/store/sqlite/schema.js";
import { listSchemaSnapshots } from "../src/store/sqlite/schema-snapshots.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { postfach } from "./helpers/postfach-cli.js";
import { startImapOnlyServer, startTestServer, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";

interface SeenMailbox {
  readonly uidValidity: string;
  readonly uidNext: number;
  readonly messages: readonly { uid: number; flags: string; source: string }[];
}

interface SeenAccount {
  readonly subscribed: readonly string[];
  readonly mailboxes: ReadonlyMap<string, SeenMailbox>;
}

/** What an IMAP client sees of the account: every folder's state and messages, and the subscriptions. */
async function seenOverImap(port: number): Promise<SeenAccount> {
  const client: ImapFlow = imapFlowClient(port, ALICE);
  await client.connect();
  try {
    const list = await client.list();
    const mailboxes = new Map<string, SeenMailbox>();
    for (const entry of list.sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const lock = await client.getMailboxLock(entry.path);
      try {
        const box = client.mailbox;
        assert.ok(box);
        const messages: { uid: number; flags: string; source: string }[] = [];
        if (box.exists > 0) {
          for await (const m of client.fetch("1:*", { uid: true, flags: true, source: true })) {
            messages.push({
              uid: m.uid,
              flags: [...(m.flags ?? [])].sort().join(" "),
              source: (m.source as Buffer).toString("latin1"),
            });
          }
        }
        mailboxes.set(entry.path, { uidValidity: String(box.uidValidity), uidNext: box.uidNext, messages });
      } finally {
        lock.release();
      }
    }
    const subscribed = list
      .filter((m) => m.subscribed)
      .map((m) => m.path)
      .sort();
    return { subscribed, mailboxes };
  } finally {
    await client.logout();
  }
}

const imapPort = (server: RunningServer): number => {
  const listener = server.listeners.find((l) => l.proto === "imap");
  assert.ok(listener);
  return listener.port;
};

/** The path FileBlobStore gives a blob (blobs/aa/bb/<sha256>). */
const blobPath = (dataDir: string, hash: string): string =>
  join(dataDir, "blobs", hash.slice(0, 2), hash.slice(2, 4), hash);

/**
 * A data folder at schema version `version` holding the reference store's rows: every table that version
 * has gets the reference rows' values for the columns it has (later columns take their defaults when the
 * migrations add them, as real old rows do); full-text tables are left to the triggers of that version.
 */
async function storeAtVersion(reference: string, version: number): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), `postfach-schema-v${version}-`));
  await cp(join(reference, "blobs"), join(dataDir, "blobs"), { recursive: true });
  // The reference's self-signed certificate, so each start does not generate a key pair of its own.
  await cp(join(reference, "tls"), join(dataDir, "tls"), { recursive: true });
  const db = new Database(join(dataDir, "postfach.db"));
  try {
    for (const migration of MIGRATIONS.slice(0, version)) db.exec(migration);
    db.pragma(`user_version = ${version}`);
    db.pragma("foreign_keys = OFF");
    db.prepare("ATTACH DATABASE ? AS ref").run(join(reference, "postfach.db"));
    const tablesOf = (schema: string) =>
      db
        .prepare(
          `SELECT name, sql FROM ${schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
        )
        .all() as { name: string; sql: string }[];
    const virtual = tablesOf("ref")
      .filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql))
      .map((t) => t.name);
    const isIndexTable = (name: string) => virtual.some((v) => name === v || name.startsWith(`${v}_`));
    const present = new Set(tablesOf("main").map((t) => t.name));
    const columnsOf = (schema: string, table: string) =>
      (db.prepare(`SELECT name FROM pragma_table_info(?, ?)`).all(table, schema) as { name: string }[]).map(
        (c) => c.name,
      );
    for (const { name } of tablesOf("ref")) {
      if (isIndexTable(name) || !present.has(name)) continue;
      const mainColumns = new Set(columnsOf("main", name));
      const columns = columnsOf("ref", name)
        .filter((c) => mainColumns.has(c))
        .map((c) => `"${c}"`)
        .join(", ");
      db.exec(`INSERT INTO main."${name}" (${columns}) SELECT ${columns} FROM ref."${name}"`);
    }
    if (!present.has("message_blobs")) {
      // Before migration 15 every body was a file.
      for (const row of db.prepare("SELECT hash, bytes FROM ref.message_blobs").all() as {
        hash: string;
        bytes: Buffer;
      }[]) {
        await mkdir(join(blobPath(dataDir, row.hash), ".."), { recursive: true });
        await writeFile(blobPath(dataDir, row.hash), row.bytes);
      }
    }
    db.exec("DETACH DATABASE ref");
  } finally {
    db.close();
  }
  return dataDir;
}

const schemaVersionOf = (path: string): number => {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma("user_version", { simple: true }) as number;
  } finally {
    db.close();
  }
};

describe("schema upgrades from every version of the embedded store", () => {
  let reference: TestServer;
  let expected: SeenAccount;
  const made: string[] = [];

  before(async () => {
    reference = await startTestServer();
    await reference.addUser(ALICE);
    await reference.addUser("bob@example.test");
    const client = imapFlowClient(reference.port("imap"), ALICE);
    await client.connect();
    await client.mailboxCreate("Projects/Größe");
    await client.mailboxUnsubscribe("Junk");
    const when = (day: number) => new Date(Date.UTC(2026, 0, day, 9, 0, 0));
    const message = (n: number, body = `Body ${n}.`) =>
      `From: bob@example.test\r\nTo: ${ALICE}\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.test>\r\n\r\n${body}\r\n`;
    await client.append("INBOX", message(1), ["\\Seen"], when(1));
    await client.append("INBOX", message(2), ["\\Flagged", "$Forwarded", "project-x"], when(2));
    await client.append("INBOX", message(3), [], when(3));
    await client.append("INBOX", message(4, "x".repeat(100_000)), ["\\Answered"], when(4));
    await client.append("Projects/Größe", message(5, "Grüße."), ["\\Draft"], when(5));
    const lock = await client.getMailboxLock("INBOX");
    try {
      await client.messageDelete({ uid: "3" }, { uid: true });
    } finally {
      lock.release();
    }
    await client.logout();
    // A delivery keeps its small body in the database (message_blobs, migration 15).
    const { delivery } = reference.server.services;
    const check = await delivery.checkRecipient(ALICE);
    assert.equal(check.kind, "accepted");
    if (check.kind !== "accepted") return;
    const report = await delivery.deliver({
      returnPath: "bob@example.test",
      recipients: [check],
      data: Buffer.from(message(6, "Delivered.")),
      heloName: "localhost",
      remoteAddress: "127.0.0.1",
      protocol: "LMTP",
    });
    assert.equal(report.outcomes[0]?.kind, "delivered");
    expected = await seenOverImap(reference.port("imap"));
    await reference.server.stop();
  });

  after(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
    // Its server stopped in before(); this ends the rest (its DNS stub) and removes its folder.
    await reference?.stop();
  });

  it("the reference store holds what the upgrades must keep, and a new store takes no snapshot", async () => {
    assert.deepEqual(
      expected.mailboxes.get("INBOX")?.messages.map((m) => m.uid),
      [1, 2, 4, 5],
    );
    assert.ok(expected.subscribed.includes("Projects/Größe") && !expected.subscribed.includes("Junk"));
    assert.deepEqual(await listSchemaSnapshots(reference.dataDir), []);
  });

  for (let version = 1; version < MIGRATIONS.length; version++) {
    it(`a store at schema version ${version} is served the same after the upgrade`, async () => {
      const dataDir = await storeAtVersion(reference.dataDir, version);
      made.push(dataDir);
      const server = await startImapOnlyServer(dataDir);
      try {
        const seen = await seenOverImap(imapPort(server));
        assert.deepEqual(seen.subscribed, expected.subscribed);
        assert.deepEqual([...seen.mailboxes.keys()], [...expected.mailboxes.keys()]);
        for (const [name, mailbox] of expected.mailboxes) {
          assert.deepEqual(seen.mailboxes.get(name), mailbox, `${name} at schema version ${version}`);
        }
      } finally {
        await server.stop();
      }
      const snapshots = await listSchemaSnapshots(dataDir);
      assert.deepEqual(
        snapshots.map((s) => s.version),
        [version],
        "one snapshot, of the version before the upgrade",
      );
      assert.equal(schemaVersionOf(join(dataDir, "postfach.db")), MIGRATIONS.length);
    });
  }

  it("postfach migrate --rollback puts the snapshot back, and refuses while a server runs", async () => {
    const version = 10;
    const dataDir = await storeAtVersion(reference.dataDir, version);
    made.push(dataDir);
    const env = { POSTFACH_DATA: dataDir, POSTFACH_CONFIG: "" };
    const server = await startImapOnlyServer(dataDir);
    try {
      const refused = await postfach(["migrate", "--rollback"], env);
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stderr, /server \(pid \d+\) is running .*stop it before rolling back/);
    } finally {
      await server.stop();
    }
    const rolled = await postfach(["migrate", "--rollback"], env);
    assert.equal(rolled.code, 0, rolled.stderr);
    assert.match(
      rolled.stdout,
      new RegExp(`rolled back to schema version ${version} \\(from ${MIGRATIONS.length}\\)`),
    );
    assert.equal(schemaVersionOf(join(dataDir, "postfach.db")), version);

    const again = await postfach(["migrate", "--rollback"], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No schema snapshot/);

    // The rolled-back store is whole: the current code upgrades it again and serves the same mail.
    const reopened = await startImapOnlyServer(dataDir);
    try {
      const seen = await seenOverImap(imapPort(reopened));
      assert.deepEqual(seen.mailboxes.get("INBOX"), expected.mailboxes.get("INBOX"));
    } finally {
      await reopened.stop();
    }
  });

  it("the PostgreSQL store refuses a rollback with a pointer to pg_dump", async () => {
    const result = await postfach(["migrate", "--rollback"], {
      POSTFACH_STORE: "postgres://postfach@127.0.0.1:1/none",
      POSTFACH_CONFIG: "",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pg_dump -Fc before upgrading.*pg_restore/);
  });
});
