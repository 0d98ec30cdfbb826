// NOTIFY (RFC 5465) on folders shared through ACL (RFC 4314), over real sockets: `subtree Shared/<owner>`
// and `mailboxes Shared/<owner>/<folder>` watch another account's folders, `personal` does not (§6);
// message events need l and r (table-driven over rights), nothing is said about folders the user cannot
// see (§5), and a revoked right ends the events with a LIST (\NonExistent). SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const message = (subject: string): string =>
  `From: owner@example.test\r\nTo: team@example.test\r\nSubject: ${subject}\r\n\r\nBody of ${subject}\r\n`;
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A STATUS or LIST line naming `box`, quoted or not. */
const statusOf = (box: string): RegExp => new RegExp(`^\\* STATUS "?${escapeRegExp(box)}"? \\(`, "m");

/** Rights on Team → whether the grantee hears of a new message in it. */
const RIGHTS_CASES: readonly { rights: string; isStatusSent: boolean }[] = [
  { rights: "lrswipkxtea", isStatusSent: true },
  { rights: "lr", isStatusSent: true },
  { rights: "l", isStatusSent: false },
  { rights: "r", isStatusSent: false },
  { rights: "", isStatusSent: false },
];

function describeSharedNotify(store: "sqlite" | "postgres"): void {
  describe(`NOTIFY on shared mailboxes (RFC 5465, RFC 4314): ${store}`, () => {
    let t: TestServer;
    let counter = 0;
    let tagCounter = 0;
    const open: RawImap[] = [];

    before(async () => {
      t = await startTestServer((c) => c, { store });
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
      const raw = await RawImap.loggedIn(t.port("imap"), user, TEST_PASSWORD);
      open.push(raw);
      return raw;
    }
    const run = (raw: RawImap, command: string): Promise<string> => raw.command(`t${++tagCounter}`, command);
    async function ok(raw: RawImap, command: string): Promise<string> {
      const reply = await run(raw, command);
      assert.match(reply, /^t\d+ OK/m, `${command}: ${reply}`);
      return reply;
    }
    async function append(raw: RawImap, mailbox: string, subject: string): Promise<string> {
      const text = message(subject);
      return ok(raw, `APPEND "${mailbox}" {${Buffer.byteLength(text)}+}\r\n${text}`);
    }
    /** What arrives within `ms` without a command. */
    async function pushedWithin(raw: RawImap, ms = 600): Promise<string> {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return raw.take();
    }

    /** An owner with Team and Private, Team shared with a grantee with `rights`. */
    async function setup(rights: string) {
      const ownerAddress = await newUser("owner");
      const granteeAddress = await newUser("grantee");
      const owner = await login(ownerAddress);
      await ok(owner, "CREATE Team");
      await ok(owner, "CREATE Private");
      if (rights !== "") await ok(owner, `SETACL Team ${granteeAddress} ${rights}`);
      const grantee = await login(granteeAddress);
      return { owner, ownerAddress, grantee, granteeAddress, team: `Shared/${ownerAddress}/Team` };
    }

    for (const c of RIGHTS_CASES) {
      it(`rights "${c.rights}" on a folder in subtree Shared/<owner>: STATUS of new mail ${c.isStatusSent ? "sent" : "not sent"}`, async () => {
        const s = await setup(c.rights);
        await ok(
          s.grantee,
          `NOTIFY SET (subtree "Shared/${s.ownerAddress}" (MessageNew MessageExpunge MailboxName))`,
        );
        s.grantee.take();
        await append(s.owner, "Team", "one");
        await append(s.owner, "Private", "secret");
        if (c.isStatusSent) {
          await s.grantee.waitFor((text) => statusOf(s.team).test(text));
        }
        const pushed = await pushedWithin(s.grantee);
        if (!c.isStatusSent) assert.doesNotMatch(pushed, statusOf(s.team));
        // Nothing at all about the folder that is not shared (§5).
        assert.doesNotMatch(pushed, /Private/);
      });
    }

    it("mailboxes Shared/<owner>/<folder> with SET STATUS; a revoked right ends the events with LIST (\\NonExistent)", async () => {
      const s = await setup("lr");
      const initial = await ok(
        s.grantee,
        `NOTIFY SET STATUS (mailboxes "${s.team}" (MessageNew MessageExpunge MailboxName))`,
      );
      assert.match(
        initial,
        new RegExp(
          `^\\* STATUS "?${escapeRegExp(s.team)}"? \\(MESSAGES 0 UIDNEXT 1 UIDVALIDITY \\d+ UNSEEN 0\\)\\r$`,
          "m",
        ),
      );
      s.grantee.take();
      await append(s.owner, "Team", "one");
      await s.grantee.waitFor((text) =>
        new RegExp(`STATUS "?${escapeRegExp(s.team)}"? \\(MESSAGES 1 `).test(text),
      );
      s.grantee.take();
      await ok(s.owner, `DELETEACL Team ${s.granteeAddress}`);
      await s.grantee.waitFor((text) =>
        new RegExp(`^\\* LIST \\(\\\\NonExistent\\) "/" "?${escapeRegExp(s.team)}"?\\r$`, "m").test(text),
      );
      s.grantee.take();
      await append(s.owner, "Team", "two");
      assert.doesNotMatch(await pushedWithin(s.grantee), /STATUS/);
      // Granted again: the folder is announced as it appears, and its mail counts again.
      await ok(s.owner, `SETACL Team ${s.granteeAddress} lr`);
      await s.grantee.waitFor((text) =>
        new RegExp(`^\\* LIST \\(\\) "/" "?${escapeRegExp(s.team)}"?\\r$`, "m").test(text),
      );
      s.grantee.take();
      await append(s.owner, "Team", "three");
      await s.grantee.waitFor((text) =>
        new RegExp(`STATUS "?${escapeRegExp(s.team)}"? \\(MESSAGES 3 `).test(text),
      );
    });

    it("subtree Shared follows an owner who shares a folder after NOTIFY SET, once it is noticed", async () => {
      const ownerAddress = await newUser("owner");
      const granteeAddress = await newUser("grantee");
      const owner = await login(ownerAddress);
      await ok(owner, "CREATE Later");
      const grantee = await login(granteeAddress);
      await ok(grantee, "NOTIFY SET (subtree Shared (MessageNew MessageExpunge MailboxName))");
      await ok(owner, `SETACL Later ${granteeAddress} lr`);
      // The new grant is noticed at the next change of the user's own account (documented in imap.md).
      const created = (await ok(grantee, "CREATE Mine")) + (await pushedWithin(grantee));
      const box = `Shared/${ownerAddress}/Later`;
      assert.match(created, new RegExp(`^\\* LIST \\(\\) "/" "?${escapeRegExp(box)}"?\\r$`, "m"));
      grantee.take();
      await append(owner, "Later", "after the grant");
      await grantee.waitFor((text) =>
        new RegExp(`STATUS "?${escapeRegExp(box)}"? \\(MESSAGES 1 `).test(text),
      );
    });

    it("personal and inboxes watch the user's own folders only (RFC 5465 §6)", async () => {
      const s = await setup("lrswipkxtea");
      await ok(s.grantee, "CREATE Mine");
      await ok(
        s.grantee,
        "NOTIFY SET (personal (MessageNew MessageExpunge)) (inboxes (MessageNew MessageExpunge))",
      );
      s.grantee.take();
      await append(s.owner, "Team", "shared mail");
      // The user's own change is announced before the APPEND's tagged OK (or pushed just after it).
      const own = (await append(s.grantee, "Mine", "own mail")) + (await pushedWithin(s.grantee));
      assert.match(own, statusOf("Mine"));
      assert.doesNotMatch(own, /Shared\//);
    });

    it("names changed annotations of a watched shared folder (MailboxMetadataChange) with l and r", async () => {
      const s = await setup("lr");
      await ok(s.grantee, `NOTIFY SET (mailboxes "${s.team}" (MailboxMetadataChange))`);
      s.grantee.take();
      await ok(s.owner, 'SETMETADATA Team (/shared/comment "hello")');
      // The owner's private entries are not the grantee's: no event for them.
      await s.grantee.waitFor((text) =>
        new RegExp(`^\\* METADATA "?${escapeRegExp(s.team)}"? /shared/comment\\r$`, "m").test(text),
      );
      s.grantee.take();
      await ok(s.owner, 'SETMETADATA Team (/private/comment "owner only")');
      assert.doesNotMatch(await pushedWithin(s.grantee), /METADATA/);
    });
  });
}

describeSharedNotify("sqlite");
await describeWithPostgres(() => describeSharedNotify("postgres"));
