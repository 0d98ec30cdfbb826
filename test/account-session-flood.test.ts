// Session flood on one account (issue 6 "max authenticated sessions per account"): past
// [limits] max_sessions_per_account, IMAP and POP3 logins of that account are refused with
// NO [LIMIT] (RFC 5530) / -ERR [SYS/TEMP] (RFC 3206); other accounts are unaffected, and a
// closed connection gives its slot back.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AccountRecord } from "../src/store/mail-store.js";
import { LineSocket } from "./helpers/line-socket.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const LIMIT = 3;

async function popLogin(port: number, address: string): Promise<{ pop: LineSocket; reply: string }> {
  const pop = await LineSocket.connect(port);
  await pop.readLine();
  pop.send(`USER ${address}`);
  await pop.readLine();
  pop.send(`PASS ${TEST_PASSWORD}`);
  return { pop, reply: await pop.readLine() };
}

async function imapLogin(port: number, address: string): Promise<{ imap: RawImap; reply: string }> {
  const imap = await RawImap.connect(port);
  return { imap, reply: await imap.command("l1", `LOGIN ${address} ${TEST_PASSWORD}`) };
}

describe("session flood on one account", () => {
  let t: TestServer;
  let alice: AccountRecord;
  before(async () => {
    t = await startTestServer((c) => ({ ...c, limits: { ...c.limits, maxSessionsPerAccount: LIMIT } }));
    await t.addUser(ALICE);
    await t.addUser(BOB);
    alice = (await t.server.services.store.accounts.findByAddress(ALICE)) as AccountRecord;
  });
  after(async () => {
    await t.stop();
  });

  it("refuses the session past the limit on IMAP and POP3 alike, and frees the slot on close", async () => {
    const imapPort = t.port("imap");
    const popPort = t.port("pop3");
    const first = await imapLogin(imapPort, ALICE);
    assert.match(first.reply, /l1 OK/);
    const second = await imapLogin(imapPort, ALICE);
    assert.match(second.reply, /l1 OK/);
    const third = await popLogin(popPort, ALICE);
    assert.match(third.reply, /^\+OK Logged in/);
    assert.equal(t.server.services.sessions.count(alice.id), LIMIT);

    const refused = await imapLogin(imapPort, ALICE);
    assert.match(refused.reply, /^l1 NO \[LIMIT\] Too many sessions for this account\r\n/m);
    // The refused session stays unauthenticated: commands of the authenticated state are BAD/NO.
    assert.match(await refused.imap.command("l2", "SELECT INBOX"), /l2 (BAD|NO)/);
    const plain = Buffer.from(`\u0000${ALICE}\u0000${TEST_PASSWORD}`).toString("base64");
    assert.match(await refused.imap.command("l3", `AUTHENTICATE PLAIN ${plain}`), /l3 NO \[LIMIT\]/);
    const refusedPop = await popLogin(popPort, ALICE);
    assert.equal(refusedPop.reply, "-ERR [SYS/TEMP] Too many sessions for this account");
    assert.equal(t.server.services.sessions.count(alice.id), LIMIT, "refusals take no slot");

    const bob = await imapLogin(imapPort, BOB);
    assert.match(bob.reply, /l1 OK/, "another account is not affected");
    bob.imap.close();

    // LOGOUT of one IMAP session and QUIT of the POP3 one give two slots back.
    assert.match(await first.imap.command("o1", "LOGOUT"), /o1 OK/);
    third.pop.send("QUIT");
    assert.match(await third.pop.readLine(), /^\+OK/);
    for (let i = 0; i < 100 && t.server.services.sessions.count(alice.id) > 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(t.server.services.sessions.count(alice.id), 1);
    assert.match(await refused.imap.command("l4", `AUTHENTICATE PLAIN ${plain}`), /l4 OK/);
    const again = await popLogin(popPort, ALICE);
    assert.match(again.reply, /^\+OK Logged in/);

    // A dropped connection (no LOGOUT) also frees its slot.
    second.imap.close();
    refused.imap.close();
    again.pop.close();
    refusedPop.pop.close();
    first.imap.close();
    for (let i = 0; i < 100 && t.server.services.sessions.count(alice.id) > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(t.server.services.sessions.count(alice.id), 0);
  });
});
