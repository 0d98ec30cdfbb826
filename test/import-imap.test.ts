// `postfach import imap` from a second Postfach instance holding 5,000 messages: the import is killed
// (SIGKILL) part way, run again, and ends with exact copies: same folders, UIDVALIDITY, UIDs (with gaps),
// flags, keywords, INTERNALDATE and bytes, over IMAP; the verify report says identical.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { ImapFlow } from "imapflow";
import { defaultConfig } from "../src/config/config.js";
import type { AccountId, MailboxId, Uid } from "../src/kit/ids.js";
import { runServer } from "../src/main.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { postfach } from "./helpers/postfach-cli.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const CLI = new URL("../src/cli/postfach.js", import.meta.url).pathname;
const SOURCE_USER = "source@example.test";
const TARGET_USER = "target@example.test";
// The 5,000 messages of issue 12's acceptance (64 per transaction, so the kill lands part way);
// POSTFACH_IMPORT_TEST_MESSAGES changes it.
const MESSAGES = Number(process.env.POSTFACH_IMPORT_TEST_MESSAGES ?? 5000);

async function everything(client: ImapFlow, folder: string) {
  const lock = await client.getMailboxLock(folder);
  try {
    const out = [];
    for await (const m of client.fetch("1:*", { uid: true, flags: true, internalDate: true, source: true })) {
      out.push({
        uid: m.uid,
        flags: [...(m.flags ?? [])].filter((f) => f !== "\\Recent").sort(),
        date: new Date(m.internalDate as Date).getTime(),
        source: (m.source as Buffer).toString("latin1"),
      });
    }
    return { uidValidity: Number(client.mailbox ? client.mailbox.uidValidity : 0), messages: out };
  } finally {
    lock.release();
  }
}

describe("postfach import imap (from another Postfach, interrupted and resumed)", () => {
  let source: TestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    source = await startTestServer();
    await source.addUser(SOURCE_USER);
    const { services } = source.server;
    const account = await services.users.require(SOURCE_USER);
    const inbox = await services.mailboxes.require(account.id as AccountId, "INBOX");
    const other = await services.mailboxes.create(account.id, "Projekte/Größe");
    const seed = async (mailboxId: MailboxId, from: number, count: number) => {
      for (let start = 0; start < count; start += 250) {
        const batch = [];
        for (let i = start; i < Math.min(count, start + 250); i++) {
          const n = from + i;
          const raw = Buffer.from(
            `From: s${n % 17}@example.test\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.test>\r\n\r\nBody ${n} ${"z".repeat(n % 300)}\r\n`,
          );
          // Stored with its entry, in the batch's one commit: a blob file each cost an fsync, 5,000 in a row.
          batch.push({
            blobHash: services.store.blobs.hashOf(raw),
            body: raw,
            flags: {
              system: new Set(
                n % 3 === 0
                  ? (["\\Seen"] as const)
                  : n % 3 === 1
                    ? (["\\Flagged", "\\Answered"] as const)
                    : [],
              ),
              keywords: n % 5 === 0 ? ["$Label1", "Work"] : [],
            },
            internalDateMs: Date.UTC(2025, 0, 1) + n * 60_000,
          });
        }
        await services.messages.appendBlobs(account.id, mailboxId, batch);
      }
    };
    await seed(inbox.id, 0, MESSAGES - 100);
    await seed(other.id, MESSAGES, 100);
    // Gaps in the UIDs, as any real mailbox has.
    await services.store.messages.expunge(
      account.id,
      inbox.id,
      [3, 4, 500, 4000].map((u) => u as Uid),
    );
    dir = await mkdtemp(join(tmpdir(), "postfach-imapsync-"));
    env = { POSTFACH_DATA: join(dir, "target"), POSTFACH_CONFIG: "" };
    assert.equal((await postfach(["user", "add", TARGET_USER], env, `${TEST_PASSWORD}\n`)).code, 0);
  });
  after(async () => {
    await source?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is killed part way, resumes, and ends with exact copies", async () => {
    const args = ["import", "imap", "--from", `imap://${SOURCE_USER}@127.0.0.1:${source.port("imap")}`];
    const full = [...args, "--account", TARGET_USER, "--insecure"];
    // First run: killed once a few hundred messages are in the target.
    const child = spawn(process.execPath, [CLI, ...full], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "ignore", "pipe"],
    });
    child.stdin.end(`${TEST_PASSWORD}\n`);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let atKill = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        const db = new Database(join(dir, "target", "postfach.db"), { readonly: true, fileMustExist: true });
        try {
          atKill = (db.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n;
        } finally {
          db.close();
        }
      } catch {
        // Not created yet, or busy: look again.
      }
      if (atKill >= 300 || child.exitCode !== null) break;
    }
    child.kill("SIGKILL");
    await exited;
    assert.ok(atKill >= 300 && atKill < MESSAGES - 4, `killed with ${atKill} messages imported`);

    const resumed = await postfach([...full, "--json"], env, `${TEST_PASSWORD}\n`);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    const report = JSON.parse(resumed.stdout) as {
      folders: {
        folder: string;
        imported: number;
        skipped: number;
        source: { sha256: string };
        target: { sha256: string };
      }[];
    };
    const inbox = report.folders.find((f) => f.folder === "INBOX");
    assert.ok(inbox && inbox.skipped > 0 && inbox.imported > 0, "the second run resumed");
    for (const f of report.folders) assert.equal(f.source.sha256, f.target.sha256, f.folder);

    const base = defaultConfig();
    const target = await runServer(
      {
        ...base,
        dataDir: join(dir, "target"),
        hostname: "localhost",
        log: { level: "silent", format: "json" },
        imap: { ...base.imap, listen: ["127.0.0.1:0"], tlsListen: [] },
        pop3: { ...base.pop3, listen: [], tlsListen: [] },
        lmtp: { listen: [] },
        smtp: { ...base.smtp, listen: [] },
        submission: { ...base.submission, listen: [], tlsListen: [] },
        managesieve: { listen: [] },
        http: { ...base.http, listen: [], tlsListen: [] },
        limits: { ...base.limits, shutdownGraceMs: 500 },
      },
      { handleSignals: false, quiet: true },
    );
    const from = imapFlowClient(source.port("imap"), SOURCE_USER);
    const to = imapFlowClient(target.listeners.find((l) => l.proto === "imap")?.port as number, TARGET_USER);
    try {
      await from.connect();
      await to.connect();
      for (const folder of ["INBOX", "Projekte/Größe"]) {
        const expected = await everything(from, folder);
        const actual = await everything(to, folder);
        assert.equal(actual.uidValidity, expected.uidValidity, `${folder} UIDVALIDITY`);
        assert.equal(actual.messages.length, expected.messages.length, folder);
        assert.deepEqual(actual.messages, expected.messages, folder);
      }
      const status = await to.status("INBOX", { uidNext: true });
      const sourceStatus = await from.status("INBOX", { uidNext: true });
      assert.ok(status && sourceStatus);
      assert.equal(status.uidNext, sourceStatus.uidNext);
    } finally {
      await from.logout();
      await to.logout();
      await target.stop();
    }
  });
});
