// RFC 5260 date and currentdate with :zone/:originalzone, every date part, Received dates, and :index/:last
// (§6); the examples of §7.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { datePart } from "./date-part.js";
import { actionsOf, messageText, summarize } from "./sieve.testkit.js";

// Friday 2007-03-09 14:17:12 at -0500 = 19:17:12 UTC.
const MESSAGE = messageText([
  "Received: from a by b; Sat, 10 Mar 2007 00:30:00 +0100",
  "Received: from c by d; Fri, 9 Mar 2007 20:00:00 +0000",
  "From: boss@example.com",
  "Date: Fri, 9 Mar 2007 14:17:12 -0500",
]);
const NOW = new Date(Date.UTC(2007, 6, 3, 12, 0, 0)); // Tuesday 2007-07-03 12:00 UTC

async function run(script: string) {
  return summarize(await actionsOf(script, { text: MESSAGE, now: NOW }));
}

describe("RFC 5260 date parts", () => {
  it("every part of one moment", () => {
    const time = { epochMs: Date.UTC(2007, 2, 9, 19, 17, 12), offsetMinutes: -300 };
    const expected: Record<string, string> = {
      year: "2007",
      month: "03",
      day: "09",
      date: "2007-03-09",
      julian: "54168",
      hour: "14",
      minute: "17",
      second: "12",
      time: "14:17:12",
      iso8601: "2007-03-09T14:17:12-05:00",
      std11: "Fri, 09 Mar 2007 14:17:12 -0500",
      zone: "-0500",
      weekday: "5",
    };
    for (const [part, value] of Object.entries(expected)) assert.equal(datePart(time, part), value, part);
  });
});

describe("RFC 5260 §7 examples", () => {
  it("boss mail during office hours in the sender's zone (:originalzone)", async () => {
    const script = `require ["date", "relational", "fileinto"];
if allof(header :is "from" "boss@example.com",
         date :value "ge" :originalzone "date" "hour" "09",
         date :value "lt" :originalzone "date" "hour" "17")
{ fileinto "urgent"; }`;
    assert.deepEqual(await run(script), ["fileinto:urgent"]);
  });

  it("the default zone is the local one (19:17 UTC is outside office hours)", async () => {
    const script = `require ["date", "relational", "fileinto"];
if date :value "ge" "date" "hour" "17" { fileinto "late"; }`;
    assert.deepEqual(await run(script), ["fileinto:late"]);
  });

  it("weekend by the Received date (after the last semicolon; the first Received field)", async () => {
    const script = `require ["date", "fileinto"];
if anyof(date :is "received" "weekday" "0", date :is "received" "weekday" "6") { fileinto "weekend"; }`;
    // The first Received is Saturday in +0100, Friday 23:30 UTC; the second is Friday.
    assert.deepEqual(await run(script), ["implicit-keep"]);
    const zoned = script.replaceAll('date :is "received"', 'date :is :originalzone "received"');
    assert.deepEqual(await run(zoned), ["fileinto:weekend"]);
  });

  it("vacation during the first week of July by currentdate", async () => {
    const script = `require ["date", "relational", "vacation"];
if allof(currentdate :value "ge" "date" "2007-06-30", currentdate :value "le" "date" "2007-07-07")
{ vacation :days 7 "I'm away during the first week in July."; }`;
    const actions = await actionsOf(script, {
      text: messageText(["From: a@b.example", "To: roadrunner@acme.example.com"]),
      now: NOW,
      envelope: { from: "a@b.example", to: "roadrunner@acme.example.com" },
    });
    assert.deepEqual(summarize(actions), ["implicit-keep", "vacation:a@b.example"]);
  });

  it("file by month and year with match variables", async () => {
    const script = `require ["date", "variables", "fileinto"];
if currentdate :matches "month" "*" { set "month" "\${1}"; }
if currentdate :matches "year"  "*" { set "year"  "\${1}"; }
fileinto "\${month}-\${year}";`;
    assert.deepEqual(await run(script), ["fileinto:07-2007"]);
  });

  it(":zone shifts the moment", async () => {
    assert.deepEqual(
      await run('require "date"; if currentdate :zone "+1400" :is "date" "2007-07-04" { discard; }'),
      ["discard"],
    );
    assert.deepEqual(
      await run('require "date"; if currentdate :zone "-1200" :is "time" "00:00:00" { discard; }'),
      ["discard"],
    );
  });

  it("a missing or unparseable date never matches", async () => {
    assert.deepEqual(await run('require "date"; if date :matches "x-missing" "date" "*" { discard; }'), [
      "implicit-keep",
    ]);
    const junk = messageText(["Date: not a date at all"]);
    const actions = await actionsOf('require "date"; if date :matches "date" "date" "*" { discard; }', {
      text: junk,
    });
    assert.deepEqual(summarize(actions), ["implicit-keep"]);
  });
});

describe("RFC 5260 §6 index", () => {
  it(":index counts from the top, :last from the bottom", async () => {
    const first =
      'require ["date", "index"]; if date :index 1 :originalzone "received" "zone" "+0100" { discard; }';
    assert.deepEqual(await run(first), ["discard"]);
    const last =
      'require ["date", "index"]; if date :index 1 :last :originalzone "received" "zone" "+0000" { discard; }';
    assert.deepEqual(await run(last), ["discard"]);
    const beyond = 'require ["index"]; if header :index 3 :matches "received" "*" { discard; }';
    assert.deepEqual(await run(beyond), ["implicit-keep"]);
    const header = 'require ["index"]; if header :index 2 :contains "received" "from c" { discard; }';
    assert.deepEqual(await run(header), ["discard"]);
  });
});
