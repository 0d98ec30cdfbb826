// UIDONLY (RFC 9586) over real sockets: after ENABLE UIDONLY every command that names messages by
// number is BAD [UIDREQUIRED] and changes nothing; FETCH data comes as `* uid UIDFETCH (…)` (UID FETCH,
// UID STORE, flag changes of other sessions, NOTIFY's MessageNew), expunges as VANISHED, SELECT sends
// no [UNSEEN n]; sessions that did not enable it are untouched.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const message = (subject: string): string =>
  `From: sender@example.test\r\nTo: owner@example.test\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`;

describe("IMAP UIDONLY (RFC 9586)", () => {
  let server: TestServer;
  let port: number;
  let users = 0;

  before(async () => {
    server = await startTestServer();
    port = server.port("imap");
  });
  after(() => server.stop());

  /** A fresh account with `count` messages in INBOX (UIDs 1..count) and a way to log in. */
  async function freshAccount(count: number): Promise<() => Promise<RawImap>> {
    const user = `uidonly${++users}@example.test`;
    await server.addUser(user);
    const login = async (): Promise<RawImap> => {
      const raw = await RawImap.connect(port);
      assert.match(await raw.command("l", `LOGIN ${user} ${TEST_PASSWORD}`), /^l OK/m);
      return raw;
    };
    const setup = await login();
    for (let n = 1; n <= count; n++) {
      const text = message(`m${n}`);
      assert.match(
        await setup.command("a", `APPEND INBOX {${Buffer.byteLength(text)}+}\r\n${text}`),
        /^a OK/m,
      );
    }
    assert.match(await setup.command("c", "CREATE Kept"), /^c OK/m);
    setup.close();
    return login;
  }

  async function uidOnly(login: () => Promise<RawImap>): Promise<RawImap> {
    const raw = await login();
    const enabled = await raw.command("e", "ENABLE UIDONLY");
    assert.match(enabled, /^\* ENABLED UIDONLY\r$/m);
    assert.match(enabled, /^e OK/m);
    return raw;
  }

  it("is advertised after login and enabled with ENABLE", async () => {
    const login = await freshAccount(0);
    const raw = await login();
    assert.match(await raw.command("c", "CAPABILITY"), /^\* CAPABILITY .* UIDONLY[ \r]/m);
    raw.close();
    (await uidOnly(login)).close();
  });

  it("answers BAD [UIDREQUIRED] to every command with message numbers, and changes nothing (§3)", async () => {
    const login = await freshAccount(3);
    const raw = await uidOnly(login);
    const selected = await raw.command("s", "SELECT INBOX");
    assert.match(selected, /^\* 3 EXISTS\r$/m);
    // [UNSEEN n] would be a message number.
    assert.doesNotMatch(selected, /\[UNSEEN/);
    const refused = [
      "FETCH 1:* (FLAGS)",
      "FETCH 1 UID",
      "STORE 1 +FLAGS (\\Deleted)",
      "COPY 1:2 Kept",
      "MOVE 1 Kept",
      "SEARCH ALL",
      "SEARCH RETURN (COUNT) ALL",
      "UID SEARCH 1:2",
      "UID SEARCH NOT 3",
      "UID SEARCH OR UID 1 2:*",
      "UID SEARCH (SEEN 1)",
      "SORT (ARRIVAL) UTF-8 ALL",
      "UID SORT (ARRIVAL) UTF-8 1:*",
      "THREAD REFERENCES UTF-8 ALL",
      "SELECT INBOX (QRESYNC (1 1 1:3 (1:3 1:3)))",
    ];
    for (const [index, command] of refused.entries()) {
      const reply = await raw.command(`r${index}`, command);
      assert.match(reply, new RegExp(`^r${index} BAD \\[UIDREQUIRED\\] `, "m"), command);
      assert.doesNotMatch(reply, /^\* \d+ (FETCH|EXPUNGE)/m, command);
      // The abuse limit counts BADs in a row.
      if (index % 10 === 9) await raw.command("n", "NOOP");
    }
    // Nothing was stored, copied or moved.
    const flags = await raw.command("f", "UID FETCH 1:* (FLAGS)");
    assert.equal([...flags.matchAll(/UIDFETCH \(FLAGS \(\\Recent\)\)/g)].length, 3, flags);
    assert.match(await raw.command("st", "STATUS Kept (MESSAGES)"), /MESSAGES 0/);
    // The UID forms and the saved result work.
    assert.match(await raw.command("u", "UID SEARCH RETURN (SAVE) UID 2:3"), /^u OK/m);
    assert.match(await raw.command("v", "UID SEARCH $"), /^\* SEARCH 2 3\r$/m);
    assert.match(await raw.command("w", "UID SORT (REVERSE ARRIVAL) UTF-8 ALL"), /^\* SORT 3 2 1\r$/m);
    raw.close();
  });

  it("answers UID FETCH and UID STORE with UIDFETCH responses, without a UID item (§3.3)", async () => {
    const login = await freshAccount(3);
    const raw = await uidOnly(login);
    await raw.command("s", "SELECT INBOX");
    const fetched = await raw.command("f", "UID FETCH 2:3 (FLAGS)");
    assert.match(
      fetched,
      /^\* 2 UIDFETCH \(FLAGS \(\\Recent\)\)\r\n\* 3 UIDFETCH \(FLAGS \(\\Recent\)\)\r\nf OK/m,
    );
    // Only UID asked for: it stays (a FETCH response needs an item).
    assert.match(await raw.command("g", "UID FETCH 1 (UID)"), /^\* 1 UIDFETCH \(UID 1\)\r$/m);
    // Literals too.
    const header = await raw.command("h", "UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    assert.match(
      header,
      /^\* 1 UIDFETCH \(BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: m1\r\n\r\n\)\r$/m,
    );
    const stored = await raw.command("t", "UID STORE 2 +FLAGS (\\Flagged)");
    assert.match(stored, /^\* 2 UIDFETCH \(FLAGS \(\\Flagged \\Recent\)\)\r$/m);
    assert.doesNotMatch(stored, / FETCH /);
    // With CONDSTORE, MODSEQ as usual.
    await raw.command("e", "ENABLE CONDSTORE");
    assert.match(
      await raw.command("m", "UID FETCH 3 (FLAGS) (CHANGEDSINCE 1)"),
      /^\* 3 UIDFETCH \(FLAGS \(\\Recent\) MODSEQ \(\d+\)\)\r$/m,
    );
    raw.close();
  });

  it("announces expunges as VANISHED and other sessions' flag changes as UIDFETCH (§3)", async () => {
    const login = await freshAccount(4);
    const raw = await uidOnly(login);
    const other = await login();
    await raw.command("s", "SELECT INBOX");
    // Its own expunge.
    await raw.command("d", "UID STORE 1 +FLAGS.SILENT (\\Deleted)");
    const expunged = await raw.command("x", "EXPUNGE");
    assert.match(expunged, /^\* VANISHED 1\r$/m);
    assert.doesNotMatch(expunged, /EXPUNGE\r/);
    assert.match(await raw.command("y", "UID EXPUNGE 2"), /^y OK/m);
    // Other sessions' changes, at NOOP and during IDLE.
    await other.command("s", "SELECT INBOX");
    await other.command("f", "UID STORE 3 +FLAGS (\\Answered)");
    await other.command("g", "UID STORE 2:4 +FLAGS (\\Deleted)");
    await other.command("h", "UID EXPUNGE 2:4");
    const noop = await raw.command("n", "NOOP");
    assert.match(noop, /^\* VANISHED 2:4\r$/m);
    assert.doesNotMatch(noop, /^\* \d+ (EXPUNGE|FETCH)/m);
    const text = message("late");
    raw.write("i IDLE\r\n");
    await raw.waitFor((t) => /^\+ /m.test(t));
    await other.command("a", `APPEND INBOX {${Buffer.byteLength(text)}+}\r\n${text}`);
    await raw.waitFor((t) => /EXISTS/.test(t));
    await other.command("b", "UID STORE 5 +FLAGS (\\Seen)");
    await raw.waitFor((t) => /UIDFETCH/.test(t));
    raw.write("DONE\r\n");
    const idle = await raw.untilTagged("i");
    assert.match(idle, /^\* 1 EXISTS\r$/m);
    assert.match(idle, /^\* 5 UIDFETCH \(FLAGS \(\\Seen(?: \\Recent)?\)\)\r$/m);
    other.close();
    raw.close();
  });

  it("sends NOTIFY's MessageNew fetch attributes as UIDFETCH", async () => {
    const login = await freshAccount(0);
    const raw = await uidOnly(login);
    const other = await login();
    await raw.command("s", "SELECT INBOX");
    await raw.command("n", "NOTIFY SET (selected (MessageNew (UID FLAGS) MessageExpunge))");
    const text = message("pushed");
    await other.command("a", `APPEND INBOX {${Buffer.byteLength(text)}+}\r\n${text}`);
    await raw.waitFor((t) => /UIDFETCH/.test(t));
    assert.match(raw.take(), /^\* 1 EXISTS\r\n(?:\* 1 RECENT\r\n)?\* 1 UIDFETCH \(FLAGS \(\\Recent\)\)\r$/m);
    other.close();
    raw.close();
  });

  it("leaves sessions that did not enable it as they were", async () => {
    const login = await freshAccount(2);
    const raw = await login();
    await raw.command("s", "SELECT INBOX");
    assert.match(await raw.command("f", "FETCH 1:* (FLAGS)"), /^\* 1 FETCH \(FLAGS \(\\Recent\)\)\r$/m);
    await raw.command("d", "STORE 1 +FLAGS.SILENT (\\Deleted)");
    assert.match(await raw.command("x", "EXPUNGE"), /^\* 1 EXPUNGE\r$/m);
    raw.close();
  });
});
