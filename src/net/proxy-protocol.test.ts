import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseProxyHeader } from "./proxy-protocol.js";

const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

function v2(command: number, family: number, body: number[]): Buffer {
  return Buffer.from([...SIGNATURE, 0x20 | command, family, body.length >> 8, body.length & 0xff, ...body]);
}

/** Parses `header + rest` fed at every split point: shorter prefixes are incomplete, never wrong. */
function parseAtEverySplit(header: Buffer) {
  const whole = Buffer.concat([header, Buffer.from("a1 CAPABILITY\r\n")]);
  for (let cut = 0; cut < header.length; cut++) {
    assert.equal(parseProxyHeader(whole.subarray(0, cut)).kind, "incomplete", `cut at ${cut}`);
  }
  return parseProxyHeader(whole);
}

describe("PROXY protocol v1", () => {
  test("TCP4 and TCP6 name the source at every split point", () => {
    const four = Buffer.from("PROXY TCP4 198.51.100.7 192.0.2.1 56324 993\r\n");
    assert.deepEqual(parseAtEverySplit(four), {
      kind: "header",
      headerBytes: four.length,
      source: { address: "198.51.100.7", port: 56324 },
    });
    const six = Buffer.from("PROXY TCP6 2001:db8::7 2001:db8::1 4000 143\r\n");
    assert.deepEqual(parseAtEverySplit(six), {
      kind: "header",
      headerBytes: six.length,
      source: { address: "2001:db8::7", port: 4000 },
    });
  });

  test("UNKNOWN keeps the connection's own address", () => {
    const header = Buffer.from("PROXY UNKNOWN\r\n");
    assert.deepEqual(parseProxyHeader(header), { kind: "header", headerBytes: header.length, source: null });
  });

  const malformed: Array<[string, string]> = [
    ["not a header", "a1 LOGIN alice secret\r\n"],
    ["lower case", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n"],
    ["wrong family", "PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n"],
    ["UDP", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"],
    ["port too big", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"],
    ["leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"],
    ["double space", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n"],
    ["missing port", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"],
    ["bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"],
    ["too long", `PROXY TCP4 ${"1".repeat(120)}`],
  ];
  for (const [name, text] of malformed) {
    test(`rejects ${name}`, () => {
      assert.equal(parseProxyHeader(Buffer.from(text)).kind, "invalid");
    });
  }
});

describe("PROXY protocol v2", () => {
  test("PROXY over TCP4 and TCP6 with a TLV, at every split point", () => {
    const tlv = [0x04, 0x00, 0x03, 0x61, 0x62, 0x63];
    const four = v2(1, 0x11, [203, 0, 113, 9, 192, 0, 2, 1, 0xdb, 0xe4, 0x03, 0xe1, ...tlv]);
    assert.deepEqual(parseAtEverySplit(four), {
      kind: "header",
      headerBytes: four.length,
      source: { address: "203.0.113.9", port: 0xdbe4 },
    });
    const source = [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 0x09];
    const six = v2(1, 0x21, [...source, ...Array<number>(16).fill(0), 0x12, 0x34, 0x00, 0x8f]);
    assert.deepEqual(parseAtEverySplit(six), {
      kind: "header",
      headerBytes: six.length,
      source: { address: "2001:db8::9", port: 0x1234 },
    });
  });

  test("LOCAL (a balancer health check) keeps the connection's own address", () => {
    const header = v2(0, 0x00, []);
    assert.deepEqual(parseProxyHeader(header), { kind: "header", headerBytes: 16, source: null });
  });

  const malformed: Array<[string, Buffer]> = [
    [
      "version 1 in the binary form",
      Buffer.from([...SIGNATURE, 0x11, 0x11, 0, 12, ...Array<number>(12).fill(1)]),
    ],
    ["command 2", v2(2, 0x11, Array<number>(12).fill(1))],
    ["UDP", v2(1, 0x12, Array<number>(12).fill(1))],
    ["unix socket", v2(1, 0x31, Array<number>(216).fill(1))],
    ["addresses cut short", v2(1, 0x11, Array<number>(8).fill(1))],
    ["a huge length", Buffer.from([...SIGNATURE, 0x21, 0x11, 0xff, 0xff])],
    ["a broken signature", Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x55])],
  ];
  for (const [name, bytes] of malformed) {
    test(`rejects ${name}`, () => {
      assert.equal(parseProxyHeader(bytes).kind, "invalid");
    });
  }
});
