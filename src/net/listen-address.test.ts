import assert from "node:assert/strict";
import { test } from "node:test";
import { formatListenAddress, parseListenAddress } from "./listen-address.js";

test("parses host:port and [v6]:port, including port 0 for tests", () => {
  assert.deepEqual(parseListenAddress("127.0.0.1:143"), { host: "127.0.0.1", port: 143 });
  assert.deepEqual(parseListenAddress("[::1]:993"), { host: "::1", port: 993 });
  assert.deepEqual(parseListenAddress("localhost:0"), { host: "localhost", port: 0 });
  assert.equal(formatListenAddress({ host: "::", port: 25 }), "[::]:25");
  assert.equal(formatListenAddress({ host: "0.0.0.0", port: 25 }), "0.0.0.0:25");
});

test("rejects what is not an address", () => {
  for (const text of ["", "143", "::1:143", "[zz]:1", "host:70000", "host:", "a b:1"]) {
    assert.throws(() => parseListenAddress(text), /invalid listen address/, text);
  }
});
