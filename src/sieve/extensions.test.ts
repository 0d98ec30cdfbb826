// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve writes its variables as ${name} inside ordinary strings
// The smaller extensions: encoded-character (RFC 5228 §2.4.2.4), copy (RFC 3894), reject/ereject and their
// conflicts (RFC 5429), mailbox (RFC 5490), spamtest/spamtestplus/virustest (RFC 3685, RFC 5235).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actionsOf, messageText, runText, summarize } from "./sieve.testkit.js";
import { decodeEncodedCharacters } from "./strings.js";

describe("encoded-character", () => {
  it("decodes ${hex:...} and ${unicode:...} and leaves malformed ones", async () => {
    const script = `require ["encoded-character", "fileinto"];
fileinto "$\{hex:48 65 6C 6C 6F} $\{unicode:1F600} $\{hex:zz} $\{HEX: 41}";`;
    assert.deepEqual(summarize(await actionsOf(script)), ["fileinto:Hello 😀 ${hex:zz} A"]);
  });
  it("without require the text stays", async () => {
    assert.deepEqual(summarize(await actionsOf('require "fileinto"; fileinto "$' + '{hex:41}";')), [
      "fileinto:${hex:41}",
    ]);
  });
});

describe("copy (RFC 3894)", () => {
  it(":copy keeps the implicit keep", async () => {
    const script = 'require ["copy", "fileinto"];\nfileinto :copy "Archive";\nredirect :copy "a@b.example";';
    assert.deepEqual(summarize(await actionsOf(script)), [
      "implicit-keep",
      "fileinto:Archive",
      "redirect:a@b.example",
    ]);
    const actions = await actionsOf(script);
    assert.deepEqual(actions[2], { type: "redirect", address: "a@b.example", isCopy: true });
  });
  it('fileinto :copy "INBOX" counts as the keep', async () => {
    assert.deepEqual(summarize(await actionsOf('require ["copy", "fileinto"]; fileinto :copy "INBOX";')), [
      "fileinto:INBOX",
    ]);
  });
});

describe("reject and ereject (RFC 5429)", () => {
  it("reject cancels the implicit keep", async () => {
    const script =
      'require "reject";\nif header :contains "subject" "present" { reject "I never accept presents"; }';
    assert.deepEqual(summarize(await actionsOf(script)), ["reject:I never accept presents"]);
    assert.deepEqual(summarize(await actionsOf('require "ereject"; ereject "no";')), ["ereject:no"]);
  });
  const conflicts = [
    'require ["reject", "fileinto"]; fileinto "x"; reject "no";',
    'require ["reject", "fileinto"]; reject "no"; fileinto "x";',
    'require "reject"; keep; reject "no";',
    'require "reject"; reject "no"; redirect "a@b.example";',
    'require ["reject", "ereject"]; reject "no"; ereject "no";',
  ];
  for (const script of conflicts) {
    it(`conflict: ${script}`, async () => {
      const outcome = await runText(script);
      assert.equal(outcome.ok, false);
    });
  }
  it("reject with discard is fine", async () => {
    assert.deepEqual(summarize(await actionsOf('require "reject"; discard; reject "no";')), [
      "discard",
      "reject:no",
    ]);
  });
});

describe("mailbox (RFC 5490)", () => {
  it("mailboxexists asks the caller; :create is passed on", async () => {
    const existing = new Set(["Lists", "Work"]);
    const script = `require ["mailbox", "fileinto"];
if mailboxexists ["Lists", "Work"] { fileinto :create "Lists/New"; }
if mailboxexists "Missing" { fileinto "Missing"; }`;
    const actions = await actionsOf(script, { mailboxExists: (name) => existing.has(name) });
    assert.deepEqual(actions, [
      { type: "fileinto", mailbox: "Lists/New", flags: [], isCopy: false, create: true },
    ]);
    assert.deepEqual(summarize(await actionsOf(script)), ["implicit-keep"]);
  });
});

describe("spamtest and virustest (RFC 3685, RFC 5235)", () => {
  const script = `require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest :value "ge" :comparator "i;ascii-numeric" "6" { fileinto "Junk"; }
elsif spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "Untested"; }`;
  it("maps the filter's score to 1..10, 0 when untested", async () => {
    const spam = messageText(["X-Spam-Status: Yes, score=9.1 required=5.0 tests=FOO"]);
    assert.deepEqual(summarize(await actionsOf(script, { text: spam })), ["fileinto:Junk"]);
    const ham = messageText(["X-Spam-Score: 1.2"]);
    assert.deepEqual(summarize(await actionsOf(script, { text: ham })), ["implicit-keep"]);
    assert.deepEqual(summarize(await actionsOf(script)), ["fileinto:Untested"]);
  });
  it("spamtestplus :percent", async () => {
    const percent = `require ["spamtestplus", "relational", "comparator-i;ascii-numeric"];
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "50" { discard; }`;
    const text = messageText(["X-Spam-Status: No, score=5.0 required=5.0"]);
    assert.deepEqual(summarize(await actionsOf(percent, { text })), ["discard"]);
  });
  it("virustest from X-Virus-Status", async () => {
    const virus = `require ["virustest", "relational", "comparator-i;ascii-numeric"];
if virustest :value "ge" :comparator "i;ascii-numeric" "4" { discard; }`;
    assert.deepEqual(
      summarize(await actionsOf(virus, { text: messageText(["X-Virus-Status: Infected: Eicar"]) })),
      ["discard"],
    );
    assert.deepEqual(summarize(await actionsOf(virus, { text: messageText(["X-Virus-Status: Clean"]) })), [
      "implicit-keep",
    ]);
  });
});

describe("failures outside the script", () => {
  it("a throwing mailboxExists callback becomes a runtime error at the test's position", async () => {
    const outcome = await runText('require "mailbox";\nif mailboxexists "x" { discard; }', {
      mailboxExists: () => {
        throw new Error("database unavailable");
      },
    });
    assert.deepEqual(outcome, {
      ok: false,
      error: { line: 2, column: 4, message: "internal error: database unavailable" },
    });
  });
});

describe("RFC 5228 §2.4.2.4 examples", () => {
  const cases: [string, string | null][] = [
    ["$${hex:40}", "$@"],
    ["${hex: 40 }", "@"],
    ["${HEX: 40}", "@"],
    ["${hex:40", "${hex:40"],
    ["${hex:400}", "${hex:400}"],
    ["${hex:4${hex:30}}", "${hex:40}"],
    ["${unicode:40}", "@"],
    ["${ unicode:40}", "${ unicode:40}"],
    ["${UNICODE:40}", "@"],
    ["${UnICoDE:0000040}", "@"],
    ["${Unicode:40}", "@"],
    ["${Unicode:Cool}", "${Unicode:Cool}"],
    ["${unicode:200000}", null],
    ["${Unicode:DF01}", null],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected ?? "error"}`, () => {
      const result = decodeEncodedCharacters(input);
      if (expected === null) assert.ok("error" in result);
      else assert.deepEqual(result, { value: expected });
    });
  }
});
