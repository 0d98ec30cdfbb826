import assert from "node:assert/strict";
import { test } from "node:test";
import { findKeyLine } from "./find-key-line.js";

const TEXT = [
  "# postfach",
  'hostname = "mx"',
  "",
  "[imap] # door one",
  'listen = ["a"]',
  "",
  "[pop3]",
  'listen = ["b"]',
  'tls_listen = ["c"]',
  "[limits.nested]",
].join("\n");

test("finds top-level keys, section keys, section headers and sub-tables", () => {
  assert.equal(findKeyLine(TEXT, "", "hostname"), 2);
  assert.equal(findKeyLine(TEXT, "imap", "listen"), 5);
  assert.equal(findKeyLine(TEXT, "pop3", "listen"), 8);
  assert.equal(findKeyLine(TEXT, "pop3", "tls_listen"), 9);
  assert.equal(findKeyLine(TEXT, "imap"), 4);
  assert.equal(findKeyLine(TEXT, "limits", "nested"), 10);
  assert.equal(findKeyLine(TEXT, "smtp", "listen"), undefined);
});

test("falls back to the inline table's line", () => {
  assert.equal(findKeyLine('x = 1\nimap = { listen = ["a"] }\n', "imap", "listen"), 2);
});
