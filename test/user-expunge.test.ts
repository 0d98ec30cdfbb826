// `postfach user expunge --older-than` (retention) while a client has the folder open: a dry run counts,
// the real run removes exactly the messages with an older INTERNALDATE, and the open session learns of it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { postfach } from "./helpers/postfach-cli.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const USER = "retention@example.test";

describe("postfach user expunge --older-than", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
  });
  after(async () => {
    await server?.stop();
  });

  it("removes only messages older than the age, in every folder, and open sessions see the expunges", async () => {
    const env = { POSTFACH_DATA: server.dataDir, POSTFACH_CONFIG: "" };
    const client = imapFlowClient(server.port("imap"), USER);
    await client.connect();
    const old = new Date(Date.UTC(2020, 0, 1));
    await client.append("INBOX", "Subject: old 1\r\n\r\nold\r\n", [], old);
    await client.append("INBOX", "Subject: new 1\r\n\r\nnew\r\n", [], new Date());
    await client.append("Archive", "Subject: old 2\r\n\r\nold\r\n", ["\\Seen"], old);
    const lock = await client.getMailboxLock("INBOX");
    try {
      assert.equal(client.mailbox ? client.mailbox.exists : -1, 2);
      const bad = await postfach(["user", "expunge", USER, "--older-than", "soon"], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /Not an age/);
      const dry = await postfach(["user", "expunge", USER, "--older-than", "30d", "--dry-run"], env);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /INBOX: would remove 1/);
      assert.match(dry.stdout, /Archive: would remove 1/);
      const run = await postfach(["user", "expunge", USER, "--older-than", "30d", "--json"], env);
      assert.equal(run.code, 0, run.stderr);
      const removed = JSON.parse(run.stdout) as { results: { folder: string; expunged: number }[] };
      assert.equal(
        removed.results.reduce((n, r) => n + r.expunged, 0),
        2,
      );
      await client.noop();
      assert.equal(client.mailbox ? client.mailbox.exists : -1, 1, "the open session saw the expunge");
      const subjects = [];
      for await (const m of client.fetch("1:*", { envelope: true })) subjects.push(m.envelope?.subject);
      assert.deepEqual(subjects, ["new 1"]);
    } finally {
      lock.release();
      await client.logout();
    }
    const stats = JSON.parse((await postfach(["stats", "--json"], env)).stdout) as {
      accounts: { address: string; messages: number; folders: number }[];
      totalMessages: number;
    };
    const mine = stats.accounts.find((a) => a.address === USER);
    assert.equal(mine?.messages, 1, "postfach stats counts what is left");
    assert.ok((mine?.folders ?? 0) >= 2);
    assert.equal(stats.totalMessages, 1);
  });
});
