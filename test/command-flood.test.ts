// command-flood: a client pipelining commands faster than [limits] max_commands_per_second is slowed
// down, not dropped: every command is answered, in order, no sooner than the budget allows.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LineSocket } from "./helpers/line-socket.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const RATE = 20;
const COMMANDS = 60;

describe("command-flood", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer((config) => ({
      ...config,
      limits: { ...config.limits, maxCommandsPerSecond: RATE },
    }));
    await t.addUser("flood@example.test");
  });
  after(async () => {
    await t.stop();
  });

  it("paces an IMAP client that pipelines past its budget and answers every command", async () => {
    const raw = await RawImap.connect(t.port("imap"));
    raw.take();
    const started = performance.now();
    raw.write(Array.from({ length: COMMANDS }, (_, i) => `n${i} NOOP\r\n`).join(""));
    await raw.waitFor((text) => text.includes(`n${COMMANDS - 1} OK`), 20_000);
    const elapsedMs = performance.now() - started;
    const tags = [...raw.take().matchAll(/^(n\d+) OK/gm)].map((m) => m[1]);
    assert.deepEqual(
      tags,
      Array.from({ length: COMMANDS }, (_, i) => `n${i}`),
      "all answered, in order",
    );
    // The first RATE commands are a burst; the other 40 wait 1/RATE s each (a lower bound, by design).
    assert.ok(elapsedMs >= ((COMMANDS - RATE) / RATE) * 1000 * 0.75, `paced: ${elapsedMs.toFixed(0)} ms`);
    assert.match(await raw.command("z1", `LOGIN flood@example.test ${TEST_PASSWORD}`), /^z1 OK/);
    raw.close();
  });

  it("does not pace POP3 RETRs of existing messages, but paces the other commands of the session", async () => {
    const { services } = t.server;
    const account = await services.users.require("flood@example.test");
    const inbox = await services.mailboxes.require(account.id, "INBOX");
    await services.messages.append(
      account.id,
      inbox.id,
      Buffer.from("Subject: flood\r\n\r\n.starts with a dot\r\nbody\r\n"),
    );
    const pop3 = await LineSocket.connect(t.port("pop3"));
    assert.match(await pop3.readLine(), /^\+OK/);
    pop3.send("USER flood@example.test");
    assert.match(await pop3.readLine(), /^\+OK/);
    pop3.send(`PASS ${TEST_PASSWORD}`);
    assert.match(await pop3.readLine(), /^\+OK/);
    // Paced, these 300 would take (300 - RATE) / RATE = 14 s; they do not wait at all (half of that is
    // slack for a loaded machine), and every body arrives stuffed and terminated.
    const retrs = 300;
    const started = performance.now();
    pop3.socket.write("RETR 1\r\n".repeat(retrs));
    for (let i = 0; i < retrs; i++) {
      assert.match(await pop3.readLine(), /^\+OK \d+ octets$/);
      assert.equal(await pop3.readLine(), "Subject: flood");
      assert.equal(await pop3.readLine(), "");
      assert.equal(await pop3.readLine(), "..starts with a dot");
      assert.equal(await pop3.readLine(), "body");
      assert.equal(await pop3.readLine(), ".");
    }
    const retrMs = performance.now() - started;
    assert.ok(retrMs < ((retrs - RATE) / RATE) * 1000 * 0.5, `not paced: ${retrMs.toFixed(0)} ms`);
    // A failing RETR and every other command still take their token: the budget is spent by now.
    const pacedStarted = performance.now();
    pop3.socket.write(`${"NOOP\r\nRETR 9\r\n".repeat(RATE)}`);
    for (let i = 0; i < RATE; i++) {
      assert.match(await pop3.readLine(), /^\+OK/);
      assert.match(await pop3.readLine(), /^-ERR No such message/);
    }
    const pacedMs = performance.now() - pacedStarted;
    assert.ok(pacedMs >= ((2 * RATE - RATE) / RATE) * 1000 * 0.75, `paced: ${pacedMs.toFixed(0)} ms`);
    pop3.send("QUIT");
    assert.match(await pop3.readLine(), /^\+OK/);
    pop3.socket.destroy();
  });

  it("does not pace IMAP body FETCHes of messages the session sees, but paces the rest", async () => {
    const { services } = t.server;
    const account = await services.users.require("flood@example.test");
    const inbox = await services.mailboxes.require(account.id, "INBOX");
    const { uid } = await services.messages.append(
      account.id,
      inbox.id,
      Buffer.from("Subject: one by one\r\n\r\nbody\r\n"),
    );
    const raw = await RawImap.connect(t.port("imap"));
    raw.take();
    assert.match(await raw.command("a1", `LOGIN flood@example.test ${TEST_PASSWORD}`), /a1 OK/);
    assert.match(await raw.command("a2", "SELECT INBOX"), /a2 OK/);
    // A client downloading message by message (as mbsync does): paced, 300 FETCHes would take 14 s.
    const fetches = 300;
    const started = performance.now();
    raw.write(Array.from({ length: fetches }, (_, i) => `f${i} UID FETCH ${uid} (BODY.PEEK[])\r\n`).join(""));
    const answered = await raw.waitFor((text) => text.includes(`f${fetches - 1} OK`), 20_000);
    const fetchMs = performance.now() - started;
    assert.equal(
      [...answered.matchAll(/\(UID \d+ BODY\[\] \{\d+\}\r\nSubject: one by one/g)].length,
      fetches,
    );
    assert.ok(fetchMs < ((fetches - RATE) / RATE) * 1000 * 0.5, `not paced: ${fetchMs.toFixed(0)} ms`);
    raw.take();
    // A FETCH of no message, and every other command, still takes its token: the budget is spent.
    const pacedStarted = performance.now();
    raw.write(
      Array.from({ length: RATE }, (_, i) => `n${i} NOOP\r\ne${i} UID FETCH 4000 (BODY.PEEK[])\r\n`).join(""),
    );
    await raw.waitFor((text) => text.includes(`e${RATE - 1} OK`), 20_000);
    const pacedMs = performance.now() - pacedStarted;
    assert.ok(pacedMs >= ((2 * RATE - RATE) / RATE) * 1000 * 0.75, `paced: ${pacedMs.toFixed(0)} ms`);
    raw.close();
  });
});
