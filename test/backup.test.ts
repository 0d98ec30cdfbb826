// `postfach backup` while LMTP deliveries and IMAP APPENDs keep arriving, then `postfach restore` into an
// empty folder: a server on the restored data serves byte-identical mail with the same UIDs, flags and
// UIDVALIDITY for everything the backup holds (at least what was acknowledged before it began). A damaged
// archive and a non-empty target are refused with nothing left behind; the PostgreSQL store points to
// pg_dump/pgBackRest.
import assert from "node:assert/strict";
import { mkdtemp, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { LineSocket } from "./helpers/line-socket.js";
import { postfach } from "./helpers/postfach-cli.js";
import {
  startImapOnlyServer,
  startTestServer,
  TEST_PASSWORD,
  type TestServer,
} from "./helpers/test-server.js";

const USER = "backup@example.test";

interface Stored {
  readonly flags: string;
  readonly source: string;
}

async function contentsOf(
  client: ImapFlow,
  folder: string,
): Promise<{ uidValidity: number; byUid: Map<number, Stored> }> {
  const lock = await client.getMailboxLock(folder);
  const byUid = new Map<number, Stored>();
  try {
    const uidValidity = Number(client.mailbox ? client.mailbox.uidValidity : 0);
    if (client.mailbox && client.mailbox.exists > 0) {
      for await (const m of client.fetch("1:*", { uid: true, flags: true, source: true })) {
        byUid.set(m.uid, {
          flags: [...(m.flags ?? [])]
            .filter((f) => f !== "\\Recent")
            .sort()
            .join(" "),
          source: (m.source as Buffer).toString("latin1"),
        });
      }
    }
    return { uidValidity, byUid };
  } finally {
    lock.release();
  }
}

/** Delivers one message over LMTP (small: its body goes into the database's message_blobs). */
async function deliver(socket: LineSocket, n: number): Promise<void> {
  const expect = async (prefix: string): Promise<void> => {
    let line = await socket.readLine();
    while (/^\d{3}-/.test(line)) line = await socket.readLine();
    assert.ok(line.startsWith(prefix), line);
  };
  socket.send("MAIL FROM:<sender@example.test>");
  await expect("250");
  socket.send(`RCPT TO:<${USER}>`);
  await expect("250");
  socket.send("DATA");
  await expect("354");
  socket.send(`Subject: delivered ${n}\r\nMessage-ID: <d${n}@example.test>\r\n\r\nDelivered body ${n}.\r\n.`);
  await expect("250");
}

describe("postfach backup and restore", () => {
  let server: TestServer;
  let dir: string;
  let archive: string;
  let acknowledgedBefore = 0;
  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
    dir = await mkdtemp(join(tmpdir(), "postfach-backup-"));
    archive = join(dir, "backup.tar");
  });
  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a backup taken during deliveries and APPENDs restores to a server with the same mail, UIDs and flags", async () => {
    const env = { POSTFACH_DATA: server.dataDir, POSTFACH_CONFIG: "" };
    const writer = imapFlowClient(server.port("imap"), USER);
    await writer.connect();
    const lmtp = await LineSocket.connect(server.port("lmtp"));
    await lmtp.readLine();
    lmtp.send("LHLO test.example");
    for (let line = await lmtp.readLine(); line.startsWith("250-"); line = await lmtp.readLine());
    // Some mail before the backup, large enough for blob files (APPEND) and small (LMTP, in the database).
    const big = "x".repeat(100_000);
    let n = 0;
    const appendOne = async () => {
      n++;
      await writer.append(
        "INBOX",
        `Subject: appended ${n}\r\n\r\n${n % 3 === 0 ? big : "small"} ${n}\r\n`,
        n % 2 ? ["\\Seen"] : ["\\Flagged", "Work"],
      );
    };
    for (let i = 0; i < 10; i++) {
      await appendOne();
      await deliver(lmtp, i);
    }
    acknowledgedBefore = 20;
    let running = true;
    const load = (async () => {
      let i = 100;
      while (running) {
        await appendOne();
        await deliver(lmtp, i++);
      }
    })();
    const backup = await postfach(["backup", archive], env);
    running = false;
    await load;
    assert.equal(backup.code, 0, backup.stdout + backup.stderr);
    assert.match(backup.stdout, /Backed up 1 account\(s\), \d+ message\(s\)/);
    lmtp.close();

    const original = await contentsOf(writer, "INBOX");
    await writer.logout();

    const restoredDir = join(dir, "restored");
    const restore = await postfach(["restore", archive], { POSTFACH_DATA: restoredDir, POSTFACH_CONFIG: "" });
    assert.equal(restore.code, 0, restore.stdout + restore.stderr);
    assert.match(restore.stdout, /Restored \d+ message/);

    const restoredServer = await startImapOnlyServer(restoredDir);
    try {
      const port = restoredServer.listeners.find((l) => l.proto === "imap")?.port as number;
      const reader = imapFlowClient(port, USER, { auth: { user: USER, pass: TEST_PASSWORD } });
      await reader.connect();
      const restored = await contentsOf(reader, "INBOX");
      await reader.logout();
      assert.equal(restored.uidValidity, original.uidValidity);
      assert.ok(restored.byUid.size >= acknowledgedBefore, `${restored.byUid.size} restored`);
      assert.ok(restored.byUid.size <= original.byUid.size);
      for (const [uid, message] of restored.byUid) {
        assert.deepEqual(message, original.byUid.get(uid), `UID ${uid}`);
      }
      // The backup is a prefix of the mailbox: UIDs 1..k, none missing in between.
      const uids = [...restored.byUid.keys()].sort((a, b) => a - b);
      const originalUids = [...original.byUid.keys()].sort((a, b) => a - b).slice(0, uids.length);
      assert.deepEqual(uids, originalUids);
    } finally {
      await restoredServer.stop();
    }
  });

  it("refuses a non-empty target and a damaged archive, leaving the target empty", async () => {
    const nonEmpty = join(dir, "busy");
    await rm(nonEmpty, { recursive: true, force: true });
    await postfach(["user", "list"], { POSTFACH_DATA: nonEmpty, POSTFACH_CONFIG: "" });
    const refused = await postfach(["restore", archive], { POSTFACH_DATA: nonEmpty, POSTFACH_CONFIG: "" });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not empty/);

    // Damage one byte in the last quarter of the archive (message files come after the database).
    const damaged = join(dir, "damaged.tar");
    const { size } = await stat(archive);
    const { copyFile } = await import("node:fs/promises");
    await copyFile(archive, damaged);
    const handle = await open(damaged, "r+");
    const at = Math.floor(size * 0.8);
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = (byte[0] as number) ^ 0xff;
    await handle.write(byte, 0, 1, at);
    await handle.close();
    const target = join(dir, "from-damaged");
    const bad = await postfach(["restore", damaged], { POSTFACH_DATA: target, POSTFACH_CONFIG: "" });
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /damaged|bad archive header/);
    assert.deepEqual(await readdir(target), [], "nothing left behind");

    const notArchive = join(dir, "note.txt");
    await writeFile(notArchive, "hello".repeat(200));
    const wrong = await postfach(["restore", notArchive], {
      POSTFACH_DATA: join(dir, "x"),
      POSTFACH_CONFIG: "",
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /Not a Postfach backup|truncated/);
  });

  it("the PostgreSQL store refuses, pointing to pg_dump and pgBackRest", async () => {
    const result = await postfach(["backup", join(dir, "pg.tar")], {
      POSTFACH_STORE: "postgres://nobody@127.0.0.1:1/none",
      POSTFACH_CONFIG: "",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pg_dump.*pgBackRest/);
  });
});
