// ACL (RFC 4314) and shared mailboxes over real sockets: the five ACL commands and their response
// codes, the shared namespace (NAMESPACE, LIST of Shared/*), every command on a shared folder with every
// right missing in turn (table-driven), quota charged to the owner, READ-ONLY, two users seeing each
// other's changes through IDLE, and a user who loses the read right while IDLE. Run on SQLite and, when
// it is reachable, on PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const message = (subject: string) =>
  `From: owner@example.test\r\nTo: team@example.test\r\nSubject: ${subject}\r\n\r\nBody of ${subject}\r\n`;

const ALL = "lrswipkxtea";

function describeAcl(store: "sqlite" | "postgres"): void {
  describe(`IMAP ACL and shared mailboxes (RFC 4314): ${store}`, () => {
    let t: TestServer;
    let port: number;
    let counter = 0;
    const open: RawImap[] = [];

    before(async () => {
      t = await startTestServer((c) => c, { store });
      port = t.port("imap");
    });
    after(async () => {
      for (const c of open) c.close();
      await t.stop();
    });

    async function newUser(prefix: string): Promise<string> {
      const address = `${prefix}${++counter}@example.test`;
      await t.addUser(address);
      return address;
    }

    async function login(user: string): Promise<RawImap> {
      const raw = await RawImap.loggedIn(port, user, TEST_PASSWORD);
      open.push(raw);
      return raw;
    }

    let tagCounter = 0;
    async function run(raw: RawImap, command: string): Promise<string> {
      return raw.command(`t${++tagCounter}`, command);
    }
    const tagged = (reply: string): string => reply.trim().split("\r\n").at(-1) ?? "";

    async function append(raw: RawImap, mailbox: string, text: string, flags = ""): Promise<string> {
      const tag = `a${++tagCounter}`;
      raw.take();
      raw.write(
        `${tag} APPEND "${mailbox}" ${flags ? `(${flags}) ` : ""}{${Buffer.byteLength(text)}+}\r\n${text}\r\n`,
      );
      return raw.untilTagged(tag);
    }

    it("advertises ACL and RIGHTS=texk after login, and a Shared/ namespace", async () => {
      const user = await newUser("caps");
      const raw = await login(user);
      const caps = await run(raw, "CAPABILITY");
      assert.match(caps, / ACL[ \r]/);
      assert.match(caps, / RIGHTS=texk[ \r]/);
      const ns = await run(raw, "NAMESPACE");
      assert.match(ns, /^\* NAMESPACE \(\("" "\/"\)\) NIL \(\("Shared\/" "\/"\)\)\r$/m);
    });

    it("answers MYRIGHTS, GETACL, LISTRIGHTS on the user's own mailbox with every right", async () => {
      const user = await newUser("own");
      const raw = await login(user);
      assert.match(await run(raw, "MYRIGHTS INBOX"), /^\* MYRIGHTS INBOX lrswipkxteacd\r$/m);
      assert.match(
        await run(raw, "GETACL INBOX"),
        new RegExp(`^\\* ACL INBOX ${user} lrswipkxteacd\\r$`, "m"),
      );
      assert.match(
        await run(raw, `LISTRIGHTS INBOX ${user}`),
        new RegExp(`^\\* LISTRIGHTS INBOX ${user} lrswipkxtea\\r$`, "m"),
      );
      assert.match(
        await run(raw, "LISTRIGHTS INBOX anyone"),
        /^\* LISTRIGHTS INBOX anyone "" l r s w i p k x t e a c d\r$/m,
      );
      assert.match(tagged(await run(raw, "MYRIGHTS Nowhere")), /NO \[NONEXISTENT\]/);
    });

    it("sets, modifies and deletes rights; c and d expand; bad rights and identifiers are refused", async () => {
      const owner = await newUser("setter");
      const friend = await newUser("friend");
      const raw = await login(owner);
      assert.match(tagged(await run(raw, "CREATE Projects")), /OK/);
      assert.match(tagged(await run(raw, `SETACL Projects ${friend} lrc`)), /OK/);
      assert.match(await run(raw, "GETACL Projects"), new RegExp(`${friend} lrkxc\\r`));
      assert.match(tagged(await run(raw, `SETACL Projects ${friend} +swd`)), /OK/);
      assert.match(await run(raw, "GETACL Projects"), new RegExp(`${friend} lrswkxtecd\\r`));
      assert.match(tagged(await run(raw, `SETACL Projects ${friend.toUpperCase()} -kxc`)), /OK/);
      assert.match(await run(raw, "GETACL Projects"), new RegExp(`${friend} lrswted\\r`));
      assert.match(tagged(await run(raw, "SETACL Projects anyone l")), /OK/);
      assert.match(await run(raw, "GETACL Projects"), new RegExp(`anyone l ${friend} lrswted\\r`));
      assert.match(tagged(await run(raw, `DELETEACL Projects ${friend}`)), /OK/);
      assert.match(
        await run(raw, "GETACL Projects"),
        new RegExp(`^\\* ACL Projects ${owner} lrswipkxteacd anyone l\\r$`, "m"),
      );
      // An unknown or upper-case right is BAD, never ignored (§3.1).
      assert.match(tagged(await run(raw, `SETACL Projects ${friend} lrQ`)), /BAD/);
      assert.match(tagged(await run(raw, `SETACL Projects ${friend} lrz`)), /BAD/);
      assert.match(tagged(await run(raw, `SETACL Projects -${friend} w`)), /NO \[CANNOT\] Negative rights/);
      assert.match(tagged(await run(raw, `SETACL Projects ${owner} lr`)), /NO \[CANNOT\]/);
      assert.match(
        tagged(await run(raw, "SETACL Projects nobody@example.test lr")),
        /NO \[NONEXISTENT\] No such user/,
      );
      assert.match(tagged(await run(raw, 'SETACL Projects "" lr')), /BAD/);
      assert.match(tagged(await run(raw, `SETACL Nowhere ${friend} lr`)), /NO \[NONEXISTENT\]/);
      assert.match(tagged(await run(raw, "GETACL")), /BAD/);
    });

    it("lists shared mailboxes under Shared/<owner>/ and hides those without l", async () => {
      const owner = await newUser("lister");
      const grantee = await newUser("viewer");
      const o = await login(owner);
      for (const name of ["Team", "Team/Sub", "Hidden", "ReadOnly"]) await run(o, `CREATE ${name}`);
      await run(o, `SETACL Team ${grantee} lr`);
      await run(o, `SETACL Team/Sub ${grantee} lr`);
      await run(o, `SETACL ReadOnly ${grantee} r`);
      const g = await login(grantee);
      const shared = await run(g, 'LIST "" "Shared/*"');
      assert.match(shared, /^\* LIST \(\\Noselect \\HasChildren\) "\/" Shared\/[^\r]*\r$/m);
      assert.match(shared, new RegExp(`^\\* LIST \\(\\\\HasChildren\\) "/" Shared/${owner}/Team\\r$`, "m"));
      assert.match(
        shared,
        new RegExp(`^\\* LIST \\(\\\\HasNoChildren\\) "/" Shared/${owner}/Team/Sub\\r$`, "m"),
      );
      assert.doesNotMatch(shared, /Hidden|ReadOnly/);
      const all = await run(g, 'LIST "" "*"');
      assert.match(all, /^\* LIST \([^)]*\) "\/" INBOX\r$/m);
      assert.match(all, /^\* LIST \(\\Noselect \\HasChildren\) "\/" Shared\r$/m);
      assert.match(all, new RegExp(`Shared/${owner}/Team\\r`));
      // r without l: not listed, but selectable; nothing at all: looks absent.
      assert.match(tagged(await run(g, `EXAMINE Shared/${owner}/ReadOnly`)), /OK \[READ-ONLY\]/);
      for (const command of ["SELECT", "STATUS", "MYRIGHTS", "GETACL", "DELETE"]) {
        const args = command === "STATUS" ? " (MESSAGES)" : "";
        assert.match(
          tagged(await run(g, `${command} Shared/${owner}/Hidden${args}`)),
          /NO \[NONEXISTENT\]/,
          command,
        );
      }
      assert.match(tagged(await run(g, "SELECT Shared/nobody@example.test/INBOX")), /NO \[NONEXISTENT\]/);
      assert.match(tagged(await run(g, "SELECT Shared")), /NO \[NONEXISTENT\]/);
      assert.match(tagged(await run(g, "CREATE Shared")), /NO \[CANNOT\]/);
      // LSUB shows a subscribed shared mailbox; STATUS and LIST-STATUS work with r.
      assert.match(tagged(await run(g, `SUBSCRIBE Shared/${owner}/Team`)), /OK/);
      assert.match(
        await run(g, 'LSUB "" "Shared/*"'),
        new RegExp(`^\\* LSUB \\(\\) "/" Shared/${owner}/Team\\r$`, "m"),
      );
      assert.match(
        await run(g, `LIST "" "Shared/${owner}/Team" RETURN (STATUS (MESSAGES))`),
        new RegExp(`^\\* STATUS Shared/${owner}/Team \\(MESSAGES 0\\)\\r$`, "m"),
      );
    });

    it("charges the owner's quota for messages put in a shared mailbox", async () => {
      const owner = await newUser("quotaowner");
      const grantee = await newUser("quotauser");
      const o = await login(owner);
      await run(o, "CREATE Inbox2");
      await run(o, `SETACL Inbox2 ${grantee} lri`);
      const g = await login(grantee);
      assert.match(tagged(await append(g, `Shared/${owner}/Inbox2`, message("counted"))), /OK \[APPENDUID/);
      const ownerStatus = await run(o, "STATUS Inbox2 (MESSAGES)");
      assert.match(ownerStatus, /MESSAGES 1/);
      const account = await t.server.services.store.accounts.findByAddress(owner);
      const granteeAccount = await t.server.services.store.accounts.findByAddress(grantee);
      assert.equal(account?.messageCount, 1);
      assert.equal(granteeAccount?.messageCount, 0);
      assert.match(
        await run(g, `GETQUOTAROOT Shared/${owner}/Inbox2`),
        new RegExp(`^\\* QUOTAROOT Shared/${owner}/Inbox2 ${owner}\\r$`, "m"),
      );
    });

    it("drops flags the user may not set on APPEND and COPY (§4), and opens READ-ONLY without write rights", async () => {
      const owner = await newUser("flagowner");
      const grantee = await newUser("flaguser");
      const o = await login(owner);
      await run(o, "CREATE Drop");
      await run(o, `SETACL Drop ${grantee} lrsi`);
      const g = await login(grantee);
      await append(g, `Shared/${owner}/Drop`, message("flags"), "\\Seen \\Deleted \\Flagged $Label");
      await append(g, "INBOX", message("copied"), "\\Seen \\Answered");
      await run(g, "SELECT INBOX");
      assert.match(tagged(await run(g, `COPY 1 Shared/${owner}/Drop`)), /OK \[COPYUID/);
      await run(o, "SELECT Drop");
      const flags = await run(o, "FETCH 1:* (FLAGS)");
      // \Seen kept (s), \Deleted, \Flagged, \Answered and $Label dropped (no t, no w).
      assert.match(flags, /^\* 1 FETCH \(FLAGS \(\\Seen \\Recent\)\)\r$/m);
      assert.match(flags, /^\* 2 FETCH \(FLAGS \(\\Seen \\Recent\)\)\r$/m);
      await run(o, `SETACL Drop ${grantee} lr`);
      const examined = await run(g, `SELECT Shared/${owner}/Drop`);
      assert.match(examined, /OK \[PERMANENTFLAGS \(\)\]/);
      assert.match(tagged(examined), /OK \[READ-ONLY\]/);
      await run(o, `SETACL Drop ${grantee} lrs`);
      const selected = await run(g, `SELECT Shared/${owner}/Drop`);
      assert.match(selected, /OK \[PERMANENTFLAGS \(\\Seen\)\]/);
      assert.match(tagged(selected), /OK \[READ-WRITE\]/);
    });

    // Every command on a shared folder with every right missing in turn: each case names the rights it
    // needs; with one of them missing it must fail (NO [NOPERM], or no effect where the RFC says so),
    // with any other right missing it must succeed.
    describe("every command with every right missing in turn", () => {
      interface Case {
        readonly name: string;
        readonly needs: string;
        /** Runs as the grantee; returns whether it was allowed (and did its work). */
        run(g: RawImap, box: string, iteration: string): Promise<boolean>;
      }
      const okOrNoPerm = (reply: string, name: string): boolean => {
        const line = tagged(reply);
        if (/ OK/.test(line)) return true;
        assert.match(line, /NO \[NOPERM\]/, `${name}: ${line}`);
        return false;
      };
      const cases: Case[] = [
        {
          name: "LIST",
          needs: "l",
          // Without l it may still show as a \Noselect level above listable children, never as a mailbox.
          run: async (g, box) => {
            const line = (await run(g, `LIST "" "${box}"`))
              .split("\r\n")
              .find((l) => l.endsWith(`"/" ${box}`));
            return line !== undefined && !line.includes("\\Noselect");
          },
        },
        {
          name: "SELECT",
          needs: "r",
          run: async (g, box) => okOrNoPerm(await run(g, `SELECT ${box}`), "SELECT"),
        },
        {
          name: "EXAMINE",
          needs: "r",
          run: async (g, box) => okOrNoPerm(await run(g, `EXAMINE ${box}`), "EXAMINE"),
        },
        {
          name: "STATUS",
          needs: "r",
          run: async (g, box) => okOrNoPerm(await run(g, `STATUS ${box} (MESSAGES)`), "STATUS"),
        },
        {
          name: "APPEND",
          needs: "i",
          run: async (g, box) => okOrNoPerm(await append(g, box, message("append")), "APPEND"),
        },
        {
          name: "COPY into",
          needs: "i",
          run: async (g, box) => {
            await run(g, "SELECT INBOX");
            return okOrNoPerm(await run(g, `COPY 1 ${box}`), "COPY");
          },
        },
        {
          name: "MOVE into",
          needs: "i",
          run: async (g, box) => {
            await append(g, "INBOX", message("to move"));
            await run(g, "SELECT INBOX");
            return okOrNoPerm(await run(g, `MOVE * ${box}`), "MOVE");
          },
        },
        {
          name: "FETCH and SEARCH",
          needs: "r",
          run: async (g, box) => {
            if (!/ OK/.test(tagged(await run(g, `EXAMINE ${box}`)))) return false;
            const fetched = await run(g, "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            return / OK/.test(tagged(fetched)) && / OK/.test(tagged(await run(g, "SEARCH ALL")));
          },
        },
        {
          name: "COPY from",
          needs: "r",
          run: async (g, box) => {
            if (!/ OK/.test(tagged(await run(g, `EXAMINE ${box}`)))) return false;
            return okOrNoPerm(await run(g, "COPY 1 INBOX"), "COPY from");
          },
        },
        {
          name: "FETCH BODY[] sets \\Seen",
          needs: "rs",
          run: async (g, box) => {
            if (!/ OK/.test(tagged(await run(g, `SELECT ${box}`)))) return false;
            await run(g, "STORE 1 -FLAGS.SILENT (\\Seen)");
            await run(g, "FETCH 1 (BODY[])");
            return /\\Seen/.test(await run(g, "FETCH 1 (FLAGS)"));
          },
        },
        ...(
          [
            ["STORE \\Seen", "rs", "\\Seen"],
            ["STORE \\Flagged", "rw", "\\Flagged"],
            ["STORE keyword", "rw", "$Label"],
            ["STORE \\Deleted", "rt", "\\Deleted"],
          ] as const
        ).map(([name, needs, flag]) => ({
          name,
          needs,
          run: async (g: RawImap, box: string) => {
            if (!/ OK/.test(tagged(await run(g, `SELECT ${box}`)))) return false;
            if (/READ-ONLY/.test(tagged(await run(g, "NOOP")))) return false;
            const reply = await run(g, `STORE 1 +FLAGS (${flag})`);
            return okOrNoPerm(reply, name) && reply.includes(flag);
          },
        })),
        {
          name: "EXPUNGE",
          needs: "re",
          run: async (g, box) => {
            const selected = tagged(await run(g, `SELECT ${box}`));
            if (!/ OK/.test(selected)) return false;
            const reply = await run(g, "EXPUNGE");
            if (/READ-ONLY/.test(selected)) return false;
            return okOrNoPerm(reply, "EXPUNGE");
          },
        },
        {
          name: "CREATE under",
          needs: "k",
          run: async (g, box, iteration) =>
            okOrNoPerm(await run(g, `CREATE ${box}/new-${iteration}`), "CREATE"),
        },
        {
          name: "DELETE",
          needs: "x",
          run: async (g, box, iteration) =>
            okOrNoPerm(await run(g, `DELETE ${box}/del-${iteration}`), "DELETE"),
        },
        {
          name: "RENAME",
          needs: "xk",
          run: async (g, box, iteration) =>
            okOrNoPerm(await run(g, `RENAME ${box}/ren-${iteration} ${box}/renamed-${iteration}`), "RENAME"),
        },
        {
          name: "SETACL",
          needs: "a",
          run: async (g, box) => okOrNoPerm(await run(g, `SETACL ${box} anyone l`), "SETACL"),
        },
        {
          name: "DELETEACL",
          needs: "a",
          run: async (g, box) => okOrNoPerm(await run(g, `DELETEACL ${box} anyone`), "DELETEACL"),
        },
        {
          name: "GETACL",
          needs: "a",
          run: async (g, box) => okOrNoPerm(await run(g, `GETACL ${box}`), "GETACL"),
        },
        {
          name: "LISTRIGHTS",
          needs: "a",
          run: async (g, box) => okOrNoPerm(await run(g, `LISTRIGHTS ${box} anyone`), "LISTRIGHTS"),
        },
        {
          name: "MOVE from",
          needs: "rte",
          run: async (g, box) => {
            const selected = tagged(await run(g, `SELECT ${box}`));
            if (!/ OK/.test(selected)) return false;
            const reply = await run(g, "MOVE 1 INBOX");
            if (/READ-ONLY/.test(selected)) return false;
            return okOrNoPerm(reply, "MOVE from");
          },
        },
      ];

      let owner: string;
      let grantee: string;
      let o: RawImap;
      let g: RawImap;
      before(async () => {
        owner = await newUser("tableowner");
        grantee = await newUser("tableuser");
        o = await login(owner);
        g = await login(grantee);
        await run(o, "CREATE Team");
        await append(g, "INBOX", message("grantee's own"));
      });

      for (const missing of ["", ...ALL]) {
        it(missing === "" ? "with every right, every command succeeds" : `without ${missing}`, async () => {
          const iteration = missing || "all";
          await run(o, `SETACL Team ${grantee} ${ALL.replace(missing, "")}`);
          // Created after the SETACL, the children inherit Team's ACL (§4 CREATE).
          await run(o, `CREATE Team/del-${iteration}`);
          await run(o, `CREATE Team/ren-${iteration}`);
          for (let i = 0; i < 3; i++) await append(o, "Team", message(`team ${iteration} ${i}`));
          await run(g, "UNSELECT");
          const box = `Shared/${owner}/Team`;
          for (const c of cases) {
            const allowed = await c.run(g, box, iteration);
            const expected = missing === "" || !c.needs.includes(missing);
            assert.equal(allowed, expected, `${c.name} without "${missing}"`);
            await run(g, "UNSELECT");
          }
        });
      }
    });

    it("shows each user the other's changes in a shared mailbox through IDLE (imapflow)", async () => {
      const owner = await newUser("idleowner");
      const grantee = await newUser("idleuser");
      const o = await login(owner);
      await run(o, "CREATE Shared-Work");
      await run(o, `SETACL Shared-Work ${grantee} lrswite`);
      const flow = (user: string) => imapFlowClient(port, user);
      const ownerFlow = flow(owner);
      const granteeFlow = flow(grantee);
      await Promise.all([ownerFlow.connect(), granteeFlow.connect()]);
      try {
        const granteeBox = `Shared/${owner}/Shared-Work`;
        const list = await granteeFlow.list();
        assert.ok(
          list.some((m) => m.path === granteeBox),
          "imapflow lists the shared mailbox",
        );
        await ownerFlow.mailboxOpen("Shared-Work");
        await granteeFlow.mailboxOpen(granteeBox);
        const ownerSees = new Promise<number>((resolve) => ownerFlow.on("exists", (e) => resolve(e.count)));
        const granteeSees = new Promise<number>((resolve) =>
          granteeFlow.on("exists", (e) => resolve(e.count)),
        );
        void ownerFlow.idle();
        void granteeFlow.idle();
        await new Promise((r) => setTimeout(r, 200));
        // The grantee appends through another connection; the owner's IDLE hears of it.
        const g = await login(grantee);
        await append(g, granteeBox, message("from grantee"));
        assert.equal(await ownerSees, 1);
        assert.equal(await granteeSees, 1);
        const flagSeen = new Promise<void>((resolve) =>
          granteeFlow.on("flags", (e) => {
            if (e.flags.has("\\Flagged")) resolve();
          }),
        );
        await run(o, "SELECT Shared-Work");
        await run(o, "STORE 1 +FLAGS (\\Flagged)");
        await flagSeen;
      } finally {
        await Promise.all([ownerFlow.logout().catch(() => {}), granteeFlow.logout().catch(() => {})]);
      }
    });

    it("ends an IDLE session whose read right is revoked, and announces lost write rights", async () => {
      const owner = await newUser("revoker");
      const grantee = await newUser("revoked");
      const o = await login(owner);
      await run(o, "CREATE Revocable");
      await run(o, `SETACL Revocable ${grantee} lrsw`);
      const g = await login(grantee);
      assert.match(tagged(await run(g, `SELECT Shared/${owner}/Revocable`)), /OK \[READ-WRITE\]/);
      g.take();
      g.write("i1 IDLE\r\n");
      await g.waitFor((text) => text.includes("+ idling"));
      await run(o, `SETACL Revocable ${grantee} lrs`);
      await g.waitFor((text) => text.includes("PERMANENTFLAGS (\\Seen)"));
      await run(o, `SETACL Revocable ${grantee} l`);
      await g.waitFor((text) => /\* BYE Access to the selected mailbox was revoked/.test(text));
      await g.waitFor(() => g.isClosed);
      // Reconnecting, the mailbox is still listed (l) but no longer selectable.
      const again = await login(grantee);
      assert.match(tagged(await run(again, `SELECT Shared/${owner}/Revocable`)), /NO \[NOPERM\]/);
    });
  });
}

describeAcl("sqlite");
await describeWithPostgres(() => describeAcl("postgres"));
