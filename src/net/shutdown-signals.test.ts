import assert from "node:assert/strict";
import { test } from "node:test";
import { onShutdownSignals } from "./shutdown-signals.js";

test("the first signal runs the handler once, the second forces exit", async () => {
  const calls: string[] = [];
  const exits: number[] = [];
  const dispose = onShutdownSignals(
    async (signal) => {
      calls.push(signal);
      await new Promise(() => {});
    },
    { forceExit: (code) => exits.push(code) },
  );
  try {
    process.emit("SIGTERM", "SIGTERM");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ["SIGTERM"]);
    assert.deepEqual(exits, []);
    process.emit("SIGINT", "SIGINT");
    assert.deepEqual(calls, ["SIGTERM"]);
    assert.deepEqual(exits, [130]);
  } finally {
    dispose();
  }
  assert.equal(process.listenerCount("SIGTERM"), 0);
});
