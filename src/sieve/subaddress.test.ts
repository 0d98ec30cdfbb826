// RFC 5233 subaddress: :user and :detail on envelope and header addresses, the example of §6, and the
// difference between "ken+@" (empty detail) and "ken@" (no detail).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actionsOf, messageText, summarize } from "./sieve.testkit.js";

const EXAMPLE = `require ["envelope", "subaddress", "fileinto"];
if envelope :user "to" "postmaster" { fileinto "inbox.postmaster"; stop; }
if envelope :detail "to" "mta-filters" { fileinto "inbox.ietf-mta-filters"; }
if not envelope :user "to" "ken" { fileinto "inbox.spam"; }`;

function to(address: string) {
  return { envelope: { from: "someone@example.org", to: address } };
}

describe("RFC 5233", () => {
  it("§6 example", async () => {
    assert.deepEqual(summarize(await actionsOf(EXAMPLE, to("postmaster+x@example.com"))), [
      "fileinto:inbox.postmaster",
    ]);
    assert.deepEqual(summarize(await actionsOf(EXAMPLE, to("ken+mta-filters@example.com"))), [
      "fileinto:inbox.ietf-mta-filters",
    ]);
    assert.deepEqual(summarize(await actionsOf(EXAMPLE, to("ken@example.com"))), ["implicit-keep"]);
    assert.deepEqual(summarize(await actionsOf(EXAMPLE, to("bob@example.com"))), ["fileinto:inbox.spam"]);
  });

  it('§4: "ken+@" has an empty detail, "ken@" none', async () => {
    const script = 'require ["envelope", "subaddress"];\nif envelope :detail "to" "" { discard; }';
    assert.deepEqual(summarize(await actionsOf(script, to("ken+@example.com"))), ["discard"]);
    assert.deepEqual(summarize(await actionsOf(script, to("ken@example.com"))), ["implicit-keep"]);
    const any = 'require ["envelope", "subaddress"];\nif envelope :detail :matches "to" "*" { discard; }';
    assert.deepEqual(summarize(await actionsOf(any, to("ken@example.com"))), ["implicit-keep"]);
  });

  it("address test with :user/:detail and a custom separator", async () => {
    const text = messageText(["To: Ken <ken-lists@example.com>"]);
    const script = 'require "subaddress";\nif address :detail "to" "lists" { discard; }';
    assert.deepEqual(summarize(await actionsOf(script, { text })), ["implicit-keep"]);
    assert.deepEqual(summarize(await actionsOf(script, { text, subaddressSeparator: "-" })), ["discard"]);
  });
});
