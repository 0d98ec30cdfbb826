// RFC 5232 imap4flags: setflag/addflag/removeflag on the internal variable and on named variables, :flags on
// keep and fileinto, the implicit keep carrying the current flags, and hasflag (with relational :count).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SieveAction } from "./context.js";
import { actionsOf, messageText } from "./sieve.testkit.js";

function flagsOf(actions: readonly SieveAction[], mailbox = "INBOX"): readonly string[] | undefined {
  for (const a of actions) {
    if (a.type === "keep" && mailbox === "INBOX") return a.flags;
    if (a.type === "fileinto" && a.mailbox === mailbox) return a.flags;
  }
  return undefined;
}

describe("RFC 5232 flag commands", () => {
  it("§3.1–§3.3 set, add (no duplicates, case-insensitive) and remove on the internal variable", async () => {
    const script = `require "imap4flags";
setflag "\\\\Seen";
addflag ["\\\\Flagged", "\\\\Answered \\\\seen"];
removeflag "\\\\flagged";`;
    const actions = await actionsOf(script);
    assert.deepEqual(actions, [{ type: "keep", flags: ["\\Seen", "\\Answered"], isImplicit: true }]);
  });

  it("§5 :flags on fileinto and keep override the internal variable for that action only", async () => {
    const script = `require ["imap4flags", "fileinto"];
addflag "$Work";
fileinto :flags "\\\\Seen" "Archive";
fileinto "Work";
keep :flags "";`;
    const actions = await actionsOf(script);
    assert.deepEqual(flagsOf(actions, "Archive"), ["\\Seen"]);
    assert.deepEqual(flagsOf(actions, "Work"), ["$Work"]);
    assert.deepEqual(flagsOf(actions, "INBOX"), []);
  });

  it("§7 example: flags collected in a variable, filed by size and sender", async () => {
    const script = `require ["fileinto", "imap4flags", "variables"];
if size :over 1K {
    addflag "MyFlags" "Big";
    if header :is "From" "boss@company.example.com" {
        addflag "MyFlags" "\\\\Flagged";
    }
    fileinto :flags "\${MyFlags}" "Big messages";
}
if header :is "From" "grandma@example.net" {
    addflag "MyFlags" ["\\\\Answered", "$MDNSent"];
    fileinto :flags "\${MyFlags}" "GrandMa";
}`;
    const big = messageText(["From: boss@company.example.com"], `${"x".repeat(2000)}\r\n`);
    assert.deepEqual(flagsOf(await actionsOf(script, { text: big }), "Big messages"), ["Big", "\\Flagged"]);
    const grandmaSmall = messageText(["From: grandma@example.net"]);
    assert.deepEqual(flagsOf(await actionsOf(script, { text: grandmaSmall }), "GrandMa"), [
      "\\Answered",
      "$MDNSent",
    ]);
    const grandmaBig = messageText(["From: grandma@example.net"], `${"x".repeat(2000)}\r\n`);
    const actions = await actionsOf(script, { text: grandmaBig });
    assert.deepEqual(flagsOf(actions, "Big messages"), ["Big"]);
    assert.deepEqual(flagsOf(actions, "GrandMa"), ["Big", "\\Answered", "$MDNSent"]);
  });

  it("§4 hasflag on the internal variable and on named variables", async () => {
    const script = `require ["imap4flags", "variables", "fileinto", "relational", "comparator-i;ascii-numeric"];
setflag "\\\\Seen \\\\Draft";
set "MyVar" "Fun Work";
if hasflag :is "\\\\seen" { fileinto "a"; }
if hasflag :contains "MyVar" "Fun" { fileinto "b"; }
if hasflag "MyVar" "Nope" { fileinto "c"; }
if hasflag :count "ge" :comparator "i;ascii-numeric" "2" { fileinto "d"; }
if hasflag :count "ge" :comparator "i;ascii-numeric" "3" { fileinto "e"; }`;
    const mailboxes = (await actionsOf(script)).flatMap((a) => (a.type === "fileinto" ? [a.mailbox] : []));
    assert.deepEqual(mailboxes, ["a", "b", "d"]);
  });
});

describe("flags handed to the store", () => {
  it("system flags are spelled canonically; \\Recent and non-atom keywords are dropped", async () => {
    const script =
      'require ["imap4flags", "fileinto"];\nfileinto :flags ["\\\\seen \\\\RECENT \\\\Bogus", "$Label1", "bad(flag", "ok_flag"] "x";';
    const actions = await actionsOf(script);
    assert.deepEqual(actions[0]?.type === "fileinto" && actions[0].flags, ["\\Seen", "$Label1", "ok_flag"]);
  });
});
