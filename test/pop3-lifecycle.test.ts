// How a POP3 session ends other than by QUIT: idle timeout (RFC 1939 §3 autologout) and server shutdown.
// Either way nothing is deleted, the client hears why, and the maildrop lock is released.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MailError } from "../src/kit/mail-error.js";
import { makeMessage, Pop3Wire, startPop3TestServer } from "./helpers/pop3-test-server.js";

test("idle timeout: -ERR, close, nothing deleted, lock released", async () => {
  // Long enough that a loaded machine's pause between login and DELE does not end the session early
  // (the suite runs beside other work on two cores), short enough to keep the test quick.
  const server = await startPop3TestServer({ idleTimeoutMs: 3000 });
  try {
    const id = await server.addUser("idle@example.test");
    await server.deliver(id, makeMessage("a"));
    const { wire } = await Pop3Wire.connect(server.plainPort);
    await wire.logIn("idle@example.test");
    assert.match(await wire.command("DELE 1"), /^\+OK/);
    assert.equal(await wire.client.line(15_000), "-ERR Disconnected for inactivity");
    await wire.client.closed();
    assert.equal(server.lock.ownerOf(id), undefined);
    const inbox = await server.services.mailboxes.require(id, "INBOX");
    assert.equal((await server.services.store.messages.listEntries(inbox.id)).length, 1);
  } finally {
    await server.stop();
  }
});

test("shutdown: a waiting session is told the server is going down and its lock is released", async () => {
  const server = await startPop3TestServer();
  const id = await server.addUser("shutdown@example.test");
  const { wire } = await Pop3Wire.connect(server.plainPort);
  await wire.logIn("shutdown@example.test");
  assert.equal(server.lock.ownerOf(id) !== undefined, true);
  const stopping = server.stop();
  assert.equal(await wire.client.line(), "-ERR [SYS/TEMP] Server shutting down");
  await wire.client.closed();
  await stopping;
  assert.equal(server.lock.ownerOf(id), undefined);
});

test("LOGIN-DELAY: advertised when configured; a second login too soon gets -ERR [LOGIN-DELAY]", async () => {
  const server = await startPop3TestServer({ loginDelaySeconds: 60 });
  try {
    await server.addUser("delay@example.test");
    const { wire } = await Pop3Wire.connect(server.plainPort);
    assert.ok((await wire.multiline("CAPA")).lines.includes("LOGIN-DELAY 60"));
    assert.match(await wire.logIn("delay@example.test"), /^\+OK Logged in/);
    assert.match(await wire.command("QUIT"), /^\+OK Bye/);
    const { wire: again } = await Pop3Wire.connect(server.plainPort);
    assert.match(
      await again.logIn("delay@example.test"),
      /^-ERR \[LOGIN-DELAY\] Logins too frequent; wait \d+ seconds$/,
    );
    again.close();
  } finally {
    await server.stop();
  }
});

test("APOP with a verifier: the greeting carries a timestamp and the digest reaches the verifier", async () => {
  const seen: string[] = [];
  const server = await startPop3TestServer({
    apop: {
      verify: async (username, timestamp, digest) => {
        seen.push(username, timestamp, digest);
        const account = await server.services.store.accounts.findByAddress(username);
        if (!account || digest !== "0".repeat(32)) throw new MailError("authFailed", "Authentication failed");
        return account;
      },
    },
  });
  try {
    await server.addUser("apop@example.test");
    const { wire, greeting } = await Pop3Wire.connect(server.plainPort);
    const timestamp = /^\+OK Postfach ready\. (<[^>]+@postfach>)$/.exec(greeting)?.[1];
    assert.ok(timestamp, greeting);
    assert.equal(
      await wire.command(`APOP apop@example.test ${"1".repeat(32)}`),
      "-ERR [AUTH] Authentication failed",
    );
    assert.match(await wire.command(`APOP apop@example.test ${"0".repeat(32)}`), /^\+OK Logged in/);
    assert.deepEqual(seen.slice(0, 2), ["apop@example.test", timestamp]);
    wire.close();
  } finally {
    await server.stop();
  }
});
