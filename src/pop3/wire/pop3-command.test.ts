import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePop3Command } from "./pop3-command.js";

test("commands parse case-insensitively with their arguments", () => {
  assert.deepEqual(parsePop3Command("user alice@example.test"), {
    kind: "command",
    command: { name: "USER", username: "alice@example.test" },
  });
  assert.deepEqual(parsePop3Command("PASS with spaces  inside"), {
    kind: "command",
    command: { name: "PASS", password: "with spaces  inside" },
  });
  assert.deepEqual(parsePop3Command("top 3 0"), {
    kind: "command",
    command: { name: "TOP", message: 3, lines: 0 },
  });
  assert.deepEqual(parsePop3Command("LIST"), { kind: "command", command: { name: "LIST", message: null } });
  assert.deepEqual(parsePop3Command("Uidl 7"), { kind: "command", command: { name: "UIDL", message: 7 } });
  assert.deepEqual(parsePop3Command("AUTH plain dGVzdA=="), {
    kind: "command",
    command: { name: "AUTH", mechanism: "PLAIN", initialResponse: "dGVzdA==" },
  });
  assert.deepEqual(parsePop3Command("AUTH"), {
    kind: "command",
    command: { name: "AUTH", mechanism: null, initialResponse: null },
  });
  assert.deepEqual(parsePop3Command("APOP mrose C4C9334BAC560ECC979E58001B3E22FB"), {
    kind: "command",
    command: { name: "APOP", username: "mrose", digest: "c4c9334bac560ecc979e58001b3e22fb" },
  });
});

test("bad arguments are syntax errors naming the command; unknown keywords are unknown", () => {
  for (const line of [
    "RETR",
    "RETR 0",
    "RETR -1",
    "RETR 1 2",
    "DELE x",
    "TOP 1",
    "TOP 1 -1",
    "STAT 1",
    "QUIT now",
    "USER",
    "PASS",
    "LIST 1234567890",
    "APOP a b",
  ]) {
    assert.equal(parsePop3Command(line).kind, "syntaxError", line);
  }
  for (const line of ["", "HELO x", "RETRX 1", " RETR 1", "\u0000"]) {
    assert.equal(parsePop3Command(line).kind, "unknown", JSON.stringify(line));
  }
});
