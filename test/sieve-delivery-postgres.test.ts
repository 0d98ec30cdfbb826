// Sieve at delivery on the PostgreSQL store: the active script files into a folder seen over IMAP and
// vacation answers a sender once per :days, so script storage and the reply record work on both backends.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { lmtp } from "./helpers/lmtp-send.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

async function subjects(server: TestServer, user: string, mailbox: string): Promise<string[]> {
  const client = imapFlowClient(server.port("imap"), user);
  await client.connect();
  try {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const found: string[] = [];
      if (client.mailbox === false || client.mailbox.exists === 0) return found;
      for await (const message of client.fetch("1:*", { envelope: true }))
        found.push(message.envelope?.subject ?? "");
      return found;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

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
    const id = (await server.server.services.store.accounts.findByAddress(owner))?.id;
    assert.ok(id !== undefined);
    const script = [
      'require ["fileinto", "vacation"];',
      'vacation :days 3 :subject "Away" "Gone fishing.";',
      'if header :contains "subject" "invoice" { fileinto "Archive"; }',
    ].join("\n");
    assert.deepEqual(await server.server.services.sieveScripts.put(id, "main", script), { kind: "stored" });
    assert.equal(await server.server.services.sieveScripts.setActive(id, "main"), true);
    for (const subject of ["invoice 1", "invoice 2"]) {
      const replies = await lmtp(server.port("lmtp"), { from: sender, to: [owner], subject });
      assert.match(replies[0] ?? "", /^250 /);
    }
    assert.deepEqual(await subjects(server, owner, "Archive"), ["invoice 1", "invoice 2"]);
    assert.deepEqual(await subjects(server, sender, "INBOX"), ["Away"]);
  });
});
