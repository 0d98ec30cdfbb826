// Integrity (issue 13): a message whose stored content was damaged on disk fails with a clear error for
// that message only (IMAP NO [CORRUPTION], POP3 -ERR [SYS/PERM]) while the others are served, and
// `postfach doctor` names it and exits 1.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { connectPlainClient } from "../src/net/line-client.testkit.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const CLI = new URL("../src/cli/postfach.js", import.meta.url).pathname;
const USER = "intact@example.test";

function message(n: number, bytes: number): Buffer {
  const line = `integrity ${n} `.padEnd(76, "q");
  return Buffer.from(`Subject: integrity ${n}\r\n\r\n${`${line}\r\n`.repeat(Math.ceil(bytes / 78))}`);
}

async function append(imap: RawImap, tag: string, raw: Buffer): Promise<void> {
  assert.match(await imap.append(tag, "INBOX", raw), new RegExp(`^${tag} OK`, "m"));
}

describe("a damaged message", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
  });
  after(() => server.stop());

  it("fails alone, with a clear error on IMAP and POP3, and doctor reports it", async () => {
    const intact = message(1, 2_000);
    const damaged = message(2, 100_000);
    const imap = await RawImap.loggedIn(server.port("imap"), USER, TEST_PASSWORD);
    await append(imap, "a1", intact);
    await append(imap, "a2", damaged);

    // Flip one byte in the middle of the second message's blob file (content-addressed by its SHA-256).
    const hash = createHash("sha256").update(damaged).digest("hex");
    const path = join(server.dataDir, "blobs", hash.slice(0, 2), hash.slice(2, 4), hash);
    const bytes = await readFile(path);
    bytes[50_000] = (bytes[50_000] ?? 0) ^ 0x01;
    await writeFile(path, bytes);

    assert.match(await imap.command("s", "SELECT INBOX"), /^s OK/m);
    const bad = await imap.command("f2", "FETCH 2 BODY.PEEK[]");
    assert.match(bad, /^f2 NO \[CORRUPTION\] /m, "the damaged message is refused clearly");
    assert.doesNotMatch(bad, /integrity 2 q/, "none of its damaged bytes are sent");
    const good = await imap.command("f1", "FETCH 1 BODY.PEEK[]");
    assert.match(good, /^f1 OK/m);
    assert.ok(good.includes(intact.toString("latin1")), "the intact message is served");
    assert.match(await imap.command("n", "NOOP"), /^n OK/m, "the session goes on");
    imap.close();

    const pop = await connectPlainClient(server.port("pop3"));
    await pop.line();
    pop.write(`USER ${USER}\r\nPASS ${TEST_PASSWORD}\r\nRETR 2\r\n`);
    for (let i = 0; i < 2; i++) assert.match(await pop.line(), /^\+OK/);
    assert.match(await pop.line(), /^-ERR \[SYS\/PERM\] /, "RETR of the damaged message is -ERR");
    pop.write("RETR 1\r\n");
    assert.match(await pop.line(), /^\+OK/);
    const retrieved = await pop.untilDot();
    assert.equal(retrieved, intact.toString("latin1"));
    pop.write("QUIT\r\n");
    pop.socket.destroy();

    // `postfach doctor` on the same data folder (a second process opening the store beside the server).
    const configPath = join(server.dataDir, "doctor.toml");
    await writeFile(configPath, `data_dir = "${server.dataDir}"\n[log]\nlevel = "silent"\n`);
    const doctor = await promisify(execFile)(process.execPath, [
      CLI,
      "doctor",
      "--config",
      configPath,
      "--json",
    ]).then(
      () => assert.fail("doctor exits 1 on damage"),
      (error: { code: number; stdout: string }) => error,
    );
    assert.equal(doctor.code, 1);
    const report = JSON.parse(doctor.stdout) as {
      damaged: { uid: number; problem: string }[];
      messages: number;
    };
    assert.equal(report.messages, 2);
    assert.deepEqual(
      report.damaged.map((d) => [d.uid, d.problem]),
      [[2, "corrupted"]],
    );
  });
});
