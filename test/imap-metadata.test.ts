// METADATA (RFC 5464) and LIST-METADATA (RFC 9590) over real sockets: the RFC's examples, DEPTH and
// MAXSIZE with LONGENTRIES, server and mailbox entries, binary values, the computed read-only entries,
// entries surviving a reconnect, going with DELETE and following RENAME, the limits with their response
// codes (MAXSIZE, TOOMANY, NOPRIVATE), BAD for invalid names, LIST RETURN (METADATA …), and Python
// imaplib as a second client. imapflow has no METADATA commands, so the wire is driven raw. The whole suite
// runs on the embedded store and again on PostgreSQL (skipped with one line when it is unreachable).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const run = promisify(execFile);
const ADMIN_URI = "mailto:postmaster@example.test";

function describeMetadata(store: "sqlite" | "postgres"): void {
  describe(`IMAP METADATA (RFC 5464) and LIST-METADATA (RFC 9590): ${store}`, () => {
    let t: TestServer;
    let limited: TestServer;
    let userCount = 0;
    const nextUser = (): string => `meta${++userCount}@example.test`;

    before(async () => {
      [t, limited] = await Promise.all([
        startTestServer((config) => ({ ...config, imap: { ...config.imap, metadataAdmin: ADMIN_URI } }), {
          store,
        }),
        startTestServer(
          (config) => ({
            ...config,
            imap: {
              ...config.imap,
              metadataMaxEntryBytes: 100,
              metadataMaxEntries: 3,
              metadataMaxAccountBytes: 300,
              metadataPrivate: false,
            },
          }),
          { store },
        ),
      ]);
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => t.addUser(`meta${i + 1}@example.test`)),
        ...Array.from({ length: 5 }, (_, i) => limited.addUser(`small${i + 1}@example.test`)),
      ]);
    });
    after(async () => {
      await Promise.all([t.stop(), limited.stop()]);
    });

    async function login(user = nextUser(), server = t): Promise<RawImap> {
      const raw = await RawImap.loggedIn(server.port("imap"), user, TEST_PASSWORD);
      return raw;
    }

    /** Sends a command whose literals are non-synchronizing (LITERAL+), raw bytes as latin1 text. */
    async function send(raw: RawImap, tag: string, text: string): Promise<string> {
      raw.take();
      raw.write(Buffer.from(`${tag} ${text}\r\n`, "latin1"));
      return raw.untilTagged(tag);
    }

    it("advertises METADATA, METADATA-SERVER and LIST-METADATA after login only", async () => {
      const raw = await RawImap.connect(t.port("imap"));
      assert.doesNotMatch(await raw.command("c1", "CAPABILITY"), /METADATA/);
      assert.match(await raw.command("g0", "GETMETADATA INBOX /private/comment"), /^g0 BAD/m);
      assert.match(await raw.command("l1", `LOGIN ${nextUser()} ${TEST_PASSWORD}`), /^l1 OK/m);
      const capabilities = await raw.command("c2", "CAPABILITY");
      for (const name of ["METADATA", "METADATA-SERVER", "LIST-METADATA"]) {
        assert.match(capabilities, new RegExp(` ${name}( |\\r)`));
      }
      raw.close();
    });

    it("runs the examples of RFC 5464 §4.2 and §4.3", async () => {
      const raw = await login();
      // §4.3: a synchronizing literal across two lines, then a quoted value, then NIL to remove.
      raw.take();
      raw.write("a SETMETADATA INBOX (/private/comment {33}\r\n");
      await raw.waitFor((text) => text.startsWith("+ "));
      raw.take();
      raw.write("My new comment across\r\ntwo lines.)\r\n");
      assert.match(await raw.untilTagged("a"), /^a OK/m);
      assert.equal(
        await raw.command("b", "GETMETADATA INBOX /private/comment"),
        "* METADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)\r\nb OK GETMETADATA completed\r\n",
      );
      assert.match(await raw.command("c", 'SETMETADATA INBOX (/private/comment "My new comment")'), /^c OK/m);
      assert.match(
        await raw.command("d", "GETMETADATA INBOX /private/comment"),
        /^\* METADATA INBOX \(\/private\/comment "My new comment"\)\r\nd OK/m,
      );
      assert.match(await raw.command("e", "SETMETADATA INBOX (/private/comment NIL)"), /^e OK/m);
      assert.match(
        await raw.command("f", "GETMETADATA INBOX /private/comment"),
        /^\* METADATA INBOX \(\/private\/comment NIL\)\r\nf OK/m,
      );
      // §4.2: server entries (mailbox ""), several entries at once.
      assert.match(await raw.command("g", 'SETMETADATA "" (/shared/comment "Shared comment")'), /^g OK/m);
      assert.match(
        await raw.command("h", 'GETMETADATA "" /shared/comment'),
        /^\* METADATA "" \(\/shared\/comment "Shared comment"\)\r\nh OK/m,
      );
      await raw.command("i", 'SETMETADATA INBOX (/shared/comment "Shared" /private/comment "Mine")');
      assert.match(
        await raw.command("j", "GETMETADATA INBOX (/shared/comment /private/comment)"),
        /^\* METADATA INBOX \(\/shared\/comment "Shared" \/private\/comment "Mine"\)\r\nj OK/m,
      );
      // §4.2.2: DEPTH 1 lists the children that exist, not the entry asked for.
      await raw.command(
        "k",
        'SETMETADATA INBOX (/private/filters/values/small "SMALLER 5000" /private/filters/values/boss "FROM \\"boss@example.com\\"")',
      );
      assert.equal(
        await raw.command("l", "GETMETADATA (DEPTH 1) INBOX (/private/filters/values)"),
        '* METADATA INBOX (/private/filters/values/boss "FROM \\"boss@example.com\\"" /private/filters/values/small "SMALLER 5000")\r\nl OK GETMETADATA completed\r\n',
      );
      raw.close();
    });

    it("answers DEPTH 0, 1 and infinity over a tree of entries", async () => {
      const raw = await login();
      await raw.command(
        "s",
        'SETMETADATA INBOX (/shared/vendor/acme "a" /shared/vendor/acme/color "red" /shared/vendor/acme/ui/theme "dark")',
      );
      const names = async (options: string): Promise<string[]> => {
        const reply = await raw.command("g", `GETMETADATA ${options}INBOX /shared/vendor/acme`);
        assert.match(reply, /^g OK/m);
        return [...reply.matchAll(/(\/shared\/[a-z/]+) "/g)].map((m) => m[1] as string);
      };
      assert.deepEqual(await names(""), ["/shared/vendor/acme"]);
      assert.deepEqual(await names("(DEPTH 0) "), ["/shared/vendor/acme"]);
      assert.deepEqual(await names("(DEPTH 1) "), ["/shared/vendor/acme", "/shared/vendor/acme/color"]);
      assert.deepEqual(await names("(DEPTH infinity) "), [
        "/shared/vendor/acme",
        "/shared/vendor/acme/color",
        "/shared/vendor/acme/ui/theme",
      ]);
      // "/shared" itself holds nothing; with DEPTH infinity it reaches every shared entry.
      const all = await raw.command("a", "GETMETADATA (DEPTH infinity) INBOX /shared");
      assert.match(all, /\/shared\/vendor\/acme\/ui\/theme "dark"/);
      assert.doesNotMatch(all, /\/shared NIL/);
      // Names compare case-insensitively.
      assert.match(
        await raw.command("c", "GETMETADATA INBOX /SHARED/Vendor/ACME/Color"),
        /^\* METADATA INBOX \(\/shared\/vendor\/acme\/color "red"\)/m,
      );
      raw.close();
    });

    it("leaves out values over MAXSIZE and reports the longest with [METADATA LONGENTRIES n]", async () => {
      const raw = await login();
      await raw.command("s", `SETMETADATA INBOX (/private/big "${"x".repeat(200)}" /private/small "ok")`);
      const reply = await raw.command("g", "GETMETADATA (MAXSIZE 100) INBOX (/private/big /private/small)");
      assert.match(
        reply,
        /^\* METADATA INBOX \(\/private\/small "ok"\)\r\ng OK \[METADATA LONGENTRIES 200\]/m,
      );
      assert.doesNotMatch(reply, /xxxx/);
      const whole = await raw.command("h", "GETMETADATA (MAXSIZE 200 DEPTH 1) INBOX /private/big");
      assert.match(whole, /x{200}/);
      assert.doesNotMatch(whole, /LONGENTRIES/);
      // Everything left out: no METADATA response at all.
      assert.equal(
        await raw.command("i", "GETMETADATA (MAXSIZE 10) INBOX /private/big"),
        "i OK [METADATA LONGENTRIES 200] GETMETADATA completed\r\n",
      );
      raw.close();
    });

    it("stores any bytes: literal8 with NUL comes back as literal8, UTF-8 as a literal", async () => {
      const raw = await login();
      const binary = "\u0000\u0001\u00ff\r\n\u0000";
      assert.match(
        await send(raw, "a", `SETMETADATA INBOX (/private/vendor/x/bin ~{6+}\r\n${binary})`),
        /^a OK/m,
      );
      assert.equal(
        await raw.command("b", "GETMETADATA INBOX /private/vendor/x/bin"),
        `* METADATA INBOX (/private/vendor/x/bin ~{6}\r\n${binary})\r\nb OK GETMETADATA completed\r\n`,
      );
      const utf8 = Buffer.from("Grüße 台北", "utf8").toString("latin1");
      assert.match(
        await send(raw, "c", `SETMETADATA INBOX (/shared/comment {${utf8.length}+}\r\n${utf8})`),
        /^c OK/m,
      );
      assert.equal(
        await raw.command("d", "GETMETADATA INBOX /shared/comment"),
        `* METADATA INBOX (/shared/comment {${utf8.length}}\r\n${utf8})\r\nd OK GETMETADATA completed\r\n`,
      );
      // A NUL in a plain literal is a syntax error, as everywhere in IMAP.
      assert.match(await send(raw, "e", "SETMETADATA INBOX (/private/x {2+}\r\na\u0000)"), /^e BAD/m);
      raw.close();
    });

    it("keeps server and mailbox entries apart and computes /shared/admin and /private/specialuse", async () => {
      const raw = await login();
      await raw.command("a", 'SETMETADATA "" (/private/vendor/client/theme "dark")');
      assert.match(
        await raw.command("b", "GETMETADATA INBOX /private/vendor/client/theme"),
        /^\* METADATA INBOX \(\/private\/vendor\/client\/theme NIL\)/m,
      );
      assert.match(
        await raw.command("c", 'GETMETADATA "" (/shared/admin /private/vendor/client/theme)'),
        new RegExp(
          `^\\* METADATA "" \\(/shared/admin "${ADMIN_URI}" /private/vendor/client/theme "dark"\\)`,
          "m",
        ),
      );
      assert.match(
        await raw.command("d", "GETMETADATA Sent /private/specialuse"),
        /^\* METADATA Sent \(\/private\/specialuse "\\\\Sent"\)/m,
      );
      assert.match(
        await raw.command("e", "GETMETADATA INBOX /private/specialuse"),
        /^\* METADATA INBOX \(\/private\/specialuse NIL\)/m,
      );
      assert.match(
        await raw.command("f", 'SETMETADATA Sent (/private/specialuse "\\\\Junk")'),
        /^f NO \[CANNOT\]/m,
      );
      assert.match(
        await raw.command("g", 'SETMETADATA "" (/shared/admin "mailto:me@example.test")'),
        /^g NO \[CANNOT\]/m,
      );
      // A mailbox's /shared/admin is an ordinary entry.
      assert.match(
        await raw.command("h", 'SETMETADATA INBOX (/shared/admin "mailto:me@example.test")'),
        /^h OK/m,
      );
      raw.close();
    });

    it("keeps entries across a reconnect, moves them with RENAME and drops them with DELETE", async () => {
      const user = nextUser();
      let raw = await login(user);
      await raw.command("c1", "CREATE Projects/Alpha");
      await raw.command("s1", 'SETMETADATA Projects (/shared/comment "parent" /private/comment "mine")');
      await raw.command("s2", 'SETMETADATA Projects/Alpha (/shared/comment "child")');
      raw.close();
      raw = await login(user);
      assert.match(
        await raw.command("g1", "GETMETADATA Projects (/shared/comment /private/comment)"),
        /^\* METADATA Projects \(\/shared\/comment "parent" \/private\/comment "mine"\)/m,
      );
      assert.match(await raw.command("r1", "RENAME Projects Archive/Projects"), /^r1 OK/m);
      assert.match(
        await raw.command("g2", "GETMETADATA Archive/Projects/Alpha /shared/comment"),
        /^\* METADATA Archive\/Projects\/Alpha \(\/shared\/comment "child"\)/m,
      );
      assert.match(
        await raw.command("g3", "GETMETADATA Projects /shared/comment"),
        /^g3 NO \[NONEXISTENT\]/m,
      );
      assert.match(await raw.command("d1", "DELETE Archive/Projects/Alpha"), /^d1 OK/m);
      assert.match(await raw.command("c2", "CREATE Archive/Projects/Alpha"), /^c2 OK/m);
      assert.match(
        await raw.command("g4", "GETMETADATA Archive/Projects/Alpha /shared/comment"),
        /^\* METADATA Archive\/Projects\/Alpha \(\/shared\/comment NIL\)/m,
      );
      raw.close();
    });

    it("answers NO [NONEXISTENT] for a missing mailbox and keeps each account's entries its own", async () => {
      const alice = await login();
      const bob = await login();
      assert.match(await alice.command("a", "GETMETADATA Nowhere /shared/comment"), /^a NO \[NONEXISTENT\]/m);
      assert.match(
        await alice.command("b", 'SETMETADATA Nowhere (/shared/comment "x")'),
        /^b NO \[NONEXISTENT\]/m,
      );
      await alice.command("c", 'SETMETADATA INBOX (/shared/comment "alice" /private/comment "alice")');
      await alice.command("d", 'SETMETADATA "" (/shared/comment "alice")');
      assert.match(
        await bob.command("e", "GETMETADATA INBOX (/shared/comment /private/comment)"),
        /^\* METADATA INBOX \(\/shared\/comment NIL \/private\/comment NIL\)/m,
      );
      assert.match(
        await bob.command("f", 'GETMETADATA "" /shared/comment'),
        /^\* METADATA "" \(\/shared\/comment NIL\)/m,
      );
      alice.close();
      bob.close();
    });

    it("rejects invalid entry names and malformed commands with BAD, and the session goes on", async () => {
      const raw = await login();
      const badNames = [
        "/foo/bar",
        "shared/comment",
        "/shared//comment",
        "/shared/comment/",
        '"/shared/com*ment"',
        '"/shared/com%ment"',
        '"/shared/caf\u00e9"',
        `/shared/${"x".repeat(1100)}`,
      ];
      for (const [i, name] of badNames.entries()) {
        assert.match(
          await send(raw, `g${i}`, `GETMETADATA INBOX ${name}`),
          new RegExp(`^g${i} BAD`, "m"),
          name,
        );
        assert.match(
          await send(raw, `s${i}`, `SETMETADATA INBOX (${name} "x")`),
          new RegExp(`^s${i} BAD`, "m"),
          name,
        );
      }
      // A bare scope can be searched with DEPTH but holds no value.
      assert.match(await raw.command("p1", 'SETMETADATA INBOX (/private "x")'), /^p1 BAD/m);
      assert.match(await raw.command("p2", "GETMETADATA (DEPTH 1) INBOX /private"), /^p2 OK/m);
      const malformed = [
        "GETMETADATA INBOX",
        "GETMETADATA INBOX ()",
        "GETMETADATA (DEPTH 2) INBOX /shared/comment",
        "GETMETADATA (MAXSIZE -1) INBOX /shared/comment",
        "GETMETADATA (COLOR 1) INBOX /shared/comment",
        "GETMETADATA () INBOX /shared/comment",
        'SETMETADATA INBOX /shared/comment "x"',
        "SETMETADATA INBOX ()",
        "SETMETADATA INBOX (/shared/comment)",
        "SETMETADATA INBOX (/shared/comment x)",
        'SETMETADATA INBOX (/shared/comment "x"',
        'LIST "" "*" RETURN (METADATA)',
        'LIST "" "*" RETURN (METADATA ())',
      ];
      for (const [i, command] of malformed.entries()) {
        assert.match(await raw.command(`m${i}`, command), new RegExp(`^m${i} BAD`, "m"), command);
      }
      // Nothing above changed anything.
      assert.match(
        await raw.command("z", "GETMETADATA (DEPTH infinity) INBOX (/shared /private)"),
        /^z OK GETMETADATA completed\r\n$/,
      );
      assert.match(await raw.command("n", "NOOP"), /^n OK/m);
      raw.close();
    });

    it("refuses what passes the limits with MAXSIZE, TOOMANY and NOPRIVATE, changing nothing", async () => {
      const raw = await login("small1@example.test", limited);
      // Value limit (100 bytes here), quoted and as a literal; the other entry of the command is not set.
      assert.match(
        await raw.command("a", `SETMETADATA INBOX (/shared/a "ok" /shared/b "${"y".repeat(101)}")`),
        /^a NO \[METADATA MAXSIZE 100\]/m,
      );
      assert.match(
        await send(raw, "b", `SETMETADATA INBOX (/shared/b {101+}\r\n${"y".repeat(101)})`),
        /^b NO \[METADATA MAXSIZE 100\]/m,
      );
      assert.match(await raw.command("c", "GETMETADATA INBOX /shared/a"), /\(\/shared\/a NIL\)/);
      // Three entries per mailbox; a write that would make four is refused whole.
      assert.match(await raw.command("d", 'SETMETADATA INBOX (/shared/a "1" /shared/b "2")'), /^d OK/m);
      assert.match(
        await raw.command("e", 'SETMETADATA INBOX (/shared/a "changed" /shared/c "3" /shared/d "4")'),
        /^e NO \[METADATA TOOMANY\]/m,
      );
      assert.match(
        await raw.command("f", "GETMETADATA INBOX (/shared/a /shared/c)"),
        /\(\/shared\/a "1" \/shared\/c NIL\)/,
      );
      assert.match(await raw.command("g", 'SETMETADATA INBOX (/shared/c "3")'), /^g OK/m);
      // Removing one makes room in the same command; replacing is always allowed.
      assert.match(await raw.command("h", 'SETMETADATA INBOX (/shared/a NIL /shared/d "4")'), /^h OK/m);
      assert.match(await raw.command("i", 'SETMETADATA INBOX (/shared/b "two")'), /^i OK/m);
      // 300 bytes of names and values per account: 11 in INBOX, 97 each in Drafts and Sent.
      await raw.command("j", `SETMETADATA Drafts (/shared/x "${"z".repeat(95)}")`);
      await raw.command("k", `SETMETADATA Sent (/shared/x "${"z".repeat(95)}")`);
      assert.match(
        await raw.command("l", `SETMETADATA Trash (/shared/x "${"z".repeat(95)}")`),
        /^l NO \[METADATA TOOMANY\]/m,
      );
      // Private entries are switched off on this server.
      assert.match(
        await raw.command("m", 'SETMETADATA INBOX (/private/comment "x")'),
        /^m NO \[METADATA NOPRIVATE\]/m,
      );
      raw.close();
    });

    it("refuses a value literal larger than any allowed with [METADATA MAXSIZE n] before reading it", async () => {
      const raw = await login();
      raw.take();
      raw.write("a SETMETADATA INBOX (/shared/comment {70000}\r\n");
      assert.match(await raw.untilTagged("a"), /^a NO \[METADATA MAXSIZE 65536\]/m);
      // The 64 KiB allowed by default fit.
      const value = "v".repeat(65_536);
      assert.match(
        await send(raw, "b", `SETMETADATA INBOX (/shared/comment {65536+}\r\n${value})`),
        /^b OK/m,
      );
      assert.match(await raw.command("c", "GETMETADATA INBOX /shared/comment"), /\{65536\}\r\nv{65536}\)/);
      raw.close();
    });

    it("returns METADATA after each LIST line for RETURN (METADATA …), with MAXSIZE and STATUS", async () => {
      const raw = await login();
      await raw.command("c1", "CREATE Work");
      await raw.command("c2", "CREATE Work/Old");
      await raw.command("s1", 'SETMETADATA INBOX (/shared/comment "inbox" /private/comment "in")');
      await raw.command("s2", `SETMETADATA Work (/private/comment "${"w".repeat(50)}")`);
      const reply = await raw.command(
        "l1",
        'LIST "" "*" RETURN (METADATA (/shared/comment /private/comment))',
      );
      assert.match(
        reply,
        /^\* LIST \([^)]*\) "\/" INBOX\r\n\* METADATA INBOX \(\/shared\/comment "inbox" \/private\/comment "in"\)\r\n/m,
      );
      assert.match(
        reply,
        /^\* LIST \([^)]*\) "\/" Work\r\n\* METADATA Work \(\/shared\/comment NIL \/private\/comment "w{50}"\)\r\n/m,
      );
      assert.match(
        reply,
        /^\* LIST \([^)]*\) "\/" Work\/Old\r\n\* METADATA Work\/Old \(\/shared\/comment NIL/m,
      );
      assert.equal((reply.match(/^\* METADATA /gm) ?? []).length, (reply.match(/^\* LIST /gm) ?? []).length);
      assert.match(reply, /^l1 OK LIST completed\r\n$/m);
      // Options before the entries, a single entry without parentheses, together with STATUS.
      const limitedReply = await raw.command(
        "l2",
        'LIST "" "Work" RETURN (STATUS (MESSAGES) METADATA (MAXSIZE 10) /private/comment)',
      );
      assert.match(
        limitedReply,
        /^\* LIST \([^)]*\) "\/" Work\r\n\* STATUS Work \(MESSAGES 0\)\r\nl2 OK \[METADATA LONGENTRIES 50\]/m,
      );
      assert.doesNotMatch(limitedReply, /\* METADATA/);
      assert.match(await raw.command("l3", 'LIST "" "*" RETURN (METADATA (/shared//bad))'), /^l3 BAD/m);
      raw.close();
    });

    it("serves Python imaplib sending SETMETADATA and GETMETADATA and reading the METADATA response", async () => {
      const user = nextUser();
      const script = `
import imaplib, json, sys
imaplib.Commands["GETMETADATA"] = ("AUTH", "SELECTED")
imaplib.Commands["SETMETADATA"] = ("AUTH", "SELECTED")
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3])
out = {"caps": [c for c in m.capability()[1][0].decode().split() if "METADATA" in c]}
typ, _ = m._simple_command("SETMETADATA", "INBOX", '(/private/vendor/py/color "#ff0000")')
out["set"] = typ
typ, _ = m._simple_command("GETMETADATA", "(DEPTH infinity)", "INBOX", "/private/vendor")
out["get"] = typ
out["data"] = [x.decode() if isinstance(x, bytes) else [y.decode() for y in x] for x in m._untagged_response(typ, [], "METADATA")[1]]
m.logout()
print(json.dumps(out))
`;
      const { stdout } = await run("python3", ["-c", script, String(t.port("imap")), user, TEST_PASSWORD]);
      const out = JSON.parse(stdout) as Record<string, unknown>;
      assert.deepEqual(out.caps, ["METADATA", "METADATA-SERVER", "LIST-METADATA"]);
      assert.equal(out.set, "OK");
      assert.equal(out.get, "OK");
      assert.deepEqual(out.data, ['INBOX (/private/vendor/py/color "#ff0000")']);
    });
  });
}

describeMetadata("sqlite");
await describeWithPostgres(() => describeMetadata("postgres"));
