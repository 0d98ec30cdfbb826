// Password guessing over real IMAP sockets (issue 6 acceptance): 200 wrong passwords from one IP are
// slowed, then blocked; the real user from another IP (127.0.0.2) still logs in; and unknown-user and
// wrong-password attempts are answered alike and delayed alike, so neither reveals which accounts exist.
// What the limiter decided is read from the server's audit lines (result and the delay it applied before
// answering), never from the wall clock, so a loaded machine cannot fail the test nor hide a broken limiter.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { LineSocket } from "./helpers/line-socket.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const LIMITS = { maxFailures: 10, failureDelayMs: 20, maxFailureDelayMs: 160, blockMs: 60_000 };

interface AuditLine {
  readonly result: "success" | "failure" | "blocked";
  readonly remoteAddress: string;
  readonly account: string;
  readonly delayMs?: number;
}

/** The delays the limiter applies to the 1st, 2nd, … failure: doubling from 20 ms up to the 160 ms cap. */
const expectedDelays = (failures: number) =>
  Array.from({ length: failures }, (_, i) =>
    Math.min(LIMITS.maxFailureDelayMs, LIMITS.failureDelayMs * 2 ** i),
  );

describe("brute-force limits over IMAP", () => {
  let server: TestServer;
  const audit: AuditLine[] = [];
  /** Audit lines from one source address, in the order the server wrote them. */
  const auditFrom = (ip: string) => audit.filter((line) => line.remoteAddress === ip);

  before(async () => {
    // The authenticator writes an attempt's audit line before it waits and answers: by the time a
    // reply is read, its line is here.
    const log = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const text of chunk.toString("utf8").split("\n")) {
          if (text.trim() === "") continue;
          const line = JSON.parse(text) as { audit?: string } & AuditLine;
          if (line.audit === "login") audit.push(line);
        }
        done();
      },
    });
    server = await startTestServer((config) => ({ ...config, auth: { ...config.auth, ...LIMITS } }), { log });
    await server.addUser(ALICE);
    await server.addUser(BOB);
  });
  after(() => server.stop());

  it("slows, then blocks 200 wrong passwords from one IP; the user from another IP is unaffected", async () => {
    const port = server.port("imap");
    const attacker = await LineSocket.connect(port, { localAddress: "127.0.0.1" });
    await attacker.readLine();
    for (let i = 0; i < LIMITS.maxFailures; i++) {
      assert.match(
        await attacker.imap(`a${i}`, `LOGIN "${ALICE}" "guess-${i}"`),
        /^a\d+ NO \[AUTHENTICATIONFAILED\] Authentication failed/,
      );
    }
    // Each failure checked the password and was answered later than the one before, up to the cap.
    assert.deepEqual(
      auditFrom("127.0.0.1").map((line) => [line.result, line.delayMs]),
      expectedDelays(LIMITS.maxFailures).map((delayMs) => ["failure", delayMs]),
    );

    // The other 190 in parallel: all refused without a password check, and now even the right password
    // from this IP is.
    const clients = await Promise.all(
      Array.from({ length: 19 }, async () => {
        const client = await LineSocket.connect(port, { localAddress: "127.0.0.1" });
        await client.readLine();
        return client;
      }),
    );
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < 10; i++) {
          assert.match(
            await client.imap(`b${i}`, `LOGIN "${ALICE}" "guess-${c}-${i}"`),
            /^b\d+ NO \[AUTHENTICATIONFAILED\] Authentication failed/,
          );
        }
        client.close();
      }),
    );
    assert.match(
      await attacker.imap("c1", `LOGIN "${ALICE}" "${TEST_PASSWORD}"`),
      /^c1 NO \[AUTHENTICATIONFAILED\] Authentication failed/,
    );
    attacker.close();
    const blocked = auditFrom("127.0.0.1").slice(LIMITS.maxFailures);
    assert.equal(blocked.length, 191);
    assert.ok(
      blocked.every((line) => line.result === "blocked" && line.delayMs === LIMITS.maxFailureDelayMs),
      `not all blocked at the longest delay: ${JSON.stringify(blocked.find((l) => l.result !== "blocked"))}`,
    );

    const user = await LineSocket.connect(port, { localAddress: "127.0.0.2" });
    await user.readLine();
    assert.match(await user.imap("u1", `LOGIN "${ALICE}" "${TEST_PASSWORD}"`), /^u1 OK/);
    user.close();
    assert.deepEqual(
      auditFrom("127.0.0.2").map((line) => line.result),
      ["success"],
    );
  });

  it("answers and delays an unknown user exactly as a wrong password", async () => {
    const port = server.port("imap");
    // Fresh source addresses and an account untouched by the attack above: the same failure counts on
    // both sides, so the same answers and delays are expected, below the block threshold.
    const wrong = await LineSocket.connect(port, { localAddress: "127.0.0.3" });
    const unknown = await LineSocket.connect(port, { localAddress: "127.0.0.4" });
    await wrong.readLine();
    await unknown.readLine();
    for (let i = 0; i < 4; i++) {
      const wrongReply = await wrong.imap(`w${i}`, `LOGIN "${BOB}" "nope-${i}"`);
      const unknownReply = await unknown.imap(`w${i}`, `LOGIN "ghost${i}@example.test" "nope-${i}"`);
      assert.match(wrongReply, /^w\d NO \[AUTHENTICATIONFAILED\] Authentication failed/);
      assert.equal(unknownReply, wrongReply);
    }
    wrong.close();
    unknown.close();
    const decisions = (ip: string) => auditFrom(ip).map((line) => [line.result, line.delayMs]);
    assert.deepEqual(
      decisions("127.0.0.3"),
      expectedDelays(4).map((delayMs) => ["failure", delayMs]),
    );
    assert.deepEqual(decisions("127.0.0.4"), decisions("127.0.0.3"));
  });
});
