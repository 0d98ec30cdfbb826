// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve writes its variables as ${name} inside ordinary strings
// RFC 6609 include: personal and global scripts, :once, :optional, return, global variables (the example
// of §3.4), loops and depth limits, and included scripts with errors.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IncludeLocation } from "./context.js";
import { actionsOf, messageText, runText, summarize } from "./sieve.testkit.js";

function library(scripts: Record<string, string>) {
  const calls: string[] = [];
  return {
    calls,
    includeScript: async (name: string, location: IncludeLocation) => {
      calls.push(`${location}:${name}`);
      return scripts[`${location}:${name}`] ?? null;
    },
  };
}

describe("RFC 6609", () => {
  it("§3.4 example: a subroutine with global variables", async () => {
    const main = `require ["variables", "include", "relational", "fileinto"];
global "test";
global "test_mailbox";

set "test" "$$";
include "subject_tests";

set "test" "Make money";
include "subject_tests";

if string :count "eq" "\${test_mailbox}" "1"
{
    fileinto "\${test_mailbox}";
    stop;
}`;
    const lib = library({
      "personal:subject_tests": `require ["variables", "include"];
global ["test", "test_mailbox"];
if header :contains "Subject" "\${test}"
{
    set "test_mailbox" "spam-\${test}";
}`,
    });
    const text = messageText(["Subject: Make money fast"]);
    assert.deepEqual(summarize(await actionsOf(main, { text, includeScript: lib.includeScript })), [
      "fileinto:spam-Make money",
    ]);
    const clean = messageText(["Subject: hello"]);
    assert.deepEqual(summarize(await actionsOf(main, { text: clean, includeScript: lib.includeScript })), [
      "implicit-keep",
    ]);
  });

  it("personal and global locations, :once, and return", async () => {
    const lib = library({
      "global:spam_tests":
        'require ["include", "fileinto"]; if header :contains "subject" "spam" { fileinto "Junk"; return; } fileinto "checked";',
      "personal:spam_tests": 'require "fileinto"; fileinto "personal-checked";',
    });
    const main = `require "include";
include :global "spam_tests";
include :global :once "spam_tests";
include :personal "spam_tests";
include :once :global "spam_tests";`;
    const actions = await actionsOf(main, {
      includeScript: lib.includeScript,
      text: messageText(["Subject: spam!"]),
    });
    assert.deepEqual(summarize(actions), ["fileinto:Junk", "fileinto:personal-checked"]);
    assert.deepEqual(lib.calls, ["global:spam_tests", "personal:spam_tests"]);
  });

  it("stop in an included script ends everything", async () => {
    const lib = library({ "personal:stopper": "stop;" });
    const actions = await actionsOf('require "include"; include "stopper"; discard;', {
      includeScript: lib.includeScript,
    });
    assert.deepEqual(summarize(actions), ["implicit-keep"]);
  });

  it("local variables stay local", async () => {
    const lib = library({ "personal:setter": 'require "variables"; set "x" "inner";' });
    const actions = await actionsOf(
      'require ["include", "variables", "fileinto"]; set "x" "outer"; include "setter"; fileinto "${x}";',
      {
        includeScript: lib.includeScript,
      },
    );
    assert.deepEqual(summarize(actions), ["fileinto:outer"]);
  });

  it(":optional skips a missing script; a missing script is otherwise an error", async () => {
    const lib = library({});
    assert.deepEqual(summarize(await actionsOf('require "include"; include :optional "nope";', lib)), [
      "implicit-keep",
    ]);
    const outcome = await runText('require "include";\ninclude "nope";', lib);
    assert.equal(outcome.ok, false);
    if (!outcome.ok)
      assert.deepEqual([outcome.error.line, /does not exist/.test(outcome.error.message)], [2, true]);
  });

  it("a loop and an included script with errors are runtime errors", async () => {
    const loop = library({
      "personal:a": 'require "include"; include "b";',
      "personal:b": 'require "include"; include "a";',
    });
    const looped = await runText('require "include"; include "a";', loop);
    assert.equal(looped.ok, false);
    if (!looped.ok) assert.match(looped.error.message, /include loop/);
    const broken = library({ "personal:bad": "frobnicate;" });
    const outcome = await runText('require "include"; include "bad";', broken);
    assert.equal(outcome.ok, false);
    if (!outcome.ok) assert.match(outcome.error.message, /has errors: line 1: unknown command/);
  });

  it("depth is limited", async () => {
    const deep = library(
      Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [`personal:s${i}`, `require "include"; include "s${i + 1}";`]),
      ),
    );
    const outcome = await runText('require "include"; include "s0";', {
      ...deep,
      limits: { maxIncludeDepth: 5 },
    });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) assert.match(outcome.error.message, /nested deeper than 5/);
  });

  it("global needs variables; return needs include", async () => {
    const { compileSieve } = await import("./sieve.js");
    assert.equal(compileSieve('require "include"; global "x";').ok, false);
    assert.equal(compileSieve("return;").ok, false);
  });
});

describe("RFC 6609 §3.5 global namespace", () => {
  it('set "global.x" and ${global.x} reach the included script', async () => {
    const lib = library({
      "personal:reader": 'require ["variables", "include", "fileinto"]; fileinto "${global.folder}";',
    });
    const main = 'require ["variables", "include"]; set "global.folder" "Shared"; include "reader";';
    assert.deepEqual(summarize(await actionsOf(main, lib)), ["fileinto:Shared"]);
  });
});
