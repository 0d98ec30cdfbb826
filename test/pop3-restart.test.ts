// Locks die with the server: after kill -9 in the middle of a POP3 session (lock held, DELE pending), a
// restarted server lets the account in at once, nothing was deleted, and UIDL values are unchanged.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Pop3Wire } from "./helpers/pop3-test-server.js";

const CHILD = new URL("./helpers/pop3-server-child.js", import.meta.url).pathname;
const ADDRESS = "restart@example.test";

function startChild(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, ADDRESS], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      output += chunk;
      const match = /READY (\d+)\n/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`server child exited early (${code})`)));
  });
}

test("after SIGKILL with a session holding the lock, a restarted server accepts the login at once", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "postfach-pop3-kill-"));
  try {
    const first = await startChild(dataDir);
    const { wire } = await Pop3Wire.connect(first.port);
    assert.match(await wire.logIn(ADDRESS), /^\+OK Logged in, 1 messages/);
    const uidl = (await wire.multiline("UIDL")).lines;
    assert.match(await wire.command("DELE 1"), /^\+OK/);
    const exited = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGKILL");
    await exited;
    wire.close();

    const second = await startChild(dataDir);
    try {
      const { wire: again } = await Pop3Wire.connect(second.port);
      assert.match(await again.logIn(ADDRESS), /^\+OK Logged in, 1 messages/);
      assert.deepEqual((await again.multiline("UIDL")).lines, uidl);
      assert.match(await again.command("QUIT"), /^\+OK Bye, 0 messages deleted/);
    } finally {
      second.child.kill("SIGKILL");
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
