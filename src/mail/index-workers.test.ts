import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMailError } from "../kit/mail-error.js";
import { indexMessage } from "../mime/index/index-message.js";
import { IndexWorkers, indexForStore } from "./index-workers.js";

const MESSAGES = [
  "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\nFrom: A <a@example.test>\r\n\r\nHello\r\n",
  'Content-Type: multipart/alternative; boundary="b"\r\nSubject: alt\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b--\r\n',
  "no header at all",
  "",
].map((text) => Buffer.from(text, "utf8"));

describe("IndexWorkers", () => {
  it("gives the same index as indexing on the calling thread, for many messages at once", async () => {
    const workers = new IndexWorkers(2);
    try {
      // More tasks than the queues hold: the rest are indexed on this thread, with the same result.
      const raws = Array.from({ length: 200 }, (_, i) => MESSAGES[i % MESSAGES.length] as Buffer);
      const indexes = await Promise.all(raws.map((raw) => workers.index(raw)));
      for (const [i, indexed] of indexes.entries()) {
        assert.deepEqual(indexed, indexForStore(raws[i] as Buffer));
        assert.deepEqual(indexed.index, indexMessage(raws[i] as Buffer));
        assert.equal(indexed.indexJson, JSON.stringify(indexMessage(raws[i] as Buffer)));
      }
    } finally {
      await workers.close();
    }
  });

  it("indexes a Buffer that views part of a larger buffer as exactly its own bytes", async () => {
    const workers = new IndexWorkers(1);
    try {
      const whole = Buffer.from("XXXXSubject: inner\r\n\r\nbody\r\nYYYY");
      const view = whole.subarray(4, whole.length - 4);
      assert.deepEqual((await workers.index(view)).index, indexMessage(view));
    } finally {
      await workers.close();
    }
  });

  it("fails the tasks of a worker that is gone with a temporary error, then starts a new one", async () => {
    const workers = new IndexWorkers(1);
    try {
      const pending = [workers.index(MESSAGES[0] as Buffer), workers.index(MESSAGES[1] as Buffer)];
      await workers.close();
      for (const result of await Promise.allSettled(pending)) {
        assert.equal(result.status, "rejected");
        if (result.status === "rejected") {
          assert.ok(isMailError(result.reason));
          assert.equal(result.reason.code, "unavailable");
        }
      }
      assert.deepEqual(
        (await workers.index(MESSAGES[0] as Buffer)).index,
        indexMessage(MESSAGES[0] as Buffer),
      );
    } finally {
      await workers.close();
    }
  });
});
