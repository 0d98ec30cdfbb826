import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parsePop3Command, parseRetrLine } from "./pop3-command.js";

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

/** What parsePop3Command makes of a line, as parseRetrLine reports it: RETR's number or null. */
function retrNumberOf(line: string): number | null {
  const parsed = parsePop3Command(line);
  return parsed.kind === "command" && parsed.command.name === "RETR" ? parsed.command.message : null;
}

test("parseRetrLine reads RETR lines from bytes as parsePop3Command does", () => {
  for (const line of ["RETR 1", "retr 10000", "ReTr 007", "RETR 999999999"])
    assert.equal(parseRetrLine(Buffer.from(line)), retrNumberOf(line), line);
  for (const line of [
    "RETR 0",
    "RETR",
    "RETR ",
    "RETR  1",
    "RETR 1 ",
    "RETR -1",
    "RETR 1x",
    "RETR 1234567890",
  ])
    assert.equal(parseRetrLine(Buffer.from(line)), null, line);
  for (const line of ["TOP 1 0", "DELE 1", "RETX 1", "QETR 1", "RETR\t1", "2ETR 1"])
    assert.equal(parseRetrLine(Buffer.from(line)), null, line);
});

test("parseRetrLine agrees with parsePop3Command on random lines", () => {
  const keyword = fc.constantFrom("RETR", "retr", "Retr", "rEtR", "RETRR", "RET", "TOP", "DELE", "R\u00c9TR");
  const argument = fc.oneof(
    fc.stringMatching(/^[0-9]{1,11}$/),
    fc.string({ maxLength: 12 }),
    fc.constantFrom("", " 1", "1 ", "0", "00", "+1", "1e3"),
  );
  const separator = fc.constantFrom(" ", "  ", "", "\t");
  fc.assert(
    fc.property(keyword, separator, argument, (name, space, arg) => {
      const line = `${name}${space}${arg}`;
      const fast = parseRetrLine(Buffer.from(line, "utf8"));
      // Where the fast reader answers, it answers as the parser does; a RETR the parser accepts with
      // ASCII bytes is never left to the slow path.
      if (fast !== null) assert.equal(fast, retrNumberOf(line), line);
      else if (/^[\x20-\x7e]*$/.test(line)) assert.equal(retrNumberOf(line), null, line);
    }),
    { numRuns: 5000 },
  );
});
