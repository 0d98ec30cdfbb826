// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve writes its variables as ${name} inside ordinary strings
// Random well-formed scripts (fast-check) over every command and test: each compiles, and each run ends in
// an outcome — never a rejection — whose actions keep the RFC 5228 invariants (at most one keep, no action
// beside reject but discard, the implicit keep only when nothing cancelled it).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compileSieve, runSieve, sieveMessageFromBytes } from "./sieve.js";
import { messageText } from "./sieve.testkit.js";

const REQUIRE = `require ["fileinto", "reject", "ereject", "envelope", "encoded-character", "imap4flags", "copy", "body",
  "variables", "vacation", "vacation-seconds", "relational", "comparator-i;ascii-numeric", "subaddress", "date",
  "index", "mailbox", "include", "spamtest", "virustest"];\n`;

const key = fc.constantFrom('"a"', '"*"', '"?*@*"', '"${1}"', '["x", "y*"]', '""', '"3"', '"\\\\Seen"');
const header = fc.constantFrom('"subject"', '"from"', '["to", "cc"]', '"x-missing"', '"received"', '"date"');
const match = fc.constantFrom("", ":is", ":contains", ":matches", ':count "ge"', ':value "lt"');
const comparator = fc.constantFrom("", ':comparator "i;octet"', ':comparator "i;ascii-casemap"');
const numeric = ':comparator "i;ascii-numeric"';
const part = fc.constantFrom("", ":all", ":localpart", ":domain", ":user", ":detail");

const leafTest: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "true",
    "false",
    "size :over 10",
    "size :under 1K",
    'exists "subject"',
    'mailboxexists "Work"',
  ),
  fc.tuple(comparator, match, header, key).map(([c, m, h, k]) => `header ${c} ${m} ${h} ${k}`),
  fc.tuple(part, match, header, key).map(([p, m, h, k]) => `address ${p} ${m} ${h} ${k}`),
  fc.tuple(part, match, key).map(([p, m, k]) => `envelope ${p} ${m} ["from", "to"] ${k}`),
  fc.tuple(match, key).map(([m, k]) => `body ${m} ${k}`),
  fc.tuple(match, key).map(([m, k]) => `string ${m} "\${v}" ${k}`),
  fc.tuple(match, key).map(([m, k]) => `hasflag ${m} ${k}`),
  fc
    .tuple(match, fc.constantFrom('"date"', '"weekday"', '"iso8601"'))
    .map(([m, d]) => `date ${m} "date" ${d} "x*"`),
  fc
    .tuple(match, fc.constantFrom('"year"', '"julian"', '"zone"'))
    .map(([m, d]) => `currentdate ${m} ${d} "2*"`),
  fc.constant(`spamtest :value "ge" ${numeric} "5"`),
  fc.constant(`virustest :value "eq" ${numeric} "0"`),
  fc.constant('header :index 1 :last :contains "received" "from"'),
);

const test: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leafTest,
    tie("t").map((t) => `not ${t}`),
    fc.array(tie("t"), { minLength: 1, maxLength: 3 }).map((ts) => `anyof (${ts.join(", ")})`),
    fc.array(tie("t"), { minLength: 1, maxLength: 3 }).map((ts) => `allof (${ts.join(", ")})`),
  ),
})).t;

const simpleCommand = fc.constantFrom(
  "keep;",
  "discard;",
  "stop;",
  'fileinto "Work";',
  'fileinto :copy :flags "\\\\Flagged" "Archive/${v}";',
  'fileinto :create "New";',
  'redirect "a@example.org";',
  'redirect :copy "b@example.org";',
  'reject "no";',
  'ereject "no";',
  'vacation :days 3 :subject "away ${1}" "I am away";',
  'setflag "\\\\Seen";',
  'addflag "$Label";',
  'removeflag "\\\\Seen";',
  'set :upper "v" "${0}x";',
  'include :optional "none";',
  'include "lib";',
);

const command: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
  c: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    simpleCommand,
    fc
      .tuple(test, fc.array(tie("c"), { maxLength: 3 }), fc.array(tie("c"), { maxLength: 2 }))
      .map(([t, then, otherwise]) => `if ${t} { ${then.join(" ")} } else { ${otherwise.join(" ")} }`),
  ),
})).c;

const MESSAGE = sieveMessageFromBytes(
  Buffer.from(
    messageText([
      "Received: from a by b; Tue, 1 Apr 1997 09:06:31 -0800",
      "Date: Tue, 1 Apr 1997 09:06:31 -0800",
      "From: Coyote <coyote@desert.example.org>",
      "To: roadrunner+acme@acme.example.com",
      "Subject: a present *for* you",
      "X-Spam-Score: 7",
    ]),
  ),
);

describe("random scripts", () => {
  it("compile and always end in an outcome that keeps the action rules", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 6 }), async (commands) => {
        const source = `${REQUIRE}${commands.join("\n")}`;
        const compiled = compileSieve(source);
        if (!compiled.ok) assert.fail(`${JSON.stringify(compiled.errors)}\n${source}`);
        const outcome = await runSieve(compiled.script, {
          message: MESSAGE,
          envelope: { from: "coyote@desert.example.org", to: "roadrunner+acme@acme.example.com" },
          now: new Date(Date.UTC(2026, 0, 1)),
          mailboxExists: (name) => name === "Work",
          includeScript: async () => 'require "variables"; set "v" "lib";',
        });
        if (!outcome.ok) {
          assert.ok(
            outcome.error.line >= 1 && !outcome.error.message.startsWith("internal error"),
            outcome.error.message,
          );
          return;
        }
        const types = outcome.actions.map((a) => a.type);
        assert.ok(types.filter((t) => t === "keep").length <= 1, types.join());
        if (types.includes("reject") || types.includes("ereject")) {
          assert.ok(
            types.every((t) => t === "reject" || t === "ereject" || t === "discard"),
            types.join(),
          );
        }
        assert.ok(
          types.length > 0,
          "an outcome always does something (at least the implicit keep or a discard)",
        );
      }),
      { numRuns: 300 },
    );
  });
});
