// Message submission (RFC 6409) and the outbound queue over real sockets: nodemailer over STARTTLS and
// Python's smtplib over implicit TLS authenticate and send; MAIL before AUTH, a foreign envelope sender
// and a foreign From: are refused with 5.7.1; local recipients arrive (seen over IMAP), a copy lands in
// Sent, remote ones reach a loopback "remote MX" found through the loopback DNS server, DKIM-signed so
// that mailauth verifies them; a message waits
// in the queue while the MX is down and goes when it is back; a permanent 5xx comes back as an RFC 3464
// DSN; the queue survives a restart; BDAT (RFC 3030) chunks; `postfach queue` lists, retries and deletes;
// JMAP EmailSubmission's deliveryStatus follows the queue; bad AUTH and BDAT input get clear errors.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import nodemailer from "nodemailer";
import { runServer } from "../src/main.js";
import { connectPlainClient, type LineClient } from "../src/net/line-client.testkit.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { readReply } from "./helpers/inbound-server.js";
import { CORE, type Invocation, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { postfach } from "./helpers/postfach-cli.js";
import {
  messageAtMx,
  publishDkimKey,
  type RemoteMxServer,
  startServerWithRemoteMx,
} from "./helpers/remote-mx.js";
import type { SmtpSink } from "./helpers/smtp-sink.js";
import { TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The messages of a mailbox, as text, read over IMAP. */
async function mailbox(port: number, user: string, name: string): Promise<string[]> {
  const imap = imapFlowClient(port, user);
  await imap.connect();
  try {
    const lock = await imap.getMailboxLock(name);
    try {
      const out: string[] = [];
      if ((imap.mailbox as { exists: number }).exists === 0) return out;
      for await (const m of imap.fetch("1:*", { source: true })) out.push(m.source?.toString("utf8") ?? "");
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await imap.logout();
  }
}

async function login(port: number): Promise<LineClient> {
  const client = await connectPlainClient(port);
  await readReply(client);
  client.write("EHLO client.example\r\n");
  await readReply(client);
  const token = Buffer.from(`\u0000${ALICE}\u0000${TEST_PASSWORD}`).toString("base64");
  client.write(`AUTH PLAIN ${token}\r\n`);
  assert.match((await readReply(client)).at(-1) ?? "", /^235 2\.7\.0/);
  return client;
}

const say = async (client: LineClient, line: string) => {
  client.write(`${line}\r\n`);
  return (await readReply(client)).at(-1) ?? "";
};

describe("submission and the outbound queue", () => {
  let withMx: RemoteMxServer;
  let server: TestServer;
  let sink: SmtpSink;
  const imapPort = () => server.port("imap");

  before(async () => {
    withMx = await startServerWithRemoteMx({ retrySchedule: "3600" });
    ({ server, sink } = withMx);
    await server.server.services.store.domains.addDomain("example.test");
    await server.addUser(ALICE);
    await server.addUser(BOB);
  });
  after(() => withMx.stop());

  it("nodemailer submits over STARTTLS with AUTH: local delivery, remote via the MX (DKIM-signed), a Sent copy", async () => {
    await publishDkimKey(server, "example.test");
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.port("submission"),
      secure: false,
      requireTLS: true,
      auth: { user: ALICE, pass: TEST_PASSWORD },
      tls: { rejectUnauthorized: false },
    });
    const info = await transport.sendMail({
      from: ALICE,
      to: [BOB, "carol@remote.test"],
      subject: "Hello from nodemailer",
      text: "Sent through submission.\n.leading dot line\n",
    });
    assert.deepEqual([...info.accepted].sort(), [BOB, "carol@remote.test"]);
    transport.close();
    const bobs = await mailbox(imapPort(), BOB, "INBOX");
    assert.ok(
      bobs.some((m) => m.includes("Subject: Hello from nodemailer")),
      "bob got it",
    );
    const remote = await messageAtMx(sink, "Hello from nodemailer");
    assert.deepEqual(remote.recipients, ["carol@remote.test"]);
    assert.equal(remote.from, ALICE);
    assert.match(
      remote.data,
      /^DKIM-Signature: [\s\S]*?\r\nReceived: from /,
      "the signature, then this hop's Received line, come first",
    );
    assert.match(remote.data, /with ESMTPSA/);
    assert.match(remote.data, /\r\n\.leading dot line\r\n/, "dot-stuffing undone at the other end");
    const { dns } = server.server.services;
    const verified = await dkimVerify(Buffer.from(remote.data, "latin1"), {
      resolver: (name: string, rrtype: string) => dns.resolve(name, rrtype) as Promise<string[][]>,
    });
    assert.equal(verified.results[0]?.status.result, "pass", JSON.stringify(verified.results[0]?.status));
    assert.equal(verified.results[0]?.signingDomain, "example.test");
    const sent = await mailbox(imapPort(), ALICE, "Sent");
    assert.ok(
      sent.some((m) => m.includes("Subject: Hello from nodemailer")),
      "a copy in Sent",
    );
    assert.deepEqual(await server.server.services.store.outbound.list(), [], "the queue is empty again");
  });

  it("Python's smtplib submits over implicit TLS with AUTH", async () => {
    const script = `
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10) as s:
    s.login(sys.argv[2], sys.argv[3])
    refused = s.sendmail(sys.argv[2], [sys.argv[4]], "From: " + sys.argv[2] + "\\r\\nTo: " + sys.argv[4] + "\\r\\nSubject: from smtplib\\r\\n\\r\\nHi.\\r\\n")
    print(len(refused))
`;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        "python3",
        ["-c", script, String(server.port("submission", true)), ALICE, TEST_PASSWORD, BOB],
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      ),
    );
    assert.equal(stdout.trim(), "0");
    assert.ok((await mailbox(imapPort(), BOB, "INBOX")).some((m) => m.includes("Subject: from smtplib")));
  });

  it("refuses MAIL before AUTH, a foreign envelope sender and a foreign From: with 5.7.x", async () => {
    const anonymous = await connectPlainClient(server.port("submission"));
    await readReply(anonymous);
    const ehlo = (await say(anonymous, "EHLO client.example")).toString();
    assert.match(ehlo, /^250 /);
    assert.match(await say(anonymous, `MAIL FROM:<${ALICE}>`), /^530 5\.7\.0 Authentication required/);
    assert.match(await say(anonymous, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw=="), /^535 5\.7\.8/);
    anonymous.socket.destroy();

    const client = await login(server.port("submission"));
    assert.match(await say(client, `MAIL FROM:<${BOB}>`), /^550 5\.7\.1 Sender <bob@example\.test> is not/);
    assert.match(await say(client, `MAIL FROM:<${ALICE}>`), /^250 /);
    assert.match(await say(client, `RCPT TO:<${BOB}>`), /^250 /);
    assert.match(await say(client, "DATA"), /^354 /);
    const reply = await say(client, `From: ${BOB}\r\nSubject: forged\r\n\r\nx\r\n.`);
    assert.match(reply, /^550 5\.7\.1 From: bob@example\.test is not an address of alice@example\.test/);
    assert.match(await say(client, "MAIL FROM:<nobody@example.test>"), /^550 5\.7\.1/);
    assert.match(await say(client, `RCPT TO:<${BOB}>`), /^503 /, "no transaction after a refused MAIL");
    client.socket.destroy();
    assert.ok(!(await mailbox(imapPort(), BOB, "INBOX")).some((m) => m.includes("Subject: forged")));
  });

  it("answers bad AUTH and BDAT input with clear errors, never running chunk bytes as commands", async () => {
    const client = await connectPlainClient(server.port("submission"));
    await readReply(client);
    assert.match(await say(client, "AUTH PLAIN AGFAYg=="), /^503 5\.5\.1 Say EHLO first/);
    assert.match(await say(client, "EHLO client.example"), /^250 /);
    assert.match(await say(client, "AUTH PLAIN not*base64"), /^501 5\.5\.2/);
    assert.match(await say(client, "AUTH LOGIN"), /^334 /);
    assert.match(await say(client, "*"), /^501 5\.0\.0 Authentication cancelled/);
    assert.match(await say(client, "AUTH X-UNKNOWN"), /^504 5\.5\.4/);
    // A refused BDAT still consumes its chunk: the "commands" inside are message bytes, not commands.
    const chunk = "RSET\r\nQUIT\r\n";
    client.write(`BDAT ${chunk.length} LAST\r\n${chunk}`);
    assert.match((await readReply(client)).at(-1) ?? "", /^503 5\.5\.1 Need MAIL before BDAT/);
    assert.match(await say(client, "NOOP"), /^250 /, "the session is still there");
    client.socket.destroy();
  });

  it("takes a message in BDAT chunks (RFC 3030) and answers each", async () => {
    const client = await login(server.port("submission"));
    assert.match(await say(client, `MAIL FROM:<${ALICE}>`), /^250 /);
    assert.match(await say(client, `RCPT TO:<${BOB}>`), /^250 /);
    const part1 = `From: ${ALICE}\r\nSubject: chunked\r\n\r\n`;
    const part2 = ".a line with a dot, not stuffed\r\n";
    client.write(`BDAT ${Buffer.byteLength(part1)}\r\n${part1}`);
    assert.match((await readReply(client)).at(-1) ?? "", /^250 2\.0\.0 \d+ octets received/);
    client.write(`BDAT ${Buffer.byteLength(part2)} LAST\r\n${part2}`);
    assert.match((await readReply(client)).at(-1) ?? "", /^250 2\.0\.0 Ok: delivered/);
    client.socket.destroy();
    const got = (await mailbox(imapPort(), BOB, "INBOX")).find((m) => m.includes("Subject: chunked"));
    assert.ok(got?.includes("\r\n.a line with a dot, not stuffed\r\n"));
  });

  it("keeps a message queued while the MX is down and sends it when the MX is back", async () => {
    await sink.stop();
    const client = await login(server.port("submission"));
    assert.match(await say(client, `MAIL FROM:<${ALICE}>`), /^250 /);
    assert.match(await say(client, "RCPT TO:<dave@remote.test>"), /^250 /);
    assert.match(await say(client, "DATA"), /^354 /);
    assert.match(
      await say(client, `From: ${ALICE}\r\nSubject: while down\r\n\r\nx\r\n.`),
      /^250 2\.0\.0 Ok: queued/,
    );
    client.socket.destroy();
    const { store } = server.server.services;
    const deferred = await waitFor("a failed attempt", async () =>
      (await store.outbound.list()).find((r) => r.recipient === "dave@remote.test" && r.attempts >= 1),
    );
    assert.match(deferred.lastError ?? "", /^451 4\.4\.1 No mail host took the message/);
    const listed = await postfach(["queue", "list", "--json"], {
      POSTFACH_DATA: server.dataDir,
      POSTFACH_CONFIG: "",
    });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(listed.stdout.includes("dave@remote.test"));
    await sink.start();
    const retried = await postfach(["queue", "retry", deferred.messageId], {
      POSTFACH_DATA: server.dataDir,
      POSTFACH_CONFIG: "",
    });
    assert.equal(retried.code, 0, retried.stderr);
    await waitFor("delivery after the MX came back", () =>
      sink.messages.find((m) => m.data.includes("Subject: while down")),
    );
    await waitFor("the queue to empty", async () =>
      (await store.outbound.list()).length === 0 ? true : undefined,
    );
  });

  it("returns an RFC 3464 DSN to the sender after a permanent 5xx", async () => {
    sink.refused.add("nobody@remote.test");
    const client = await login(server.port("submission"));
    assert.match(await say(client, `MAIL FROM:<${ALICE}>`), /^250 /);
    assert.match(await say(client, "RCPT TO:<nobody@remote.test>"), /^250 /);
    assert.match(await say(client, "DATA"), /^354 /);
    assert.match(await say(client, `From: ${ALICE}\r\nSubject: to nobody\r\n\r\nx\r\n.`), /^250 /);
    client.socket.destroy();
    const dsn = await waitFor("the DSN", async () =>
      (await mailbox(imapPort(), ALICE, "INBOX")).find((m) => m.includes("multipart/report")),
    );
    assert.match(dsn, /^Return-Path: <>/, "a DSN has the null sender");
    assert.match(dsn, /report-type=delivery-status/);
    assert.match(dsn, /Final-Recipient: rfc822; nobody@remote\.test/);
    assert.match(dsn, /Action: failed/);
    assert.match(dsn, /Status: 5\.1\.1/);
    assert.match(dsn, /Diagnostic-Code: smtp; 550 5\.1\.1/);
    assert.match(dsn, /Subject: to nobody/, "the original header comes back");
    assert.deepEqual(await server.server.services.store.outbound.list(), []);
  });

  it("returns a UTF-8 address the remote MX cannot take (no SMTPUTF8) with a 5.6.7 DSN", async () => {
    const client = await login(server.port("submission"));
    assert.match(await say(client, `MAIL FROM:<${ALICE}> SMTPUTF8`), /^250 /);
    assert.match(await say(client, "RCPT TO:<jörg@remote.test>"), /^250 /);
    assert.match(await say(client, "DATA"), /^354 /);
    assert.match(await say(client, `From: ${ALICE}\r\nSubject: utf8 rcpt\r\n\r\nx\r\n.`), /^250 /);
    client.socket.destroy();
    const dsn = await waitFor("the SMTPUTF8 DSN", async () =>
      (await mailbox(imapPort(), ALICE, "INBOX")).find(
        (m) => m.includes("Subject: utf8 rcpt") && m.includes("multipart/report"),
      ),
    );
    assert.match(dsn, /Status: 5\.6\.7/);
    assert.ok(!sink.messages.some((m) => m.data.includes("Subject: utf8 rcpt")), "nothing reached the MX");
  });

  it("JMAP EmailSubmission queues remote recipients and its deliveryStatus follows the queue", async () => {
    sink.refused.add("gone@remote.test");
    const jmap = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    const accountId = await jmap.accountId();
    const using = [CORE, MAIL, "urn:ietf:params:jmap:submission"];
    type Obj = Record<string, unknown>;
    const [boxes, identities] = await jmap.call(
      [
        ["Mailbox/get", { accountId, properties: ["name"] }, "m"],
        ["Identity/get", { accountId }, "i"],
      ],
      using,
    );
    const drafts = (((boxes as Invocation)[1].list as Obj[]).find((b) => b.name === "Drafts") as Obj)
      .id as string;
    const identityId = (((identities as Invocation)[1].list as Obj[])[0] as Obj).id as string;
    const [, submitted] = await jmap.call(
      [
        [
          "Email/set",
          {
            accountId,
            create: {
              d: {
                mailboxIds: { [drafts]: true },
                from: [{ email: ALICE }],
                to: [{ email: "frank@remote.test" }, { email: "gone@remote.test" }],
                subject: "over JMAP",
                bodyValues: { b: { value: "Hello." } },
                textBody: [{ partId: "b" }],
              },
            },
          },
          "0",
        ],
        ["EmailSubmission/set", { accountId, create: { s: { identityId, emailId: "#d" } } }, "1"],
      ],
      using,
    );
    const created = ((submitted as Invocation)[1].created as Record<string, Obj>).s as Obj;
    const queued = created.deliveryStatus as Record<string, Obj>;
    assert.equal(queued["frank@remote.test"]?.delivered, "queued");
    const final = await waitFor("the final deliveryStatus", async () => {
      const [got] = await jmap.call([["EmailSubmission/get", { accountId, ids: [created.id] }, "g"]], using);
      const status = (((got as Invocation)[1].list as Obj[])[0] as Obj).deliveryStatus as Record<string, Obj>;
      return Object.values(status).every((s) => s.delivered !== "queued") ? status : undefined;
    });
    assert.equal(final["frank@remote.test"]?.delivered, "yes");
    assert.equal(final["gone@remote.test"]?.delivered, "no");
    assert.match(String(final["gone@remote.test"]?.smtpReply), /^550 5\.1\.1/);
    assert.ok(sink.messages.some((m) => m.data.includes("Subject: over JMAP")));
  });

  it("the queue survives a restart, and `postfach queue delete` drops a message", async () => {
    await sink.stop();
    const client = await login(server.port("submission"));
    for (const subject of ["survives", "dropped"]) {
      assert.match(await say(client, `MAIL FROM:<${ALICE}>`), /^250 /);
      assert.match(await say(client, "RCPT TO:<erin@remote.test>"), /^250 /);
      assert.match(await say(client, "DATA"), /^354 /);
      assert.match(await say(client, `From: ${ALICE}\r\nSubject: ${subject}\r\n\r\nx\r\n.`), /^250 /);
    }
    client.socket.destroy();
    const before = await waitFor("two queued messages", async () => {
      const records = await server.server.services.store.outbound.list();
      return records.length === 2 && records.every((r) => r.attempts >= 1) ? records : undefined;
    });
    const config = server.server.services.config;
    await server.server.stop();
    const env = { POSTFACH_DATA: server.dataDir, POSTFACH_CONFIG: "" };
    const dropped = before[1]?.messageId ?? "";
    const deleted = await postfach(["queue", "delete", dropped], env);
    assert.equal(deleted.code, 0, deleted.stderr);
    await sink.start();
    const restarted = await runServer(config, { handleSignals: false, quiet: true });
    try {
      await restarted.services.store.outbound.retryNow(Date.now());
      restarted.services.outbound.wake();
      await waitFor("the queued message after the restart", () =>
        sink.messages.find((m) => m.data.includes("Subject: survives")),
      );
      await waitFor("the queue to empty", async () =>
        (await restarted.services.store.outbound.list()).length === 0 ? true : undefined,
      );
      assert.equal(sink.messages.filter((m) => m.data.includes("Subject: dropped")).length, 0);
    } finally {
      await restarted.stop();
    }
  });
});
