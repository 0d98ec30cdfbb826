// `postfach import maildir` against a Maildir++ tree written by a real Dovecot (started on loopback with
// its own config, as the bench does): folders (with a non-ASCII name), flags, keywords, UIDs with gaps,
// UIDVALIDITY, INTERNALDATE and POP3 UIDLs must read back the same over Postfach's IMAP and POP3; a re-run
// imports nothing; a damaged file name stops the import with a report.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ImapFlow } from "imapflow";
import { BENCH_ADDRESS, BENCH_PASSWORD } from "../bench/bench-server.js";
import { type DovecotServer, startDovecot } from "../bench/dovecot-server.js";
import { defaultConfig } from "../src/config/config.js";
import { runServer } from "../src/main.js";
import { LineSocket } from "./helpers/line-socket.js";
import { postfach } from "./helpers/postfach-cli.js";

const HAS_DOVECOT = existsSync("/usr/sbin/dovecot") && existsSync("/usr/lib/dovecot/imap");

interface SeenMessage {
  readonly uid: number;
  readonly flags: string[];
  readonly internalDate: string;
  readonly source: string;
}

interface SeenFolder {
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly messages: SeenMessage[];
}

/** Every folder's UIDVALIDITY, UIDNEXT and messages (UID, flags, INTERNALDATE, bytes), as one IMAP client sees them. */
async function snapshot(client: ImapFlow, folders: readonly string[]): Promise<Map<string, SeenFolder>> {
  const out = new Map<string, SeenFolder>();
  for (const folder of folders) {
    const status = await client.status(folder, { uidValidity: true, uidNext: true });
    assert.ok(status, folder);
    const lock = await client.getMailboxLock(folder);
    const messages: SeenMessage[] = [];
    try {
      for await (const m of client.fetch("1:*", {
        uid: true,
        flags: true,
        internalDate: true,
        source: true,
      })) {
        messages.push({
          uid: m.uid,
          flags: [...(m.flags ?? [])].filter((f) => f !== "\\Recent").sort(),
          internalDate: new Date(m.internalDate as Date).toISOString(),
          source: (m.source as Buffer).toString("latin1"),
        });
      }
    } catch (error) {
      if (!/empty|Invalid messageset/i.test(String(error))) throw error;
    } finally {
      lock.release();
    }
    out.set(folder, {
      uidValidity: Number(status.uidValidity),
      uidNext: Number(status.uidNext),
      messages: messages.sort((a, b) => a.uid - b.uid),
    });
  }
  return out;
}

async function pop3Uidls(port: number, user: string, pass: string): Promise<string[]> {
  const socket = await LineSocket.connect(port);
  try {
    await socket.readLine();
    for (const command of [`USER ${user}`, `PASS ${pass}`, "UIDL"]) {
      socket.send(command);
      const reply = await socket.readLine();
      assert.match(reply, /^\+OK/, `${command}: ${reply}`);
    }
    const lines: string[] = [];
    for (let line = await socket.readLine(); line !== "."; line = await socket.readLine()) lines.push(line);
    socket.send("QUIT");
    return lines;
  } finally {
    socket.close();
  }
}

function message(subject: string, body: string): string {
  return [
    "From: Carol <carol@example.test>",
    "To: bench@example.test",
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, "")}@example.test>`,
    "Date: Tue, 03 Nov 2026 09:00:00 +0000",
    "",
    body,
    "",
  ].join("\r\n");
}

const FOLDERS = ["INBOX", "Lists", "Lists.Größe & Co"];
const POSTFACH_NAMES: Record<string, string> = {
  INBOX: "INBOX",
  Lists: "Lists",
  "Lists.Größe & Co": "Lists/Größe & Co",
};

describe("postfach import maildir (from a real Dovecot)", {
  skip: !HAS_DOVECOT && "Dovecot is not installed",
}, () => {
  let dovecot: DovecotServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let before_: Map<string, SeenFolder>;
  let dovecotUidls: string[];
  let copy: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-import-"));
    env = { POSTFACH_DATA: join(dir, "data"), POSTFACH_CONFIG: "" };
    dovecot = await startDovecot({
      messages: 0,
      distinct: 1,
      seed: 1,
      extraConfig: ["pop3_uidl_format = %v-%u", "pop3_save_uidl = yes"],
    });
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: dovecot.port("imap"),
      secure: false,
      auth: { user: BENCH_ADDRESS, pass: BENCH_PASSWORD },
      logger: false,
    });
    await client.connect();
    await client.mailboxCreate("Lists");
    await client.mailboxCreate("Lists.Größe & Co");
    // Dovecot records these in the Maildir's `subscriptions` file (imapflow subscribes what it creates).
    await client.mailboxSubscribe("INBOX");
    await client.mailboxUnsubscribe("Lists");
    const when = (day: number) => new Date(Date.UTC(2026, 10, day, 8, 30, 0));
    await client.append("INBOX", message("one", "First."), ["\\Seen"], when(1));
    await client.append(
      "INBOX",
      message("two", "From the start\r\n>From quoted"),
      ["\\Flagged", "$Forwarded"],
      when(2),
    );
    await client.append("INBOX", message("gone", "Expunged."), [], when(3));
    await client.append(
      "INBOX",
      message("four", "Draft."),
      ["\\Draft", "\\Answered", "Project-X", "$Label1"],
      when(4),
    );
    await client.append("INBOX", message("five", "Deleted flag."), ["\\Deleted", "Project-X"], when(5));
    await client.append("Lists", message("list", "In a list."), ["\\Seen", "todo"], when(6));
    await client.append("Lists.Größe & Co", message("größe", "Umlaut folder."), [], when(7));
    const lock = await client.getMailboxLock("INBOX");
    try {
      await client.messageDelete({ uid: "3" }, { uid: true });
    } finally {
      lock.release();
    }
    before_ = await snapshot(client, FOLDERS);
    await client.logout();
    dovecotUidls = await pop3Uidls(dovecot.port("pop3"), BENCH_ADDRESS, BENCH_PASSWORD);
    await dovecot.stop();
    copy = join(dir, "Maildir");
    await cp(dovecot.maildir, copy, { recursive: true, preserveTimestamps: true });
    const added = await postfach(["user", "add", "alice@example.test"], env, "alice-password-1\n");
    assert.equal(added.code, 0, added.stderr);
  });

  after(async () => {
    await dovecot?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the Dovecot tree has what the import must keep", async () => {
    const uidlist = await readFile(join(copy, "dovecot-uidlist"), "utf8");
    assert.match(uidlist, /^3 V\d+ N6 /);
    assert.equal(
      before_
        .get("INBOX")
        ?.messages.map((m) => m.uid)
        .join(","),
      "1,2,4,5",
    );
    assert.match(await readFile(join(copy, "dovecot-keywords"), "utf8"), /Project-X/);
    assert.match(await readFile(join(copy, "subscriptions"), "utf8"), /Gr&APYA3w-e &- Co/);
    const { readdir } = await import("node:fs/promises");
    assert.ok(
      existsSync(join(copy, ".Lists.Gr&APYA3w-e &- Co")),
      `folder name in modified UTF-7: ${(await readdir(copy)).join(" | ")}`,
    );
  });

  it("a dry run reports and writes nothing", async () => {
    const dry = await postfach(
      ["import", "maildir", copy, "--account", "alice@example.test", "--dry-run"],
      env,
    );
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /would import 6 message/);
    const list = await postfach(["mailbox", "list", "alice@example.test", "--json"], env);
    assert.ok(!list.stdout.includes("Lists"));
  });

  it("imports folders, flags, keywords, UIDs, UIDVALIDITY and INTERNALDATE; IMAP and POP3 see what Dovecot showed", async () => {
    const run = await postfach(["import", "maildir", copy, "--account", "alice@example.test", "--json"], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as {
      complete: boolean;
      folders: { folder: string; imported: number; source: { sha256: string }; target: { sha256: string } }[];
    };
    assert.equal(report.complete, true);
    assert.deepEqual(
      report.folders.map((f) => [f.folder, f.imported, f.source.sha256 === f.target.sha256]),
      [
        ["INBOX", 4, true],
        ["Lists", 1, true],
        ["Lists/Größe & Co", 1, true],
      ],
    );

    const again = await postfach(["import", "maildir", copy, "--account", "alice@example.test"], env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /imported 0 message/, "a re-run imports nothing");

    const base = defaultConfig();
    const loopback = ["127.0.0.1:0"];
    const server = await runServer(
      {
        ...base,
        dataDir: join(dir, "data"),
        hostname: "localhost",
        log: { level: "silent", format: "json" },
        imap: { ...base.imap, listen: loopback, tlsListen: [] },
        pop3: { ...base.pop3, listen: loopback, tlsListen: [] },
        lmtp: { listen: [] },
        smtp: { ...base.smtp, listen: [] },
        submission: { ...base.submission, listen: [], tlsListen: [] },
        managesieve: { listen: [] },
        http: { ...base.http, listen: [], tlsListen: [] },
        limits: { ...base.limits, shutdownGraceMs: 500 },
      },
      { handleSignals: false, quiet: true },
    );
    try {
      const portOf = (proto: string) => {
        const bound = server.listeners.find((l) => l.proto === proto);
        assert.ok(bound, proto);
        return bound.port;
      };
      const client = new ImapFlow({
        host: "127.0.0.1",
        port: portOf("imap"),
        secure: false,
        auth: { user: "alice@example.test", pass: "alice-password-1" },
        logger: false,
        tls: { rejectUnauthorized: false },
      });
      await client.connect();
      const after_ = await snapshot(client, Object.values(POSTFACH_NAMES));
      const subscribed = (await client.list({ statusQuery: {} }))
        .filter((m) => m.subscribed && Object.values(POSTFACH_NAMES).includes(m.path))
        .map((m) => m.path)
        .sort();
      assert.deepEqual(subscribed, ["INBOX", "Lists/Größe & Co"], "Dovecot's subscriptions file");
      await client.logout();
      for (const folder of FOLDERS) {
        const expected = before_.get(folder);
        const actual = after_.get(POSTFACH_NAMES[folder] as string);
        assert.ok(expected && actual, folder);
        assert.equal(actual.uidValidity, expected.uidValidity, `${folder} UIDVALIDITY`);
        assert.equal(actual.uidNext, expected.uidNext, `${folder} UIDNEXT`);
        assert.deepEqual(actual.messages, expected.messages, `${folder} messages`);
      }
      const uidls = await pop3Uidls(portOf("pop3"), "alice@example.test", "alice-password-1");
      assert.deepEqual(uidls, dovecotUidls, "POP3 UIDLs as Dovecot listed them");
    } finally {
      await server.stop();
    }
  });

  it("a damaged file name stops the import with a report, and --skip-damaged imports the rest", async () => {
    const damaged = join(dir, "Damaged");
    await cp(copy, damaged, { recursive: true, preserveTimestamps: true });
    await writeFile(join(damaged, "cur", "1790000000.bad:2,S\u00e9"), message("bad", "Bad name."));
    await writeFile(join(damaged, "cur", "1790000001.extra:2,S"), message("extra", "A new one."));
    const env2 = { POSTFACH_DATA: join(dir, "data2"), POSTFACH_CONFIG: "" };
    assert.equal((await postfach(["user", "add", "bob@example.test"], env2, "bob-password-12\n")).code, 0);
    const refused = await postfach(["import", "maildir", damaged, "--account", "bob@example.test"], env2);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /damaged: .*1790000000\.bad.*flag character/);
    assert.match(refused.stdout, /nothing imported/);
    const rest = await postfach(
      ["import", "maildir", damaged, "--account", "bob@example.test", "--skip-damaged"],
      env2,
    );
    assert.equal(rest.code, 1, "still reports the damage");
    assert.match(rest.stdout, /INBOX: imported 5/);
  });
});
