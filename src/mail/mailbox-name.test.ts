import assert from "node:assert/strict";
import { test } from "node:test";
import { MailError } from "../kit/mail-error.js";
import { normalizeMailboxName } from "./mailbox-name.js";

function isInvalid(name: string): boolean {
  try {
    normalizeMailboxName(name);
    return false;
  } catch (error) {
    return error instanceof MailError && error.code === "invalidName";
  }
}

test("path steps, empty levels, wildcards, controls, other namespaces and oversize names are refused", () => {
  const hostile = ["..", ".", "../bob", "INBOX/..", "a/./b", "/", "//", "/a", "a//b", "%", "a*", "a\u0000b"];
  const more = [
    "#shared",
    "#shared/x",
    "~bob",
    "~bob/INBOX",
    "x".repeat(2000),
    Array(40).fill("d").join("/"),
  ];
  for (const name of [...hostile, ...more]) assert.ok(isInvalid(name), JSON.stringify(name.slice(0, 40)));
});

test("names that differ only in INBOX case, a trailing delimiter or Unicode normalization are one name", () => {
  assert.equal(normalizeMailboxName("inbox/Sub/"), "INBOX/Sub");
  assert.equal(normalizeMailboxName("A\u0308"), "\u00c4");
  assert.equal(normalizeMailboxName("user/bob/INBOX"), "user/bob/INBOX");
  assert.equal(normalizeMailboxName("a.b/..c/x~"), "a.b/..c/x~");
});
