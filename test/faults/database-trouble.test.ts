// Database trouble (issue 13, PostgreSQL backend): under LMTP and IMAP load, every connection the
// server holds to PostgreSQL is terminated, several times, as a database restart would. Sessions get
// clear temporary errors (IMAP NO [UNAVAILABLE], LMTP 4xx; never SERVERBUG), the server reconnects and
// keeps serving, an IDLE session survives (or gets a clean BYE), and no acknowledged message is lost.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/config/config.js";
import { openServices } from "../../src/services.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import {
  createTestSchema,
  describeWithPostgres,
  dropTestSchema,
  testPostgresUrl,
  testSchemaUrl,
  withAdmin,
} from "../../src/store/postgres/postgres-test-harness.js";
import { startNode } from "../helpers/node-process.js";
import { RawImap } from "../helpers/raw-imap.js";
import { withTestScryptCost } from "../helpers/test-auth.js";
import { ACCOUNTS, FAULT_PASSWORD, imapLoad, Ledger, lmtpLoad } from "./fault-load.js";
import { checkInvariants, emptyCheckpoint } from "./store-invariants.js";

const OUTAGES = Number(process.env.POSTFACH_FAULT_OUTAGES ?? 3);
/** Temporary refusals: LMTP 4xx, IMAP NO [UNAVAILABLE]; [ALREADYEXISTS] is the load's own CREATE. */
const TEMPORARY = /^(4\d\d |\S+ NO \[(UNAVAILABLE|ALREADYEXISTS)\])/;

await describeWithPostgres(() => {
  describe("PostgreSQL connections lost under load", () => {
    let dir = "";
    let schema = "";
    const applicationName = `pf_fault_${randomBytes(4).toString("hex")}`;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "postfach-dbtrouble-"));
      schema = await createTestSchema();
      const services = await openServices(
        withTestScryptCost({ ...defaultConfig(), dataDir: join(dir, "setup"), store: testSchemaUrl(schema) }),
      );
      for (const address of ACCOUNTS) await services.users.add(address, FAULT_PASSWORD);
      await services.close();
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
      await dropTestSchema(schema);
    });

    it(`answers with temporary errors, reconnects and loses nothing through ${OUTAGES} outages`, async () => {
      // The node's connections carry an application_name, so only they are terminated, not others'.
      const store = `${testSchemaUrl(schema)}&application_name=${applicationName}`;
      const node = await startNode({ dir, name: "node", store });
      const ledger = new Ledger();
      let isDone = false;
      const keepLoading = async (run: () => Promise<void>) => {
        while (!isDone) await run();
      };
      const loads = [
        keepLoading(() => lmtpLoad(node.ports.lmtp, ledger, () => isDone)),
        keepLoading(() => lmtpLoad(node.ports.lmtp, ledger, () => isDone)),
        keepLoading(() => imapLoad(node.ports.imap, 0, ledger, () => isDone)),
        keepLoading(() => imapLoad(node.ports.imap, 1, ledger, () => isDone)),
      ];
      const idler = await RawImap.loggedIn(node.ports.imap, ACCOUNTS[1], FAULT_PASSWORD);
      assert.match(await idler.command("s", "SELECT INBOX"), /^s OK/m);
      idler.write("i IDLE\r\n");
      await idler.waitFor((text) => text.includes("+ "));

      const waitForAcks = async (count: number) => {
        const target = ledger.acks + count;
        const deadline = Date.now() + 60_000;
        while (ledger.acks < target) {
          if (Date.now() > deadline) {
            isDone = true;
            assert.fail(
              `no progress (${ledger.acks} acks); refusals ${ledger.refusals.slice(-5).join(" / ")}; log ${node.log().slice(-1500)}`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      let terminated = 0;
      for (let outage = 0; outage < OUTAGES; outage++) {
        await waitForAcks(15);
        const result = await withAdmin((client) =>
          client.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = $1`,
            [applicationName],
          ),
        );
        terminated += result.rowCount ?? 0;
      }
      // Service continues: more acknowledgements after the last outage.
      await waitForAcks(15);
      isDone = true;
      await Promise.all(loads);
      assert.ok(terminated >= OUTAGES, `${terminated} server connections were terminated`);
      assert.equal(node.child.exitCode, null, "the server survived");

      // The IDLE session either still works (it sees a new delivery to bob) or ended with a clean BYE.
      const seenBefore = idler.received.length;
      const isIdleAnswered = () =>
        idler.isClosed || /\* \d+ EXISTS|\* BYE/.test(idler.received.slice(seenBefore));
      // Deliveries go on until IDLE answers or the wait ends, so a silent IDLE fails below, not hangs.
      let isWaitOver = false;
      const lmtpDone = lmtpLoad(node.ports.lmtp, ledger, () => isIdleAnswered() || isWaitOver);
      await idler.waitFor(() => isIdleAnswered(), 20_000).catch(() => {});
      isWaitOver = true;
      await lmtpDone;
      // An EXISTS from before the outages proves nothing: only one after them, or a BYE at any time.
      const idleText = idler.received;
      assert.ok(
        /\* \d+ EXISTS/.test(idleText.slice(seenBefore)) || /\* BYE/.test(idleText),
        `IDLE went on or ended cleanly: ${idleText.slice(-300)}`,
      );
      idler.close();
      await node.kill("SIGTERM");

      const unclear = ledger.refusals.filter((reply) => !TEMPORARY.test(reply));
      assert.deepEqual(unclear, [], "every refusal was a clear temporary error");
      const checkStore = await openPostgresStore({ url: testPostgresUrl(), schema, maxConnections: 2 });
      try {
        const { problems } = await checkInvariants(checkStore, ledger, emptyCheckpoint());
        assert.deepEqual(problems, [], "no acknowledged message was lost");
      } finally {
        await checkStore.close();
      }
      process.stderr.write(
        `# ${OUTAGES} outages, ${terminated} connections cut, ${ledger.refusals.length} temporary refusals, ${ledger.acks} acknowledgements\n`,
      );
    });
  });
});
