// RFC 5230 vacation (and RFC 6131 :seconds): the examples of §4 and §9, the reply's fields, and the rules of
// §4.5–§5 that suppress a reply (bounces, lists, auto-submitted mail, mail not addressed to the user).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SieveAction, SieveVacation } from "./context.js";
import { actionsOf, messageText, runText, summarize } from "./sieve.testkit.js";

const BASE = [
  "From: Coyote <coyote@desert.example.org>",
  "To: roadrunner@acme.example.com",
  "Subject: I have a present for you",
  "Message-ID: <1234@desert.example.org>",
];

function vacationOf(actions: readonly SieveAction[]): SieveVacation | undefined {
  return actions.find((a): a is SieveVacation => a.type === "vacation");
}

describe("RFC 5230 examples", () => {
  it("§4 vacation by subject; the implicit keep stays", async () => {
    const script = `require "vacation";
if header :contains "subject" "cyrus" {
    vacation "I'm out -- send mail to cyrus-bugs";
} else {
    vacation "I'm out -- call me at +1 304 555 0123";
}`;
    const actions = await actionsOf(script);
    assert.deepEqual(summarize(actions), ["implicit-keep", "vacation:coyote@desert.example.org"]);
    const reply = vacationOf(actions)!;
    assert.equal(reply.reason, "I'm out -- call me at +1 304 555 0123");
    assert.equal(reply.subject, "Auto: I have a present for you");
    assert.equal(reply.periodSeconds, 7 * 86_400);
    assert.equal(reply.inReplyTo, "<1234@desert.example.org>");
    assert.equal(reply.isMime, false);
    assert.equal(reply.from, null);
  });

  it("§4.1 :days and :addresses: mail to an alias in :addresses is answered", async () => {
    const script = `require "vacation";
vacation :days 23 :addresses ["tjs@example.edu",
                              "ts4z@landru.example.edu"]
   "I'm away until October 19.  If it's an emergency, call 911, I guess." ;`;
    const text = messageText(["From: a@b.example", "To: TS4Z@landru.example.edu", "Subject: hi"]);
    const reply = vacationOf(
      await actionsOf(script, { text, envelope: { from: "a@b.example", to: "tjs@example.edu" } }),
    )!;
    assert.equal(reply.periodSeconds, 23 * 86_400);
    assert.ok(reply.addresses.includes("ts4z@landru.example.edu"));
  });

  it("§4.2 :handle: both branches share one handle; without it the handle follows the reason", async () => {
    const script = `require "vacation";
if header :contains "subject" "lunch" {
    vacation :handle "ran-away" "I'm out and can't meet for lunch";
} else {
    vacation :handle "ran-away" "I'm out";
}`;
    assert.equal(vacationOf(await actionsOf(script))!.handle, "ran-away");
    const a = vacationOf(await actionsOf('require "vacation"; vacation "one";'))!.handle;
    const b = vacationOf(await actionsOf('require "vacation"; vacation "two";'))!.handle;
    const a2 = vacationOf(await actionsOf('require "vacation"; vacation "one";'))!.handle;
    assert.notEqual(a, b);
    assert.equal(a, a2);
  });

  it("§4.3 :subject and :from, with variables", async () => {
    const script = `require ["vacation", "variables"];
if header :matches "subject" "*" {
  vacation :subject "Automatic response to: \${1}" :from "rr@acme.example.com" "I'm away";
}`;
    const reply = vacationOf(await actionsOf(script))!;
    assert.equal(reply.subject, "Automatic response to: I have a present for you");
    assert.equal(reply.from, "rr@acme.example.com");
  });

  it("§4.4 :mime keeps the MIME entity as the reason", async () => {
    const script = `require "vacation";
vacation :mime text:
Content-Type: multipart/alternative; boundary=foo

--foo

I'm at the beach relaxing.  Mmmm, surf...

--foo--
.
;`;
    const reply = vacationOf(await actionsOf(script))!;
    assert.equal(reply.isMime, true);
    assert.match(reply.reason, /^Content-Type: multipart\/alternative; boundary=foo\r\n\r\n--foo\r\n/);
  });

  it("§9 redirect for the boss, vacation for everyone else", async () => {
    const script = `require "vacation";
if header :contains "from" "boss@example.edu" {
    redirect "pleaseforwardthistome@example.edu";
} else {
    vacation "Sorry, I'm away, I'll read your message later.";
}`;
    const boss = messageText(["From: boss@example.edu", "To: roadrunner@acme.example.com"]);
    assert.deepEqual(summarize(await actionsOf(script, { text: boss })), [
      "redirect:pleaseforwardthistome@example.edu",
    ]);
    assert.deepEqual(summarize(await actionsOf(script)), [
      "implicit-keep",
      "vacation:coyote@desert.example.org",
    ]);
  });

  it("RFC 6131 :seconds, clamped to the limits; :days 0 means one day", async () => {
    const seconds = 'require ["vacation", "vacation-seconds"]; vacation :seconds 1800 "back soon";';
    assert.equal(vacationOf(await actionsOf(seconds))!.periodSeconds, 1800);
    const zero = 'require ["vacation", "vacation-seconds"]; vacation :seconds 0 "back soon";';
    assert.equal(
      vacationOf(await actionsOf(zero, { limits: { minVacationSeconds: 60 } }))!.periodSeconds,
      60,
    );
    const days0 = 'require "vacation"; vacation :days 0 "x";';
    assert.equal(vacationOf(await actionsOf(days0))!.periodSeconds, 86_400);
    const long = 'require "vacation"; vacation :days 1000 "x";';
    assert.equal(vacationOf(await actionsOf(long))!.periodSeconds, 90 * 86_400);
  });
});

describe("RFC 5230 §4.5–§5: when no reply goes out", () => {
  const script = 'require "vacation"; vacation "away";';
  const cases: [string, { text?: string; envelope?: { from: string; to: string } }][] = [
    ["the null sender", { envelope: { from: "", to: "roadrunner@acme.example.com" } }],
    ["MAILER-DAEMON", { envelope: { from: "MAILER-DAEMON@example.org", to: "roadrunner@acme.example.com" } }],
    [
      "owner- list address",
      { envelope: { from: "owner-list@example.org", to: "roadrunner@acme.example.com" } },
    ],
    [
      "-request address",
      { envelope: { from: "list-request@example.org", to: "roadrunner@acme.example.com" } },
    ],
    ["Auto-Submitted", { text: messageText([...BASE, "Auto-Submitted: auto-replied"]) }],
    ["Precedence: bulk", { text: messageText([...BASE, "Precedence: bulk"]) }],
    ["List-Id", { text: messageText([...BASE, "List-Id: <list.example.org>"]) }],
    [
      "not addressed to the user",
      { text: messageText(["From: a@b.example", "To: someone@else.example", "Subject: x"]) },
    ],
    [
      "from the user",
      { envelope: { from: "roadrunner@acme.example.com", to: "roadrunner@acme.example.com" } },
    ],
  ];
  for (const [name, options] of cases) {
    it(name, async () => {
      assert.deepEqual(summarize(await actionsOf(script, options)), ["implicit-keep"]);
    });
  }

  it("Auto-Submitted: no still gets a reply", async () => {
    const text = messageText([...BASE, "Auto-Submitted: no"]);
    assert.deepEqual(summarize(await actionsOf(script, { text })), [
      "implicit-keep",
      "vacation:coyote@desert.example.org",
    ]);
  });

  it("mail to the user's other address (userAddresses) gets a reply", async () => {
    const text = messageText(["From: a@b.example", "Cc: Road Runner <rr@alias.example>", "Subject: x"]);
    const actions = await actionsOf(script, { text, userAddresses: ["rr@alias.example"] });
    assert.deepEqual(summarize(actions), ["implicit-keep", "vacation:coyote@desert.example.org"]);
  });
});

describe("vacation conflicts (RFC 5230 §4.7)", () => {
  it("vacation with reject is a runtime error", async () => {
    const outcome = await runText('require ["vacation", "reject"]; vacation "away"; reject "no";');
    assert.equal(outcome.ok, false);
    if (!outcome.ok) assert.match(outcome.error.message, /reject cannot be used together with vacation/);
  });
  it("two vacations are a runtime error", async () => {
    const outcome = await runText('require "vacation"; vacation "a"; vacation "b";');
    assert.equal(outcome.ok, false);
  });
});
