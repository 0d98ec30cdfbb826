// INPROGRESS (RFC 9585) over real sockets: COPY, MOVE, STORE and EXPUNGE over 2,500 messages work in
// chunks of 1,000 and report `* OK [INPROGRESS ("tag" done total)]` between them ([imap]
// progress_interval_ms = 0 here, so every chunk boundary reports); the results are those of one command.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { indexMessage } from "../src/mime/index/index-message.js";
import type { NewMessage } from "../src/store/mail-store.js";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const TOTAL = 2500;

function describeInProgress(backend: "sqlite" | "postgres"): void {
  describe(`IMAP INPROGRESS (RFC 9585) (${backend} store)`, () => {
    let t: TestServer;
    let port: number;
    let userCount = 0;

    before(async () => {
      t = await startTestServer(
        (config) => ({ ...config, imap: { ...config.imap, progressIntervalMs: 0 } }),
        { store: backend },
      );
      port = t.port("imap");
    });
    after(async () => {
      await t.stop();
    });

    /** A user whose INBOX holds TOTAL messages (stored directly, sharing one blob), selected. */
    async function bigInbox(): Promise<RawImap> {
      const user = await bigUser();
      const client = await RawImap.connect(port);
      client.take();
      assert.match(await client.command("l", `LOGIN ${user} ${TEST_PASSWORD}`), /^l OK/m);
      assert.match(await client.command("s", "SELECT INBOX"), new RegExp(`^\\* ${TOTAL} EXISTS`, "m"));
      return client;
    }

    /** A new user whose INBOX holds TOTAL messages. */
    async function bigUser(): Promise<string> {
      const user = `progress${++userCount}@example.test`;
      const services = t.server.services;
      const account = await services.users.add(user, TEST_PASSWORD);
      const inbox = await services.mailboxes.require(account.id, "INBOX");
      const raw = Buffer.from("From: a@example.test\r\nSubject: bulk\r\n\r\nbody\r\n");
      const { hash } = await services.store.blobs.put(raw);
      const message: NewMessage = {
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: Date.now(),
      };
      await services.store.messages.appendMany(account.id, inbox.id, Array(TOTAL).fill(message));
      return user;
    }

    const progressOf = (text: string, tag: string): string[] =>
      [...text.matchAll(new RegExp(`^\\* OK \\[INPROGRESS \\("${tag}" (\\d+) (\\d+)\\)\\]`, "gm"))].map(
        (m) => `${m[1]}/${m[2]}`,
      );

    it("reports progress of a big COPY before its tagged OK, with COPYUID over all messages", async () => {
      const raw = await bigInbox();
      assert.match(await raw.command("c0", "CREATE Archive2"), /^c0 OK/m);
      const reply = await raw.command("c1", "COPY 1:* Archive2");
      assert.deepEqual(progressOf(reply, "c1"), ["1000/2500", "2000/2500"]);
      assert.ok(reply.indexOf("INPROGRESS") < reply.indexOf("c1 OK"));
      assert.match(reply, new RegExp(`^c1 OK \\[COPYUID \\d+ 1:${TOTAL} 1:${TOTAL}\\]`, "m"));
      assert.match(await raw.command("st", "STATUS Archive2 (MESSAGES)"), new RegExp(`MESSAGES ${TOTAL}`));
      // A small COPY says nothing of progress.
      assert.deepEqual(progressOf(await raw.command("c2", "COPY 1:10 Archive2"), "c2"), []);
      raw.close();
    });

    it("reports progress of a big STORE and EXPUNGE, and of a UID MOVE", async () => {
      const raw = await bigInbox();
      const stored = await raw.command("s1", "STORE 1:* +FLAGS.SILENT (\\Deleted)");
      assert.deepEqual(progressOf(stored, "s1"), ["1000/2500", "2000/2500"]);
      assert.match(stored, /^s1 OK/m);
      const expunged = await raw.command("e1", "UID EXPUNGE 1:1500");
      assert.deepEqual(progressOf(expunged, "e1"), ["1000/1500"]);
      assert.equal((expunged.match(/^\* \d+ EXPUNGE/gm) ?? []).length, 1500);
      assert.match(await raw.command("c", "CREATE Moved"), /^c OK/m);
      const moved = await raw.command("m1", "UID MOVE 1:* Moved");
      assert.deepEqual(progressOf(moved, "m1"), []);
      assert.match(moved, /^\* OK \[COPYUID \d+ 1501:2500 1:1000\]/m);
      raw.close();
    });

    it("takes back a big COPY that fails part way (over quota), leaving the destination as it was", async () => {
      const raw = await bigInbox();
      assert.match(await raw.command("c0", "CREATE Half"), /^c0 OK/m);
      const user = `progress${userCount}@example.test`;
      const account = await t.server.services.store.accounts.findByAddress(user);
      assert.ok(account);
      // Room for one more chunk, not for all of them.
      await t.server.services.store.accounts.setQuota(account.id, {
        storageBytes: null,
        messages: TOTAL + 1500,
      });
      const reply = await raw.command("c1", "COPY 1:* Half");
      assert.deepEqual(progressOf(reply, "c1"), ["1000/2500"]);
      assert.match(reply, /^c1 NO \[OVERQUOTA\]/m);
      assert.match(await raw.command("st", "STATUS Half (MESSAGES)"), /MESSAGES 0/);
      raw.close();
    });

    it("lets imapflow copy a big mailbox through the progress responses", async () => {
      const user = await bigUser();
      const flow = imapFlowClient(port, user);
      await flow.connect();
      try {
        await flow.mailboxCreate("Copies");
        const lock = await flow.getMailboxLock("INBOX");
        try {
          const result = await flow.messageCopy("1:*", "Copies");
          assert.ok(result !== false);
          assert.equal(result.uidMap?.size, TOTAL);
        } finally {
          lock.release();
        }
        const status = await flow.status("Copies", { messages: true });
        assert.ok(status !== false);
        assert.equal(status.messages, TOTAL);
      } finally {
        await flow.logout();
      }
    });
  });
}

describeInProgress("sqlite");
await describeWithPostgres(() => describeInProgress("postgres"));
