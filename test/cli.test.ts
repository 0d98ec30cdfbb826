// The `postfach` command as a newcomer uses it: accounts and mailboxes on a data folder, passwords
// from a pipe (never argv), --json listings, configuration errors, and `serve` starting and stopping.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RawImap } from "./helpers/raw-imap.js";

const CLI = new URL("../src/cli/postfach.js", import.meta.url).pathname;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function postfach(args: readonly string[], env: NodeJS.ProcessEnv, stdin = ""): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}

describe("postfach CLI", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-cli-"));
    env = { POSTFACH_DATA: join(dir, "data"), POSTFACH_CONFIG: "" };
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("adds an account with the password from standard input, and refuses a second one", async () => {
    const added = await postfach(["user", "add", "Alice@Example.test"], env, "s3cret-passphrase\n");
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Created alice@example\.test/);
    const again = await postfach(["user", "add", "alice@example.test"], env, "s3cret-passphrase\n");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
  });

  it("refuses bad input with a clear message and a usage exit code", async () => {
    const badAddress = await postfach(["user", "add", "not-an-address"], env, "s3cret-passphrase\n");
    assert.equal(badAddress.code, 1);
    assert.match(badAddress.stderr, /Not a valid address/);
    const shortPassword = await postfach(["user", "add", "bob@example.test"], env, "short\n");
    assert.match(shortPassword.stderr, /at least 8 characters/);
    const unknownOption = await postfach(["user", "list", "--colour"], env);
    assert.equal(unknownOption.code, 2);
    const unknownCommand = await postfach(["frobnicate"], env);
    assert.equal(unknownCommand.code, 2);
    assert.match(unknownCommand.stderr, /Unknown command/);
  });

  it("lists accounts and mailboxes as JSON and sets quotas", async () => {
    const list = await postfach(["user", "list", "--json"], env);
    const accounts = JSON.parse(list.stdout) as { address: string }[];
    assert.deepEqual(
      accounts.map((a) => a.address),
      ["alice@example.test"],
    );
    const created = await postfach(
      ["mailbox", "create", "alice@example.test", "Projekte/Größe", "--special-use", "Flagged"],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const mailboxes = JSON.parse(
      (await postfach(["mailbox", "list", "alice@example.test", "--json"], env)).stdout,
    ) as {
      name: string;
      specialUse: string | null;
    }[];
    assert.deepEqual(mailboxes.map((m) => m.name).sort(), [
      "Archive",
      "Drafts",
      "INBOX",
      "Junk",
      "Projekte",
      "Projekte/Größe",
      "Sent",
      "Trash",
    ]);
    assert.equal(mailboxes.find((m) => m.name === "Projekte/Größe")?.specialUse, "\\Flagged");
    const quota = await postfach(
      ["user", "quota", "alice@example.test", "--storage", "2G", "--messages", "1000", "--json"],
      env,
    );
    assert.deepEqual(JSON.parse(quota.stdout).quota, { storageBytes: 2 * 1024 ** 3, messages: 1000 });
  });

  it("changes a password and deletes an account only with --yes", async () => {
    assert.equal(
      (await postfach(["user", "passwd", "alice@example.test"], env, "another-passphrase\n")).code,
      0,
    );
    const refused = await postfach(["user", "del", "alice@example.test"], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--yes/);
    assert.equal((await postfach(["user", "add", "temp@example.test"], env, "temporary-pass\n")).code, 0);
    assert.equal((await postfach(["user", "del", "temp@example.test", "--yes"], env)).code, 0);
    assert.doesNotMatch((await postfach(["user", "list"], env)).stdout, /temp@/);
  });

  it("shares a team mailbox with acl set, get and del, refusing unknown users and rights", async () => {
    for (const user of ["sales@example.test", "carol@example.test"]) {
      assert.equal((await postfach(["user", "add", user], env, "team-passphrase\n")).code, 0);
    }
    const set = await postfach(
      ["acl", "set", "sales@example.test", "INBOX", "Carol@Example.test", "lrswite"],
      env,
    );
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /carol@example\.test on INBOX of sales@example\.test: lrswited/);
    const removed = await postfach(
      ["acl", "set", "sales@example.test", "INBOX", "--", "carol@example.test", "-w"],
      env,
    );
    assert.equal(removed.code, 0, removed.stderr);
    const listed = await postfach(["acl", "get", "sales@example.test", "INBOX", "--json"], env);
    assert.deepEqual(JSON.parse(listed.stdout), [
      { identifier: "sales@example.test", rights: "lrswipkxteacd", isOwner: true },
      { identifier: "carol@example.test", rights: "lrsited", isOwner: false },
    ]);
    const unknownUser = await postfach(
      ["acl", "set", "sales@example.test", "INBOX", "nobody@example.test", "lr"],
      env,
    );
    assert.equal(unknownUser.code, 1);
    assert.match(unknownUser.stderr, /No such user/);
    const badRight = await postfach(
      ["acl", "set", "sales@example.test", "INBOX", "carol@example.test", "lrZ"],
      env,
    );
    assert.equal(badRight.code, 1);
    assert.match(badRight.stderr, /Unknown right/);
    assert.equal(
      (await postfach(["acl", "del", "sales@example.test", "INBOX", "carol@example.test"], env)).code,
      0,
    );
    const after = await postfach(["acl", "get", "sales@example.test", "INBOX"], env);
    assert.doesNotMatch(after.stdout, /carol/);
  });

  it("prints help for every level", async () => {
    const top = await postfach(["--help"], env);
    assert.match(top.stdout, /user add/);
    const sub = await postfach(["user", "add", "--help"], env);
    assert.match(sub.stdout, /Usage: postfach user add <address>/);
  });

  it("names the key and line of a configuration error", async () => {
    const path = join(dir, "bad.toml");
    await writeFile(path, 'data_dir = "./x"\n\n[imap]\nlisten = "not a list"\n');
    const result = await postfach(["user", "list", "--config", path], {});
    assert.equal(result.code, 2);
    assert.match(result.stderr, /bad\.toml:4/);
    assert.match(result.stderr, /imap\.listen/);
  });

  it("serves until SIGTERM, then stops gracefully, and the account added before can log in", async () => {
    const config = join(dir, "postfach.toml");
    await writeFile(
      config,
      `data_dir = "${join(dir, "data")}"\n[log]\nlevel = "warn"\n[imap]\nlisten = ["127.0.0.1:0"]\ntls_listen = []\n[pop3]\nlisten = []\ntls_listen = []\n[lmtp]\nlisten = []\n[smtp]\nlisten = []\n[submission]\nlisten = []\ntls_listen = []\n[managesieve]\nlisten = []\n[http]\nlisten = []\n`,
    );
    const child = spawn(process.execPath, [CLI, "serve", "--config", config], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let banner = "";
    child.stderr.setEncoding("utf8");
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on("data", (chunk: string) => {
        banner += chunk;
        const match = /imap\s+127\.0\.0\.1:(\d+)/.exec(banner);
        if (match) resolve(Number(match[1]));
      });
      child.on("exit", () => reject(new Error(`server exited: ${banner}`)));
    });
    assert.match(banner, /postfach user add/);
    const raw = await RawImap.connect(port);
    assert.match(await raw.command("a1", "LOGIN alice@example.test another-passphrase"), /^a1 OK/);
    const bye = raw.waitFor((text) => text.includes("* BYE"));
    child.kill("SIGTERM");
    await bye;
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.equal(code, 0);
  });
});
