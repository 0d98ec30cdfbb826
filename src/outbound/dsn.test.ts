import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHeaderBlock } from "../mime/header.js";
import { buildDsn, statusOf } from "./dsn.js";
import { retryDelayMs } from "./retry-schedule.js";
import { dotStuff } from "./smtp-client.js";

describe("DSN (RFC 3464)", () => {
  it("takes the status from the enhanced code, else from the reply's class", () => {
    assert.equal(statusOf("550 5.1.1 No such user"), "5.1.1");
    assert.equal(statusOf("554 Transaction failed"), "5.0.0");
    assert.equal(statusOf("451 4.4.1 No mail host took the message"), "4.4.1");
    assert.equal(statusOf("connection refused"), "4.0.0");
  });

  it("builds a multipart/report with one block per recipient and the original header only", () => {
    const original = Buffer.from("From: a@example.test\r\nSubject: caf\xe9\r\n\r\nsecret body\r\n", "latin1");
    const dsn = buildDsn({
      hostname: "mail.example.test",
      to: "a@example.test",
      arrivalMs: Date.UTC(2026, 0, 1),
      nowMs: Date.UTC(2026, 0, 2),
      original,
      failed: [
        {
          recipient: "x@remote.test",
          status: "5.1.1",
          diagnostic: "550 5.1.1 No\r\nsuch",
          remoteMta: "mx.remote.test",
        },
        { recipient: "y@remote.test", status: "4.4.7", diagnostic: "expired", remoteMta: null },
      ],
    });
    const header = parseHeaderBlock(dsn, 0, dsn.length);
    assert.deepEqual(
      header.fields.map((f) => f.name),
      ["from", "to", "subject", "date", "message-id", "auto-submitted", "mime-version", "content-type"],
    );
    const text = dsn.toString("latin1");
    assert.match(text, /report-type=delivery-status; boundary="([^"]+)"/);
    const boundary = /boundary="([^"]+)"/.exec(text)?.[1] ?? "";
    assert.equal(text.split(`--${boundary}`).length, 5, "three parts and the close delimiter");
    assert.match(text, /Reporting-MTA: dns; mail\.example\.test\r\nArrival-Date: Thu, 01 Jan 2026/);
    assert.match(
      text,
      /Final-Recipient: rfc822; x@remote\.test\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; mx\.remote\.test\r\nDiagnostic-Code: smtp; 550 5\.1\.1 No such\r\n/,
    );
    assert.match(
      text,
      /Final-Recipient: rfc822; y@remote\.test\r\nAction: failed\r\nStatus: 4\.4\.7\r\nDiagnostic-Code/,
    );
    assert.match(text, /Subject: delivery time expired|Undelivered Mail: delivery time expired/);
    assert.ok(
      dsn.includes(Buffer.from("Subject: caf\xe9", "latin1")),
      "the original header's bytes as they were",
    );
    assert.doesNotMatch(text, /secret body/);
  });
});

describe("outbound helpers", () => {
  it("dot-stuffs with CRLF line ends and the terminator (RFC 5321 §4.5.2)", () => {
    assert.equal(dotStuff(Buffer.from(".a\n..b\r\nc")).toString(), "..a\r\n...b\r\nc\r\n.\r\n");
    assert.equal(dotStuff(Buffer.alloc(0)).toString(), "\r\n.\r\n");
  });

  it("walks the retry schedule and repeats its last step", () => {
    const schedule = [1000, 5000, 60_000];
    assert.deepEqual(
      [1, 2, 3, 4, 9].map((n) => retryDelayMs(schedule, n)),
      [1000, 5000, 60_000, 60_000, 60_000],
    );
  });
});
