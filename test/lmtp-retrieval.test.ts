// Inbound mail read back byte-exactly (RFC 2033 LMTP in, RFC 9051 BODY[] and RFC 1939 RETR out) on a full
// server: Python smtplib and nodemailer as senders (plain, 8-bit, SMTPUTF8, 40 MB, 100 recipients,
// pipelined), imapflow, imaplib and poplib as readers; each copy carries its own Delivered-To.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import nodemailer from "nodemailer";
import { connectPlainClient } from "../src/net/line-client.testkit.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { readReply, withoutTrace } from "./helpers/inbound-server.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const run = promisify(execFile);

/** Reads every message of an account by IMAP BODY.PEEK[] (imaplib) and POP3 RETR (poplib), base64. */
const PY_READ = `
import base64, imaplib, json, poplib, sys
port_imap, port_pop3, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
imap = imaplib.IMAP4("127.0.0.1", port_imap)
imap.login(user, password)
imap.select("INBOX", readonly=True)
typ, data = imap.uid("SEARCH", None, "ALL")
imap_bodies = []
for uid in data[0].split():
    typ, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    imap_bodies.append(base64.b64encode(parts[0][1]).decode())
imap.logout()
pop = poplib.POP3("127.0.0.1", port_pop3)
pop.user(user)
pop.pass_(password)
count = pop.stat()[0]
pop_bodies = []
for n in range(1, count + 1):
    resp, lines, octets = pop.retr(n)
    pop_bodies.append(base64.b64encode(b"\\r\\n".join(lines) + b"\\r\\n").decode())
pop.quit()
print(json.dumps({"imap": imap_bodies, "pop3": pop_bodies}))
`;

const PY_SEND = `
import smtplib, sys
lmtp = smtplib.LMTP("127.0.0.1", int(sys.argv[1]))
plain = b"Subject: plain\\r\\nFrom: a@remote.example\\r\\n\\r\\nplain body\\r\\n.starts with a dot\\r\\n..two dots\\r\\n"
eight = "Subject: 8bit\\r\\nContent-Type: text/plain; charset=utf-8\\r\\nContent-Transfer-Encoding: 8bit\\r\\n\\r\\nGr\\u00fc\\u00dfe aus K\\u00f6ln\\r\\n".encode("utf-8")
print(lmtp.sendmail("sender@remote.example", ["py@example.test"], plain))
print(lmtp.sendmail("sender@remote.example", ["py@example.test"], eight, mail_options=["BODY=8BITMIME"]))
print(lmtp.sendmail("j\\u00f6rg@b\\u00fccher.example", ["py@example.test"], eight, mail_options=["SMTPUTF8", "BODY=8BITMIME"]))
lmtp.quit()
`;

async function readWithPython(t: TestServer, user: string): Promise<{ imap: Buffer[]; pop3: Buffer[] }> {
  const { stdout } = await run(
    "python3",
    ["-c", PY_READ, String(t.port("imap")), String(t.port("pop3")), user, TEST_PASSWORD],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const out = JSON.parse(stdout) as { imap: string[]; pop3: string[] };
  return {
    imap: out.imap.map((b) => Buffer.from(b, "base64")),
    pop3: out.pop3.map((b) => Buffer.from(b, "base64")),
  };
}

function assertCopy(copy: Buffer | undefined, recipient: string, original: Buffer, label: string): void {
  assert.ok(copy, `${label}: missing`);
  assert.match(
    copy.subarray(0, 400).toString("utf8"),
    new RegExp(
      `^Return-Path: <[^>]*>\\r\\nDelivered-To: ${recipient.replace(/[.+]/g, "\\$&")}\\r\\nReceived: `,
    ),
    `${label}: starts with its own Delivered-To`,
  );
  assert.ok(withoutTrace(copy).equals(original), `${label}: byte-exact after the trace fields`);
}

async function bodyFiles(dataDir: string): Promise<string[]> {
  const root = join(dataDir, "blobs");
  const found: string[] = [];
  for (const a of await readdir(root)) {
    if (a === "tmp") continue;
    for (const b of await readdir(join(root, a))) found.push(...(await readdir(join(root, a, b))));
  }
  return found.filter((name) => /^[0-9a-f]{64}$/.test(name));
}

describe("LMTP delivery read back over IMAP and POP3", () => {
  let t: TestServer;
  const many = Array.from({ length: 100 }, (_, i) => `r${i + 1}@example.test`);
  const transport = () =>
    nodemailer.createTransport({ host: "127.0.0.1", port: t.port("lmtp"), lmtp: true, ignoreTLS: true });

  before(async () => {
    t = await startTestServer();
    for (const user of ["py@example.test", "node@example.test", "big@example.test", "pipe@example.test"]) {
      await t.addUser(user);
    }
    await t.addUser(many[0] as string);
    await t.addUser(many[99] as string);
    // The other 98 only receive; accounts straight in the store skip password hashing.
    for (const address of many.slice(1, 99)) {
      await t.server.services.store.accounts.create({
        address,
        passwordHash: "x",
        quota: { storageBytes: null, messages: null },
      });
    }
  });
  after(() => t.stop());

  it("smtplib.LMTP plain, 8-bit and SMTPUTF8 come back byte-exact via imaplib BODY[] and poplib RETR", async () => {
    const { stdout } = await run("python3", ["-c", PY_SEND, String(t.port("lmtp"))]);
    assert.equal(stdout.trim(), "{}\n{}\n{}");
    const eight = Buffer.from(
      "Subject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n",
    );
    const sent = [
      Buffer.from(
        "Subject: plain\r\nFrom: a@remote.example\r\n\r\nplain body\r\n.starts with a dot\r\n..two dots\r\n",
      ),
      eight,
      eight,
    ];
    const read = await readWithPython(t, "py@example.test");
    assert.equal(read.imap.length, 3);
    assert.equal(read.pop3.length, 3);
    for (const [i, original] of sent.entries()) {
      assertCopy(read.imap[i], "py@example.test", original, `IMAP ${i}`);
      assertCopy(read.pop3[i], "py@example.test", original, `POP3 ${i}`);
    }
    assert.match(read.imap[2]?.toString("utf8") ?? "", /^Return-Path: <jörg@bücher\.example>\r\n/);
  });

  it("nodemailer to 100 recipients: the message is stored once, every copy names its own recipient", async () => {
    const before = await bodyFiles(t.dataDir);
    const raw = Buffer.from(
      `From: sender@remote.example\r\nTo: everyone@example.test\r\nSubject: to a hundred\r\nMessage-ID: <hundred@remote.example>\r\n\r\n${"shared body line\r\n".repeat(2000)}`,
    );
    const sender = transport();
    const info = await sender.sendMail({ envelope: { from: "sender@remote.example", to: many }, raw });
    sender.close();
    assert.equal(info.accepted.length, 100);
    const added = (await bodyFiles(t.dataDir)).filter((name) => !before.includes(name));
    assert.equal(added.length, 1, "one body blob for 100 recipients");

    const store = t.server.services.store;
    for (const address of many) {
      const account = await store.accounts.findByAddress(address);
      assert.ok(account, address);
      const inbox = await store.mailboxes.findByName(account.id, "INBOX");
      assert.ok(inbox);
      const [entry] = await store.messages.listEntries(inbox.id);
      assert.ok(entry, `${address} got a copy`);
      const summary = (await store.messages.getEmailSummaries([entry.emailId])).get(entry.emailId);
      assert.ok(summary);
      assertCopy(await store.blobs.read(summary.blobHash), address, raw, address);
    }
    for (const address of [many[0] as string, many[99] as string]) {
      const read = await readWithPython(t, address);
      assertCopy(read.imap[0], address, raw, `IMAP ${address}`);
      assertCopy(read.pop3[0], address, raw, `POP3 ${address}`);
    }
  });

  it("nodemailer plain and a 40 MB message come back byte-exact via imapflow BODY[] and poplib RETR", async () => {
    const plain = Buffer.from(
      "From: n@remote.example\r\nSubject: plain\r\n\r\nhello from nodemailer\r\n.\r\n",
    );
    const line = `${randomBytes(36).toString("base64")}\r\n`;
    const big = Buffer.from(
      `From: n@remote.example\r\nSubject: big\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${line.repeat(Math.ceil((40 * 1024 * 1024) / line.length))}`,
    );
    const sender = transport();
    await sender.sendMail({ envelope: { from: "n@remote.example", to: ["node@example.test"] }, raw: plain });
    await sender.sendMail({ envelope: { from: "n@remote.example", to: ["big@example.test"] }, raw: big });
    sender.close();

    const read = await readWithPython(t, "node@example.test");
    assertCopy(read.imap[0], "node@example.test", plain, "IMAP plain");
    assertCopy(read.pop3[0], "node@example.test", plain, "POP3 plain");

    const client = imapFlowClient(t.port("imap"), "big@example.test");
    await client.connect();
    await client.mailboxOpen("INBOX", { readOnly: true });
    const message = await client.fetchOne("1", { source: true, size: true });
    await client.logout();
    assert.ok(message);
    assert.ok(message.source);
    assertCopy(message.source, "big@example.test", big, "imapflow 40 MB");
    assert.equal(message.size, message.source.length);
  });

  it("a pipelined LMTP session (every command in one write) delivers each message byte-exact", async () => {
    const bodies = [1, 2, 3].map((n) => Buffer.from(`Subject: pipelined ${n}\r\n\r\nline ${n}\r\n`));
    const client = await connectPlainClient(t.port("lmtp"));
    await readReply(client);
    const script = [
      "LHLO mta.example\r\n",
      ...bodies.map(
        (body) =>
          `MAIL FROM:<p@remote.example>\r\nRCPT TO:<pipe@example.test>\r\nDATA\r\n${body.toString()}.\r\n`,
      ),
      "QUIT\r\n",
    ].join("");
    client.write(script);
    const replies: string[] = [];
    for (;;) {
      const line = await client.line();
      replies.push(line);
      if (line.startsWith("221")) break;
    }
    assert.equal(
      replies.filter((l) => /^250 2\.0\.0 <pipe@example\.test>/.test(l)).length,
      3,
      replies.join("|"),
    );
    const read = await readWithPython(t, "pipe@example.test");
    for (const [i, body] of bodies.entries()) {
      assertCopy(read.imap[i], "pipe@example.test", body, `IMAP ${i}`);
      assertCopy(read.pop3[i], "pipe@example.test", body, `POP3 ${i}`);
    }
  });
});
