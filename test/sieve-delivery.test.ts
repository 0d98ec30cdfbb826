// Sieve at delivery over real sockets (RFC 5228, RFC 5230, RFC 5429): messages arrive by LMTP, the
// recipient's active script files them (seen through IMAP with imapflow), a missing folder without
// :create means INBOX and creates nothing, a script failing at run time leaves the message in INBOX,
// reject answers 550 5.7.1 for that recipient only, vacation answers a sender once per :days, and an
// enabled JMAP VacationResponse (set over JMAP) answers a local sender.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { CORE, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { lmtp, WAIT_MS } from "./helpers/lmtp-send.js";
import { type RemoteMxServer, startServerWithRemoteMx } from "./helpers/remote-mx.js";
import { activateSieveScript, deliveredMessages, deliveredSubjects } from "./helpers/sieve-delivery.js";
import type { SmtpSink } from "./helpers/smtp-sink.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

describe("Sieve at delivery", () => {
  let server: TestServer;
  let lmtpPort = 0;
  const alice = "alice@example.test";
  const bob = "bob@example.test";
  const carol = "carol@example.test";

  const accountId = async (address: string) => {
    const account = await server.server.services.store.accounts.findByAddress(address);
    assert.ok(account);
    return account.id;
  };
  const activate = (address: string, script: string) => activateSieveScript(server, address, script);
  /** Subjects of a mailbox of `user` (logged in afresh), with flags. */
  const subjects = (user: string, mailbox: string) => deliveredMessages(server, user, mailbox);
  const mailboxNames = async (user: string): Promise<string[]> => {
    const client = imapFlowClient(server.port("imap"), user);
    await client.connect();
    try {
      return (await client.list()).map((m) => m.path).sort();
    } finally {
      await client.logout();
    }
  };

  before(async () => {
    server = await startTestServer();
    for (const user of [alice, bob, carol]) await server.addUser(user);
    lmtpPort = server.port("lmtp");
  });
  after(async () => {
    await server.stop();
  });

  it("files into folders as the script says, creating a folder only with :create", async () => {
    await activate(
      alice,
      [
        'require ["fileinto", "imap4flags", "mailbox"];',
        'if header :contains "subject" "report" { fileinto :flags "\\\\Flagged" "Archive"; }',
        'elsif header :contains "subject" "nowhere" { fileinto "Missing/Folder"; }',
        'elsif header :contains "subject" "project" { fileinto :create "Projects/New"; }',
        'elsif header :contains "subject" "drop" { discard; }',
      ].join("\n"),
    );
    const before = await mailboxNames(alice);
    for (const subject of ["weekly report", "to nowhere", "project kickoff", "drop me", "plain"]) {
      const replies = await lmtp(lmtpPort, { from: "someone@remote.example", to: [alice], subject });
      assert.match(replies[0] ?? "", /^250 /, subject);
    }
    assert.deepEqual(await subjects(alice, "Archive"), [{ subject: "weekly report", flags: ["\\Flagged"] }]);
    assert.deepEqual(
      (await subjects(alice, "INBOX")).map((m) => m.subject),
      ["to nowhere", "plain"],
    );
    assert.deepEqual(
      (await subjects(alice, "Projects/New")).map((m) => m.subject),
      ["project kickoff"],
    );
    const after = await mailboxNames(alice);
    assert.deepEqual(
      after.filter((name) => !before.includes(name)),
      ["Projects", "Projects/New"],
      "only the :create folder (and its parent) appeared; Missing/Folder did not",
    );
  });

  it("keeps the message in INBOX when the script fails at run time", async () => {
    // fileinto then reject is an action conflict (RFC 5429 §2.1), known only when the script runs.
    await activate(
      alice,
      'require ["fileinto", "reject"];\nfileinto "Archive";\nif header :contains "subject" "conflict" { reject "no"; }\n',
    );
    const replies = await lmtp(lmtpPort, {
      from: "someone@remote.example",
      to: [alice],
      subject: "conflict here",
    });
    assert.match(replies[0] ?? "", /^250 /);
    assert.ok((await subjects(alice, "INBOX")).some((m) => m.subject === "conflict here"));
    assert.ok(!(await subjects(alice, "Archive")).some((m) => m.subject === "conflict here"));
  });

  it("rejects with 550 5.7.1 for that recipient only", async () => {
    await activate(
      alice,
      'require "reject";\nif header :contains "subject" "spam" { reject "Not wanted here"; }\n',
    );
    const replies = await lmtp(lmtpPort, {
      from: "someone@remote.example",
      to: [alice, carol],
      subject: "spam offer",
    });
    assert.equal(replies.length, 2);
    assert.match(replies[0] ?? "", /^550 5\.7\.1 .*Not wanted here/);
    assert.match(replies[1] ?? "", /^250 /);
    assert.ok(!(await subjects(alice, "INBOX")).some((m) => m.subject === "spam offer"));
    assert.ok((await subjects(carol, "INBOX")).some((m) => m.subject === "spam offer"));
  });

  it("over SMTP, accepts for the others and sends the sender a rejection notice", async () => {
    const erin = "erin@example.test";
    await server.addUser(erin);
    const replies = await lmtp(
      server.port("smtp"),
      { from: erin, to: [alice, carol], subject: "spam again" },
      true,
    );
    assert.equal(replies.length, 1);
    assert.match(replies[0] ?? "", /^250 /);
    assert.ok(!(await subjects(alice, "INBOX")).some((m) => m.subject === "spam again"));
    assert.ok((await subjects(carol, "INBOX")).some((m) => m.subject === "spam again"));
    assert.deepEqual(
      (await subjects(erin, "INBOX")).map((m) => m.subject),
      ["Rejected: spam again"],
    );
    const alone = await lmtp(server.port("smtp"), { from: erin, to: [alice], subject: "spam only" }, true);
    assert.match(
      alone[0] ?? "",
      /^550 5\.7\.1 .*Not wanted here/,
      "every recipient rejected: said in the session",
    );
  });

  it("sends one vacation reply per sender per :days", async () => {
    await activate(
      alice,
      'require "vacation";\nvacation :days 7 :subject "Away until Monday" "I am away.";\n',
    );
    const first = { from: bob, to: [alice], subject: "first", messageId: "<first@bob.example>" };
    assert.match((await lmtp(lmtpPort, first))[0] ?? "", /^250 /);
    assert.match((await lmtp(lmtpPort, { from: bob, to: [alice], subject: "second" }))[0] ?? "", /^250 /);
    assert.match((await lmtp(lmtpPort, { from: carol, to: [alice], subject: "third" }))[0] ?? "", /^250 /);

    const bobInbox = await subjects(bob, "INBOX");
    assert.deepEqual(
      bobInbox.map((m) => m.subject),
      ["Away until Monday"],
      "bob got exactly one reply for two messages",
    );
    assert.deepEqual(
      (await subjects(carol, "INBOX")).filter((m) => m.subject === "Away until Monday").length,
      1,
    );
    const client = imapFlowClient(server.port("imap"), bob);
    await client.connect();
    try {
      const lock = await client.getMailboxLock("INBOX");
      try {
        const reply = await client.fetchOne("1", { source: true });
        const text = reply ? (reply.source?.toString("utf8") ?? "") : "";
        assert.match(text, /^Auto-Submitted: auto-replied/m);
        assert.match(text, /^In-Reply-To: <first@bob\.example>/m);
        assert.match(text, /^References: <first@bob\.example>/m);
        assert.match(text, /^Return-Path: <>/m, "sent from the null reverse-path");
        assert.match(text, /I am away\./);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it("answers a local sender from an enabled JMAP VacationResponse, once", async () => {
    await server.server.services.sieveScripts.setActive(await accountId(carol), null);
    const jmap = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, carol, TEST_PASSWORD);
    const vacationSet = async (args: Record<string, unknown>) => {
      const [response] = await jmap.call(
        [["VacationResponse/set", args, "v"]],
        [CORE, MAIL, "urn:ietf:params:jmap:vacationresponse"],
      );
      assert.equal(response?.[0], "VacationResponse/set", JSON.stringify(response));
      return response?.[1] as Record<string, unknown>;
    };
    const set = await vacationSet({
      accountId: await jmap.accountId(),
      update: {
        singleton: {
          isEnabled: true,
          subject: "Carol is out",
          textBody: "Back next week.",
          fromDate: null,
          toDate: null,
        },
      },
    });
    assert.deepEqual(set.updated, { singleton: null });
    const dave = "dave@example.test";
    await server.addUser(dave);
    for (const subject of ["question", "follow-up"]) {
      assert.match((await lmtp(lmtpPort, { from: dave, to: [carol], subject }))[0] ?? "", /^250 /);
    }
    const replies = (await subjects(dave, "INBOX")).filter((m) => m.subject === "Carol is out");
    assert.equal(replies.length, 1);
    // Switched off, it answers no one new.
    await vacationSet({
      accountId: await jmap.accountId(),
      update: { singleton: { isEnabled: false } },
    });
    assert.match((await lmtp(lmtpPort, { from: alice, to: [carol], subject: "after" }))[0] ?? "", /^250 /);
    assert.ok(!(await subjects(alice, "INBOX")).some((m) => m.subject === "Carol is out"));
  });
});

describe("Sieve redirects and vacation replies to other domains", () => {
  let withMx: RemoteMxServer;
  let server: TestServer;
  let sink: SmtpSink;
  const frank = "frank@example.test";

  before(async () => {
    withMx = await startServerWithRemoteMx({ retrySchedule: "3600" });
    ({ server, sink } = withMx);
    await server.addUser(frank);
  });
  after(() => withMx.stop());

  it("go out through the outbound queue to the remote MX", async () => {
    await activateSieveScript(
      server,
      frank,
      'require ["vacation", "copy"];\nredirect :copy "archive@remote.test";\nvacation :days 1 "Out of office.";\n',
    );
    const replies = await lmtp(server.port("lmtp"), {
      from: "boss@remote.test",
      to: [frank],
      subject: "status?",
    });
    assert.match(replies[0] ?? "", /^250 /);
    const deadline = Date.now() + WAIT_MS;
    while (sink.messages.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const redirect = sink.messages.find((m) => m.recipients.includes("archive@remote.test"));
    const vacation = sink.messages.find((m) => m.recipients.includes("boss@remote.test"));
    assert.ok(redirect, "the redirect reached the remote MX");
    assert.equal(redirect.from, "boss@remote.test", "a redirect keeps the original envelope sender");
    assert.match(redirect.data, /^Delivered-To: frank@example\.test/m);
    assert.ok(vacation, "the vacation reply reached the remote MX");
    assert.equal(vacation.from, "", "an automatic reply comes from the null reverse-path");
    assert.match(vacation.data, /Out of office\./);
    assert.ok(
      (await deliveredSubjects(server, frank, "INBOX")).includes("status?"),
      ":copy kept the message too",
    );
  });
});
