import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatServerReply, parseExtensions, ReplyCollector } from "./server-reply.js";

describe("ReplyCollector", () => {
  it("joins a multi-line reply and keeps its enhanced code once", () => {
    const collector = new ReplyCollector();
    assert.equal(collector.push("550-5.1.1 The email account that you tried"), null);
    const reply = collector.push("550 5.1.1 to reach does not exist.");
    assert.ok(reply);
    assert.equal(reply.code, 550);
    assert.equal(reply.enhanced, "5.1.1");
    assert.equal(
      formatServerReply(reply),
      "550 5.1.1 The email account that you tried to reach does not exist.",
    );
  });

  it("reads replies without text or enhanced code, and EHLO extensions", () => {
    const collector = new ReplyCollector();
    assert.deepEqual(collector.push("354"), { code: 354, enhanced: null, text: "", lines: [""] });
    for (const line of ["250-mx.example Hello", "250-SIZE 1000", "250-8bitmime"]) collector.push(line);
    const ehlo = collector.push("250 STARTTLS");
    assert.ok(ehlo);
    assert.deepEqual(
      [...parseExtensions(ehlo)],
      [
        ["SIZE", "1000"],
        ["8BITMIME", ""],
        ["STARTTLS", ""],
      ],
    );
  });

  it("throws on a line that is not a reply (a server not speaking SMTP)", () => {
    assert.throws(() => new ReplyCollector().push("HTTP/1.1 400 Bad Request"), /Malformed reply/);
    assert.throws(() => new ReplyCollector().push("600 nope"), /Malformed reply/);
  });
});
