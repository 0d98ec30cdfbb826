// Password guessing over real IMAP sockets (issue 6 acceptance): 200 wrong passwords from one IP are
// slowed, then blocked; the real user from another IP (127.0.0.2) still logs in; and unknown-user and
// wrong-password answers take the same time, so timing does not reveal which accounts exist.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LineSocket } from "./helpers/line-socket.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";

async function timedLogin(client: LineSocket, tag: string, user: string, password: string) {
  const started = performance.now();
  const reply = await client.imap(tag, `LOGIN "${user}" "${password}"`);
  return { reply, ms: performance.now() - started };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

describe("brute-force limits over IMAP", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer((config) => ({
      ...config,
      auth: { ...config.auth, maxFailures: 10, failureDelayMs: 20, maxFailureDelayMs: 160, blockMs: 60_000 },
    }));
    await server.addUser(ALICE);
  });
  after(() => server.stop());

  it("slows, then blocks 200 wrong passwords from one IP; the user from another IP is unaffected", async () => {
    const port = server.port("imap");
    const attacker = await LineSocket.connect(port, { localAddress: "127.0.0.1" });
    await attacker.readLine();
    const first: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { reply, ms } = await timedLogin(attacker, `a${i}`, ALICE, `guess-${i}`);
      assert.match(reply, /NO \[AUTHENTICATIONFAILED\]/);
      first.push(ms);
    }
    // Delays double from 20 ms to the 160 ms cap: later answers come clearly slower than the first ones.
    assert.ok(
      median(first.slice(5)) - Math.min(...first.slice(0, 2)) > 60,
      `not slowed: ${first.map(Math.round)}`,
    );

    // The other 190 in parallel: all refused, and now even the right password from this IP is.
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
            /NO \[AUTHENTICATIONFAILED\]/,
          );
        }
        client.close();
      }),
    );
    const blocked = await timedLogin(attacker, "c1", ALICE, TEST_PASSWORD);
    assert.match(blocked.reply, /NO \[AUTHENTICATIONFAILED\] Authentication failed/);
    attacker.close();

    const user = await LineSocket.connect(port, { localAddress: "127.0.0.2" });
    await user.readLine();
    assert.match(await user.imap("u1", `LOGIN "${ALICE}" "${TEST_PASSWORD}"`), /^u1 OK/);
    user.close();
  });

  it("answers an unknown user and a wrong password alike, in the same time", async () => {
    const port = server.port("imap");
    // A fresh source address, so the attack above does not block these.
    const client = await LineSocket.connect(port, { localAddress: "127.0.0.3" });
    await client.readLine();
    const unknown: number[] = [];
    const wrong: number[] = [];
    // Alternate, and stay below the block threshold: 4 + 4 failures.
    for (let i = 0; i < 4; i++) {
      // Swap the order each round: the growing per-IP delay must not favour one side.
      const wrongLogin = () => timedLogin(client, `w${i}`, ALICE, `nope-${i}`);
      const unknownLogin = () => timedLogin(client, `u${i}`, `ghost${i}@example.test`, `nope-${i}`);
      let a: Awaited<ReturnType<typeof timedLogin>>;
      let b: Awaited<ReturnType<typeof timedLogin>>;
      if (i % 2 === 0) {
        a = await wrongLogin();
        b = await unknownLogin();
      } else {
        b = await unknownLogin();
        a = await wrongLogin();
      }
      assert.equal(a.reply.replace(/^w\d+ /, ""), b.reply.replace(/^u\d+ /, ""));
      wrong.push(a.ms);
      unknown.push(b.ms);
    }
    const [mWrong, mUnknown] = [median(wrong), median(unknown)];
    assert.ok(
      Math.abs(mWrong - mUnknown) < Math.max(mWrong, mUnknown) * 0.5 + 25,
      `medians differ: wrong ${mWrong.toFixed(1)} ms, unknown ${mUnknown.toFixed(1)} ms`,
    );
    client.close();
  });
});
