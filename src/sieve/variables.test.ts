// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve writes its variables as ${name} inside ordinary strings
// RFC 5229 variables: the examples of §3 (references, match variables), §4 (set and its modifiers) and
// §5 (string test), plus the limits on variables.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actionsOf, messageText, runText, summarize } from "./sieve.testkit.js";

/** Runs `body` after `require`, then files into the value of ${out} so the test can read it. */
async function filedValue(body: string, text?: string): Promise<string> {
  const script = `require ["variables", "fileinto", "relational"];\n${body}\nfileinto "\${out}";`;
  const actions = await actionsOf(script, text === undefined ? {} : { text });
  const fileinto = actions.find((a) => a.type === "fileinto");
  assert.ok(fileinto?.type === "fileinto");
  return fileinto.mailbox;
}

describe("RFC 5229 §3 variable references", () => {
  it("names are case-insensitive; multi-line strings expand too", async () => {
    const body = `set "honorific" "Mr";
set "first_name" "Wile";
set "last_name" "Coyote";
set "vacation" text:
Dear \${HONORIFIC} \${last_name},
I'm out, please leave a message after the meep.
.
;
reject "\${vacation}";`;
    const actions = await actionsOf(`require ["variables", "reject"];\n${body}`);
    assert.deepEqual(summarize(actions), [
      "reject:Dear Mr Coyote,\r\nI'm out, please leave a message after the meep.\r\n",
    ]);
  });

  it("unknown variables are empty; bad references stay as written; no second expansion", async () => {
    assert.equal(await filedValue('set "out" "a${unknown}b";'), "ab");
    assert.equal(await filedValue('set "out" "${ bad}${1x}";'), "${ bad}${1x}");
    assert.equal(await filedValue('set "x" "${y}"; set "out" "[${x}]";'), "[]");
    assert.equal(await filedValue('set "y" "${"; set "x" "${y}z}"; set "out" "${x}";'), "${z}");
  });

  it("without require variables, ${...} is literal text", async () => {
    const actions = await actionsOf('require "fileinto"; fileinto "${x}";');
    assert.deepEqual(summarize(actions), ["fileinto:${x}"]);
  });

  it("§3.2 match variables from :matches", async () => {
    const script = `require ["fileinto", "variables"];
if header :matches "List-ID" "*<*@*" {
    fileinto "INBOX.lists.\${2}"; stop;
}
if header :matches "Subject" "[*] *" {
    fileinto "INBOX.lists.\${1}"; stop;
}
if address :matches ["To", "Cc"] ["coyote@**.com", "wile@**.com"] {
    fileinto "INBOX.business.\${2}"; stop;
}
fileinto "none:\${0}";`;
    const list = messageText(["List-ID: Acme users <acme-users.acme.example.com>", "Subject: x"]);
    // "*<*@*" needs an "@": this List-ID has none, so the subject rule decides.
    assert.deepEqual(summarize(await actionsOf(script, { text: list })), ["fileinto:none:"]);
    const listAt = messageText(["List-ID: Acme <acme-users@acme.example.com>"]);
    assert.deepEqual(summarize(await actionsOf(script, { text: listAt })), [
      "fileinto:INBOX.lists.acme-users",
    ]);
    const subject = messageText(["Subject: [acme-users] [fwd] version 1.0 is out"]);
    assert.deepEqual(summarize(await actionsOf(script, { text: subject })), [
      "fileinto:INBOX.lists.acme-users",
    ]);
    const to = messageText(["To: coyote@ACME.Example.COM"]);
    assert.deepEqual(summarize(await actionsOf(script, { text: to })), [
      "fileinto:INBOX.business.ACME.Example",
    ]);
  });

  it("${0} is the whole value, ${1} may be empty, and a failed test leaves the variables alone", async () => {
    const text = messageText([
      "Subject: [acme-users] [fwd] version 1.0 is out",
      "To: coyote@ACME.Example.COM",
    ]);
    assert.equal(
      await filedValue('if header :matches "Subject" "[*] *" { set "out" "${0}|${1}|${2}|${3}"; }', text),
      "[acme-users] [fwd] version 1.0 is out|acme-users|[fwd] version 1.0 is out|",
    );
    assert.equal(
      await filedValue(
        'if address :matches "To" "coyote@**.com" {} if header :matches "Subject" "nomatch*" {} set "out" "${1}-${2}";',
        text,
      ),
      "-ACME.Example",
    );
    assert.equal(
      await filedValue('if header :matches "Subject" "*[*]*" { set "out" "${1}-${2}"; }', text),
      "-acme-users",
    );
  });
});

describe("RFC 5229 §4 set modifiers", () => {
  const cases: [string, string][] = [
    ['set "out" "${a}";', "juMBlEd lETteRS"],
    ['set :length "out" "${a}";', "15"],
    ['set :lower "out" "${a}";', "jumbled letters"],
    ['set :upperfirst "out" "${a}";', "JuMBlEd lETteRS"],
    ['set :upperfirst :lower "out" "${a}";', "Jumbled letters"],
    ['set :quotewildcard "out" "Rock*";', "Rock\\*"],
    ['set :upper :lowerfirst "out" "${a}";', "jUMBLED LETTERS"],
    ['set :length "out" "Grüße";', "5"],
  ];
  for (const [body, expected] of cases) {
    it(body, async () => {
      assert.equal(await filedValue(`set "a" "juMBlEd lETteRS";\n${body}`), expected);
    });
  }

  it("two modifiers of one precedence are an error", async () => {
    await assert.rejects(filedValue('set :lower :upper "out" "x";'), /cannot be used together/);
  });
});

describe("RFC 5229 §5 string test", () => {
  it("matches expanded strings; :count counts non-empty ones", async () => {
    assert.equal(
      await filedValue(
        'set "state" "${state} pending"; if string :matches " ${state} " "* pending *" { set "out" "yes"; }',
      ),
      "yes",
    );
    assert.equal(
      await filedValue('set "a" "x"; if string :count "eq" ["${a}", "${b}", ""] "1" { set "out" "one"; }'),
      "one",
    );
  });
});

describe("variable limits", () => {
  it("values are capped in length", async () => {
    const body = `set "a" "${"x".repeat(100)}";${' set "a" "${a}${a}";'.repeat(10)} set :length "out" "\${a}";`;
    assert.equal(await filedValue(body), "8192");
  });
  it("too many variables is a runtime error", async () => {
    const sets = Array.from({ length: 20 }, (_, i) => `set "v${i}" "x";`).join("\n");
    const outcome = await runText(`require "variables";\n${sets}`, { limits: { maxVariables: 10 } });
    assert.equal(outcome.ok, false);
  });
});

describe("expansion is bounded while it runs", () => {
  it("a script repeating a long variable many times stays within the cap", async () => {
    const refs = "${a}".repeat(100_000);
    const body = `set "a" "${"x".repeat(8000)}"; set :length "out" "${refs}";`;
    assert.equal(await filedValue(body), "8192");
  });
  it("truncation never splits a surrogate pair", async () => {
    const { truncate } = await import("./strings.js");
    assert.equal(truncate("ab😀", 3), "ab");
    assert.equal(truncate("ab😀", 4), "ab😀");
  });
});
