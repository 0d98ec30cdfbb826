// POP3 over real sockets with a raw client: exact replies for login, listing, retrieval, deletion, the
// maildrop snapshot and lock, UIDL stability and pipelining (RFC 1939, RFC 2449, RFC 5034).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AccountId } from "../src/kit/ids.js";
import {
  bodyBytes,
  makeMessage,
  PASSWORD,
  type Pop3TestServer,
  Pop3Wire,
  startPop3TestServer,
} from "./helpers/pop3-test-server.js";

let server: Pop3TestServer;
let userCounter = 0;
before(async () => {
  server = await startPop3TestServer();
});
after(() => server.stop());

/** A fresh account with these messages in its INBOX. */
async function account(messages: readonly (string | Buffer)[]): Promise<{ address: string; id: AccountId }> {
  const address = `user${++userCounter}@example.test`;
  const id = await server.addUser(address);
  for (const message of messages) await server.deliver(id, message);
  return { address, id };
}

async function loggedIn(address: string): Promise<Pop3Wire> {
  const { wire } = await Pop3Wire.connect(server.plainPort);
  assert.match(await wire.logIn(address), /^\+OK/);
  return wire;
}

const inboxOf = (id: AccountId) => server.services.mailboxes.require(id, "INBOX");

describe("authorization", () => {
  test("greeting, USER/PASS, QUIT", async () => {
    const { address } = await account([makeMessage("one")]);
    const { wire, greeting } = await Pop3Wire.connect(server.plainPort);
    assert.equal(greeting, "+OK Postfach ready.");
    assert.equal(await wire.command(`USER ${address}`), "+OK Send PASS");
    assert.match(await wire.command(`PASS ${PASSWORD}`), /^\+OK Logged in, 1 messages \(\d+ octets\)$/);
    assert.match(await wire.command("QUIT"), /^\+OK Bye, 0 messages deleted/);
    await wire.client.closed();
  });

  test("a wrong password gets -ERR [AUTH] and the session stays in AUTHORIZATION", async () => {
    const { address } = await account([]);
    const { wire } = await Pop3Wire.connect(server.plainPort);
    assert.equal(await wire.logIn(address, "wrong password"), "-ERR [AUTH] Authentication failed");
    assert.equal(await wire.command("STAT"), "-ERR STAT is not allowed in the AUTHORIZATION state");
    assert.equal(await wire.command(`PASS ${PASSWORD}`), "-ERR Send USER first");
    assert.match(await wire.logIn(address), /^\+OK Logged in/);
    wire.close();
  });

  test("an unknown user gets the same reply as a wrong password", async () => {
    const { wire } = await Pop3Wire.connect(server.plainPort);
    assert.equal(await wire.logIn("nobody@example.test"), "-ERR [AUTH] Authentication failed");
    wire.close();
  });

  test("AUTH PLAIN with an initial response", async () => {
    const { address } = await account([]);
    const { wire } = await Pop3Wire.connect(server.plainPort);
    const response = Buffer.from(`\0${address}\0${PASSWORD}`).toString("base64");
    assert.match(await wire.command(`AUTH PLAIN ${response}`), /^\+OK Logged in, 0 messages/);
    wire.close();
  });

  test("AUTH PLAIN without an initial response gets an empty challenge", async () => {
    const { address } = await account([]);
    const { wire } = await Pop3Wire.connect(server.plainPort);
    assert.equal(await wire.command("AUTH PLAIN"), "+ ");
    const response = Buffer.from(`${address}\0${address}\0${PASSWORD}`).toString("base64");
    assert.match(await wire.command(response), /^\+OK Logged in/);
    wire.close();
  });

  test("AUTH LOGIN asks for user name and password", async () => {
    const { address } = await account([]);
    const { wire } = await Pop3Wire.connect(server.plainPort);
    assert.equal(await wire.command("AUTH LOGIN"), `+ ${Buffer.from("Username:").toString("base64")}`);
    assert.equal(
      await wire.command(Buffer.from(address).toString("base64")),
      `+ ${Buffer.from("Password:").toString("base64")}`,
    );
    assert.match(await wire.command(Buffer.from(PASSWORD).toString("base64")), /^\+OK Logged in/);
    wire.close();
  });

  test("AUTH with a wrong password, a cancel, bad base64 and an unknown mechanism", async () => {
    const { address } = await account([]);
    const { wire } = await Pop3Wire.connect(server.plainPort);
    const wrong = Buffer.from(`\0${address}\0nope-nope`).toString("base64");
    assert.equal(await wire.command(`AUTH PLAIN ${wrong}`), "-ERR [AUTH] Authentication failed");
    assert.equal(await wire.command("AUTH LOGIN"), `+ ${Buffer.from("Username:").toString("base64")}`);
    assert.equal(await wire.command("*"), "-ERR Authentication cancelled");
    assert.equal(await wire.command("AUTH PLAIN !!!"), "-ERR Invalid base64 in initial response");
    assert.equal(await wire.command("AUTH CRAM-MD5"), "-ERR Unsupported SASL mechanism");
    const list = await wire.multiline("AUTH");
    assert.deepEqual(list.lines, ["SCRAM-SHA-256", "PLAIN", "LOGIN"]);
    wire.close();
  });

  test("APOP is refused when no verifier is configured", async () => {
    const { wire } = await Pop3Wire.connect(server.plainPort);
    assert.equal(
      await wire.command("APOP someone c4c9334bac560ecc979e58001b3e22fb"),
      "-ERR APOP is not available; use USER/PASS or AUTH",
    );
    wire.close();
  });

  test("CAPA before and after login", async () => {
    const { address } = await account([]);
    const { wire } = await Pop3Wire.connect(server.plainPort);
    const before = await wire.multiline("CAPA");
    assert.equal(before.status, "+OK Capability list follows");
    assert.deepEqual(before.lines, [
      "TOP",
      "UIDL",
      "RESP-CODES",
      "AUTH-RESP-CODE",
      "PIPELINING",
      "EXPIRE NEVER",
      "USER",
      "SASL SCRAM-SHA-256 PLAIN LOGIN",
      "UTF8 USER",
      "STLS",
      "IMPLEMENTATION Postfach",
    ]);
    assert.equal(await wire.command("UTF8"), "+OK UTF8 enabled");
    await wire.logIn(address);
    const afterLogin = await wire.multiline("CAPA");
    assert.deepEqual(afterLogin.lines, [
      "TOP",
      "UIDL",
      "RESP-CODES",
      "AUTH-RESP-CODE",
      "PIPELINING",
      "EXPIRE NEVER",
      "IMPLEMENTATION Postfach",
    ]);
    assert.equal(await wire.command("UTF8"), "-ERR UTF8 is not allowed in the TRANSACTION state");
    assert.equal(await wire.command("USER x"), "-ERR USER is not allowed in the TRANSACTION state");
    wire.close();
  });
});

describe("transaction", () => {
  const dotted = makeMessage("dots", [".starts with a dot", "..two dots", ".", "end"]);
  const lfOnly = "Subject: lf only\n\nline one\n.dot line\nlast line without newline";
  const binary = Buffer.concat([
    Buffer.from("Subject: binary\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"),
    Buffer.from([0x00, 0xff, 0xe4, 0x80, 0x0d, 0x41, 0x0d, 0x0a]),
    Buffer.from("Grüße\r\n"),
  ]);

  test("STAT, LIST and UIDL agree with the store", async () => {
    const messages = [makeMessage("a"), makeMessage("b", ["x", "y"]), makeMessage("c")];
    const { address, id } = await account(messages);
    const inbox = await inboxOf(id);
    const wire = await loggedIn(address);
    const total = messages.reduce((sum, m) => sum + Buffer.byteLength(m), 0);
    assert.equal(await wire.command("STAT"), `+OK 3 ${total}`);
    const list = await wire.multiline("LIST");
    assert.equal(list.status, `+OK 3 messages (${total} octets)`);
    assert.deepEqual(
      list.lines,
      messages.map((m, i) => `${i + 1} ${Buffer.byteLength(m)}`),
    );
    assert.equal(await wire.command("LIST 2"), `+OK 2 ${Buffer.byteLength(messages[1] as string)}`);
    assert.equal(await wire.command("LIST 4"), "-ERR No such message");
    assert.equal(await wire.command("LIST 0"), "-ERR Usage: LIST [message-number]");
    const uidl = await wire.multiline("UIDL");
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, "0");
    assert.deepEqual(
      uidl.lines,
      [1, 2, 3].map((uid) => `${uid} ${hex(uid)}${hex(inbox.uidValidity)}`),
    );
    assert.equal(await wire.command("UIDL 3"), `+OK 3 ${hex(3)}${hex(inbox.uidValidity)}`);
    wire.close();
  });

  test("RETR is byte-exact, with dot-stuffing, LF-only lines, a missing final newline, 8-bit and NUL", async () => {
    const { address } = await account([dotted, lfOnly, binary]);
    const wire = await loggedIn(address);
    const first = await wire.multiline("RETR 1");
    assert.equal(first.status, `+OK ${Buffer.byteLength(dotted)} octets`);
    assert.deepEqual(bodyBytes(first.lines), Buffer.from(dotted));
    const second = await wire.multiline("RETR 2");
    assert.deepEqual(bodyBytes(second.lines).toString("latin1"), `${lfOnly.replace(/\n/g, "\r\n")}\r\n`);
    const sentOctets = Buffer.byteLength(lfOnly.replace(/\n/g, "\r\n"), "latin1");
    assert.equal(second.status, `+OK ${sentOctets} octets`, "bare LFs are counted as the CRLFs RETR sends");
    assert.equal(await wire.command("LIST 2"), `+OK 2 ${sentOctets}`);
    const third = await wire.multiline("RETR 3");
    assert.deepEqual(bodyBytes(third.lines), binary);
    assert.equal(await wire.command("RETR 9"), "-ERR No such message");
    wire.close();
  });

  test("the raw wire stuffs every line that begins with a dot", async () => {
    const { address } = await account([dotted]);
    const wire = await loggedIn(address);
    assert.match(await wire.command("RETR 1"), /^\+OK/);
    const raw: string[] = [];
    for (let line = await wire.client.line(); line !== "."; line = await wire.client.line()) raw.push(line);
    assert.deepEqual(raw.slice(-4), ["..starts with a dot", "...two dots", "..", "end"]);
    wire.close();
  });

  test("TOP n 0 sends the header and blank line; TOP n k adds k body lines", async () => {
    const message = makeMessage("top", ["one", ".two", "three", "four"]);
    const { address } = await account([message]);
    const wire = await loggedIn(address);
    const header = message.slice(0, message.indexOf("\r\n\r\n") + 4);
    const zero = await wire.multiline("TOP 1 0");
    assert.equal(zero.status, "+OK Top of message follows");
    assert.equal(bodyBytes(zero.lines).toString(), header);
    const two = await wire.multiline("TOP 1 2");
    assert.equal(bodyBytes(two.lines).toString(), `${header}one\r\n.two\r\n`);
    const all = await wire.multiline("TOP 1 100");
    assert.equal(bodyBytes(all.lines).toString(), message);
    assert.equal(await wire.command("TOP 1"), "-ERR Usage: TOP message-number lines");
    wire.close();
  });

  test("DELE then RSET restores; deleted messages are hidden and refused", async () => {
    const { address, id } = await account([makeMessage("a"), makeMessage("b")]);
    const wire = await loggedIn(address);
    assert.equal(await wire.command("DELE 1"), "+OK Message 1 deleted");
    assert.equal(await wire.command("DELE 1"), "-ERR Message 1 is marked deleted");
    assert.equal(await wire.command("RETR 1"), "-ERR Message 1 is marked deleted");
    assert.match(await wire.command("STAT"), /^\+OK 1 /);
    assert.deepEqual(
      (await wire.multiline("UIDL")).lines.map((l) => l.split(" ")[0]),
      ["2"],
    );
    assert.match(await wire.command("RSET"), /^\+OK Maildrop has 2 messages/);
    assert.match(await wire.command("STAT"), /^\+OK 2 /);
    assert.match(await wire.command("QUIT"), /^\+OK Bye, 0 messages deleted/);
    assert.equal((await server.services.store.messages.listEntries((await inboxOf(id)).id)).length, 2);
  });

  test("DELE then QUIT removes the message from the store and from the next session", async () => {
    const { address, id } = await account([makeMessage("keep"), makeMessage("drop")]);
    const wire = await loggedIn(address);
    const uidls = (await wire.multiline("UIDL")).lines;
    assert.equal(await wire.command("DELE 2"), "+OK Message 2 deleted");
    assert.equal(await wire.command("QUIT"), "+OK Bye, 1 messages deleted");
    const entries = await server.services.store.messages.listEntries((await inboxOf(id)).id);
    assert.deepEqual(
      entries.map((e) => e.uid),
      [1],
    );
    const again = await loggedIn(address);
    assert.deepEqual((await again.multiline("UIDL")).lines, [uidls[0]]);
    again.close();
  });

  test("a dropped connection deletes nothing and releases the lock", async () => {
    const { address, id } = await account([makeMessage("a"), makeMessage("b")]);
    const wire = await loggedIn(address);
    assert.match(await wire.command("DELE 1"), /^\+OK/);
    assert.match(await wire.command("DELE 2"), /^\+OK/);
    wire.close();
    const again = await retryLogin(address);
    assert.match(await again.command("STAT"), /^\+OK 2 /);
    again.close();
    assert.equal((await server.services.store.messages.listEntries((await inboxOf(id)).id)).length, 2);
  });

  test("RETR sets \\Seen for IMAP; TOP does not", async () => {
    const { address, id } = await account([makeMessage("a"), makeMessage("b")]);
    const wire = await loggedIn(address);
    await wire.multiline("RETR 1");
    await wire.multiline("TOP 2 1");
    assert.match(await wire.command("NOOP"), /^\+OK/);
    const entries = await server.services.store.messages.listEntries((await inboxOf(id)).id);
    assert.deepEqual(
      entries.map((e) => e.flags.system.has("\\Seen")),
      [true, false],
    );
    wire.close();
  });

  test("\\Seen flags earned while commands keep coming are written in later batches and all by QUIT", async () => {
    const { address, id } = await account([makeMessage("a"), makeMessage("b"), makeMessage("c")]);
    const inbox = await inboxOf(id);
    const seen = async () =>
      (await server.services.store.messages.listEntries(inbox.id)).map((e) => e.flags.system.has("\\Seen"));
    const wire = await loggedIn(address);
    await wire.multiline("RETR 1");
    assert.match(await wire.command("NOOP"), /^\+OK/);
    assert.deepEqual(await seen(), [true, false, false], "the first batch goes out at the first wait");
    await wire.multiline("RETR 2");
    assert.match(await wire.command("NOOP"), /^\+OK/);
    // Within a second of the first batch the next one waits (seen-writer.ts); a quiet client gets it
    // written by a timer, whenever that fires.
    for (let tries = 0; !(await seen())[1]; tries++) {
      assert.ok(tries < 200, "the second batch was written while the client stayed quiet");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await wire.multiline("RETR 3");
    assert.match(await wire.command("QUIT"), /^\+OK Bye/);
    assert.deepEqual(await seen(), [true, true, true], "QUIT writes what is left before its reply");
  });

  test("NOOP, and commands of the wrong state", async () => {
    const { address } = await account([]);
    const { wire } = await Pop3Wire.connect(server.plainPort);
    assert.equal(await wire.command("NOOP"), "-ERR NOOP is not allowed in the AUTHORIZATION state");
    assert.equal(await wire.command("RETR 1"), "-ERR RETR is not allowed in the AUTHORIZATION state");
    await wire.logIn(address);
    assert.equal(await wire.command("NOOP"), "+OK");
    assert.equal(await wire.command("PASS x"), "-ERR PASS is not allowed in the TRANSACTION state");
    assert.equal(await wire.command("STLS"), "-ERR STLS is not allowed in the TRANSACTION state");
    assert.equal(await wire.command("AUTH PLAIN"), "-ERR AUTH is not allowed in the TRANSACTION state");
    wire.close();
  });
});

describe("maildrop snapshot and lock", () => {
  test("a second login gets -ERR [IN-USE]; the first session is untouched; QUIT releases", async () => {
    const { address } = await account([makeMessage("a")]);
    const first = await loggedIn(address);
    const { wire: second } = await Pop3Wire.connect(server.plainPort);
    assert.equal(await second.logIn(address), "-ERR [IN-USE] Maildrop is in use by another POP3 session");
    assert.match(await first.command("STAT"), /^\+OK 1 /);
    assert.match(await first.command("QUIT"), /^\+OK/);
    assert.match(await second.logIn(address), /^\+OK Logged in/);
    second.close();
  });

  test("messages delivered during the session appear only at the next login", async () => {
    const { address, id } = await account([makeMessage("a")]);
    const wire = await loggedIn(address);
    await server.deliver(id, makeMessage("late"));
    assert.match(await wire.command("STAT"), /^\+OK 1 /);
    assert.equal(await wire.command("LIST 2"), "-ERR No such message");
    await wire.command("QUIT");
    const again = await loggedIn(address);
    assert.match(await again.command("STAT"), /^\+OK 2 /);
    again.close();
  });

  test("a message expunged by another session is reported as deleted, never replaced", async () => {
    const { address, id } = await account([makeMessage("a"), makeMessage("b")]);
    const wire = await loggedIn(address);
    const inbox = await inboxOf(id);
    await server.services.store.messages.expunge(id, inbox.id, [inbox.uidNext - 2].map(Number) as never);
    assert.equal(await wire.command("RETR 1"), "-ERR Message was deleted by another session");
    assert.match(await wire.command("RETR 2"), /^\+OK/);
    await wire.body();
    assert.match(await wire.command("DELE 1"), /^\+OK/);
    assert.equal(await wire.command("QUIT"), "+OK Bye, 0 messages deleted");
  });

  test("UIDL values stay the same across sessions, flag changes and a server restart", async () => {
    const { address, id } = await account([makeMessage("a"), makeMessage("b")]);
    const wire = await loggedIn(address);
    const before = (await wire.multiline("UIDL")).lines;
    await wire.multiline("RETR 1");
    await wire.command("QUIT");
    const inbox = await inboxOf(id);
    await server.services.store.messages.updateFlags(id, inbox.id, [2].map(Number) as never, {
      operation: "add",
      flags: { system: new Set(["\\Flagged"]), keywords: ["$Junk"] },
    });
    const dataDir = server.dataDir;
    await server.stop(true);
    server = await startPop3TestServer({ dataDir });
    const again = await loggedIn(address);
    assert.deepEqual((await again.multiline("UIDL")).lines, before);
    again.close();
  });

  test("PIPELINING: 1,000 commands in one write are answered in order", async () => {
    const { address } = await account([makeMessage("a"), makeMessage("b")]);
    const wire = await loggedIn(address);
    const commands: string[] = [];
    for (let i = 0; i < 1000; i++)
      commands.push(i % 4 === 0 ? "STAT" : i % 4 === 1 ? "LIST 1" : i % 4 === 2 ? "UIDL 2" : "NOOP");
    wire.client.write(commands.map((c) => `${c}\r\n`).join(""));
    for (let i = 0; i < 1000; i++) {
      const reply = await wire.client.line();
      const expected =
        i % 4 === 0
          ? /^\+OK 2 \d+$/
          : i % 4 === 1
            ? /^\+OK 1 \d+$/
            : i % 4 === 2
              ? /^\+OK 2 [0-9A-F]{16}$/
              : /^\+OK$/;
      assert.match(reply, expected, `reply ${i}`);
    }
    wire.client.write("RETR 1\r\nRETR 2\r\nQUIT\r\n");
    assert.match(await wire.client.line(), /^\+OK \d+ octets$/);
    await wire.body();
    assert.match(await wire.client.line(), /^\+OK \d+ octets$/);
    await wire.body();
    assert.match(await wire.client.line(), /^\+OK Bye/);
  });
});

describe("pipelined download", () => {
  test("RETR of every message in one write is byte-exact (read-ahead), and DELE in between is honoured", async () => {
    const messages = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 0
        ? makeMessage(`dots ${i}`, [".a", "..b", "."])
        : i % 3 === 1
          ? `Subject: lf ${i}\n\nbody\n.x`
          : makeMessage(`plain ${i}`),
    );
    const { address } = await account(messages);
    const wire = await loggedIn(address);
    const commands = messages.map((_, i) => `RETR ${i + 1}\r\n`).join("");
    wire.client.write(`${commands}DELE 12\r\nRETR 12\r\n`);
    for (const message of messages) {
      assert.match(await wire.client.line(), /^\+OK \d+ octets$/);
      const expected = message.includes("\r\n") ? message : `${message.replace(/\n/g, "\r\n")}\r\n`;
      assert.equal(bodyBytes(await wire.body()).toString("latin1"), expected);
    }
    assert.equal(await wire.client.line(), "+OK Message 12 deleted");
    assert.equal(await wire.client.line(), "-ERR Message 12 is marked deleted");
    wire.close();
  });
});

/**
 * What RETR must put on the wire for a stored message (RFC 1939 §3), computed line by line as a reference:
 * bare LFs become CRLF, a missing final line end is added (only the LF after a final bare CR), and every
 * line that begins with "." gets one more. Without the status line and the terminating ".".
 */
function expectedWire(message: Buffer): string {
  let text = message.toString("latin1").replace(/\r?\n/g, "\r\n");
  if (!text.endsWith("\r\n")) text += text.endsWith("\r") ? "\n" : "\r\n";
  const lines = text.split("\r\n").slice(0, -1);
  return lines.map((line) => `${line.startsWith(".") ? "." : ""}${line}\r\n`).join("");
}

/** RFC 1939 §5: the octets RETR announces, bare LFs counted as the CRLFs it sends. */
const octetsOf = (message: Buffer): number =>
  message.length + (message.toString("latin1").match(/(?<!\r)\n/g)?.length ?? 0);

describe("RETR on the raw wire", () => {
  test("pipelined and single RETRs are byte-exact: dot lines, no final CRLF, a final bare CR, a streamed blob file", async () => {
    const header = "From: a@example.test\r\nSubject: edge\r\n\r\n";
    // A body over 256 KiB is kept as a file and streamed in chunks (not read at once); dot lines fall
    // at many offsets, some on the chunk boundaries.
    const bigLines = Array.from({ length: 9_000 }, (_, i) =>
      i % 7 === 0 ? `.${"d".repeat(i % 50)}` : `line ${i} ${"x".repeat(i % 40)}`,
    );
    const messages = [
      `${header}.\r\n.\r\n..\r\nmiddle\r\n.\r\n`,
      `${header}.first line is a dot line\r\nno final line end`,
      `${header}ends with a lone dot\r\n.`,
      `${header}ends with a bare CR\r`,
      "Subject: lf only\n\n.dot\nplain\n.",
      `.${header}`,
      `${header}${bigLines.join("\r\n")}\r\n`,
      `${header}after the big one\r\n.\r\n`,
    ].map((m) => Buffer.from(m, "latin1"));
    assert.ok((messages[6] as Buffer).length > 256 * 1024);
    const { address } = await account(messages);
    const wire = await loggedIn(address);
    const check = async (n: number, how: string): Promise<void> => {
      const message = messages[n - 1] as Buffer;
      assert.equal(await wire.client.line(), `+OK ${octetsOf(message)} octets`, `${how} RETR ${n}`);
      assert.equal(await wire.client.untilDot(), expectedWire(message), `${how} RETR ${n}`);
    };
    wire.client.write(messages.map((_, i) => `RETR ${i + 1}\r\n`).join(""));
    for (let n = 1; n <= messages.length; n++) await check(n, "pipelined");
    for (let n = messages.length; n >= 1; n--) {
      wire.client.write(`RETR ${n}\r\n`);
      await check(n, "single");
    }
    wire.close();
  });
});

describe("pipelined RETRs read ahead", () => {
  test("bodies read ahead together still honour DELE, repeats, bad numbers, TOP and other sessions' expunges", async () => {
    const messages = Array.from({ length: 6 }, (_, i) =>
      makeMessage(`m${i + 1}`, [`.line of ${i + 1}`, "x"]),
    );
    const { address, id } = await account(messages);
    const wire = await loggedIn(address);
    const inbox = await inboxOf(id);
    // Message 6 is expunged by another session after this one's snapshot: its RETR must say so, though
    // its body may have been read ahead with the others.
    await server.services.store.messages.expunge(id, inbox.id, [inbox.uidNext - 1].map(Number) as never);
    wire.client.write(
      "RETR 1\r\nRETR 2\r\nRETR 2\r\nRETR 99\r\nRETR 3\r\nDELE 4\r\nRETR 4\r\nTOP 5 0\r\nRETR 5\r\nRETR 6\r\nRETR 1\r\n",
    );
    const retrieved = async (n: number): Promise<void> => {
      assert.match(await wire.client.line(), /^\+OK \d+ octets$/, `RETR ${n}`);
      assert.equal(bodyBytes(await wire.body()).toString("latin1"), messages[n - 1], `body of ${n}`);
    };
    await retrieved(1);
    await retrieved(2);
    await retrieved(2);
    assert.equal(await wire.client.line(), "-ERR No such message");
    await retrieved(3);
    assert.equal(await wire.client.line(), "+OK Message 4 deleted");
    assert.equal(await wire.client.line(), "-ERR Message 4 is marked deleted");
    assert.match(await wire.client.line(), /^\+OK/);
    const top = bodyBytes(await wire.body()).toString("latin1");
    assert.equal(top, (messages[4] as string).slice(0, (messages[4] as string).indexOf("\r\n\r\n") + 4));
    await retrieved(5);
    assert.equal(await wire.client.line(), "-ERR Message was deleted by another session");
    await retrieved(1);
    wire.close();
  });
});

/** The lock is released when the server notices the close; allow it a moment. */
async function retryLogin(address: string): Promise<Pop3Wire> {
  for (let attempt = 0; ; attempt++) {
    const { wire } = await Pop3Wire.connect(server.plainPort);
    const reply = await wire.logIn(address);
    if (reply.startsWith("+OK")) return wire;
    wire.close();
    if (attempt > 50) assert.fail(`login still refused: ${reply}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
