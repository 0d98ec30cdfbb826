import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDate, formatTraceHeaders } from "./trace-headers.js";

const BASE = {
  returnPath: "bob@sender.example",
  deliveredTo: "alice@example.test",
  heloName: "client.example",
  remoteAddress: "192.0.2.1",
  hostname: "mx.example.test",
  protocol: "ESMTPS",
  id: "abc123",
  receivedAtMs: Date.UTC(2026, 10, 26, 10, 0, 0),
};

describe("trace headers", () => {
  it("formats Return-Path, Delivered-To and a folded Received line", () => {
    assert.equal(
      formatTraceHeaders(BASE),
      "Return-Path: <bob@sender.example>\r\n" +
        "Delivered-To: alice@example.test\r\n" +
        "Received: from client.example ([192.0.2.1])\r\n" +
        "\tby mx.example.test (Postfach) with ESMTPS id abc123\r\n" +
        "\tfor <alice@example.test>;\r\n" +
        "\tThu, 26 Nov 2026 10:00:00 +0000\r\n",
    );
  });

  it("writes the null sender as <> and leaves out Delivered-To and for when there are several recipients", () => {
    const text = formatTraceHeaders({ ...BASE, returnPath: "", deliveredTo: null });
    assert.match(text, /^Return-Path: <>\r\n/);
    assert.doesNotMatch(text, /Delivered-To|for </);
  });

  it("header injection: a HELO name or sender with line breaks cannot add header lines", () => {
    const text = formatTraceHeaders({
      ...BASE,
      heloName: "evil\r\nBcc: victim@example.test",
      returnPath: "a\r\nX-Injected: 1",
    });
    assert.equal(text.split("\r\n").filter((l) => /^(Bcc|X-Injected):/.test(l)).length, 0);
  });

  it("formats dates in RFC 5322 form", () => {
    assert.equal(formatDate(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  });
});
