// LIST, LSUB, STATUS and NAMESPACE over real sockets (RFC 9051 §6.3.9–6.3.11, LIST-EXTENDED RFC 5258,
// LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154, CHILDREN RFC 3348): raw wire checks, imapflow and imaplib.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const run = promisify(execFile);

const MESSAGE = (subject: string) =>
  `From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: ${subject}\r\n\r\nHello.\r\n`;

/** The untagged lines of a reply, without the tagged line. */
const untagged = (reply: string): string[] =>
  reply
    .split("\r\n")
    .filter((line) => line.startsWith("* "))
    .map((line) => line.slice(2));

describe("IMAP LIST, LSUB, STATUS, NAMESPACE", () => {
  let t: TestServer;
  let port: number;
  let userCount = 0;
  const nextUser = (): string => `user${++userCount}@example.test`;

  before(async () => {
    t = await startTestServer();
    port = t.port("imap");
    // Password hashing dominates account creation: hash them all at once.
    await Promise.all(Array.from({ length: 12 }, (_, i) => t.addUser(`user${i + 1}@example.test`)));
  });
  after(async () => {
    await t.stop();
  });

  /** A fresh account (INBOX, Drafts, Sent, Trash, Junk, Archive) and a logged-in raw connection. */
  async function freshRaw(): Promise<{ raw: RawImap; user: string }> {
    const user = nextUser();
    const raw = await RawImap.loggedIn(port, user, TEST_PASSWORD);
    return { raw, user };
  }

  function flow(user: string): ImapFlow {
    return imapFlowClient(port, user);
  }

  it('answers LIST "" "" with the delimiter and the reference root', async () => {
    const { raw } = await freshRaw();
    assert.equal(
      await raw.command("a1", 'LIST "" ""'),
      '* LIST (\\Noselect) "/" ""\r\na1 OK LIST completed\r\n',
    );
    assert.match(
      await raw.command("a2", 'LIST "Work/Project" ""'),
      /^\* LIST \(\\Noselect\) "\/" "?Work\/"?\r\n/,
    );
    raw.close();
  });

  it("lists the default folders with children and special-use attributes", async () => {
    const { raw } = await freshRaw();
    const lines = untagged(await raw.command("a1", 'LIST "" "*"'));
    assert.deepEqual(lines, [
      'LIST (\\HasNoChildren) "/" INBOX',
      'LIST (\\HasNoChildren \\Archive) "/" Archive',
      'LIST (\\HasNoChildren \\Drafts) "/" Drafts',
      'LIST (\\HasNoChildren \\Junk) "/" Junk',
      'LIST (\\HasNoChildren \\Sent) "/" Sent',
      'LIST (\\HasNoChildren \\Trash) "/" Trash',
    ]);
    // INBOX in any case; % stops at the delimiter.
    assert.deepEqual(untagged(await raw.command("a2", 'LIST "" "inbox"')), [
      'LIST (\\HasNoChildren) "/" INBOX',
    ]);
    assert.deepEqual(untagged(await raw.command("a3", 'LIST "" "%ts"')), [
      'LIST (\\HasNoChildren \\Drafts) "/" Drafts',
    ]);
    raw.close();
  });

  it("creates, lists, renames and deletes non-ASCII folders (modified UTF-7 on the wire)", async () => {
    const { raw } = await freshRaw();
    assert.match(await raw.command("a1", 'CREATE "Entw&APw-rfe/&U,BTFw-"'), /^a1 OK/m);
    assert.deepEqual(untagged(await raw.command("a2", 'LIST "" "Entw&APw-rfe*"')), [
      'LIST (\\HasChildren) "/" Entw&APw-rfe',
      'LIST (\\HasNoChildren) "/" Entw&APw-rfe/&U,BTFw-',
    ]);
    assert.deepEqual(untagged(await raw.command("a3", 'LIST "Entw&APw-rfe/" "%"')), [
      'LIST (\\HasNoChildren) "/" Entw&APw-rfe/&U,BTFw-',
    ]);
    assert.match(await raw.command("a4", 'RENAME "Entw&APw-rfe" "Alt/Entw&APw-rfe"'), /^a4 OK/m);
    assert.deepEqual(untagged(await raw.command("a5", 'LIST "" "Alt*"')), [
      'LIST (\\HasChildren) "/" Alt',
      'LIST (\\HasChildren) "/" Alt/Entw&APw-rfe',
      'LIST (\\HasNoChildren) "/" Alt/Entw&APw-rfe/&U,BTFw-',
    ]);
    assert.deepEqual(untagged(await raw.command("a6", 'LIST "" "Entw*"')), []);
    assert.match(await raw.command("a7", 'DELETE "Alt/Entw&APw-rfe/&U,BTFw-"'), /^a7 OK/m);
    assert.deepEqual(untagged(await raw.command("a8", 'LIST "" "Alt/*"')), [
      'LIST (\\HasNoChildren) "/" Alt/Entw&APw-rfe',
    ]);
    // With UTF8=ACCEPT the names travel as UTF-8.
    await raw.command("a9", "ENABLE UTF8=ACCEPT");
    const utf8 = Buffer.from(await raw.command("a10", 'LIST "" "Alt/*"'), "latin1").toString("utf8");
    assert.match(utf8, /^\* LIST \(\\HasNoChildren\) "\/" "?Alt\/Entwürfe"?\r\n/);
    raw.close();
  });

  it("answers LIST-EXTENDED selection and return options", async () => {
    const { raw } = await freshRaw();
    await raw.command("a1", "CREATE Work/Project/Old");
    await raw.command("a2", "SUBSCRIBE Work/Project");
    await raw.command("a3", "SUBSCRIBE Gone");
    // New accounts have their default folders subscribed: the patterns leave them out.
    assert.deepEqual(untagged(await raw.command("b1", 'LIST (SUBSCRIBED) "" ("INBOX" "Gone" "Work*")')), [
      'LIST (\\Subscribed \\HasNoChildren) "/" INBOX',
      'LIST (\\Subscribed \\NonExistent) "/" Gone',
      'LIST (\\Subscribed \\HasChildren) "/" Work/Project',
    ]);
    assert.deepEqual(
      untagged(await raw.command("b2", 'LIST (SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" "Gone" "W%")')),
      [
        'LIST (\\Subscribed \\HasNoChildren) "/" INBOX',
        'LIST (\\Subscribed \\NonExistent) "/" Gone',
        'LIST (\\HasChildren) "/" Work ("CHILDINFO" ("SUBSCRIBED"))',
      ],
    );
    assert.deepEqual(untagged(await raw.command("b3", 'LIST (SPECIAL-USE) "" "*"')), [
      'LIST (\\HasNoChildren \\Archive) "/" Archive',
      'LIST (\\HasNoChildren \\Drafts) "/" Drafts',
      'LIST (\\HasNoChildren \\Junk) "/" Junk',
      'LIST (\\HasNoChildren \\Sent) "/" Sent',
      'LIST (\\HasNoChildren \\Trash) "/" Trash',
    ]);
    assert.deepEqual(
      untagged(await raw.command("b4", 'LIST "" ("INBOX" "Work/%") RETURN (SUBSCRIBED CHILDREN)')),
      ['LIST (\\Subscribed \\HasNoChildren) "/" INBOX', 'LIST (\\Subscribed \\HasChildren) "/" Work/Project'],
    );
    // Extended LIST shows special uses only when asked for (Dovecot).
    assert.deepEqual(untagged(await raw.command("b5", 'LIST "" "Drafts" RETURN (CHILDREN)')), [
      'LIST (\\HasNoChildren) "/" Drafts',
    ]);
    assert.deepEqual(untagged(await raw.command("b6", 'LIST "" "Drafts" RETURN (SPECIAL-USE)')), [
      'LIST (\\HasNoChildren \\Drafts) "/" Drafts',
    ]);
    assert.match(await raw.command("b7", 'LIST (RECURSIVEMATCH) "" "*"'), /^b7 BAD/m);
    raw.close();
  });

  it("answers STATUS for every item after appends with flags", async () => {
    const { raw, user } = await freshRaw();
    const client = flow(user);
    await client.connect();
    await raw.command("c1", "CREATE Work");
    await client.append("Work", MESSAGE("one"), ["\\Seen"]);
    await client.append("Work", MESSAGE("two"), ["\\Deleted"]);
    await client.append("Work", MESSAGE("three"), []);
    const size = [MESSAGE("one"), MESSAGE("two"), MESSAGE("three")].reduce((n, m) => n + m.length, 0);
    const reply = await raw.command(
      "s1",
      "STATUS Work (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE)",
    );
    const match =
      /^\* STATUS Work \(MESSAGES 3 RECENT 3 UIDNEXT 4 UIDVALIDITY (\d+) UNSEEN 2 DELETED 1 SIZE (\d+)\)\r\ns1 OK/.exec(
        reply,
      );
    assert.ok(match, reply);
    assert.equal(Number(match[2]), size);
    assert.match(await raw.command("s2", "STATUS Work (APPENDLIMIT)"), /^\* STATUS Work \(APPENDLIMIT \d+\)/);
    // Items of extensions not advertised are a client error; unknown mailboxes are NONEXISTENT.
    assert.match(
      await raw.command("s3", "STATUS Work (HIGHESTMODSEQ)"),
      /^\* STATUS Work \(HIGHESTMODSEQ \d+\)/,
    );
    assert.match(await raw.command("s4", "STATUS Nowhere (MESSAGES)"), /^s4 NO \[NONEXISTENT\]/m);

    // Nobody selected Work yet: all three are recent.
    assert.match(await raw.command("s5", "STATUS Work (RECENT)"), /^\* STATUS Work \(RECENT 3\)/);
    // An IMAP4rev1 SELECT claims them: recent for that session only, also through its own STATUS.
    const selecting = await RawImap.connect(port);
    selecting.take();
    await selecting.command("l0", `LOGIN ${user} ${TEST_PASSWORD}`);
    await selecting.command("x1", "SELECT Work");
    assert.match(
      await raw.command("s6", "STATUS Work (RECENT MESSAGES)"),
      /^\* STATUS Work \(RECENT 0 MESSAGES 3\)/,
    );
    assert.match(
      await selecting.command("x2", "STATUS Work (RECENT UNSEEN)"),
      /^\* STATUS Work \(RECENT 3 UNSEEN 2\)/,
    );
    await client.append("Work", MESSAGE("four"), []);
    assert.match(await raw.command("s7", "STATUS Work (RECENT)"), /^\* STATUS Work \(RECENT 1\)/);
    await selecting.command("x3", "NOOP");
    assert.match(await raw.command("s8", "STATUS Work (RECENT)"), /^\* STATUS Work \(RECENT 0\)/);
    // IMAP4rev2 dropped RECENT, but a client that asks still gets an answer.
    await selecting.command("x4", "ENABLE IMAP4rev2");
    assert.match(await selecting.command("x5", "STATUS Work (RECENT)"), /^\* STATUS Work \(RECENT 4\)/);
    selecting.close();

    const status = await client.status("Work", { messages: true, unseen: true, uidNext: true, size: true });
    assert.ok(status);
    assert.equal(status.messages, 4);
    assert.equal(status.unseen, 3);
    assert.equal(status.uidNext, 5);
    await client.logout();
    raw.close();
  });

  it("sends STATUS after each selectable mailbox with LIST-STATUS", async () => {
    const { raw } = await freshRaw();
    await raw.command("a1", "CREATE Work/Project");
    await raw.command("a2", "SUBSCRIBE Work/Project");
    const lines = untagged(await raw.command("a3", 'LIST "" "Work*" RETURN (STATUS (MESSAGES UIDNEXT))'));
    assert.deepEqual(lines, [
      'LIST (\\HasChildren) "/" Work',
      "STATUS Work (MESSAGES 0 UIDNEXT 1)",
      'LIST (\\HasNoChildren) "/" Work/Project',
      "STATUS Work/Project (MESSAGES 0 UIDNEXT 1)",
    ]);
    // Parents returned only for CHILDINFO get no STATUS; missing subscribed names neither.
    await raw.command("a4", "SUBSCRIBE Ghost");
    const subscribed = untagged(
      await raw.command(
        "a5",
        'LIST (SUBSCRIBED RECURSIVEMATCH) "" ("Ghost" "W%") RETURN (STATUS (MESSAGES))',
      ),
    );
    assert.deepEqual(subscribed, [
      'LIST (\\Subscribed \\NonExistent) "/" Ghost',
      'LIST (\\HasChildren) "/" Work ("CHILDINFO" ("SUBSCRIBED"))',
    ]);
    raw.close();
  });

  it("answers LSUB with \\Noselect parents for a trailing %, also in IMAP4rev2", async () => {
    const { raw } = await freshRaw();
    await raw.command("a1", "CREATE Work/Project");
    await raw.command("a2", "SUBSCRIBE Work/Project");
    for (const name of ["INBOX", "Archive", "Junk", "Sent", "Trash"])
      await raw.command("u", `UNSUBSCRIBE ${name}`);
    assert.deepEqual(untagged(await raw.command("b1", 'LSUB "" "*"')), [
      'LSUB (\\Drafts) "/" Drafts',
      'LSUB () "/" Work/Project',
    ]);
    assert.deepEqual(untagged(await raw.command("b2", 'LSUB "" "%"')), [
      'LSUB (\\Drafts) "/" Drafts',
      'LSUB (\\Noselect) "/" Work',
    ]);
    await raw.command("b3", "ENABLE IMAP4rev2");
    assert.deepEqual(untagged(await raw.command("b4", 'LSUB "Work/" "%"')), ['LSUB () "/" Work/Project']);
    raw.close();
  });

  it("answers NAMESPACE with the personal and the shared namespace", async () => {
    const { raw } = await freshRaw();
    assert.equal(
      await raw.command("a1", "NAMESPACE"),
      '* NAMESPACE (("" "/")) NIL (("Shared/" "/"))\r\na1 OK NAMESPACE completed\r\n',
    );
    raw.close();
  });

  it("serves imapflow: list with special uses, listTree, non-ASCII folders", async () => {
    const user = nextUser();
    const client = flow(user);
    await client.connect();
    await client.mailboxCreate(["Entwürfe", "台北"]);
    await client.mailboxSubscribe("Entwürfe/台北");
    const entries = await client.list({ statusQuery: { messages: true, unseen: true } });
    const byPath = new Map(entries.map((e) => [e.path, e]));
    for (const [path, use] of [
      ["Drafts", "\\Drafts"],
      ["Sent", "\\Sent"],
      ["Trash", "\\Trash"],
      ["Junk", "\\Junk"],
      ["Archive", "\\Archive"],
    ]) {
      assert.equal(byPath.get(path as string)?.specialUse, use);
      assert.equal(byPath.get(path as string)?.specialUseSource, "extension");
    }
    assert.equal(byPath.get("INBOX")?.specialUse, "\\Inbox");
    assert.equal(byPath.get("Entwürfe/台北")?.subscribed, true);
    assert.equal(byPath.get("Entwürfe/台北")?.status?.messages, 0);
    assert.ok(byPath.get("Entwürfe")?.flags.has("\\HasChildren"));
    const tree = await client.listTree();
    const parent = tree.folders?.find((f) => f.path === "Entwürfe");
    assert.deepEqual(
      parent?.folders?.map((f) => f.path),
      ["Entwürfe/台北"],
    );
    await client.logout();
  });

  it("serves Python imaplib: list, lsub, status", async () => {
    const user = nextUser();
    const script = `
import imaplib, json, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3])
out = {}
out["create"] = m.create('"Entw&APw-rfe/&U,BTFw-"')[0]
m.subscribe('"Entw&APw-rfe/&U,BTFw-"')
out["list"] = [x.decode() for x in m.list()[1]]
out["pattern"] = [x.decode() for x in m.list('""', '"Entw&APw-rfe/%"')[1]]
out["lsub"] = [x.decode() for x in m.lsub()[1]]
m.append("INBOX", "(\\\\Seen)", None, b"Subject: hi\\r\\n\\r\\nbody\\r\\n")
out["status"] = [x.decode() for x in m.status("INBOX", "(MESSAGES UNSEEN RECENT UIDNEXT)")[1]]
out["namespace"] = [x.decode() for x in m.namespace()[1]]
m.logout()
print(json.dumps(out))
`;
    const { stdout } = await run("python3", ["-c", script, String(port), user, TEST_PASSWORD]);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(out.create, "OK");
    assert.ok((out.list as string[]).includes('(\\HasChildren) "/" Entw&APw-rfe'));
    assert.ok((out.list as string[]).includes('(\\HasNoChildren \\Sent) "/" Sent'));
    assert.deepEqual(out.pattern, ['(\\HasNoChildren) "/" Entw&APw-rfe/&U,BTFw-']);
    assert.ok((out.lsub as string[]).includes('() "/" Entw&APw-rfe/&U,BTFw-'));
    assert.ok((out.lsub as string[]).includes('(\\Sent) "/" Sent'));
    assert.deepEqual(out.status, ["INBOX (MESSAGES 1 UNSEEN 0 RECENT 1 UIDNEXT 2)"]);
    assert.deepEqual(out.namespace, ['(("" "/")) NIL (("Shared/" "/"))']);
  });

  it("lists an account with 1,000 mailboxes quickly", async (context) => {
    const { raw, user } = await freshRaw();
    const account = await t.server.services.store.accounts.findByAddress(user);
    assert.ok(account);
    const { mailboxes } = t.server.services.store;
    for (let i = 0; i < 50; i++) {
      await mailboxes.create(account.id, `Box${i}`, null);
      for (let j = 0; j < 19; j++) await mailboxes.create(account.id, `Box${i}/Sub${j}`, null);
    }
    const started = Date.now();
    const reply = await raw.command("a1", 'LIST "" "*" RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES))');
    const elapsedMs = Date.now() - started;
    context.diagnostic(`LIST of 1,006 mailboxes with STATUS: ${elapsedMs} ms`);
    assert.equal(untagged(reply).filter((l) => l.startsWith("LIST")).length, 1006);
    assert.ok(elapsedMs < 3000, `LIST took ${elapsedMs} ms`);
    assert.equal(untagged(await raw.command("a2", 'LIST "" "%"')).length, 56);
    raw.close();
  });
});
