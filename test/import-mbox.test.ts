// `postfach import mbox` while the server runs: mboxrd (>From quoting undone, one level) and mboxcl2
// (Content-Length, body unquoted) records become byte-exact messages over IMAP, with flags from Status and
// X-Status, keywords from X-Keywords and INTERNALDATE from the From_ line; a re-run imports nothing; a
// truncated file or a file that is not an mbox is refused with a report and nothing written.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { postfach } from "./helpers/postfach-cli.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const USER = "mbox@example.test";

/** The messages as IMAP must serve them (CRLF), and the mbox that holds them (LF, quoted, with metadata). */
const PLAIN = [
  "From: a@example.test",
  "Subject: plain",
  "",
  "Body line",
  "From here on, quoted",
  ">From already quoted once",
  "",
].join("\r\n");
const CL2 = ["From: b@example.test", "Subject: cl2", "", "From unquoted in mboxcl2", "last line", ""].join(
  "\r\n",
);
const THIRD = ["From: c@example.test", "Subject: third", "", "No flags.", "", ""].join("\r\n");

const lf = (s: string): string => s.replace(/\r\n/g, "\n");
const MBOX = [
  "From alice@example.test Mon Nov  2 10:00:00 2026",
  "From: a@example.test",
  "Subject: plain",
  "Status: RO",
  "X-Status: AF",
  "X-Keywords: todo $Label1",
  "",
  "Body line",
  ">From here on, quoted",
  ">>From already quoted once",
  "",
  `From bob@example.test Tue Nov  3 11:30:15 2026`,
  "From: b@example.test",
  "Subject: cl2",
  `Content-Length: ${Buffer.byteLength(lf(CL2.split("\r\n\r\n")[1] as string))}`,
  "X-Status: T",
  "",
  lf(CL2.split("\r\n\r\n")[1] as string),
  "From carol@example.test Wed Nov  4 12:00:00 2026",
  lf(THIRD),
  "",
].join("\n");

describe("postfach import mbox", () => {
  let server: TestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
    dir = await mkdtemp(join(tmpdir(), "postfach-mbox-"));
    env = { POSTFACH_DATA: server.dataDir, POSTFACH_CONFIG: "" };
  });
  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("imports mboxrd and mboxcl2 records byte-exact with flags, keywords and dates; a re-run imports nothing", async () => {
    const file = join(dir, "archive.mbox");
    await writeFile(file, MBOX);
    const run = await postfach(["import", "mbox", file, "--account", USER, "--folder", "Archiv/2026"], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Archiv\/2026: imported 3, skipped 0; .*identical/);

    const client = imapFlowClient(server.port("imap"), USER);
    await client.connect();
    try {
      const lock = await client.getMailboxLock("Archiv/2026");
      const seen = [];
      try {
        for await (const m of client.fetch("1:*", {
          uid: true,
          flags: true,
          internalDate: true,
          source: true,
        })) {
          seen.push({
            flags: [...(m.flags ?? [])].filter((f) => f !== "\\Recent").sort(),
            date: new Date(m.internalDate as Date).toISOString(),
            source: (m.source as Buffer).toString(),
          });
        }
      } finally {
        lock.release();
      }
      assert.deepEqual(seen, [
        {
          flags: ["$Label1", "\\Answered", "\\Flagged", "\\Seen", "todo"],
          date: "2026-11-02T10:00:00.000Z",
          source: PLAIN,
        },
        { flags: ["\\Draft"], date: "2026-11-03T11:30:15.000Z", source: CL2 },
        { flags: [], date: "2026-11-04T12:00:00.000Z", source: THIRD },
      ]);
    } finally {
      await client.logout();
    }

    const again = await postfach(["import", "mbox", file, "--account", USER, "--folder", "Archiv/2026"], env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /imported 0, skipped 3/);
  });

  it("refuses a truncated mbox and a file that is not one, writing nothing", async () => {
    const truncated = join(dir, "truncated.mbox");
    await writeFile(
      truncated,
      [
        "From x@example.test Mon Nov  2 10:00:00 2026",
        "Subject: ok",
        "",
        "fine",
        "",
        "From y Mon Nov  2 10:00:00 2026",
        "Subject: cut",
        "Content-Length: 500",
        "",
        "only a few bytes",
      ].join("\n"),
    );
    const refused = await postfach(["import", "mbox", truncated, "--account", USER, "--folder", "Cut"], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /truncated\.mbox@\d+: truncated: Content-Length 500/);
    assert.match(refused.stdout, /nothing imported/);
    const list = await postfach(["mailbox", "list", USER, "--json"], env);
    assert.ok(!list.stdout.includes('"Cut"'), "no folder was created");

    const rest = await postfach(
      ["import", "mbox", truncated, "--account", USER, "--folder", "Cut", "--skip-damaged"],
      env,
    );
    assert.equal(rest.code, 1, "the damage is still reported");
    assert.match(rest.stdout, /Cut: imported 1/);

    const notMbox = join(dir, "note.txt");
    await writeFile(notMbox, "Subject: hello\n\njust a message\n");
    const wrong = await postfach(["import", "mbox", notMbox, "--account", USER], env);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /not an mbox file/);
    const missing = await postfach(["import", "mbox", join(dir, "nope.mbox"), "--account", USER], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /is not a file/);
  });
});
