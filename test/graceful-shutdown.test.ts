// Graceful shutdown (issue 13) over real sockets against a `postfach serve` child: on SIGTERM an IMAP
// session in IDLE gets `* BYE`, a command already sent finishes with its tagged reply, a POP3 session that
// did not QUIT ends with -ERR and its DELE is not applied, an LMTP message arriving mid-DATA is delivered
// (250) and then the session gets 421; the process exits within the drain timeout. A rolling restart of
// two nodes on one PostgreSQL schema, under load, loses no acknowledged message.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../src/config/config.js";
import { connectPlainClient } from "../src/net/line-client.testkit.js";
import { openServices } from "../src/services.js";
import { openPostgresStore } from "../src/store/postgres/postgres-store.js";
import {
  createTestSchema,
  describeWithPostgres,
  dropTestSchema,
  testPostgresUrl,
  testSchemaUrl,
} from "../src/store/postgres/postgres-test-harness.js";
import { ACCOUNTS, FAULT_PASSWORD, imapLoad, Ledger, lmtpLoad, messageBytes } from "./faults/fault-load.js";
import { checkInvariants, emptyCheckpoint } from "./faults/store-invariants.js";
import { type NodeProcess, startNode } from "./helpers/node-process.js";
import { RawImap } from "./helpers/raw-imap.js";
import { withTestScryptCost } from "./helpers/test-auth.js";

const USER = ACCOUNTS[0];

async function addUsers(dataDir: string, store: string): Promise<void> {
  const services = await openServices(withTestScryptCost({ ...defaultConfig(), dataDir, store }));
  for (const address of ACCOUNTS) await services.users.add(address, FAULT_PASSWORD);
  await services.close();
}

describe("SIGTERM", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-shutdown-"));
    await addUsers(join(dir, "node"), "sqlite");
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("says goodbye on every protocol, finishes what is in flight, applies nothing unfinished", async () => {
    const node = await startNode({ dir, name: "node", store: "sqlite", shutdownGraceMs: 5000 });
    // Three messages to start with, over LMTP.
    const lmtp = await connectPlainClient(node.ports.lmtp);
    await lmtp.line();
    lmtp.write("LHLO shutdown.example\r\n");
    while (!(await lmtp.line()).startsWith("250 ")) {}
    for (let n = 0; n < 3; n++) {
      lmtp.write(`MAIL FROM:<s@remote.example>\r\nRCPT TO:<${USER}>\r\nDATA\r\n`);
      for (let i = 0; i < 3; i++) await lmtp.line();
      lmtp.socket.write(messageBytes(`seed${n}`, 1));
      lmtp.write(".\r\n");
      assert.match(await lmtp.line(), /^250 /);
    }

    const idler = await RawImap.loggedIn(node.ports.imap, USER, FAULT_PASSWORD);
    assert.match(await idler.command("s", "SELECT INBOX"), /^s OK/m);
    idler.write("i IDLE\r\n");
    await idler.waitFor((text) => text.includes("+ "));

    const pop = await connectPlainClient(node.ports.pop3);
    await pop.line();
    pop.write(`USER ${USER}\r\nPASS ${FAULT_PASSWORD}\r\nDELE 1\r\n`);
    for (let i = 0; i < 3; i++) assert.match(await pop.line(), /^\+OK/);

    // LMTP mid-DATA: half the message is in when SIGTERM comes.
    const message = messageBytes("inflight", 1);
    lmtp.write(`MAIL FROM:<s@remote.example>\r\nRCPT TO:<${USER}>\r\nDATA\r\n`);
    for (let i = 0; i < 3; i++) await lmtp.line();
    lmtp.socket.write(message.subarray(0, 100));

    // An APPEND sent in full just before the signal.
    const appender = await RawImap.loggedIn(node.ports.imap, USER, FAULT_PASSWORD);
    const appended = messageBytes("append", 1);
    appender.write(
      Buffer.concat([
        Buffer.from(`a APPEND INBOX {${appended.byteLength}+}\r\n`),
        appended,
        Buffer.from("\r\n"),
      ]),
    );
    await appender.waitFor((text) => /^a (OK|NO)/m.test(text));
    appender.write("n NOOP\r\n");

    const exitCode = new Promise<number | null>((resolve) =>
      node.child.once("exit", (code) => resolve(code)),
    );
    node.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    lmtp.socket.write(message.subarray(100));
    lmtp.write(".\r\n");
    assert.match(await lmtp.line(), /^250 /, "the message in flight is delivered");
    assert.match(await lmtp.line(), /^421 4\.3\.2 /, "then LMTP says it is shutting down");

    await idler.waitFor((text) => text.includes("* BYE"));
    await appender.waitFor((text) => text.includes("* BYE"));
    assert.match(
      appender.received,
      /^n OK/m,
      "a command sent before the signal finishes with its tagged reply",
    );
    assert.match(await pop.line(), /^-ERR \[SYS\/TEMP\] /, "POP3 says goodbye");
    await pop.closed();
    assert.equal(await exitCode, 0, "the server exits cleanly");
    for (const client of [idler, appender]) client.close();
    lmtp.socket.destroy();

    const restarted = await startNode({ dir, name: "node", store: "sqlite" });
    try {
      const check = await RawImap.loggedIn(restarted.ports.imap, USER, FAULT_PASSWORD);
      const status = await check.command("st", "STATUS INBOX (MESSAGES)");
      assert.match(
        status,
        /MESSAGES 5\)/,
        "3 seeds (the unQUIT DELE undone) + the LMTP message + the APPEND",
      );
      check.close();
    } finally {
      await restarted.kill("SIGTERM");
    }
  });
});

await describeWithPostgres(() => {
  describe("rolling restart of two nodes on PostgreSQL", () => {
    let dir = "";
    let schema = "";
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "postfach-rolling-"));
      schema = await createTestSchema();
      await addUsers(join(dir, "setup"), testSchemaUrl(schema));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
      await dropTestSchema(schema);
    });

    it("loses no acknowledged message while each node in turn is stopped and started under load", async () => {
      const store = testSchemaUrl(schema);
      const nodes: (NodeProcess | undefined)[] = [
        await startNode({ dir, name: "a", store }),
        await startNode({ dir, name: "b", store }),
      ];
      const ledger = new Ledger();
      let isDone = false;
      /** Keeps load on whichever node is up, reconnecting when one goes away. */
      const keepLoading = async (worker: number, kind: "lmtp" | "imap"): Promise<void> => {
        for (let turn = worker; !isDone; turn++) {
          const node = nodes[turn % 2] ?? nodes[(turn + 1) % 2];
          if (!node) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            continue;
          }
          if (kind === "lmtp")
            await lmtpLoad(node.ports.lmtp, ledger, () => isDone || nodes[turn % 2] !== node);
          else await imapLoad(node.ports.imap, worker, ledger, () => isDone || nodes[turn % 2] !== node);
        }
      };
      const loads = [
        keepLoading(0, "lmtp"),
        keepLoading(1, "lmtp"),
        keepLoading(0, "imap"),
        keepLoading(1, "imap"),
      ];
      const waitForAcks = async (count: number) => {
        const target = ledger.acks + count;
        while (ledger.acks < target) await new Promise((resolve) => setTimeout(resolve, 50));
      };
      for (const index of [0, 1]) {
        await waitForAcks(20);
        const node = nodes[index] as NodeProcess;
        nodes[index] = undefined;
        await node.kill("SIGTERM");
        assert.equal(node.child.exitCode, 0, `node ${node.name} stopped cleanly`);
        nodes[index] = await startNode({ dir, name: node.name, store });
      }
      await waitForAcks(20);
      isDone = true;
      await Promise.all(loads);
      for (const node of nodes) await node?.kill("SIGTERM");

      const checkStore = await openPostgresStore({ url: testPostgresUrl(), schema, maxConnections: 2 });
      try {
        const { problems } = await checkInvariants(checkStore, ledger, emptyCheckpoint());
        assert.deepEqual(problems, [], "every acknowledged message survived the rolling restart");
      } finally {
        await checkStore.close();
      }
      const acked = [...ledger.fates.values()].filter((fate) => fate.isAcked).length;
      assert.ok(acked >= 40, `${acked} messages acknowledged across the restarts`);
    });
  });
});
