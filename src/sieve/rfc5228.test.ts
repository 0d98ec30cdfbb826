// RFC 5228 behaviour: the examples of §2–§5 and §9, implicit keep (§2.10.2), stop (§3.3), comparators and
// match types (§2.7), address parts (§2.7.4), envelope (§5.4), and runtime errors that keep the message.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actionsOf, messageText, runText, summarize } from "./sieve.testkit.js";

const EXAMPLE_9 = `#
# Example Sieve Filter
# Declare any optional features or extension used by the script
#
require ["fileinto"];

#
# Handle messages from known mailing lists
# Move messages from IETF filter discussion list to filter mailbox
#
if header :is "Sender" "owner-ietf-mta-filters@imc.org"
        {
        fileinto "filter";  # move to "filter" mailbox
        }
#
# Keep all messages to or from people in my company
#
elsif address :DOMAIN :is ["From", "To"] "example.com"
        {
        keep;               # keep in "In" mailbox
        }

#
# Try and catch unsolicited email.  If a message is not to me,
# or it contains a subject known to be spam, file it away.
#
elsif anyof (NOT address :all :contains
               ["To", "Cc", "Bcc"] "me@example.com",
             header :matches "subject"
               ["*make*money*fast*", "*university*dipl*mas*"])
        {
        fileinto "spam";   # move to "spam" mailbox
        }
else
        {
        # Move all other (non-company) mail to "personal"
        # mailbox.
        fileinto "personal";
        }
`;

function mail(headers: string[]): { text: string } {
  return { text: messageText(headers) };
}

describe("RFC 5228 §9 example script", () => {
  it("files list mail into filter", async () => {
    const actions = await actionsOf(
      EXAMPLE_9,
      mail(["Sender: owner-ietf-mta-filters@imc.org", "To: me@example.com"]),
    );
    assert.deepEqual(summarize(actions), ["fileinto:filter"]);
  });
  it("keeps mail from the company domain", async () => {
    const actions = await actionsOf(EXAMPLE_9, mail(["From: boss@example.com", "To: me@example.com"]));
    assert.deepEqual(actions, [{ type: "keep", flags: [], isImplicit: false }]);
  });
  it("files mail not addressed to me as spam", async () => {
    const actions = await actionsOf(EXAMPLE_9, mail(["From: x@spam.test", "To: someone@else.test"]));
    assert.deepEqual(summarize(actions), ["fileinto:spam"]);
  });
  it("files a make-money-fast subject as spam", async () => {
    const actions = await actionsOf(
      EXAMPLE_9,
      // Cc, since a To in example.com would be kept by the second branch
      mail([
        "From: x@spam.test",
        "To: list@lists.test",
        "Cc: Me <me@example.com>",
        "Subject: how to MAKE lots of Money really FAST",
      ]),
    );
    assert.deepEqual(summarize(actions), ["fileinto:spam"]);
  });
  it("files everything else as personal", async () => {
    const actions = await actionsOf(
      EXAMPLE_9,
      mail(["From: friend@else.test", "To: list@lists.test", "Cc: me@example.com", "Subject: hi"]),
    );
    assert.deepEqual(summarize(actions), ["fileinto:personal"]);
  });
});

describe("RFC 5228 §2–§5 examples and rules", () => {
  it("an empty script keeps the message implicitly (§2.10.2)", async () => {
    assert.deepEqual(summarize(await actionsOf("")), ["implicit-keep"]);
  });

  it("§3.1 if/elsif/else", async () => {
    const script = `require "fileinto";
      if header :contains "from" "coyote" { discard; }
      elsif header :contains ["subject"] ["$$$"] { discard; }
      else { fileinto "INBOX"; }`;
    assert.deepEqual(summarize(await actionsOf(script)), ["discard"]);
    assert.deepEqual(summarize(await actionsOf(script, mail(["From: a@b.test", "Subject: $$$ now"]))), [
      "discard",
    ]);
    assert.deepEqual(summarize(await actionsOf(script, mail(["From: a@b.test", "Subject: hi"]))), [
      "fileinto:INBOX",
    ]);
  });

  it("§3.3 stop ends the script; the implicit keep still applies", async () => {
    const script = 'if header :contains "subject" "present" { stop; }\ndiscard;';
    assert.deepEqual(summarize(await actionsOf(script)), ["implicit-keep"]);
  });

  it("§4.1 fileinto cancels the implicit keep; one delivery per mailbox", async () => {
    const script =
      'require "fileinto";\nif header :contains ["from"] "coyote" { fileinto "INBOX.harassment"; fileinto "INBOX.harassment"; }';
    assert.deepEqual(summarize(await actionsOf(script)), ["fileinto:INBOX.harassment"]);
  });

  it("§4.2 redirect cancels the implicit keep; the same address only once", async () => {
    const script = 'redirect "bart@example.com";\nredirect "Bart@example.com";';
    assert.deepEqual(summarize(await actionsOf(script)), ["redirect:bart@example.com"]);
  });

  it("§4.3 keep then discard: discard does not undo the keep", async () => {
    const actions = await actionsOf("keep; discard;");
    assert.deepEqual(summarize(actions), ["keep"]);
  });

  it("§4.4 discard alone drops the message", async () => {
    assert.deepEqual(
      summarize(
        await actionsOf(
          'if header :contains ["from"] ["idiot@example.com"] { discard; }',
          mail(["From: idiot@example.com"]),
        ),
      ),
      ["discard"],
    );
  });

  it("§2.7.2 :comparator i;octet is case-sensitive, the default i;ascii-casemap is not", async () => {
    const text = mail(["Subject: make money fast"]);
    assert.deepEqual(
      summarize(
        await actionsOf(
          'if header :contains :comparator "i;octet" "Subject" "MAKE MONEY FAST" { discard; }',
          text,
        ),
      ),
      ["implicit-keep"],
    );
    assert.deepEqual(
      summarize(await actionsOf('if header :contains "Subject" "MAKE MONEY FAST" { discard; }', text)),
      ["discard"],
    );
  });

  it("§2.7.1 :matches wildcards and escapes", async () => {
    const cases: [string, string, boolean][] = [
      ["I have a present for you", "*present*", true],
      ["I have a present for you", "I have ? present*", true],
      ["I have a present for you", "*present", false],
      ["a*b", "a\\*b", true],
      ["axb", "a\\*b", false],
      ["", "*", true],
      ["x", "?", true],
      ["", "?", false],
    ];
    for (const [subject, pattern, expected] of cases) {
      const script = `if header :matches "Subject" ${JSON.stringify(pattern)} { discard; }`;
      const actions = await actionsOf(script, mail([`Subject: ${subject}`]));
      assert.equal(summarize(actions)[0] === "discard", expected, `${subject} ~ ${pattern}`);
    }
  });

  it("§5.1 address with address parts over groups and display names", async () => {
    const text = mail([
      'From: "Tim, the Enchanter" <Tim@Example.COM>',
      "To: friends: a@one.test, b@two.test;, c@three.test",
    ]);
    assert.deepEqual(
      summarize(await actionsOf('if address :is :all "from" "tim@example.com" { discard; }', text)),
      ["discard"],
    );
    assert.deepEqual(
      summarize(await actionsOf('if address :localpart :is "from" "tim" { discard; }', text)),
      ["discard"],
    );
    assert.deepEqual(
      summarize(await actionsOf('if address :domain :is "to" "two.test" { discard; }', text)),
      ["discard"],
    );
    assert.deepEqual(
      summarize(await actionsOf('if address :domain :is "to" "four.test" { discard; }', text)),
      ["implicit-keep"],
    );
  });

  it("§5.4 envelope, with the null reverse-path as the empty string", async () => {
    const script = 'require "envelope";\nif envelope :all :is "from" "tim@example.com" { discard; }';
    const actions = await actionsOf(script, { envelope: { from: "tim@example.com", to: "me@example.com" } });
    assert.deepEqual(summarize(actions), ["discard"]);
    const bounce = 'require "envelope";\nif envelope :domain :is "from" "" { discard; }';
    assert.deepEqual(summarize(await actionsOf(bounce, { envelope: { from: "", to: "me@example.com" } })), [
      "discard",
    ]);
    const to = 'require "envelope";\nif envelope :localpart :is "to" "me" { discard; }';
    assert.deepEqual(summarize(await actionsOf(to, { envelope: { from: "a@b.c", to: "me@example.com" } })), [
      "discard",
    ]);
  });

  it('§5.5 exists needs every header; §5.7 header :is "" matches an empty header', async () => {
    const text = mail(["From: a@b.test", "Date: Tue, 1 Apr 1997 09:06:31 -0800", "X-Caffeine:"]);
    assert.deepEqual(summarize(await actionsOf('if exists ["From","Date"] { discard; }', text)), ["discard"]);
    assert.deepEqual(summarize(await actionsOf('if exists ["From","Nope"] { discard; }', text)), [
      "implicit-keep",
    ]);
    assert.deepEqual(summarize(await actionsOf('if header :is ["X-Caffeine"] [""] { discard; }', text)), [
      "discard",
    ]);
    assert.deepEqual(
      summarize(await actionsOf('if header :contains ["X-Missing"] [""] { discard; }', text)),
      ["implicit-keep"],
    );
  });

  it("§5.9 size :over and :under", async () => {
    assert.deepEqual(summarize(await actionsOf("if size :over 10 { discard; }")), ["discard"]);
    assert.deepEqual(summarize(await actionsOf("if size :under 1K { discard; }")), ["discard"]);
    assert.deepEqual(summarize(await actionsOf("if size :over 1M { discard; }")), ["implicit-keep"]);
  });

  it("headers are matched RFC 2047-decoded", async () => {
    const text = mail(["Subject: =?UTF-8?B?R3LDvMOfZQ==?= aus Berlin"]);
    assert.deepEqual(
      summarize(await actionsOf('if header :is "subject" "Grüße aus Berlin" { discard; }', text)),
      ["discard"],
    );
  });
});

describe("runtime errors keep the message (RFC 5228 §2.10.6)", () => {
  it("too many redirects is an error with the command's position", async () => {
    const script = ["a", "b", "c", "d", "e"].map((x) => `redirect "${x}@example.com";`).join("\n");
    const outcome = await runText(script);
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.match(outcome.error.message, /too many redirects/);
      assert.equal(outcome.error.line, 5);
    }
  });

  it("the action limit holds", async () => {
    const script = `require "fileinto";\n${Array.from({ length: 40 }, (_, i) => `fileinto "f${i}";`).join("\n")}`;
    const outcome = await runText(script, { limits: { maxActions: 10 } });
    assert.equal(outcome.ok, false);
  });
});

describe("RFC 5228 §5 test combinations", () => {
  const text = { text: messageText(["From: Cynthia <cynthia@example.com>", "Subject: money for nothing"]) };
  const cases: [string, boolean][] = [
    ['allof (header :contains "From" "Cynthia", header :contains "Subject" "money")', true],
    ['allof (header :contains "From" "Cynthia", header :contains "Subject" "fame")', false],
    ['anyof (header :contains "From" "Bob", header :contains "Subject" "money")', true],
    ['anyof (header :contains "From" "Bob", header :contains "Subject" "fame")', false],
    ['not header :contains "Subject" "money"', false],
    ["not not true", true],
    ['header :contains ["To", "From", "Subject"] ["nope", "nothing"]', true],
    ['header :is "Subject" "MONEY FOR NOTHING"', true],
    ['header :is :comparator "i;octet" "Subject" "MONEY FOR NOTHING"', false],
    ['address :all :is "From" "Cynthia <cynthia@example.com>"', false],
    ['address :all :is "From" "CYNTHIA@example.com"', true],
  ];
  for (const [test, expected] of cases) {
    it(test, async () => {
      const actions = await actionsOf(`if ${test} { discard; }`, text);
      assert.equal(summarize(actions)[0] === "discard", expected);
    });
  }
});
