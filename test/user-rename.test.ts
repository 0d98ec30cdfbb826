// `postfach user rename` on both store backends, run as an operator would beside a running server: the
// account logs in under the new address with its old password and finds its mail with the same UIDs and
// UIDVALIDITY; the old address no longer logs in; an alias and a shared folder's grant follow; a taken
// address or a domain not served is refused.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { postfach } from "./helpers/postfach-cli.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const OLD = "alice@example.test";
const NEW = "alice.smith@example.test";

function describeRename(backend: "sqlite" | "postgres"): void {
  describe(`postfach user rename (${backend})`, () => {
    let server: TestServer;
    let env: NodeJS.ProcessEnv;
    let before_: { uidValidity: string; uids: number[] };

    before(async () => {
      server = await startTestServer(undefined, { store: backend });
      env = {
        POSTFACH_DATA: server.dataDir,
        POSTFACH_STORE: server.server.services.config.store,
        POSTFACH_CONFIG: "",
      };
      await server.addUser(OLD);
      await server.addUser("bob@example.test");
      await server.addUser("taken@example.test");
      const { store } = server.server.services;
      await store.domains.addDomain("example.test");
      await store.domains.addAliasTarget("team@example.test", OLD);
      const bob = await store.accounts.findByAddress("bob@example.test");
      const bobInbox = bob && (await store.mailboxes.findByName(bob.id, "INBOX"));
      assert.ok(bob && bobInbox);
      await store.acl.set(bob.id, bobInbox.id, OLD, "lr");
      const client = imapFlowClient(server.port("imap"), OLD);
      await client.connect();
      for (const n of [1, 2, 3]) {
        await client.append("INBOX", `Subject: ${n}\r\n\r\nBody ${n}.\r\n`, n === 2 ? ["\\Seen"] : []);
      }
      const lock = await client.getMailboxLock("INBOX");
      try {
        await client.messageDelete({ uid: "1" }, { uid: true });
        const uids: number[] = [];
        for await (const m of client.fetch("1:*", { uid: true })) uids.push(m.uid);
        before_ = { uidValidity: String(client.mailbox ? client.mailbox.uidValidity : ""), uids };
      } finally {
        lock.release();
      }
      await client.logout();
    });

    after(async () => {
      await server?.stop();
    });

    it("refuses a taken address, an alias's address and a domain not served", async () => {
      const taken = await postfach(["user", "rename", OLD, "taken@example.test"], env);
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /already an account or an alias/);
      const alias = await postfach(["user", "rename", OLD, "team@example.test"], env);
      assert.equal(alias.code, 1);
      const foreign = await postfach(["user", "rename", OLD, "alice@elsewhere.example"], env);
      assert.equal(foreign.code, 1);
      assert.match(foreign.stderr, /elsewhere\.example is not served here/);
      const missing = await postfach(["user", "rename", "nobody@example.test", NEW], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /No account nobody@example\.test/);
    });

    it("renames: the new address logs in with the old password and sees the same UIDs; aliases and grants follow", async () => {
      const renamed = await postfach(["user", "rename", OLD, NEW], env);
      assert.equal(renamed.code, 0, renamed.stderr);
      assert.match(renamed.stdout, /Renamed alice@example\.test to alice\.smith@example\.test/);

      const client = imapFlowClient(server.port("imap"), NEW);
      await client.connect();
      try {
        const lock = await client.getMailboxLock("INBOX");
        try {
          const uids: number[] = [];
          const seen: number[] = [];
          for await (const m of client.fetch("1:*", { uid: true, flags: true })) {
            uids.push(m.uid);
            if (m.flags?.has("\\Seen")) seen.push(m.uid);
          }
          assert.deepEqual(
            { uidValidity: String(client.mailbox ? client.mailbox.uidValidity : ""), uids },
            before_,
          );
          assert.deepEqual(seen, [2]);
        } finally {
          lock.release();
        }
        const shared = (await client.list()).map((m) => m.path);
        assert.ok(
          shared.includes("Shared/bob@example.test/INBOX"),
          `the grant followed: ${shared.join(", ")}`,
        );
      } finally {
        await client.logout();
      }

      const old = imapFlowClient(server.port("imap"), OLD);
      await assert.rejects(old.connect(), "the old address no longer logs in");
      old.close();

      const aliases = await postfach(["alias", "list", "--json"], env);
      assert.equal(aliases.code, 0, aliases.stderr);
      assert.match(aliases.stdout, /alice\.smith@example\.test/);
      assert.doesNotMatch(aliases.stdout, /"alice@example\.test"/);
    });
  });
}

describeRename("sqlite");
await describeWithPostgres(() => describeRename("postgres"));
