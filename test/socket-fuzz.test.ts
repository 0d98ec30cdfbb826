// Random protocol-shaped bytes at the POP3, SMTP and LMTP ports (fast-check; RFC 1939, RFC 5321,
// RFC 2033): whatever arrives, the server answers or hangs up, never crashes, and the next client is
// greeted and served. Saved inputs (test/fixtures/fuzz-regressions/<proto>-socket/) are replayed first.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { fuzzParameters, loadCorpus } from "./helpers/fuzz-corpus.js";
import { LineSocket } from "./helpers/line-socket.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "fuzz@example.test";
const LOGIN = `USER ${USER}\r\nPASS ${TEST_PASSWORD}\r\n`;
const POP3_FRAGMENTS = [
  LOGIN,
  "USER ",
  "PASS ",
  "STAT\r\n",
  "LIST\r\n",
  "LIST 1\r\n",
  "RETR 1\r\n",
  "RETR 0\r\n",
  "TOP 1 0\r\n",
  "TOP 1 99999999\r\n",
  "UIDL\r\n",
  "DELE 1\r\n",
  "RSET\r\n",
  "NOOP\r\n",
  "CAPA\r\n",
  "UTF8\r\n",
  "AUTH\r\n",
  "AUTH PLAIN\r\n",
  "AUTH SCRAM-SHA-256\r\n",
  "AUTH OAUTHBEARER =\r\n",
  "*\r\n",
  "=\r\n",
  "APOP x y\r\n",
  "STLS\r\n",
  "\r\n",
  "\n",
  "\r",
  "\u0000",
  " ",
  "99999999999",
];
const SMTP_FRAGMENTS = [
  "EHLO fuzz\r\n",
  "HELO fuzz\r\n",
  "LHLO fuzz\r\n",
  "MAIL FROM:<>\r\n",
  "MAIL FROM:<a@example.test> SIZE=10\r\n",
  `RCPT TO:<${USER}>\r\n`,
  "RCPT TO:<nobody@example.test>\r\n",
  "RCPT TO:<a@elsewhere.test>\r\n",
  "DATA\r\n",
  "Subject: fuzz\r\n\r\nbody\r\n",
  ".\r\n",
  "\r\n.\r\n",
  "\n.\n",
  "..\r\n",
  "RSET\r\n",
  "NOOP\r\n",
  "VRFY a\r\n",
  "HELP\r\n",
  "STARTTLS\r\n",
  "BDAT 5 LAST\r\n",
  "\r\n",
  "\n",
  "\r",
  "\u0000",
  "<",
  ">",
  "@",
  " BODY=8BITMIME",
];

function input(fragments: readonly string[]): fc.Arbitrary<Buffer> {
  return fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...fragments) },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
        {
          weight: 1,
          arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString("latin1")),
        },
      ),
      { maxLength: 25 },
    )
    .map((parts) => Buffer.from(parts.join(""), "latin1"));
}

/** Sends the bytes and then `goodbye`; waits for `done` in the answer or a hang-up, at most `waitMs`. */
async function throwAt(
  port: number,
  bytes: Buffer,
  goodbye: string,
  done: RegExp,
  waitMs: number,
): Promise<void> {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  let received = "";
  await new Promise<void>((resolve) => {
    const timer = setTimeout(finish, waitMs);
    function finish(): void {
      clearTimeout(timer);
      resolve();
    }
    socket.on("error", finish);
    socket.on("close", finish);
    socket.on("data", (data: Buffer) => {
      received += data.toString("latin1");
      if (done.test(received)) finish();
    });
    socket.on("connect", () => {
      socket.write(bytes);
      socket.write(goodbye);
    });
  });
  socket.destroy();
}

describe("POP3, SMTP and LMTP under random input", () => {
  let t: TestServer;
  before(async () => {
    // No brute-force blocking or delays here: the fuzz sends many wrong logins from 127.0.0.1 on purpose.
    t = await startTestServer((c) => ({
      ...c,
      auth: { ...c.auth, maxFailures: 1_000_000, failureDelayMs: 1, maxFailureDelayMs: 1 },
    }));
    await t.addUser(USER);
    const message = "Subject: seed\r\n\r\nseed body\r\n";
    const smtp = await LineSocket.connect(t.port("lmtp"));
    await smtp.readLine();
    for (const line of ["LHLO seed", "MAIL FROM:<>", `RCPT TO:<${USER}>`, "DATA"]) {
      smtp.send(line);
      for (let reply = await smtp.readLine(); /^\d{3}-/.test(reply); reply = await smtp.readLine());
    }
    smtp.socket.write(`${message}.\r\n`);
    assert.match(await smtp.readLine(), /^250/);
    smtp.close();
  });
  after(async () => {
    await t.stop();
  });

  async function pop3Serves(): Promise<void> {
    const pop = await LineSocket.connect(t.port("pop3"));
    assert.match(await pop.readLine(), /^\+OK/);
    pop.send(`USER ${USER}`);
    assert.match(await pop.readLine(), /^\+OK/);
    pop.send(`PASS ${TEST_PASSWORD}`);
    assert.match(await pop.readLine(), /^\+OK Logged in/);
    pop.send("QUIT");
    assert.match(await pop.readLine(), /^\+OK/);
    pop.close();
  }

  async function smtpGreets(proto: "smtp" | "lmtp"): Promise<void> {
    const smtp = await LineSocket.connect(t.port(proto));
    assert.match(await smtp.readLine(), /^220 /);
    smtp.send(proto === "lmtp" ? "LHLO check" : "EHLO check");
    let reply = await smtp.readLine();
    while (/^250-/.test(reply)) reply = await smtp.readLine();
    assert.match(reply, /^250 /);
    smtp.close();
  }

  const POP3_DONE = /\+OK Bye|-ERR[^\r\n]*closing/;
  const SMTP_DONE = /(^|\n)221 /;

  it("POP3: replays the regression corpus", async () => {
    for (const { bytes } of loadCorpus("pop3-socket")) {
      await throwAt(t.port("pop3"), bytes, "\r\nQUIT\r\n", POP3_DONE, 800);
    }
    await pop3Serves();
  });

  it("POP3: never crashes and keeps serving the next login", async () => {
    await fc.assert(
      fc.asyncProperty(input(POP3_FRAGMENTS), (bytes) =>
        throwAt(t.port("pop3"), bytes, "\r\nQUIT\r\n", POP3_DONE, 400),
      ),
      fuzzParameters(80),
    );
    await pop3Serves();
  });

  for (const proto of ["smtp", "lmtp"] as const) {
    it(`${proto.toUpperCase()}: replays the regression corpus`, async () => {
      for (const { bytes } of loadCorpus("smtp-socket")) {
        await throwAt(t.port(proto), bytes, "\r\n.\r\nQUIT\r\n", SMTP_DONE, 800);
      }
      await smtpGreets(proto);
    });

    it(`${proto.toUpperCase()}: never crashes and greets the next client`, async () => {
      await fc.assert(
        fc.asyncProperty(input(SMTP_FRAGMENTS), (bytes) =>
          throwAt(t.port(proto), bytes, "\r\n.\r\nQUIT\r\n", SMTP_DONE, 400),
        ),
        fuzzParameters(80),
      );
      await smtpGreets(proto);
    });
  }
});
