// METADATA (RFC 5464 §3.4) on folders shared through ACL (RFC 4314), over real sockets: GETMETADATA
// needs l and r, SETMETADATA of /private entries l (stored as the grantee's own), of /shared entries w,
// LIST RETURN (METADATA) shows a Shared/ folder's annotations only with l and r; each missing right in
// turn (table-driven) gives NO [NOPERM], or NO [NONEXISTENT] for a folder the user may not see. Run on
// SQLite and, when it is reachable, on PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

type Outcome = "OK" | "NOPERM" | "NONEXISTENT";

interface RightsCase {
  readonly rights: string;
  readonly get: Outcome;
  readonly setPrivate: Outcome;
  readonly setShared: Outcome;
  /** Whether LIST RETURN (METADATA) lists the folder, and with its annotations. */
  readonly list: "annotations" | "listed" | "absent";
}

const CASES: readonly RightsCase[] = [
  { rights: "lrswipkxtea", get: "OK", setPrivate: "OK", setShared: "OK", list: "annotations" },
  { rights: "lrw", get: "OK", setPrivate: "OK", setShared: "OK", list: "annotations" },
  { rights: "lr", get: "OK", setPrivate: "OK", setShared: "NOPERM", list: "annotations" },
  { rights: "lw", get: "NOPERM", setPrivate: "OK", setShared: "OK", list: "listed" },
  { rights: "l", get: "NOPERM", setPrivate: "OK", setShared: "NOPERM", list: "listed" },
  { rights: "rw", get: "NOPERM", setPrivate: "NOPERM", setShared: "OK", list: "absent" },
  { rights: "r", get: "NOPERM", setPrivate: "NOPERM", setShared: "NOPERM", list: "absent" },
  { rights: "w", get: "NONEXISTENT", setPrivate: "NONEXISTENT", setShared: "NONEXISTENT", list: "absent" },
  { rights: "", get: "NONEXISTENT", setPrivate: "NONEXISTENT", setShared: "NONEXISTENT", list: "absent" },
];

function describeSharedMetadata(store: "sqlite" | "postgres"): void {
  describe(`METADATA on shared mailboxes (RFC 5464 §3.4, RFC 4314): ${store}`, () => {
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
    const tagged = (reply: string): string => reply.trim().split("\r\n").at(-1) ?? "";
    const outcomeOf = (reply: string): string => {
      const line = tagged(reply);
      if (/^\S+ OK/.test(line)) return "OK";
      return /\[(NOPERM|NONEXISTENT)\]/.exec(line)?.[1] ?? line;
    };

    /** An owner with folder `Team` carrying a /shared and a /private annotation, shared with `rights`. */
    async function sharedFolder(rights: string): Promise<{ owner: RawImap; grantee: string; box: string }> {
      const ownerAddress = await newUser("owner");
      const grantee = await newUser("grantee");
      const owner = await login(ownerAddress);
      assert.equal(outcomeOf(await run(owner, "CREATE Team")), "OK");
      assert.equal(
        outcomeOf(
          await run(owner, 'SETMETADATA Team (/shared/comment "team notes" /private/comment "mine")'),
        ),
        "OK",
      );
      if (rights !== "") assert.equal(outcomeOf(await run(owner, `SETACL Team ${grantee} ${rights}`)), "OK");
      return { owner, grantee, box: `Shared/${ownerAddress}/Team` };
    }

    for (const c of CASES) {
      it(`rights "${c.rights}": GET ${c.get}, SET /private ${c.setPrivate}, SET /shared ${c.setShared}, LIST ${c.list}`, async () => {
        const setup = await sharedFolder(c.rights);
        const g = await login(setup.grantee);
        const get = await run(g, `GETMETADATA "${setup.box}" (/shared/comment /private/comment)`);
        assert.equal(outcomeOf(get), c.get, get);
        if (c.get === "OK") {
          // The owner's /shared entry, and no /private one: the owner's private entry is not the grantee's.
          assert.match(
            get,
            new RegExp(
              `^\\* METADATA "?${setup.box}"? \\(/shared/comment "team notes" /private/comment NIL\\)\\r$`,
              "m",
            ),
          );
        }
        const setPrivate = await run(g, `SETMETADATA "${setup.box}" (/private/comment "grantee's")`);
        assert.equal(outcomeOf(setPrivate), c.setPrivate, setPrivate);
        const setShared = await run(g, `SETMETADATA "${setup.box}" (/shared/comment "changed")`);
        assert.equal(outcomeOf(setShared), c.setShared, setShared);
        // A refused write changed nothing; an accepted /private one stayed the grantee's own.
        const ownerView = await run(setup.owner, "GETMETADATA Team (/shared/comment /private/comment)");
        const sharedValue = c.setShared === "OK" ? "changed" : "team notes";
        assert.match(ownerView, new RegExp(`/shared/comment "${sharedValue}" /private/comment "mine"\\)`));
        if (c.get === "OK" && c.setPrivate === "OK") {
          assert.match(
            await run(g, `GETMETADATA "${setup.box}" (/private/comment)`),
            /\(\/private\/comment "grantee's"\)/,
          );
        }
        const listed = await run(g, `LIST "" "Shared/*" RETURN (METADATA (/shared/comment))`);
        assert.match(tagged(listed), /OK/);
        const boxPattern = setup.box.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const isListed = new RegExp(`^\\* LIST \\([^)]*\\) "/" "?${boxPattern}"?\\r$`, "m").test(listed);
        const hasAnnotations = new RegExp(`^\\* METADATA "?${boxPattern}"? \\(/shared/comment "`, "m").test(
          listed,
        );
        assert.equal(isListed ? (hasAnnotations ? "annotations" : "listed") : "absent", c.list, listed);
      });
    }

    it("LIST RETURN (METADATA) shows own and shared annotations side by side", async () => {
      const ownerAddress = await newUser("owner");
      const granteeAddress = await newUser("grantee");
      const owner = await login(ownerAddress);
      const g = await login(granteeAddress);
      for (const box of ["Team", "Team/Sub"]) {
        assert.equal(outcomeOf(await run(owner, `CREATE ${box}`)), "OK");
        assert.equal(outcomeOf(await run(owner, `SETMETADATA ${box} (/shared/vendor/x/a "1")`)), "OK");
        assert.equal(outcomeOf(await run(owner, `SETACL ${box} ${granteeAddress} lr`)), "OK");
      }
      assert.equal(outcomeOf(await run(g, `SETMETADATA INBOX (/shared/vendor/x/a "own")`)), "OK");
      const listed = await run(g, `LIST "" "*" RETURN (METADATA (/shared/vendor/x/a))`);
      assert.match(listed, /^\* METADATA INBOX \(\/shared\/vendor\/x\/a "own"\)\r$/m);
      for (const box of ["Team", "Team/Sub"]) {
        assert.match(
          listed,
          new RegExp(`^\\* METADATA "?Shared/${ownerAddress}/${box}"? \\(/shared/vendor/x/a "1"\\)\\r$`, "m"),
        );
      }
      // The namespace levels are no mailboxes and carry no annotations.
      assert.doesNotMatch(listed, /^\* METADATA "?Shared(\/[^/ ]+)?"? /m);
      assert.match(tagged(await run(g, `LIST "" "*" RETURN (METADATA (/bogus))`)), /BAD/);
    });

    it("a revoked right takes effect on the next command; the namespace levels are no mailboxes", async () => {
      const ownerAddress = await newUser("owner");
      const granteeAddress = await newUser("grantee");
      const owner = await login(ownerAddress);
      const g = await login(granteeAddress);
      assert.equal(outcomeOf(await run(owner, "CREATE Team")), "OK");
      assert.equal(outcomeOf(await run(owner, `SETACL Team ${granteeAddress} lrw`)), "OK");
      const box = `"Shared/${ownerAddress}/Team"`;
      assert.equal(outcomeOf(await run(g, `SETMETADATA ${box} (/shared/comment "x")`)), "OK");
      assert.equal(outcomeOf(await run(owner, `SETACL Team ${granteeAddress} -w`)), "OK");
      assert.equal(outcomeOf(await run(g, `SETMETADATA ${box} (/shared/comment "y")`)), "NOPERM");
      assert.equal(outcomeOf(await run(owner, `DELETEACL Team ${granteeAddress}`)), "OK");
      assert.equal(outcomeOf(await run(g, `GETMETADATA ${box} (/shared/comment)`)), "NONEXISTENT");
      for (const level of ["Shared", `"Shared/${ownerAddress}"`, "Shared/nobody@example.test/Team"]) {
        assert.equal(outcomeOf(await run(g, `GETMETADATA ${level} (/shared/comment)`)), "NONEXISTENT");
        assert.equal(outcomeOf(await run(g, `SETMETADATA ${level} (/shared/comment "z")`)), "NONEXISTENT");
      }
      // A bad entry name on a visible folder is still BAD, not a permission failure.
      assert.equal(outcomeOf(await run(owner, `SETACL Team ${granteeAddress} lr`)), "OK");
      assert.match(tagged(await run(g, `SETMETADATA ${box} (/nowhere "z")`)), /BAD/);
    });
  });
}

describeSharedMetadata("sqlite");
await describeWithPostgres(() => describeSharedMetadata("postgres"));
