// Sieve at delivery on the PostgreSQL store: the active script files into a folder seen over IMAP and
// vacation answers a sender once per :days, so script storage and the reply record work on both backends.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { lmtp } from "./helpers/lmtp-send.js";
import { activateSieveScript, deliveredSubjects } from "./helpers/sieve-delivery.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

await describeWithPostgres(() => {
  let server: TestServer;
  const owner = "pg-sieve@example.test";
  const sender = "pg-sender@example.test";
  before(async () => {
    server = await startTestServer(undefined, { store: "postgres" });
    await server.addUser(owner);
    await server.addUser(sender);
  });
  after(async () => {
    await server.stop();
  });

  it("files and answers once per sender on PostgreSQL", async () => {
    await activateSieveScript(
      server,
      owner,
      [
        'require ["fileinto", "vacation"];',
        'vacation :days 3 :subject "Away" "Gone fishing.";',
        'if header :contains "subject" "invoice" { fileinto "Archive"; }',
      ].join("\n"),
    );
    for (const subject of ["invoice 1", "invoice 2"]) {
      const replies = await lmtp(server.port("lmtp"), { from: sender, to: [owner], subject });
      assert.match(replies[0] ?? "", /^250 /);
    }
    assert.deepEqual(await deliveredSubjects(server, owner, "Archive"), ["invoice 1", "invoice 2"]);
    assert.deepEqual(await deliveredSubjects(server, sender, "INBOX"), ["Away"]);
  });
});
