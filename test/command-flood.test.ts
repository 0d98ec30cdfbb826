// command-flood: a client pipelining commands faster than [limits] max_commands_per_second is slowed
// down, not dropped: every command is answered, in order, no sooner than the budget allows.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const RATE = 20;
const COMMANDS = 60;

describe("command-flood", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer((config) => ({
      ...config,
      limits: { ...config.limits, maxCommandsPerSecond: RATE },
    }));
    await t.addUser("flood@example.test");
  });
  after(async () => {
    await t.stop();
  });

  it("paces an IMAP client that pipelines past its budget and answers every command", async () => {
    const raw = await RawImap.connect(t.port("imap"));
    raw.take();
    const started = performance.now();
    raw.write(Array.from({ length: COMMANDS }, (_, i) => `n${i} NOOP\r\n`).join(""));
    await raw.waitFor((text) => text.includes(`n${COMMANDS - 1} OK`), 20_000);
    const elapsedMs = performance.now() - started;
    const tags = [...raw.take().matchAll(/^(n\d+) OK/gm)].map((m) => m[1]);
    assert.deepEqual(
      tags,
      Array.from({ length: COMMANDS }, (_, i) => `n${i}`),
      "all answered, in order",
    );
    // The first RATE commands are a burst; the other 40 wait 1/RATE s each (a lower bound, by design).
    assert.ok(elapsedMs >= ((COMMANDS - RATE) / RATE) * 1000 * 0.75, `paced: ${elapsedMs.toFixed(0)} ms`);
    assert.match(await raw.command("z1", `LOGIN flood@example.test ${TEST_PASSWORD}`), /^z1 OK/);
    raw.close();
  });
});
