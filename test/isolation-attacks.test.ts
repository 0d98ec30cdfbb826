// Isolation between accounts (issue 6): from alice's IMAP and POP3 sessions, hostile mailbox names and
// message sets must get a clear NO/BAD (or an empty answer) and never read, change or create anything in
// bob's account; the server keeps serving. Mailbox names: RFC 9051 §5.1; message sets: RFC 9051 §9.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AccountRecord } from "../src/store/mail-store.js";
import { LineSocket } from "./helpers/line-socket.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const BOB_MARK = "BOB-SECRET";

/** Hostile names as IMAP astrings (quoted, or a LITERAL+ literal for bytes a quoted string cannot hold). */
const HOSTILE_NAMES: readonly string[] = [
  '".."',
  '"../bob"',
  '"../bob@example.test/INBOX"',
  '"/"',
  '"//"',
  '"INBOX/../.."',
  '"INBOX/.."',
  '"./INBOX"',
  '"/BobSecret"',
  '"BobSecret//"',
  '"//BobSecret"',
  '"%"',
  '"*"',
  '"Bob%"',
  literal("Bob\u0000Secret"),
  literal("\u0000"),
  literal("a\u0001b"),
  literal("tab\there"),
  literal("del\u007f"),
  `"${"x".repeat(10 * 1024)}"`,
  `"${Array.from({ length: 1000 }, () => "d").join("/")}"`,
  '"#shared"',
  '"#shared/BobSecret"',
  '"#public"',
  '"~bob"',
  '"~bob/INBOX"',
  '"~bob@example.test/BobSecret"',
];

function literal(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return `{${bytes.length}+}\r\n${bytes.toString("latin1")}`;
}

/** Everything of an account a leak or a write would show: mailboxes, their entries and subscriptions. */
async function snapshot(t: TestServer, account: AccountRecord): Promise<string> {
  const store = t.server.services.store;
  const mailboxes = await store.mailboxes.list(account.id);
  const parts: unknown[] = [];
  for (const mailbox of mailboxes.sort((a, b) => a.name.localeCompare(b.name))) {
    const entries = await store.messages.listEntries(mailbox.id);
    parts.push({ mailbox, entries });
  }
  parts.push({ subscriptions: (await store.mailboxes.listSubscriptions(account.id)).sort() });
  return JSON.stringify(parts);
}

describe("isolation between accounts", () => {
  let t: TestServer;
  let bob: AccountRecord;
  let alice: AccountRecord;
  let bobBefore: string;

  before(async () => {
    t = await startTestServer();
    await t.addUser(ALICE);
    await t.addUser(BOB);
    const accounts = t.server.services.store.accounts;
    bob = (await accounts.findByAddress(BOB)) as AccountRecord;
    alice = (await accounts.findByAddress(ALICE)) as AccountRecord;
    // Bob: INBOX with 6 messages (UIDs 1–6), a folder "BobSecret" with 3, a subscription.
    const b = await RawImap.connect(t.port("imap"));
    assert.match(await b.command("b1", `LOGIN ${BOB} ${TEST_PASSWORD}`), /b1 OK/);
    assert.match(await b.command("b2", "CREATE BobSecret"), /b2 OK/);
    assert.match(await b.command("b3", "SUBSCRIBE BobSecret"), /b3 OK/);
    for (const box of [
      "INBOX",
      "INBOX",
      "INBOX",
      "INBOX",
      "INBOX",
      "INBOX",
      "BobSecret",
      "BobSecret",
      "BobSecret",
    ]) {
      const message = `Subject: ${BOB_MARK}\r\n\r\n${BOB_MARK} body\r\n`;
      assert.match(await b.command("b4", `APPEND ${box} {${message.length}+}\r\n${message}`), /b4 OK/);
    }
    b.close();
    // Alice: one message in INBOX (UID 1).
    const a = await RawImap.connect(t.port("imap"));
    assert.match(await a.command("a1", `LOGIN ${ALICE} ${TEST_PASSWORD}`), /a1 OK/);
    const mine = "Subject: alice\r\n\r\nalice body\r\n";
    assert.match(await a.command("a2", `APPEND INBOX {${mine.length}+}\r\n${mine}`), /a2 OK/);
    a.close();
    bobBefore = await snapshot(t, bob);
  });
  after(async () => {
    await t.stop();
  });

  async function aliceImap(): Promise<RawImap> {
    const a = await RawImap.connect(t.port("imap"));
    assert.match(await a.command("l1", `LOGIN ${ALICE} ${TEST_PASSWORD}`), /l1 OK/);
    return a;
  }

  async function assertBobUntouched(): Promise<void> {
    assert.equal(await snapshot(t, bob), bobBefore, "bob's account changed");
  }

  it("hostile names: every command that takes a mailbox name answers NO/BAD and leaks nothing", async () => {
    // A run of BADs ends a session (20 invalid commands), which is right: then log in again.
    let a = await aliceImap();
    const run = async (tag: string, command: string, selectFirst: boolean): Promise<string> => {
      const reconnect = async (): Promise<void> => {
        a = await aliceImap();
        if (selectFirst) assert.match(await a.command("s1", "SELECT INBOX"), /s1 OK/);
      };
      if (a.isClosed || a.received.includes("* BYE")) await reconnect();
      try {
        return await a.command(tag, command);
      } catch (error) {
        if (!a.isClosed) throw error;
        await reconnect();
        return a.command(tag, command);
      }
    };
    const commands = (name: string): string[] => [
      `SELECT ${name}`,
      `EXAMINE ${name}`,
      `CREATE ${name}`,
      `DELETE ${name}`,
      `RENAME ${name} Stolen`,
      `RENAME INBOX ${name}`,
      `SUBSCRIBE ${name}`,
      `UNSUBSCRIBE ${name}`,
      `STATUS ${name} (MESSAGES UIDNEXT)`,
      `APPEND ${name} {3+}\r\nx\r\n`,
    ];
    let n = 0;
    for (const name of HOSTILE_NAMES) {
      for (const command of commands(name)) {
        const tag = `h${n++}`;
        const reply = await run(tag, command, false);
        assert.match(reply, new RegExp(`(^|\\r\\n)${tag} (NO|BAD) `), `${command.slice(0, 80)} → ${reply}`);
        assert.ok(
          !reply.includes(BOB_MARK) && !reply.includes("BobSecret\r\n"),
          `${command.slice(0, 80)} leaked`,
        );
      }
    }
    // COPY and MOVE into a hostile name, from alice's selected INBOX.
    a.close();
    a = await aliceImap();
    assert.match(await a.command("s1", "SELECT INBOX"), /s1 OK/);
    for (const name of HOSTILE_NAMES) {
      for (const verb of ["COPY 1", "MOVE 1", "UID COPY 1", "UID MOVE 1"]) {
        const tag = `c${n++}`;
        const reply = await run(tag, `${verb} ${name}`, true);
        assert.match(
          reply,
          new RegExp(`(^|\\r\\n)${tag} (NO|BAD) `),
          `${verb} ${name.slice(0, 60)} → ${reply}`,
        );
      }
    }
    assert.match(await run("s2", "NOOP", false), /s2 OK/);
    assert.match(
      await a.command("s2", "STATUS INBOX (MESSAGES)"),
      /MESSAGES 1\)/,
      "alice's own message stayed",
    );
    a.close();
    await assertBobUntouched();
  });

  it("names shaped like another user's namespace are alice's own names, never bob's", async () => {
    const a = await aliceImap();
    for (const [i, name] of ['"user/bob/INBOX"', '"user/bob@example.test/BobSecret"'].entries()) {
      for (const command of [
        `SELECT ${name}`,
        `EXAMINE ${name}`,
        `STATUS ${name} (MESSAGES)`,
        `DELETE ${name}`,
      ]) {
        assert.match(await a.command(`n${i}`, command), new RegExp(`n${i} NO `), command);
      }
      // There is one personal namespace (NAMESPACE): creating this name makes a folder of alice's.
      assert.match(await a.command(`c${i}`, `CREATE ${name}`), new RegExp(`c${i} OK`));
      assert.match(await a.command(`s${i}`, `STATUS ${name} (MESSAGES)`), /MESSAGES 0\)/);
      assert.match(await a.command(`d${i}`, `DELETE ${name}`), new RegExp(`d${i} OK`));
    }
    for (const parent of ["user/bob", "user/bob@example.test", "user"]) {
      assert.match(await a.command("p1", `DELETE "${parent}"`), /p1 OK/);
    }
    a.close();
    await assertBobUntouched();
  });

  it("LIST and LSUB patterns only ever show alice's own mailboxes", async () => {
    const a = await aliceImap();
    const patterns = [
      '"" *',
      '"" %',
      '"" "%/%"',
      '"" "../*"',
      '"" "/*"',
      '"/" "*"',
      '".." "*"',
      '"~bob" "*"',
    ];
    const more = ['"" "#shared/*"', '"" "user/*"', '"" "*bob*"', '"" "*Bob*"', '"" "BobSecret"', '"../" "%"'];
    for (const [i, pattern] of [...patterns, ...more].entries()) {
      for (const verb of ["LIST", "LSUB"]) {
        const reply = await a.command(`p${i}`, `${verb} ${pattern}`);
        assert.match(reply, new RegExp(`p${i} (OK|NO|BAD)`));
        assert.ok(!/BobSecret|bob@/.test(reply), `${verb} ${pattern} leaked: ${reply}`);
      }
    }
    const deep = await a.command("d1", `LIST "" "${"%/".repeat(500)}%"`);
    assert.match(deep, /d1 (OK|NO|BAD)/);
    a.close();
    await assertBobUntouched();
  });

  it("names that differ only in case or Unicode normalization collide instead of coexisting", async () => {
    const a = await aliceImap();
    // "Ä" precomposed (NFC, U+00C4) and decomposed (NFD, A + U+0308), in modified UTF-7.
    assert.match(await a.command("u1", 'CREATE "&AMQ-"'), /u1 OK/);
    assert.match(await a.command("u2", 'CREATE "A&Awg-"'), /u2 NO \[ALREADYEXISTS\]/);
    assert.match(await a.command("u3", 'SELECT "A&Awg-"'), /u3 OK/, "NFD names the NFC mailbox");
    assert.match(await a.command("u4", 'CREATE "inbox"'), /u4 NO/);
    assert.match(await a.command("u5", 'CREATE "iNbOx/../x"'), /u5 (NO|BAD)/);
    assert.match(await a.command("u6", 'DELETE "&AMQ-"'), /u6 OK/);
    const names = (await t.server.services.store.mailboxes.list(alice.id)).map((m) => m.name);
    assert.ok(!names.some((name) => name.normalize("NFC") === "Ä"), "the folder is gone in both spellings");
    a.close();
    await assertBobUntouched();
  });

  it("message sets and UIDs that exist only in bob's mailboxes reach nothing", async () => {
    const a = await aliceImap();
    assert.match(await a.command("m1", "SELECT INBOX"), /m1 OK/);
    const commands = [
      "FETCH 1:* (UID BODY[])",
      "FETCH 2:6 (BODY[])",
      "FETCH 6 (BODY[])",
      "FETCH 4294967295 (BODY[])",
      "FETCH 0 (BODY[])",
      "FETCH 1:4294967296 (BODY[])",
      "UID FETCH 2:6 (BODY[])",
      "UID FETCH 1:* (BODY[])",
      "UID FETCH 4294967295 (BODY[])",
      "STORE 2:6 +FLAGS (\\Deleted)",
      "UID STORE 2:6 +FLAGS (\\Deleted)",
      "COPY 2:6 INBOX",
      "UID COPY 2:6 INBOX",
      "MOVE 2:6 INBOX",
      "UID MOVE 2:6 INBOX",
      "SEARCH UID 2:6",
      "UID SEARCH 1:*",
      "SEARCH TEXT BOB-SECRET",
      "UID EXPUNGE 2:6",
      "UID EXPUNGE 1:4294967295",
    ];
    for (const [i, command] of commands.entries()) {
      const reply = await a.command(`q${i}`, command);
      assert.match(reply, new RegExp(`q${i} (OK|NO|BAD)`));
      assert.ok(!reply.includes(BOB_MARK), `${command} leaked: ${reply}`);
      assert.doesNotMatch(reply, /\* SEARCH [2-9]|\* \d+ FETCH \(UID [2-9]/, `${command}: ${reply}`);
    }
    a.close();
    await assertBobUntouched();
  });

  it("POP3: bob's name with alice's password fails; bogus message numbers get -ERR", async () => {
    const port = t.port("pop3");
    const wrong = await LineSocket.connect(port);
    await wrong.readLine();
    wrong.send(`USER ${BOB}`);
    assert.match(await wrong.readLine(), /^\+OK/);
    wrong.send(`PASS ${TEST_PASSWORD}x`);
    assert.match(await wrong.readLine(), /^-ERR/);
    wrong.close();

    const pop = await LineSocket.connect(port);
    await pop.readLine();
    pop.send(`USER ${ALICE}`);
    await pop.readLine();
    pop.send(`PASS ${TEST_PASSWORD}`);
    assert.match(await pop.readLine(), /^\+OK Logged in, 1 messages/);
    const bogus = ["RETR 2", "RETR 6", "RETR 0", "RETR -1", "RETR 4294967297", "RETR 1e3", "RETR 0x2"];
    const more = [
      "TOP 2 0",
      "TOP 6 10",
      "TOP 1 -1",
      "UIDL 2",
      "UIDL 99999999999999999999",
      "LIST 7",
      "DELE 6",
    ];
    for (const command of [...bogus, ...more]) {
      pop.send(command);
      const reply = await pop.readLine();
      assert.match(reply, /^-ERR/, `${command} → ${reply}`);
    }
    pop.send("RETR 1");
    assert.match(await pop.readLine(), /^\+OK/);
    let body = "";
    for (let line = await pop.readLine(); line !== "."; line = await pop.readLine()) body += `${line}\n`;
    assert.match(body, /alice body/);
    assert.ok(!body.includes(BOB_MARK));
    pop.send("QUIT");
    assert.match(await pop.readLine(), /^\+OK/);
    pop.close();
    await assertBobUntouched();
  });

  it("the server still serves bob after all of it", async () => {
    const b = await RawImap.connect(t.port("imap"));
    assert.match(await b.command("z1", `LOGIN ${BOB} ${TEST_PASSWORD}`), /z1 OK/);
    assert.match(await b.command("z2", "STATUS BobSecret (MESSAGES)"), /MESSAGES 3\)/);
    assert.match(await b.command("z3", "STATUS INBOX (MESSAGES)"), /MESSAGES 6\)/);
    b.close();
  });
});
