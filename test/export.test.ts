// `postfach export maildir|mbox` while the server runs: the Maildir++ tree carries flags in file names,
// dovecot-keywords and a dovecot-uidlist with UIDVALIDITY and UIDs, and imports back into another account
// with the same UIDs, flags and bytes; the mbox imports back byte-exact; a damaged message is skipped and
// reported (exit 1) while the rest is exported.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { damageStoredBody } from "./helpers/damage-stored-body.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { postfach } from "./helpers/postfach-cli.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const OWNER = "export@example.test";

function message(subject: string, body: string): string {
  return [
    `From: a@example.test`,
    `Subject: ${subject}`,
    `Message-ID: <${subject}@example.test>`,
    "",
    body,
    "",
  ].join("\r\n");
}

interface Seen {
  readonly uid: number;
  readonly flags: string[];
  readonly date: string;
  readonly source: string;
}

async function messagesOf(client: ImapFlow, folder: string): Promise<Seen[]> {
  const lock = await client.getMailboxLock(folder);
  const seen: Seen[] = [];
  try {
    for await (const m of client.fetch("1:*", { uid: true, flags: true, internalDate: true, source: true })) {
      seen.push({
        uid: m.uid,
        flags: [...(m.flags ?? [])].filter((f) => f !== "\\Recent").sort(),
        date: new Date(m.internalDate as Date).toISOString(),
        source: (m.source as Buffer).toString(),
      });
    }
  } finally {
    lock.release();
  }
  return seen;
}

describe("postfach export", () => {
  let server: TestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let client: ImapFlow;
  before(async () => {
    server = await startTestServer();
    await server.addUser(OWNER);
    dir = await mkdtemp(join(tmpdir(), "postfach-export-"));
    env = { POSTFACH_DATA: server.dataDir, POSTFACH_CONFIG: "" };
    client = imapFlowClient(server.port("imap"), OWNER);
    await client.connect();
    await client.mailboxCreate("Lists/Größe");
    const day = (d: number) => new Date(Date.UTC(2026, 9, d, 12, 0, 0));
    await client.append(
      "INBOX",
      message("one", "From the top\r\n>From quoted"),
      ["\\Seen", "$Forwarded"],
      day(1),
    );
    await client.append("INBOX", message("two", "Second."), ["\\Flagged", "\\Answered", "Work"], day(2));
    await client.append("INBOX", message("three", "Third."), ["\\Draft", "$Label2", "Work"], day(3));
    await client.append("Lists/Größe", message("four", "Umlaut folder."), ["\\Deleted"], day(4));
  });
  after(async () => {
    await client?.logout().catch(() => undefined);
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes a Maildir++ tree that imports back with the same UIDs, flags, dates and bytes", async () => {
    const tree = join(dir, "Maildir");
    const run = await postfach(["export", "maildir", "--account", OWNER, tree], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /INBOX: exported 3.*identical/);
    const names = (await readdir(join(tree, "cur"))).sort();
    assert.equal(names.length, 3);
    const keywords = await readFile(join(tree, "dovecot-keywords"), "utf8");
    assert.match(keywords, /^0 Work\n1 \$Label2\n$/);
    assert.ok(
      names.some((n) => /:2,PS$/.test(n)),
      names.join(" "),
    );
    assert.ok(
      names.some((n) => /:2,FRa$/.test(n)),
      names.join(" "),
    );
    assert.ok(
      names.some((n) => /:2,Dab$/.test(n)),
      names.join(" "),
    );
    assert.ok((await readdir(tree)).includes(".Lists.Gr&APYA3w-e"));
    const status = await client.status("INBOX", { uidValidity: true, uidNext: true });
    assert.ok(status);
    assert.match(
      await readFile(join(tree, "dovecot-uidlist"), "utf8"),
      new RegExp(`^3 V${status.uidValidity} N${status.uidNext} `),
    );

    const copy = "copy@example.test";
    await server.addUser(copy);
    const imported = await postfach(["import", "maildir", tree, "--account", copy], env);
    assert.equal(imported.code, 0, imported.stdout + imported.stderr);
    const other = imapFlowClient(server.port("imap"), copy);
    await other.connect();
    try {
      for (const folder of ["INBOX", "Lists/Größe"]) {
        assert.deepEqual(await messagesOf(other, folder), await messagesOf(client, folder), folder);
      }
    } finally {
      await other.logout();
    }
  });

  it("writes mboxrd files that import back byte-exact with flags and dates", async () => {
    const mboxDir = join(dir, "mbox");
    const run = await postfach(["export", "mbox", "--account", OWNER, mboxDir], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const inbox = await readFile(join(mboxDir, "INBOX.mbox"), "utf8");
    assert.match(inbox, /^From MAILER-DAEMON Thu Oct {2}1 12:00:00 2026\n/);
    assert.match(inbox, /\n>From the top\n>>From quoted\n/);
    assert.match(inbox, /\nStatus: RO\nX-Keywords: \$Forwarded\n/);
    const copy = "mboxcopy@example.test";
    await server.addUser(copy);
    const imported = await postfach(["import", "mbox", join(mboxDir, "INBOX.mbox"), "--account", copy], env);
    assert.equal(imported.code, 0, imported.stdout + imported.stderr);
    const other = imapFlowClient(server.port("imap"), copy);
    await other.connect();
    try {
      const strip = (seen: Seen[]) => seen.map(({ flags, date, source }) => ({ flags, date, source }));
      assert.deepEqual(strip(await messagesOf(other, "INBOX")), strip(await messagesOf(client, "INBOX")));
    } finally {
      await other.logout();
    }
  });

  it("skips and reports a message whose stored bytes are damaged, exporting the rest", async () => {
    await damageStoredBody(server.dataDir, Buffer.from(message("two", "Second.")));
    const file = join(dir, "inbox-only.mbox");
    const run = await postfach(["export", "mbox", "--account", OWNER, "--folder", "INBOX", file], env);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /damaged: INBOX\/2: skipped: .*damaged/);
    assert.match(run.stdout, /INBOX: exported 2/);
    const text = await readFile(file, "utf8");
    assert.ok(
      text.includes("Subject: one") && text.includes("Subject: three") && !text.includes("Subject: two"),
    );
  });
});
