// MULTISEARCH (RFC 7377) over real sockets: ESEARCH IN (…) across several folders, from the
// authenticated and the selected state; each mailbox's answer names it with its UIDVALIDITY (checked
// against STATUS) and holds exactly the UIDs APPEND assigned to the matching messages there; every
// source option (selected, selected-delayed, inboxes, personal, subscribed, subtree, subtree-one,
// mailboxes), RETURN options per mailbox, and BAD for what ESEARCH cannot mean.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { esearchLines } from "./helpers/esearch.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "multi@example.test";
const FOLDERS = [
  "INBOX",
  "Work",
  "Work/Projects",
  "Work/Projects/Deep",
  "Archive",
  "Archive/2024",
  "My Folder",
];
/** Subjects per folder: "alpha" ones are what the searches look for. */
const CONTENT: Record<string, string[]> = {
  INBOX: ["alpha one", "beta", "alpha two"],
  Work: ["beta", "alpha work"],
  "Work/Projects": ["alpha p1", "alpha p2", "gamma"],
  "Work/Projects/Deep": ["alpha deep"],
  Archive: ["beta old"],
  "Archive/2024": ["alpha archived", "beta"],
  "My Folder": ["alpha spaced"],
};

describe("MULTISEARCH (RFC 7377): ESEARCH across mailboxes", () => {
  let server: TestServer;
  let client: RawImap;
  /** Folder → UIDs of its "alpha" messages; folder → UIDVALIDITY from STATUS. */
  const alpha = new Map<string, number[]>();
  const uidValidity = new Map<string, number>();

  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
    client = await RawImap.connect(server.port("imap"));
    await client.command("a", `LOGIN ${USER} ${TEST_PASSWORD}`);
    for (const folder of FOLDERS) {
      if (folder !== "INBOX") await client.command("c", `CREATE "${folder}"`);
      const uids: number[] = [];
      for (const subject of CONTENT[folder] ?? []) {
        const body = `From: m@example.test\r\nSubject: ${subject}\r\n\r\ntext\r\n`;
        const reply = await client.command("p", `APPEND "${folder}" {${body.length}+}\r\n${body}`);
        const uid = Number(/APPENDUID \d+ (\d+)/.exec(reply)?.[1]);
        if (subject.startsWith("alpha")) uids.push(uid);
      }
      alpha.set(folder, uids);
      const status = await client.command("s", `STATUS "${folder}" (UIDVALIDITY)`);
      uidValidity.set(folder, Number(/UIDVALIDITY (\d+)/.exec(status)?.[1]));
    }
    await client.command("u", 'UNSUBSCRIBE "Work/Projects"');
    await client.command("u", 'SUBSCRIBE "Work"');
    await client.command("u", 'SUBSCRIBE "Archive/2024"');
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  /** Runs an ESEARCH; returns mailbox → UIDs (ALL), checking correlator, UID and UIDVALIDITY. */
  async function search(command: string, tag = "m1"): Promise<Map<string, number[]>> {
    const reply = await client.command(tag, command);
    assert.match(reply, new RegExp(`^${tag} OK`, "m"), reply);
    const result = new Map<string, number[]>();
    for (const line of esearchLines(reply)) {
      assert.equal(line.tag, tag, line.line);
      assert.ok(line.isUid, line.line);
      assert.ok(line.mailbox !== null, line.line);
      assert.equal(line.uidValidity, uidValidity.get(line.mailbox as string), line.line);
      result.set(line.mailbox as string, line.all ?? []);
    }
    return result;
  }

  const expected = (folders: readonly string[]) =>
    new Map(folders.filter((f) => (alpha.get(f) ?? []).length > 0).map((f) => [f, alpha.get(f) ?? []]));
  const sorted = (map: Map<string, number[]>) => new Map([...map].sort(([a], [b]) => (a < b ? -1 : 1)));

  it("advertises MULTISEARCH", async () => {
    assert.match(await client.command("c", "CAPABILITY"), / MULTISEARCH[ \r]/);
  });

  it("searches every personal mailbox from the authenticated state", async () => {
    const found = await search("ESEARCH IN (personal) SUBJECT alpha");
    assert.deepEqual(sorted(found), sorted(expected(FOLDERS)));
    // The example's shape: `* ESEARCH (TAG "m1" MAILBOX "Work" UIDVALIDITY n) UID ALL set`.
    const reply = await client.command("m2", 'ESEARCH IN (mailboxes "My Folder") SUBJECT alpha');
    assert.match(reply, /^\* ESEARCH \(TAG "m2" MAILBOX "My Folder" UIDVALIDITY \d+\) UID ALL \d+\r$/m);
    // inboxes: mail may be delivered to any folder here, so they are every personal mailbox (as NOTIFY).
    assert.deepEqual(sorted(await search("ESEARCH IN (inboxes) SUBJECT alpha")), sorted(expected(FOLDERS)));
  });

  it("subtree, subtree-one, mailboxes and subscribed pick the RFC's mailboxes", async () => {
    assert.deepEqual(
      sorted(await search("ESEARCH IN (subtree Work) SUBJECT alpha")),
      sorted(expected(["Work", "Work/Projects", "Work/Projects/Deep"])),
    );
    assert.deepEqual(
      sorted(await search("ESEARCH IN (subtree-one Work) SUBJECT alpha")),
      sorted(expected(["Work", "Work/Projects"])),
    );
    assert.deepEqual(
      sorted(await search("ESEARCH IN (mailboxes (inbox Archive/2024) subtree-one Archive) SUBJECT alpha")),
      sorted(expected(["INBOX", "Archive/2024"])),
    );
    // subscribed: what LSUB lists (Work and Archive/2024 subscribed above, Work/Projects not).
    assert.ok(subscribedNames.includes("Work") && subscribedNames.includes("Archive/2024"));
    assert.ok(!subscribedNames.includes("Work/Projects"));
    const subscribed = await search("ESEARCH IN (subscribed) SUBJECT alpha");
    assert.deepEqual(sorted(subscribed), sorted(expected(subscribedNames)));
    // Names that match no mailbox are ignored; a mailbox without matches gets no answer.
    assert.deepEqual(await search("ESEARCH IN (mailboxes (Nope Archive)) SUBJECT alpha"), new Map());
  });

  /** Subscribed folders per the server's own LSUB. */
  let subscribedNames: string[] = [];
  before(async () => {
    const lsub = await client.command("l", 'LSUB "" "*"');
    subscribedNames = [...lsub.matchAll(/^\* LSUB \([^)]*\) "\/" "?([^"\r]+)"?\r$/gm)].map(
      (m) => m[1] as string,
    );
  });

  it("gives each mailbox its own MIN, MAX, COUNT and PARTIAL window", async () => {
    const reply = await client.command(
      "r",
      "ESEARCH IN (subtree Work) RETURN (MIN MAX COUNT PARTIAL -1:-1) SUBJECT alpha",
    );
    const lines = esearchLines(reply);
    assert.equal(lines.length, 3, reply);
    for (const line of lines) {
      const uids = alpha.get(line.mailbox as string) ?? [];
      assert.equal(line.min, uids[0]);
      assert.equal(line.max, uids.at(-1));
      assert.equal(line.count, uids.length);
      assert.deepEqual(line.partial?.numbers, uids.slice(-1));
      assert.equal(line.all, null);
    }
  });

  it("searches the selected mailbox by default and with selected / selected-delayed", async () => {
    assert.match(await client.command("x", "ESEARCH SUBJECT alpha"), /^x BAD /m);
    assert.match(await client.command("x", "ESEARCH IN (selected) SUBJECT alpha"), /^x BAD /m);
    await client.command("s", 'SELECT "Work/Projects"');
    const projects = expected(["Work/Projects"]);
    assert.deepEqual(await search("ESEARCH SUBJECT alpha"), projects);
    assert.deepEqual(await search("ESEARCH IN (selected-delayed) SUBJECT alpha"), projects);
    assert.deepEqual(
      sorted(await search("ESEARCH IN (selected mailboxes INBOX) SUBJECT alpha")),
      sorted(expected(["INBOX", "Work/Projects"])),
    );
    // UID keys work in every mailbox; the selected mailbox keeps answering its own UIDs.
    const first = alpha.get("INBOX")?.[0] as number;
    assert.deepEqual(
      await search(`ESEARCH IN (mailboxes INBOX) UID ${first}`),
      new Map([["INBOX", [first]]]),
    );
    await client.command("u", "UNSELECT");
  });

  it("searches a selected mailbox shared by another account under the name it was selected by", async () => {
    const friend = "friend@example.test";
    await server.addUser(friend);
    assert.match(await client.command("g", `SETACL Work ${friend} lr`), /^g OK/m);
    const other = await RawImap.connect(server.port("imap"));
    try {
      await other.command("a", `LOGIN ${friend} ${TEST_PASSWORD}`);
      const shared = `Shared/${USER}/Work`;
      assert.match(await other.command("s", `SELECT "${shared}"`), /^s OK/m);
      const reply = await other.command("m", "ESEARCH IN (selected personal) SUBJECT alpha");
      const lines = esearchLines(reply);
      assert.equal(lines.length, 1, reply);
      assert.equal(lines[0]?.mailbox, shared);
      assert.equal(lines[0]?.uidValidity, uidValidity.get("Work"));
      assert.deepEqual(lines[0]?.all, alpha.get("Work"));
      // `personal` is the friend's own mailboxes only: the owner's other folders never appear.
      const own = await other.command("m", "ESEARCH IN (personal) SUBJECT alpha");
      assert.equal(esearchLines(own).length, 0, own);
    } finally {
      other.close();
    }
  });

  it("answers BAD for sequence numbers, $, SAVE, UPDATE, unknown sources and scope options", async () => {
    for (const command of [
      "ESEARCH IN (personal) 1:5",
      "ESEARCH IN (personal) NOT 1",
      "ESEARCH IN (personal) UID $",
      "ESEARCH IN (personal) RETURN (SAVE) ALL",
      "ESEARCH IN (personal) RETURN (UPDATE) ALL",
      "ESEARCH IN (bogus) ALL",
      "ESEARCH IN () ALL",
      "ESEARCH IN (subtree) ALL",
      "ESEARCH IN (personal (DEPTH 1)) ALL",
      "ESEARCH IN personal ALL",
      "ESEARCH IN (personal) RETURN (ALL PARTIAL 1:2) ALL",
      "ESEARCH IN (personal)",
    ]) {
      assert.match(await client.command("z", command), /^z BAD /m, command);
    }
    assert.match(
      await client.command("z", "ESEARCH IN (personal) CHARSET NO-SUCH ALL"),
      /^z NO \[BADCHARSET/m,
    );
    assert.match(await client.command("n", "NOOP"), /^n OK/m);
  });
});
