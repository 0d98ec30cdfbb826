// Crash consistency (issue 13): a `postfach serve` child under mixed LMTP and IMAP load (APPEND, STORE,
// COPY, MOVE, EXPUNGE, RENAME) is killed with SIGKILL at random moments, restarted, and the store checked
// after every kill (store-invariants.ts), on both backends. POSTFACH_FAULT_ROUNDS sets the number of kills
// per backend (CI default 6).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/config/config.js";
import { openServices } from "../../src/services.js";
import type { MailStore } from "../../src/store/mail-store.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import {
  createTestSchema,
  describeWithPostgres,
  dropTestSchema,
  testPostgresUrl,
  testSchemaUrl,
  withAdmin,
} from "../../src/store/postgres/postgres-test-harness.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { startNode } from "../helpers/node-process.js";
import { withTestScryptCost } from "../helpers/test-auth.js";
import { ACCOUNTS, FAULT_PASSWORD, imapLoad, Ledger, lmtpLoad } from "./fault-load.js";
import { type Checkpoint, checkBlobs, checkInvariants, emptyCheckpoint } from "./store-invariants.js";

const ROUNDS = Number(process.env.POSTFACH_FAULT_ROUNDS ?? 6);
const NODE_NAME = "node";

interface Backend {
  readonly name: string;
  /** The `store =` setting. */
  store(): string;
  open(dataDir: string): Promise<MailStore>;
  /**
   * Waits until what the killed node started has ended outside it. PostgreSQL finishes a COMMIT whose
   * client is gone: checked while one of the node's sessions still commits, the checker could read a
   * mailbox row before that commit and its entries after it.
   */
  settle(): Promise<void>;
}

/** Resolves once no session named `applicationName` is left on the server (10 s at most, then throws). */
async function nodeSessionsEnded(applicationName: string): Promise<void> {
  for (let waited = 0; ; waited += 50) {
    const left = await withAdmin(async (client) => {
      const result = await client.query<{ count: string }>(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
        [applicationName],
      );
      return Number(result.rows[0]?.count ?? 0);
    });
    if (left === 0) return;
    if (waited >= 10_000) throw new Error(`${left} sessions of the killed node still open after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs ROUNDS rounds of load-then-SIGKILL and checks the store after each. */
async function crashRounds(backend: Backend, dir: string): Promise<void> {
  const dataDir = join(dir, NODE_NAME);
  const services = await openServices(
    withTestScryptCost({ ...defaultConfig(), dataDir, store: backend.store() }),
  );
  for (const address of ACCOUNTS) await services.users.add(address, FAULT_PASSWORD);
  await services.close();

  const ledger = new Ledger();
  let checkpoint: Checkpoint = emptyCheckpoint();
  let midFlightKills = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = Date.now();
    const node = await startNode({ dir, name: NODE_NAME, store: backend.store() });
    const t1 = Date.now();
    let isDone = false;
    // The kill comes a random 0-600 ms after a random number (1-40) of acknowledgements this round, so
    // it lands anywhere: while data arrives, between blob fsync and commit, between commit and reply.
    const killAfterAcks = ledger.acks + 1 + Math.floor(Math.random() * 40);
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      isDone = true;
      node.child.kill("SIGKILL");
    };
    const fallback = setTimeout(kill, 30_000);
    ledger.onAck = () => {
      if (ledger.acks === killAfterAcks) killTimer = setTimeout(kill, Math.random() * 600);
    };
    const loads = [
      lmtpLoad(node.ports.lmtp, ledger, () => isDone),
      lmtpLoad(node.ports.lmtp, ledger, () => isDone),
      imapLoad(node.ports.imap, 0, ledger, () => isDone),
      imapLoad(node.ports.imap, 1, ledger, () => isDone),
    ];
    await Promise.all(loads);
    // A load that ran out of work (every client failed early) leaves the server alive: kill it now.
    if (!isDone) kill();
    clearTimeout(fallback);
    clearTimeout(killTimer);
    await node.exited;
    if (node.child.signalCode === "SIGKILL") midFlightKills++;
    await backend.settle();
    const t2 = Date.now();

    const store = await backend.open(dataDir);
    try {
      const result = await checkInvariants(store, ledger, checkpoint);
      assert.deepEqual(result.problems, [], `${backend.name} round ${round}: invariants hold`);
      checkpoint = result.checkpoint;
      if (process.env.POSTFACH_FAULT_VERBOSE) {
        process.stderr.write(
          `# ${backend.name} round ${round}: start ${t1 - t0} ms, load ${t2 - t1} ms, check ${Date.now() - t2} ms, ${result.messages} messages\n`,
        );
      }
    } finally {
      await store.close();
    }
  }
  const acked = [...ledger.fates.values()].filter((fate) => fate.isAcked).length;
  assert.ok(acked > ROUNDS, `the load got ${acked} messages acknowledged`);
  assert.equal(midFlightKills, ROUNDS, "every round ended in a SIGKILL");
  process.stderr.write(`# ${backend.name}: ${ROUNDS} kills, ${acked} acknowledged messages checked\n`);

  const store = await backend.open(dataDir);
  try {
    assert.deepEqual(
      await checkBlobs(store),
      [],
      `${backend.name}: no orphaned or damaged blobs after cleanup`,
    );
  } finally {
    await store.close();
  }
}

describe("crash consistency under SIGKILL: SQLite", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-faults-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it(`keeps every invariant through ${ROUNDS} kills under load`, async () => {
    await crashRounds(
      {
        name: "sqlite",
        store: () => "sqlite",
        open: (dataDir) => openSqliteStore({ dataDir }),
        // The database is written only by the process that died.
        settle: async () => {},
      },
      dir,
    );
  });
});

await describeWithPostgres(() => {
  describe("crash consistency under SIGKILL: PostgreSQL", () => {
    let dir = "";
    let schema = "";
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "postfach-faults-pg-"));
      schema = await createTestSchema();
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
      await dropTestSchema(schema);
    });

    it(`keeps every invariant through ${ROUNDS} kills under load`, async () => {
      await crashRounds(
        {
          name: "postgres",
          // The node's sessions carry the schema as their application name, so they can be waited for.
          store: () => `${testSchemaUrl(schema)}&application_name=${schema}`,
          open: () => openPostgresStore({ url: testPostgresUrl(), schema, maxConnections: 2 }),
          settle: () => nodeSessionsEnded(schema),
        },
        dir,
      );
    });
  });
});
