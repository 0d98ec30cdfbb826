import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import type { Logger } from "../kit/logger.js";
import { createLogger } from "./logging.js";

async function collect(format: "json" | "pretty", level: "info" | "silent"): Promise<string> {
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const logger: Logger = createLogger({ level, format }, out);
  const child = logger.child({ conn: "c1", proto: "imap" });
  child.info({ remoteAddress: "127.0.0.1" }, "connected");
  child.debug({}, "not at info level");
  await new Promise((resolve) => setTimeout(resolve, 50));
  return text;
}

test("JSON lines carry the child bindings and respect the level", async () => {
  const text = await collect("json", "info");
  const lines = text.trim().split("\n");
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
  assert.equal(record.msg, "connected");
  assert.equal(record.conn, "c1");
  assert.equal(record.proto, "imap");
  assert.equal(record.remoteAddress, "127.0.0.1");
  assert.equal(record.level, 30);
});

test("pretty output is human text, and silent prints nothing", async () => {
  const pretty = await collect("pretty", "info");
  assert.match(pretty, /INFO.*connected/);
  assert.throws(() => JSON.parse(pretty));
  assert.equal(await collect("json", "silent"), "");
});
