// NOTIFY (RFC 5465) over real sockets: a client watching INBOX and other folders hears STATUS, EXISTS +
// FETCH, EXPUNGE and LIST while a second client (imapflow or raw) and LMTP deliveries change them,
// without sending a command; NOTIFY NONE stops it; IDLE, selected-delayed, the authenticated state;
// the RFC's examples; BAD for the rules of §5 and §6.1, NO [BADEVENT], NO and untagged
// [NOTIFICATIONOVERFLOW].
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const message = (subject: string): string =>
  `From: sender@example.test\r\nTo: owner@example.test\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`;

const appendCommand = (mailbox: string, text: string): string =>
  `APPEND ${mailbox} {${Buffer.byteLength(text)}+}\r\n${text}`;

/** Waits for `pattern` in what the client received without sending anything, and takes it. */
async function pushed(raw: RawImap, pattern: RegExp): Promise<string> {
  await raw.waitFor((text) => pattern.test(text));
  return raw.take();
}

/** Nothing matching `pattern` arrives within `ms` (the push is asynchronous, so give it time). */
async function nothingPushed(raw: RawImap, pattern: RegExp, ms = 400): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  assert.doesNotMatch(raw.received, pattern);
}

const SUPPORTED =
  "BADEVENT (MessageNew MessageExpunge FlagChange AnnotationChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)";

function describeNotify(backend: "sqlite" | "postgres"): void {
  describe(`IMAP NOTIFY (${backend} store)`, () => {
    let server: TestServer;
    let port: number;
    let users = 0;

    before(async () => {
      server = await startTestServer(
        (config) => ({ ...config, delivery: { ...config.delivery, detailToFolder: true } }),
        { store: backend },
      );
      port = server.port("imap");
    });
    after(() => server.stop());

    async function freshAccount(folders: readonly string[]) {
      const user = `notify${++users}@example.test`;
      await server.addUser(user);
      const login = async (): Promise<RawImap> => {
        const raw = await RawImap.connect(port);
        assert.match(await raw.command("l", `LOGIN ${user} ${TEST_PASSWORD}`), /^l OK/m);
        return raw;
      };
      const setup = await login();
      for (const folder of folders) assert.match(await setup.command("c", `CREATE "${folder}"`), /^c OK/m);
      setup.close();
      const flow = async (): Promise<ImapFlow> => {
        const client = imapFlowClient(port, user);
        await client.connect();
        return client;
      };
      return { user, login, flow };
    }

    async function deliver(to: string, subject: string): Promise<void> {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: server.port("lmtp"),
        lmtp: true,
        ignoreTLS: true,
      });
      const info = await transport.sendMail({
        envelope: { from: "sender@remote.example", to: [to] },
        raw: message(subject),
      });
      assert.deepEqual(info.accepted, [to]);
      transport.close();
    }

    it("is advertised after login", async () => {
      const { login } = await freshAccount([]);
      const raw = await login();
      assert.match(await raw.command("c", "CAPABILITY"), /^\* CAPABILITY .* NOTIFY[ \r]/m);
      raw.close();
    });

    it("pushes STATUS, EXISTS + FETCH, flag FETCH, EXPUNGE and LIST for INBOX and two folders as another client and LMTP change them", async () => {
      const { user, login, flow } = await freshAccount(["Work", "Lists/IETF"]);
      const watcher = await login();
      await watcher.command("s", "SELECT INBOX");
      const set = await watcher.command(
        "n",
        'NOTIFY SET STATUS (selected (MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge FlagChange AnnotationChange)) (mailboxes (Work "Lists/IETF") (MessageNew MessageExpunge FlagChange)) (personal (MailboxName SubscriptionChange))',
      );
      // §3.1: a STATUS for each watched mailbox other than the selected one, before the tagged OK.
      assert.match(
        set,
        /^\* STATUS Work \(MESSAGES 0 UIDNEXT 1 UIDVALIDITY \d+ UNSEEN 0 HIGHESTMODSEQ \d+\)\r$/m,
      );
      assert.match(
        set,
        /^\* STATUS Lists\/IETF \(MESSAGES 0 UIDNEXT 1 UIDVALIDITY \d+ UNSEEN 0 HIGHESTMODSEQ \d+\)\r$/m,
      );
      assert.doesNotMatch(set, /STATUS INBOX/);
      assert.match(set, /^n OK/m);

      const other = await flow();
      // A message appended to a watched folder: STATUS, with no command from the watcher.
      await other.append("Work", message("work 1"));
      assert.match(
        await pushed(watcher, /STATUS Work/),
        /^\* STATUS Work \(MESSAGES 1 UIDNEXT 2 UNSEEN 1 HIGHESTMODSEQ \d+\)\r$/m,
      );
      // LMTP delivery into the second folder (plus addressing) and into the selected INBOX.
      await deliver(user.replace("@", "+Lists/IETF@"), "list mail");
      assert.match(
        await pushed(watcher, /STATUS Lists\/IETF/),
        /^\* STATUS Lists\/IETF \(MESSAGES 1 UIDNEXT 2 /m,
      );
      await deliver(user, "hello inbox");
      const arrival = await pushed(watcher, /Subject: hello inbox\r\n\r\n\)\r\n/);
      // §5.2: EXISTS, then a FETCH with what MessageNew asked for.
      assert.match(
        arrival,
        /^\* 1 EXISTS\r\n(?:\* 1 RECENT\r\n)?\* 1 FETCH \(UID 1 BODY\[HEADER\.FIELDS \(from to subject\)\] \{\d+\}\r\nFrom: sender@example\.test\r\nTo: owner@example\.test\r\nSubject: hello inbox\r\n\r\n\)\r\n$/,
      );
      // §5.1: a flag change in the selected mailbox is a FETCH with UID and FLAGS.
      await other.mailboxOpen("INBOX");
      await other.messageFlagsAdd("1", ["\\Flagged"], { uid: true });
      assert.match(
        await pushed(watcher, /FETCH/),
        /^\* 1 FETCH \(UID 1 FLAGS \(\\Flagged(?: \\Recent)?\)\)\r$/m,
      );
      // ... and in another watched mailbox a STATUS (FlagChange asked for: HIGHESTMODSEQ too).
      await other.mailboxOpen("Work");
      await other.messageFlagsAdd("1", ["\\Seen"], { uid: true });
      assert.match(
        await pushed(watcher, /STATUS Work/),
        /^\* STATUS Work \(MESSAGES 1 UIDNEXT 2 UNSEEN 0 HIGHESTMODSEQ \d+\)\r$/m,
      );
      // §5.3 with `selected`: the expunge comes at once, between commands.
      await other.mailboxOpen("INBOX");
      await other.messageDelete("1", { uid: true });
      assert.match(await pushed(watcher, /EXPUNGE/), /^\* 1 EXPUNGE\r$/m);
      // An expunge in another folder: STATUS with the new count.
      await other.mailboxOpen("Work");
      await other.messageDelete("1", { uid: true });
      assert.match(
        await pushed(watcher, /STATUS Work \(MESSAGES 0/),
        /^\* STATUS Work \(MESSAGES 0 UIDNEXT 2 /m,
      );
      // §5.4 and §5.5: created, renamed, subscribed and deleted mailboxes as LIST.
      await other.mailboxClose();
      // imapflow subscribes a mailbox right after creating it, so the LIST announcing it shows the
      // subscription when the watcher's announcement is made after that SUBSCRIBE (on PostgreSQL the
      // change reaches the watcher through NOTIFY, later than the creator's next command).
      await other.mailboxCreate("Projects");
      assert.match(await pushed(watcher, /Projects/), /^\* LIST \((?:\\Subscribed)?\) "\/" Projects\r$/m);
      await other.mailboxRename("Projects", "Archive2026");
      assert.match(
        await pushed(watcher, /OLDNAME/),
        /^\* LIST \(\) "\/" Archive2026 \("OLDNAME" \(Projects\)\)\r$/m,
      );
      await other.mailboxSubscribe("Archive2026");
      assert.match(await pushed(watcher, /Subscribed/), /^\* LIST \(\\Subscribed\) "\/" Archive2026\r$/m);
      await other.mailboxDelete("Archive2026");
      assert.match(await pushed(watcher, /NonExistent/), /^\* LIST \(\\NonExistent\) "\/" Archive2026\r$/m);

      // NOTIFY NONE: changes to other mailboxes are no longer announced, not even after a command.
      assert.match(await watcher.command("x", "NOTIFY NONE"), /^x OK/m);
      await other.append("Work", message("work 2"));
      await deliver(user, "after none");
      await nothingPushed(watcher, /STATUS|EXISTS|FETCH/);
      const noop = await watcher.command("p", "NOOP");
      assert.doesNotMatch(noop, /STATUS/);
      // The selected mailbox is announced as without NOTIFY (RFC 9051): at the NOOP.
      assert.match(noop, /^\* 1 EXISTS\r$/m);
      await other.logout();
      watcher.close();
    });

    it("announces the watched mailboxes during IDLE, and in the authenticated state", async () => {
      const { login, flow } = await freshAccount(["Work"]);
      const watcher = await login();
      assert.match(await watcher.command("n", "NOTIFY SET (inboxes (MessageNew MessageExpunge))"), /^n OK/m);
      const other = await flow();
      // Not selected, not idling: the push still comes.
      await other.append("Work", message("one"));
      assert.match(
        await pushed(watcher, /STATUS Work/),
        /^\* STATUS Work \(MESSAGES 1 UIDNEXT 2 UNSEEN 1\)\r$/m,
      );
      watcher.write("i IDLE\r\n");
      await pushed(watcher, /^\+ /m);
      await other.append("INBOX", message("two"));
      assert.match(
        await pushed(watcher, /STATUS INBOX/),
        /^\* STATUS INBOX \(MESSAGES 1 UIDNEXT 2 UNSEEN 1\)\r$/m,
      );
      watcher.write("DONE\r\n");
      assert.match(await watcher.untilTagged("i"), /^i OK/m);
      await other.logout();
      watcher.close();
    });

    it("holds expunges of the selected mailbox until a command allows them with selected-delayed", async () => {
      const { login, flow } = await freshAccount([]);
      const watcher = await login();
      await watcher.command("a", appendCommand("INBOX", message("first")));
      await watcher.command("s", "SELECT INBOX");
      assert.match(
        await watcher.command("n", "NOTIFY SET (selected-delayed (MessageNew MessageExpunge FlagChange))"),
        /^n OK/m,
      );
      const other = await flow();
      await other.mailboxOpen("INBOX");
      await other.append("INBOX", message("second"));
      assert.match(await pushed(watcher, /EXISTS/), /^\* 2 EXISTS\r$/m);
      await other.messageDelete("1", { uid: true });
      await nothingPushed(watcher, /EXPUNGE/);
      // FETCH by number must not see the numbers shift; a NOOP may.
      const fetched = await watcher.command("f", "FETCH 1 (UID)");
      assert.doesNotMatch(fetched, /EXPUNGE/);
      assert.match(await watcher.command("p", "NOOP"), /^\* 1 EXPUNGE\r$/m);
      await other.logout();
      watcher.close();
    });

    it("follows the RFC 5465 §3.1 example: STATUS of the Lists subtree, then updates of one of them", async () => {
      const { login } = await freshAccount(["Lists", "Lists/Lemonade", "Lists/Im2000", "Other"]);
      const watcher = await login();
      const other = await login();
      for (let n = 1; n <= 3; n++)
        await other.command("a", appendCommand("Lists/Lemonade", message(`lemonade ${n}`)));
      await watcher.command("s", "SELECT INBOX");
      const reply = await watcher.command(
        "a",
        "notify set status (selected (MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge)) (subtree Lists (MessageNew MessageExpunge))",
      );
      const statuses = [...reply.matchAll(/^\* STATUS (\S+) \((.*)\)\r$/gm)].map((m) => [m[1], m[2]]);
      assert.deepEqual(
        statuses.map(([name]) => name),
        ["Lists", "Lists/Im2000", "Lists/Lemonade"],
      );
      assert.match(statuses[2]?.[1] ?? "", /^MESSAGES 3 UIDNEXT 4 UIDVALIDITY \d+ UNSEEN 3$/);
      assert.match(reply, /^a OK/m);
      await other.command("b", appendCommand("Lists/Lemonade", message("lemonade 4")));
      assert.match(
        await pushed(watcher, /STATUS/),
        /^\* STATUS Lists\/Lemonade \(MESSAGES 4 UIDNEXT 5 UNSEEN 4\)\r$/m,
      );
      // Outside the subtree: nothing.
      await other.command("c", appendCommand("Other", message("elsewhere")));
      await nothingPushed(watcher, /STATUS/);
      other.close();
      watcher.close();
    });

    it("names changed mailbox and server annotations in METADATA responses (RFC 5465 §5.6, §5.7)", async () => {
      const { login } = await freshAccount(["Work", "Private"]);
      const watcher = await login();
      const other = await login();
      await watcher.command("s", "SELECT INBOX");
      assert.match(
        await watcher.command(
          "n",
          "NOTIFY SET (mailboxes (INBOX Work) (MailboxMetadataChange ServerMetadataChange))",
        ),
        /^n OK/m,
      );
      assert.match(await other.command("m", 'SETMETADATA Work (/shared/comment "for the team")'), /^m OK/m);
      assert.match(await pushed(watcher, /METADATA/), /^\* METADATA Work \/shared\/comment\r$/m);
      // The selected mailbox too (it is a mailbox event), several entries at once, in one response.
      assert.match(
        await other.command("m", 'SETMETADATA INBOX (/private/comment "mine" /shared/vendor/x/colour "red")'),
        /^m OK/m,
      );
      assert.match(
        await pushed(watcher, /METADATA/),
        /^\* METADATA INBOX \/private\/comment \/shared\/vendor\/x\/colour\r$/m,
      );
      // A removal is a change too; a folder not watched says nothing.
      assert.match(await other.command("m", "SETMETADATA Work (/shared/comment NIL)"), /^m OK/m);
      assert.match(await pushed(watcher, /METADATA/), /^\* METADATA Work \/shared\/comment\r$/m);
      assert.match(await other.command("m", 'SETMETADATA Private (/shared/comment "quiet")'), /^m OK/m);
      await nothingPushed(watcher, /METADATA/);
      // Server annotations: mailbox name "".
      assert.match(await other.command("m", 'SETMETADATA "" (/shared/motd "hi")'), /^m OK/m);
      assert.match(await pushed(watcher, /METADATA ""/), /^\* METADATA "" \/shared\/motd\r$/m);
      assert.match(await other.command("m", 'SETMETADATA "" (/private/vendor/x/theme "dark")'), /^m OK/m);
      assert.match(await pushed(watcher, /METADATA ""/), /^\* METADATA "" \/private\/vendor\/x\/theme\r$/m);
      other.close();
      watcher.close();
    });

    it("includes HIGHESTMODSEQ and UIDVALIDITY in STATUS once CONDSTORE is enabled (RFC 5465 §5.2)", async () => {
      const { login } = await freshAccount(["Work"]);
      const watcher = await login();
      const other = await login();
      await watcher.command("e", "ENABLE CONDSTORE");
      await watcher.command(
        "n",
        "NOTIFY SET (subscribed (MessageNew MessageExpunge)) (mailboxes Work (MessageNew MessageExpunge))",
      );
      await other.command("a", appendCommand("Work", message("m")));
      assert.match(
        await pushed(watcher, /STATUS/),
        /^\* STATUS Work \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+ UNSEEN 1 HIGHESTMODSEQ \d+\)\r$/m,
      );
      other.close();
      watcher.close();
    });

    it("turns NOTIFY off with an untagged OK [NOTIFICATIONOVERFLOW] when too many new messages arrive at once (§5.8)", async () => {
      const { login } = await freshAccount(["Work"]);
      const watcher = await login();
      const other = await login();
      await watcher.command("s", "SELECT INBOX");
      await watcher.command(
        "n",
        "NOTIFY SET (selected (MessageNew (UID BODY.PEEK[HEADER]) MessageExpunge)) (personal (MessageNew MessageExpunge))",
      );
      // 512 messages (one stored copy, doubled by COPY), then copied into INBOX in one commit: more new
      // messages than are fetched at once.
      await other.command("a", appendCommand("Work", message("bulk")));
      await other.command("w", "SELECT Work");
      for (let n = 0; n < 9; n++) assert.match(await other.command("c", "COPY 1:* Work"), /^c OK/m);
      assert.match(await other.command("i", "COPY 1:* INBOX"), /^i OK/m);
      const overflow = await pushed(watcher, /NOTIFICATIONOVERFLOW/);
      assert.match(overflow, /^\* 512 EXISTS\r$/m);
      assert.match(overflow, /^\* OK \[NOTIFICATIONOVERFLOW\] /m);
      assert.doesNotMatch(overflow, /FETCH/);
      // As after NOTIFY NONE.
      await other.command("w", appendCommand("Work", message("after")));
      await nothingPushed(watcher, /STATUS/);
      other.close();
      watcher.close();
    });
  });
}

describe("IMAP NOTIFY command syntax and refusals", () => {
  let server: TestServer;
  let raw: RawImap;

  before(async () => {
    server = await startTestServer();
    await server.addUser("syntax@example.test");
    raw = await RawImap.connect(server.port("imap"));
    assert.match(await raw.command("l", `LOGIN syntax@example.test ${TEST_PASSWORD}`), /^l OK/m);
  });
  after(async () => {
    raw.close();
    await server.stop();
  });

  it("answers BAD to malformed commands and to what §5 and §6.1 forbid", async () => {
    const bad = [
      "NOTIFY",
      "NOTIFY SET",
      "NOTIFY ALL",
      "NOTIFY NONE extra",
      "NOTIFY SET STATUS",
      "NOTIFY SET (personal)",
      "NOTIFY SET (personal ())",
      "NOTIFY SET (everything (MessageNew MessageExpunge))",
      "NOTIFY SET (mailboxes (MessageNew MessageExpunge))",
      "NOTIFY SET (subtree () (MessageNew MessageExpunge))",
      "NOTIFY SET (personal (MessageNew MessageExpunge)",
      "NOTIFY SET (personal (MessageNew))",
      "NOTIFY SET (personal (MessageExpunge))",
      "NOTIFY SET (personal (FlagChange))",
      "NOTIFY SET (personal (MessageNew FlagChange))",
      "NOTIFY SET (selected (MailboxName))",
      "NOTIFY SET (selected-delayed (MessageNew MessageExpunge SubscriptionChange))",
      "NOTIFY SET (selected (MessageNew MessageExpunge)) (selected-delayed (MessageNew MessageExpunge))",
      "NOTIFY SET (selected (MessageNew (UID BODY.PEEK[NOPE]) MessageExpunge))",
      "NOTIFY SET (selected (MessageNew () MessageExpunge))",
    ];
    for (const [index, command] of bad.entries()) {
      const reply = await raw.command(`b${index}`, command);
      assert.match(reply, new RegExp(`^b${index} BAD `, "m"), command);
      // Twenty BADs in a row end the session (the abuse limit): an OK in between.
      if (index % 10 === 9) assert.match(await raw.command("n", "NOOP"), /^n OK/m);
    }
    // The connection is still fine.
    assert.match(await raw.command("ok", "NOTIFY NONE"), /^ok OK/m);
  });

  it("refuses events it does not report with NO [BADEVENT] listing those it does (RFC 5465 §3.1)", async () => {
    for (const event of ["XFutureEvent", "MessageMove"]) {
      const reply = await raw.command("e", `NOTIFY SET (personal (MessageNew MessageExpunge ${event}))`);
      assert.match(reply, new RegExp(`^e NO \\[${SUPPORTED.replace(/[()]/g, "\\$&")}\\] `, "m"), event);
    }
    // Event names are case-insensitive; AnnotationChange is accepted (no annotations exist to change).
    assert.match(
      await raw.command(
        "c",
        "NOTIFY SET (personal (messagenew MESSAGEEXPUNGE flagchange AnnotationChange mailboxname))",
      ),
      /^c OK/m,
    );
  });

  it("refuses too many mailbox names with NO [NOTIFICATIONOVERFLOW]", async () => {
    const names = Array.from({ length: 201 }, (_, i) => `box${i}`).join(" ");
    assert.match(
      await raw.command("o", `NOTIFY SET (mailboxes (${names}) (MessageNew MessageExpunge))`),
      /^o NO \[NOTIFICATIONOVERFLOW\] /m,
    );
  });

  it("is not allowed before login", async () => {
    const anonymous = await RawImap.connect(server.port("imap"));
    assert.match(await anonymous.command("n", "NOTIFY NONE"), /^n BAD /m);
    anonymous.close();
  });
});

describeNotify("sqlite");
await describeWithPostgres(() => describeNotify("postgres"));
