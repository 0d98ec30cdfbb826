// The in-process test server on the PostgreSQL store (startTestServer with store "postgres"): IMAP
// works on a fresh schema, and stopping the server drops the schema. Lets any protocol suite run on the
// scale-out backend; skipped with one line when PostgreSQL is unreachable.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeWithPostgres, withAdmin } from "../src/store/postgres/postgres-test-harness.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD } from "./helpers/test-server.js";

const USER = "alice@example.test";

await describeWithPostgres(() => {
  describe("test server on the PostgreSQL store", () => {
    it("serves IMAP on a fresh schema and drops it at stop", async () => {
      const server = await startTestServer(undefined, { store: "postgres" });
      const schema = /search_path%3D([a-z0-9_]+)/.exec(server.server.services.config.store)?.[1];
      assert.ok(schema, "the store URL names the test schema");
      try {
        await server.addUser(USER);
        const imap = await RawImap.connect(server.port("imap"));
        assert.match(await imap.command("a", `LOGIN ${USER} ${TEST_PASSWORD}`), /^a OK/m);
        const body = "Subject: on postgres\r\n\r\nHello.\r\n";
        imap.write(`b APPEND INBOX {${body.length}+}\r\n${body}\r\n`);
        assert.match(await imap.untilTagged("b"), /^b OK \[APPENDUID \d+ 1\]/m);
        assert.match(await imap.command("c", "SELECT INBOX"), /^\* 1 EXISTS/m);
        assert.match(
          await imap.command("d", "FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"),
          /Subject: on postgres/,
        );
        imap.close();
      } finally {
        await server.stop();
      }
      const left = await withAdmin((admin) =>
        admin.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]),
      );
      assert.equal(left.rowCount, 0, "the schema is dropped");
    });
  });
});
