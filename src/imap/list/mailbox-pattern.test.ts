import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileMailboxPattern, joinReference, matchesAny } from "./mailbox-pattern.js";

const matches = (pattern: string, name: string, reference = ""): boolean =>
  compileMailboxPattern(reference, pattern).matches(name);

describe("mailbox patterns", () => {
  it("matches literal names exactly", () => {
    assert.equal(matches("Sent", "Sent"), true);
    assert.equal(matches("Sent", "sent"), false);
    assert.equal(matches("Sent", "Sent/2024"), false);
    assert.equal(matches("", "Sent"), false);
  });

  it("lets * cross the delimiter and % stop at it", () => {
    assert.equal(matches("*", "a/b/c"), true);
    assert.equal(matches("%", "a"), true);
    assert.equal(matches("%", "a/b"), false);
    assert.equal(matches("a/%", "a/b"), true);
    assert.equal(matches("a/%", "a/b/c"), false);
    assert.equal(matches("a/*", "a/b/c"), true);
    assert.equal(matches("a/*", "a"), false);
    assert.equal(matches("a*", "a"), true);
    assert.equal(matches("%/%", "a/b"), true);
    assert.equal(matches("%/%", "a"), false);
    assert.equal(matches("S%t", "Sent"), true);
    assert.equal(matches("S%t", "S/t"), false);
    assert.equal(matches("*t", "a/Sent"), true);
  });

  it("collapses wildcard runs", () => {
    assert.equal(matches("%*", "a/b"), true);
    assert.equal(matches("%%", "a/b"), false);
    assert.equal(matches("**%**", "x/y/z"), true);
  });

  it("compares the INBOX level in any case, and nothing else", () => {
    assert.equal(matches("inbox", "INBOX"), true);
    assert.equal(matches("InBox/%", "INBOX/Work"), true);
    assert.equal(matches("inbox/work", "INBOX/Work"), false);
    assert.equal(matches("in%", "INBOX"), true);
    assert.equal(matches("*box", "INBOX"), true);
    assert.equal(matches("inbox", "INBOXES"), false);
    assert.equal(matches("inboxes", "INBOXES"), false);
    assert.equal(matches("drafts", "Drafts"), false);
  });

  it("joins the reference by concatenation, as Dovecot does", () => {
    assert.equal(joinReference("Work/", "%"), "Work/%");
    assert.equal(matches("%", "Work/Project", "Work/"), true);
    assert.equal(matches("%", "Work/Project/x", "Work/"), false);
    assert.equal(matches("*", "Work/Project/x", "Work/"), true);
    assert.equal(matches("*", "Other", "Work/"), false);
    assert.equal(matches("%", "WorkX", "Work"), true);
    assert.equal(matches("", "Work", "Work/"), false);
  });

  it("matches Unicode names by code point, NFC-normalizing the pattern", () => {
    assert.equal(matches("Entwürfe/%", "Entwürfe/台北"), true);
    assert.equal(matches("Entwu\u0308rfe", "Entwürfe"), true);
    assert.equal(matches("%/台?", "Entwürfe/台北"), false);
    assert.equal(matches("Entw%rfe", "Entwürfe"), true);
    assert.equal(matches("😀%", "😀x"), true);
  });

  it("tells whether a pattern ends in %", () => {
    assert.equal(compileMailboxPattern("", "a/%").endsWithPercent, true);
    assert.equal(compileMailboxPattern("", "a/*").endsWithPercent, false);
    assert.equal(compileMailboxPattern("", "a/%*").endsWithPercent, false);
  });

  it("matches any of several patterns", () => {
    const patterns = ["INBOX", "Sent"].map((p) => compileMailboxPattern("", p));
    assert.equal(matchesAny(patterns, "Sent"), true);
    assert.equal(matchesAny(patterns, "Trash"), false);
  });

  it("does not backtrack on hostile patterns", () => {
    const started = Date.now();
    const name = "a".repeat(1000);
    assert.equal(matches(`${"*a".repeat(400)}b`, name), false);
    assert.equal(matches("%".repeat(5000), name), true);
    assert.ok(Date.now() - started < 2000);
  });
});
